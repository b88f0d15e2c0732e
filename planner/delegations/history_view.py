"""The change history as a German office would write it.

:mod:`planner.models.history` records what changed in database terms: column
names, enum values, ISO instants in UTC, ids of referenced rows. This module
turns a page of those records into what people read: field labels, enum
labels, instants in the item's local time with the home time beside, Ja/Nein,
and references by name. Names of referenced rows are loaded in one statement
per kind of row, so the page costs the same number of queries however long
the history is.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.extensions import db
from planner.formatting import clock, day, place_name
from planner.labels import field_label, label
from planner.models import Appointment, ChangeRecord, Delegation, Journey, Leg, Member
from planner.models.base import UTCDateTime
from planner.models.directory import Organization, Person
from planner.models.geography import City
from planner.models.history import TRACKED
from planner.models.trash import include_trashed

_MODELS: dict[str, Any] = {model.__tablename__: model for model in TRACKED}
# What the recorder wrote when a record had no name of its own ("member 11", "Journey 4"): never shown.
_INTERNAL_LABEL = re.compile(r"^\w+ \d+$")
_AIRPORT_CODE = re.compile(r"\(([A-Z]{3})\)\s*$")
EMPTY = "—"

_ACTIONS = {
    "create": _l("angelegt"),
    "update": _l("geändert"),
    "delete": _l("gelöscht"),
    "trash": _l("in den Papierkorb gelegt"),
    "restore": _l("wiederhergestellt"),
}
# Said after the record ("Stopp „Seoul“ in den Papierkorb gelegt"), as the flash after the click says it.
_TRAILING_ACTIONS = frozenset({"trash", "restore"})
_ENTITIES = {
    "delegations": _l("Reise"),
    "members": _l("Mitglied"),
    "legs": _l("Stopp"),
    "appointments": _l("Termin"),
    "journeys": _l("Verbindung"),
    "follow_ups": _l("Wiedervorlage"),
    "releases": _l("Programmfassung"),
    "team_members": _l("Teammitglied"),
    "vehicles": _l("Fahrzeug"),
    "transfers": _l("Transfer"),
    "rooms": _l("Hotelzimmer"),
    "night_overrides": _l("Übernachtung"),
    "gifts": _l("Geschenk"),
    "content_translations": _l("Übersetzung"),
    "seating_plans": _l("Sitzordnung"),
    "protocol_participants": _l("Rangfolge"),
}


@dataclass(frozen=True)
class Change:
    """One field of one change: its label and the values before and after, as text."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    """One line of the history: when (home time), who, what was done to which record, and the changes."""

    when: str
    actor: str
    action: str
    entity: str
    name: str
    changes: tuple[Change, ...]
    trailing: bool = False  # the action is said after the record: "Stopp „Seoul“ wiederhergestellt"


def journey_name(departure_place: str | None, arrival_place: str | None) -> str:
    """'DUS → ICN': the airport codes if the places carry them, the places otherwise."""
    return f"{_short_place(departure_place)} → {_short_place(arrival_place)}"


def _short_place(place: str | None) -> str:
    match = _AIRPORT_CODE.search(place or "")
    return match.group(1) if match else (place or EMPTY)


@dataclass(frozen=True)
class _Home:
    """The trip's home zone and how its place is named ('Düsseldorf', not the zone's 'Berlin')."""

    zone: str
    name: str


@dataclass(frozen=True)
class _Row:
    """What the page needs of a named row: its name (a journey: both places) and its zone(s)."""

    name: str | None
    other: str | None
    zone: str | None
    other_zone: str | None


def _text(column: Any) -> Any:
    return sa.cast(column, sa.String)


def _nothing() -> Any:
    return sa.cast(sa.null(), sa.String)


class _Names:
    """The current state of every row the records name, loaded in one statement however many there are."""

    def __init__(self, records: Iterable[ChangeRecord]) -> None:
        wanted: dict[str, set[int]] = defaultdict(set)
        for record in records:
            wanted[record.entity].add(record.entity_id)
            model = _MODELS.get(record.entity)
            for name, pair in record.changes.items():
                target = _reference_table(model, name)
                if target is not None:
                    wanted[target].update(v for v in pair if isinstance(v, int) and not isinstance(v, bool))

        def part(kind: str, key: Any, name: Any, other: Any, zone: Any, other_zone: Any) -> Any:
            return sa.select(sa.literal(kind, sa.String), key, _text(name), other, zone, other_zone).where(key.in_(wanted[kind]))

        nothing = _nothing()
        statement = sa.union_all(
            part("cities", City.id, City.name, nothing, _text(City.timezone), nothing),
            part("people", Person.id, Person.name, nothing, nothing, nothing),
            part("organizations", Organization.id, Organization.name, nothing, nothing, nothing),
            part("legs", Leg.id, City.name, nothing, _text(City.timezone), nothing).outerjoin(City, Leg.city_id == City.id),
            part("members", Member.id, Person.name, nothing, nothing, nothing).outerjoin(Person, Member.person_id == Person.id),
            part(
                "journeys",
                Journey.id,
                Journey.departure_place,
                _text(Journey.arrival_place),
                _text(Journey.departure_timezone),
                _text(Journey.arrival_timezone),
            ),
            part("appointments", Appointment.id, Appointment.title, nothing, _text(Appointment.timezone), nothing),
        )
        self.rows: dict[str, dict[int, _Row]] = defaultdict(dict)
        # Trashed appointments are named too: the history tells of them.
        for kind, key, name, other, zone, other_zone in db.session.execute(statement, execution_options=include_trashed()):
            self.rows[kind][key] = _Row(name, other, zone, other_zone)

    def get(self, table: str, row_id: int) -> _Row | None:
        return self.rows.get(table, {}).get(row_id)


def _reference_table(model: Any, name: str) -> str | None:
    column = model.__table__.columns.get(name) if model is not None else None
    if column is None or not column.foreign_keys:
        return None
    return next(iter(column.foreign_keys)).column.table.name


def _row_name(table: str, row: _Row) -> str:
    if table == "journeys":
        return journey_name(row.name, row.other)
    return row.name or EMPTY


def _zone(record: ChangeRecord, name: str, names: _Names, home_zone: str) -> str:
    """The zone an instant of ``record`` is read in: the item's own place (journeys: each end's)."""
    row = names.get(record.entity, record.entity_id)
    recorded = record.changes
    if record.entity == "journeys":
        key = "arrival_timezone" if name == "arrive_at" else "departure_timezone"
        current = (row.other_zone if name == "arrive_at" else row.zone) if row is not None else None
        return (recorded.get(key) or [None, None])[1] or current or home_zone
    if record.entity == "appointments":
        return (recorded.get("timezone") or [None, None])[1] or (row.zone if row is not None else None) or home_zone
    if record.entity == "legs" and row is not None and row.zone:
        return row.zone
    return home_zone


def _instant(value: datetime, zone: str, home: _Home) -> str:
    """'Mi., 16. Okt. 2024, 15:00 Seoul · 08:00 Düsseldorf' (the home time only where it differs)."""
    if zone == home.zone:
        return f"{day(value, zone)}, {clock(value, zone)} {home.name}"
    return f"{day(value, zone)}, {clock(value, zone)} {place_name(zone)} · {clock(value, home.zone)} {home.name}"


def _value(record: ChangeRecord, name: str, value: Any, names: _Names, home: _Home) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Ja") if value else _("Nein")
    if isinstance(value, list):  # a relationship list, recorded by the names of its rows
        return ", ".join(str(v) for v in value)
    model = _MODELS.get(record.entity)
    column = model.__table__.columns.get(name) if model is not None else None
    if column is None:
        return str(value)
    table = _reference_table(model, name)
    if table is not None:
        row = names.get(table, value)
        return _row_name(table, row) if row is not None else _("gelöscht")
    enum_class = getattr(column.type, "enum_class", None)
    if enum_class is not None:
        try:
            return label(enum_class(value))
        except ValueError:
            return str(value)
    if isinstance(column.type, UTCDateTime) and isinstance(value, str):
        return _instant(datetime.fromisoformat(value), _zone(record, name, names, home.zone), home)
    if isinstance(column.type, sa.Date) and isinstance(value, str):
        return day(date.fromisoformat(value))
    if name.endswith("timezone"):
        return place_name(str(value))
    if isinstance(value, enum.Enum):
        return label(value)
    return str(value)


def _name(record: ChangeRecord, names: _Names) -> str:
    """The record named as it is now, else as the history recorded it, never by its id."""
    if record.entity == "releases":  # recorded by its number
        return _("Version %(number)s", number=record.label)
    row = names.get(record.entity, record.entity_id)
    if row is not None and record.entity in ("legs", "members", "journeys", "appointments"):
        return _row_name(record.entity, row)
    if _INTERNAL_LABEL.match(record.label):
        return EMPTY
    if record.entity == "night_overrides":  # recorded by its night, as an ISO date
        try:
            return _("Nacht vom %(day)s", day=day(date.fromisoformat(record.label)))
        except ValueError:
            return record.label
    if record.entity == "journeys" and " → " in record.label:  # a journey deleted since: its recorded places
        return journey_name(*record.label.split(" → ", 1))
    return record.label


def entries(delegation: Delegation, records: list[ChangeRecord]) -> list[Entry]:
    """``records`` (of ``delegation``) as people read them."""
    home_zone = delegation.home_timezone
    home = _Home(home_zone, place_name(home_zone, delegation.home_city))
    names = _Names(records)
    return [
        Entry(
            when=f"{day(record.at, home_zone)}, {clock(record.at, home_zone)}",
            actor=record.user_email or _("System"),
            action=str(_ACTIONS.get(record.action, record.action)),
            entity=str(_ENTITIES.get(record.entity, record.entity)),
            name=_name(record, names),
            trailing=record.action in _TRAILING_ACTIONS,
            changes=()
            if record.action not in ("update", "trash", "restore")
            else tuple(
                Change(
                    field_label(name),
                    _value(record, name, pair[0], names, home),
                    _value(record, name, pair[1], names, home),
                )
                for name, pair in record.changes.items()
            ),
        )
        for record in records
    ]
