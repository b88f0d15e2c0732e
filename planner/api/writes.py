"""Appointment writes of the API: a JSON body (wall times, the zone, the occurrence) as the form's typed input.

The body is checked as the appointment form checks its fields
(:class:`planner.program.forms.AppointmentForm`): the city and the zone decide
where the wall times are read (the city's zone unless one is named), each time
goes through :func:`planner.timezones.to_utc`, and the end must come after the
start. What the form answers with a message on a field, this module raises as
:class:`Refused` with the field's JSON name; the view makes it a 422 problem.
The save itself is the form's: :func:`planner.program.operations.save_appointment`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.backup.export import utc_text
from planner.extensions import db
from planner.models import Appointment, AppointmentKind, City, Delegation, ItemStatus, Organization, Person, Visibility
from planner.program.inputs import AppointmentInput, whole_delegation
from planner.timezones import (
    FIRST_YEAR,
    LAST_YEAR,
    AmbiguousLocalTime,
    NonexistentLocalTime,
    is_known_zone,
    to_local,
    to_utc,
)
from planner.web.forms import year_range_message
from planner.web.localtime import nonexistent_time_message, repeated_time_message

_TEXTS = ("venue", "address", "objectives", "talking_points", "background", "dress_code", "notes")


class Refused(Exception):
    """The body breaks a rule of the form: ``errors`` by JSON field; ``instants``: both readings of a repeated time."""

    def __init__(self, errors: dict[str, list[str]], instants: dict[str, list[str]] | None = None) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors = errors
        self.instants = instants or {}


@dataclasses.dataclass(frozen=True)
class _Wall:
    """A wall time and the occurrence wanted if it happens twice (None: not said)."""

    time: datetime
    fold: int | None


def _wall(body: dict[str, Any], name: str, saved: datetime | None, saved_zone: str | None) -> _Wall | None:
    """The wall time ``name`` of the body; without it the saved instant as the form shows it (wall time and occurrence)."""
    if name in body:
        return _Wall(body[name], body.get(f"{name}_fold"))
    if saved is None or saved_zone is None:
        return None
    local = to_local(saved, saved_zone)
    return _Wall(local.replace(tzinfo=None), body.get(f"{name}_fold", local.fold))


def _resolve(name: str, wall: _Wall, zone: str, errors: dict[str, list[str]], instants: dict[str, list[str]]) -> datetime | None:
    if not FIRST_YEAR <= wall.time.year <= LAST_YEAR:
        errors[name] = [year_range_message()]
        return None
    try:
        return to_utc(wall.time, zone, fold=wall.fold)
    except NonexistentLocalTime:
        errors[name] = [nonexistent_time_message(wall.time, zone)]
    except AmbiguousLocalTime as twice:
        choose = _("Bitte mit %(field)s angeben, welche gemeint ist: 0 = die erste, 1 = die zweite.", field=f"{name}_fold")
        errors[name] = [f"{repeated_time_message(wall.time, zone)} {choose}"]
        instants[name] = [utc_text(twice.earlier), utc_text(twice.later)]
    return None


def _exists(model: type[Any], record_id: int | None) -> bool:
    return record_id is None or db.session.get(model, record_id) is not None


def appointment_input(
    delegation: Delegation, body: dict[str, Any], saved: Appointment | None, *, replace: bool, version: int | None
) -> AppointmentInput:
    """The typed input for a create (``saved`` None), a replacement (``replace``) or a change of the given fields.

    A change keeps every field the body leaves out; a replacement and a create
    take the form's defaults for them (a new appointment: the whole delegation
    attends). Raises :class:`Refused` naming every field that breaks a rule.
    """
    if saved is not None and not replace:
        base = AppointmentInput.of(saved)
    else:
        attendees = whole_delegation(delegation) if saved is None else ()
        base = AppointmentInput(title="", start_at=datetime.min, end_at=datetime.min, timezone="", attendee_ids=attendees)
    errors: dict[str, list[str]] = {}
    instants: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if "title" in body:
        title = body["title"].strip()
        if not title:
            errors["title"] = [_("Bitte einen Titel angeben.")]
        changes["title"] = title
    for name, enum_type in (("kind", AppointmentKind), ("status", ItemStatus), ("visibility", Visibility)):
        if name in body:
            changes[name] = enum_type(body[name])
    for name in _TEXTS:
        if name in body:
            changes[name] = body[name]
    for name, model in (("city_id", City), ("organization_id", Organization), ("contact_person_id", Person)):
        if name in body:
            if not _exists(model, body[name]):
                errors[name] = [_("Diesen Eintrag gibt es nicht.")]
            changes[name] = body[name]
    member_ids = {m.id for m in delegation.members}
    for name, target in (("attendees", "attendee_ids"), ("briefed", "briefed_ids")):
        if name in body:
            if not set(body[name]) <= member_ids:
                errors[name] = [_("Nur Mitglieder dieser Delegation sind möglich.")]
            changes[target] = tuple(dict.fromkeys(body[name]))
    zone = _zone(body, changes.get("city_id", base.city_id), saved, errors)
    # A change keeps the wall times it leaves out; a create and a replacement have them all (the schema requires them).
    kept = saved if saved is not None and not replace else None
    start = _wall(body, "start", kept.start_at if kept else None, kept.timezone if kept else None)
    end = _wall(body, "end", kept.end_at if kept else None, kept.timezone if kept else None)
    if zone is not None and start is not None and end is not None:
        start_at = _resolve("start", start, zone, errors, instants)
        end_at = _resolve("end", end, zone, errors, instants)
        if start_at is not None and end_at is not None:
            if end_at <= start_at:
                errors["end"] = [_("Das Ende muss nach dem Beginn liegen.")]
            changes.update(timezone=zone, start_at=start_at, end_at=end_at)
    if errors:
        raise Refused(errors, instants)
    return dataclasses.replace(base, **changes, version=version)


def _zone(body: dict[str, Any], city_id: int | None, saved: Appointment | None, errors: dict[str, list[str]]) -> str | None:
    """The zone the wall times are read in: the one named, else (as the form) the chosen city's."""
    # Not named: a change that keeps the city keeps the zone; a new city brings its own.
    kept = saved.timezone if saved is not None and "city_id" not in body else None
    named = body.get("timezone", kept)
    if named:
        if is_known_zone(named):
            return str(named)
        errors["timezone"] = [_("Unbekannte Zeitzone „%(zone)s“. Bitte eine Zeitzone aus der Liste wählen.", zone=named)]
        return None
    city_zone = db.session.scalar(sa.select(City.timezone).where(City.id == city_id)) if city_id is not None else None
    if city_zone is None and "city_id" not in errors:
        errors["timezone"] = [_("Bitte eine Zeitzone wählen.")]
    return city_zone
