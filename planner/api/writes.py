"""The API's writes: a JSON body (wall times, the zone, the occurrence) as the typed input of the form's operation.

The body is checked as the web form checks its fields; for an appointment
(:class:`planner.program.forms.AppointmentForm`) the city and the zone decide
where the wall times are read (the city's zone unless one is named), each time
goes through :func:`planner.timezones.to_utc`, and the end must come after the
start. A journey does the same for each of its ends, in that end's zone.
What the form answers with a message on a field, this module raises as
:class:`Refused` with the field's JSON name; the view makes it a 422 problem.
The save itself is the form's operation (:func:`planner.program.operations.save_appointment`,
``save_journey``; :func:`planner.delegations.operations.save_member`, ``save_follow_up``).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.backup.export import utc_text
from planner.delegations.inputs import FollowUpInput, MemberInput
from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    City,
    Delegation,
    FollowUp,
    FollowUpStatus,
    ItemStatus,
    Journey,
    JourneyMode,
    Member,
    MemberRole,
    Organization,
    Person,
    Visibility,
)
from planner.program.inputs import AppointmentInput, JourneyInput, whole_delegation
from planner.text import CONTROL
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


def without_controls(body: dict[str, Any]) -> dict[str, Any]:
    """The body with C0 control characters taken out of its texts, as the request does for every form field.

    (:class:`planner.PlannerRequest`; the JSON body is parsed by the API's input
    schemas, past the request's own cleaning.) PostgreSQL refuses NUL outright.
    """
    return {name: CONTROL.sub("", value) if isinstance(value, str) else value for name, value in body.items()}


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
    body = without_controls(body)
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
    return _place_zone(body, "timezone", "city_id", saved.timezone if saved is not None else None, city_id, errors)


def _place_zone(
    body: dict[str, Any],
    zone_field: str,
    city_field: str,
    saved_zone: str | None,
    city_id: int | None,
    errors: dict[str, list[str]],
) -> str | None:
    """The zone of one place (``zone_field`` of the body, else the city's of ``city_field``); None with a message on it."""
    # Not named: a change that keeps the city keeps the zone; a new city brings its own.
    kept = saved_zone if city_field not in body else None
    named = body.get(zone_field, kept)
    if named:
        if is_known_zone(named):
            return str(named)
        errors[zone_field] = [_("Unbekannte Zeitzone „%(zone)s“. Bitte eine Zeitzone aus der Liste wählen.", zone=named)]
        return None
    city_zone = db.session.scalar(sa.select(City.timezone).where(City.id == city_id)) if city_id is not None else None
    if city_zone is None and city_field not in errors:
        errors[zone_field] = [_("Bitte eine Zeitzone wählen.")]
    return city_zone


# -- journeys ----------------------------------------------------------------------------------

_JOURNEY_TEXTS = ("carrier", "number", "notes")
# Each end of a journey: its place, city, zone and wall time in the body, and where they go in the input.
_ENDS = (
    ("departure", "depart", "departure_city_id", "departure_timezone", "depart_at"),
    ("arrival", "arrive", "arrival_city_id", "arrival_timezone", "arrive_at"),
)


def journey_input(
    delegation: Delegation, body: dict[str, Any], saved: Journey | None, *, replace: bool, version: int | None
) -> JourneyInput:
    """The typed input for a journey's create (``saved`` None), replacement (``replace``) or change of the given fields.

    As the journey form (:class:`planner.program.forms.JourneyForm`): each end's
    wall time is read in its own zone (named, else its city's), and the arrival
    must come after the departure in real time. A new journey without
    ``travellers`` takes the whole delegation, as the rows form does. The booking
    reference is no part of the API: every write keeps the one saved.
    Raises :class:`Refused` naming every field that breaks a rule.
    """
    body = without_controls(body)
    if saved is not None and not replace:
        base = JourneyInput.of(saved)
    else:
        travellers = whole_delegation(delegation) if saved is None else ()
        base = JourneyInput(
            departure_place="",
            depart_at=datetime.min,
            departure_timezone="",
            arrival_place="",
            arrive_at=datetime.min,
            arrival_timezone="",
            traveller_ids=travellers,
            booking_reference=saved.booking_reference if saved is not None else None,
        )
    errors: dict[str, list[str]] = {}
    instants: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    for name, enum_type in (("mode", JourneyMode), ("status", ItemStatus), ("visibility", Visibility)):
        if name in body:
            changes[name] = enum_type(body[name])
    for name in _JOURNEY_TEXTS:
        if name in body:
            changes[name] = body[name]
    if "travellers" in body:
        if not set(body["travellers"]) <= {m.id for m in delegation.members}:
            errors["travellers"] = [_("Nur Mitglieder dieser Delegation sind möglich.")]
        changes["traveller_ids"] = tuple(dict.fromkeys(body["travellers"]))
    kept = saved if saved is not None and not replace else None
    resolved: dict[str, datetime | None] = {}
    for end, wall_name, city_field, zone_field, instant_field in _ENDS:
        place_field = f"{end}_place"
        if place_field in body:
            place = body[place_field].strip()
            if not place:
                errors[place_field] = [_("Bitte ausfüllen.")]
            changes[place_field] = place
        if city_field in body:
            if not _exists(City, body[city_field]):
                errors[city_field] = [_("Diesen Eintrag gibt es nicht.")]
            changes[city_field] = body[city_field]
        saved_zone = getattr(saved, zone_field) if saved is not None else None
        zone = _place_zone(body, zone_field, city_field, saved_zone, changes.get(city_field, getattr(base, city_field)), errors)
        wall = _wall(body, wall_name, getattr(kept, instant_field) if kept else None, getattr(kept, zone_field) if kept else None)
        resolved[wall_name] = None
        if zone is not None and wall is not None:
            resolved[wall_name] = _resolve(wall_name, wall, zone, errors, instants)
            if resolved[wall_name] is not None:
                changes.update({zone_field: zone, instant_field: resolved[wall_name]})
    depart_at, arrive_at = resolved["depart"], resolved["arrive"]
    if depart_at is not None and arrive_at is not None and arrive_at <= depart_at:
        errors["arrive"] = [_("Die Ankunft muss nach der Abfahrt liegen (verglichen in echter Zeit, über Zeitzonen hinweg).")]
    if errors:
        raise Refused(errors, instants)
    return dataclasses.replace(base, **changes, version=version)


# -- members -----------------------------------------------------------------------------------


def member_input(body: dict[str, Any], saved: Member | None, *, replace: bool, version: int | None) -> MemberInput:
    """The typed input for adding a directory person as a member, or for a replacement or change of one.

    Only what the member form offers (person, role, function, language); the
    place in the delegation's list stays (a new member goes last). Whether the
    person is already in the delegation is the operation's rule
    (:func:`planner.delegations.operations.save_member`).
    """
    body = without_controls(body)
    base = MemberInput.of(saved) if saved is not None and not replace else MemberInput(person_id=0)
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if "person_id" in body:
        if not _exists(Person, body["person_id"]):
            errors["person_id"] = [_("Diesen Eintrag gibt es nicht.")]
        changes["person_id"] = body["person_id"]
    if "role" in body:
        changes["role"] = MemberRole(body["role"])
    for name in ("function", "language"):
        if name in body:
            changes[name] = body[name]
    if errors:
        raise Refused(errors)
    # A replacement keeps the member's place in the list (the form has no field for it either).
    return dataclasses.replace(base, **changes, sort_order=saved.sort_order if saved is not None else None, version=version)


# -- follow-ups --------------------------------------------------------------------------------


def follow_up_input(
    delegation: Delegation, body: dict[str, Any], saved: FollowUp | None, *, replace: bool, version: int | None
) -> FollowUpInput:
    """The typed input for a follow-up's create, replacement or change, checked as the follow-up form checks it.

    The appointment it comes from must be one of this delegation's (the form
    offers only those); owner and organization must exist in the directory.
    """
    body = without_controls(body)
    base = FollowUpInput.of(saved) if saved is not None and not replace else FollowUpInput(title="")
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if "title" in body:
        title = body["title"].strip()
        if not title:
            errors["title"] = [_("Bitte einen Titel angeben.")]
        changes["title"] = title
    if "description" in body:
        changes["description"] = body["description"]
    if "status" in body:
        changes["status"] = FollowUpStatus(body["status"])
    if "due_on" in body:
        due: date | None = body["due_on"]
        if due is not None and not FIRST_YEAR <= due.year <= LAST_YEAR:
            errors["due_on"] = [year_range_message()]
        changes["due_on"] = due
    for name, model in (("owner_id", Person), ("organization_id", Organization)):
        if name in body:
            if not _exists(model, body[name]):
                errors[name] = [_("Diesen Eintrag gibt es nicht.")]
            changes[name] = body[name]
    if "appointment_id" in body:
        appointment_id = body["appointment_id"]
        # Another trip's appointment "does not exist" here: its existence is not revealed.
        ours = sa.select(Appointment.id).where(Appointment.id == appointment_id, Appointment.delegation_id == delegation.id)
        if appointment_id is not None and db.session.scalar(ours) is None:
            errors["appointment_id"] = [_("Diesen Eintrag gibt es nicht.")]
        changes["appointment_id"] = appointment_id
    if errors:
        raise Refused(errors)
    return dataclasses.replace(base, **changes, version=version)
