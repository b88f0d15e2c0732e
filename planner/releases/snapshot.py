"""A released programme as data: :func:`capture` freezes a delegation, :func:`materialize` brings it back.

A release must go on printing and exporting exactly what was approved while
the draft changes, so :func:`capture` writes down everything the outputs
(calendar export, brief, programme and member pages) read from the
delegation itself: its fields, legs, appointments, journeys, members with
their attendance and briefings, follow-ups. Team-only fields (notes,
booking references, talking points) are kept too: the team's outputs show
them, and the audiences (:mod:`planner.audiences`) filter at render time,
as they do for the live trip. Trashed items are not in it (the ORM leaves
them out of every relationship).

What is *not* copied: people. A snapshot names them by ``person_id`` only,
so the snapshot holds no personal data (phone numbers, e-mail addresses,
and whatever need-to-know data the directory adds later), and deleting a
person's data after the trip does not have to rewrite released history.
Their names are read from the people table when a snapshot is rendered.
Cities and organizations are referred to by id as well, with the name (and
a city's zone) as they were shown, so a snapshot still reads when a row of
the directory is gone.

:func:`materialize` rebuilds a *transient* object graph, never added to the
session, which the existing renderers draw as they draw the live trip.
Every relationship is set as loaded state (``set_committed_value``): no
backref event fires, so attaching a transient appointment to a persistent
city or person cannot cascade it into the session.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from planner.extensions import db
from planner.models import (
    Appointment,
    City,
    Country,
    Delegation,
    FollowUp,
    Journey,
    Leg,
    Member,
    Organization,
    OrganizationKind,
    Person,
)
from planner.models.base import Base, UTCDateTime
from planner.timezones import ensure_utc

FORMAT = 1

# The columns a snapshot keeps, per model. Listed rather than "every column" so that a
# new column (a passport number, a diet) never slips into released history unseen.
_DELEGATION = (
    "id",
    "title",
    "purpose",
    "home_city_id",
    "start_date",
    "end_date",
    "status",
    "notes",
    "duty_phone",
    "revision",
    "created_at",
    "updated_at",
)
_MEMBER = ("id", "person_id", "role", "function", "sort_order", "created_at", "updated_at")
_LEG = (
    "id",
    "city_id",
    "arrive_at",
    "depart_at",
    "status",
    "focus",
    "hotel_name",
    "hotel_address",
    "hotel_phone",
    "notes",
    "created_at",
    "updated_at",
)
_APPOINTMENT = (
    "id",
    "uid",
    "revision",
    "title",
    "kind",
    "status",
    "start_at",
    "end_at",
    "timezone",
    "all_day",
    "city_id",
    "venue",
    "address",
    "latitude",
    "longitude",
    "organization_id",
    "contact_person_id",
    "objectives",
    "talking_points",
    "background",
    "dress_code",
    "notes",
    "visibility",
    "created_at",
    "updated_at",
)
_JOURNEY = (
    "id",
    "uid",
    "revision",
    "mode",
    "status",
    "departure_city_id",
    "departure_place",
    "depart_at",
    "departure_timezone",
    "arrival_city_id",
    "arrival_place",
    "arrive_at",
    "arrival_timezone",
    "carrier",
    "number",
    "booking_reference",
    "notes",
    "visibility",
    "created_at",
    "updated_at",
)
_FOLLOW_UP = (
    "id",
    "title",
    "description",
    "owner_id",
    "due_on",
    "status",
    "organization_id",
    "appointment_id",
    "created_at",
    "updated_at",
)

M = TypeVar("M", bound=Base)


class SnapshotError(ValueError):
    """A snapshot this code cannot read (unknown format)."""


# -- capture ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A column value as JSON: instants as UTC ISO strings, dates as ISO dates, enums by value."""
    if isinstance(value, datetime):
        return ensure_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _row(record: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(record, name)) for name in names}


def capture(delegation: Delegation) -> dict[str, Any]:
    """The delegation's programme as JSON-serializable data (see the module docstring for what is in it).

    Best handed a delegation loaded with its programme
    (:func:`planner.delegations.queries.delegation_with_programme`); lists keep
    the order in which the delegation holds them, which is the order the
    outputs print.
    """
    cities: dict[int, City] = {delegation.home_city.id: delegation.home_city}
    organizations: dict[int, Organization] = {}
    for leg in delegation.legs:
        cities[leg.city.id] = leg.city
    for appointment in delegation.appointments:
        if appointment.city is not None:
            cities[appointment.city.id] = appointment.city
        if appointment.organization is not None:
            organizations[appointment.organization.id] = appointment.organization
    for journey in delegation.journeys:
        for city in (journey.departure_city, journey.arrival_city):
            if city is not None:
                cities[city.id] = city
    for follow_up in delegation.follow_ups:
        if follow_up.organization is not None:
            organizations[follow_up.organization.id] = follow_up.organization
    return {
        "format": FORMAT,
        "delegation": _row(delegation, _DELEGATION),
        "members": [_row(m, _MEMBER) for m in delegation.members],
        "legs": [_row(leg, _LEG) for leg in delegation.legs],
        "appointments": [
            {
                **_row(a, _APPOINTMENT),
                "attendee_ids": [m.id for m in a.attendees],
                "briefed_ids": [m.id for m in a.briefed],
            }
            for a in delegation.appointments
        ],
        "journeys": [{**_row(j, _JOURNEY), "traveller_ids": [m.id for m in j.travellers]} for j in delegation.journeys],
        "follow_ups": [_row(f, _FOLLOW_UP) for f in delegation.follow_ups],
        # As shown when released: a stand-in if the directory row is gone later.
        "cities": [
            {"id": c.id, "name": c.name, "timezone": c.timezone, "country": c.country.iso_code}
            for c in sorted(cities.values(), key=lambda c: c.id)
        ],
        "organizations": [{"id": o.id, "name": o.name} for o in sorted(organizations.values(), key=lambda o: o.id)],
    }


# -- materialize --------------------------------------------------------------------


def _value(model: type[Base], name: str, raw: Any) -> Any:
    """A stored JSON value back as the column's Python type (read from the model's own column)."""
    if raw is None:
        return None
    column = model.__table__.c[name]
    column_type = column.type
    enum_class = getattr(column_type, "enum_class", None)
    if enum_class is not None:
        return enum_class(raw)
    if isinstance(column_type, UTCDateTime):
        return ensure_utc(datetime.fromisoformat(raw))
    if isinstance(column_type, sa.Date):
        return date.fromisoformat(raw)
    return raw


def _build(model: type[M], row: dict[str, Any], names: Iterable[str], **extra: Any) -> M:
    record = model(**{name: _value(model, name, row[name]) for name in names if name in row}, **extra)
    return record


def _set(record: Any, name: str, value: Any) -> None:
    # Loaded state, not a change: no backref to a persistent object, no cascade into the session.
    set_committed_value(record, name, value)


def _load(model: type[M], ids: set[int], *options: Any) -> dict[int, M]:
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(model).where(model.id.in_(ids)).options(*options)).unique()  # type: ignore[attr-defined]
    return {row.id: row for row in rows}  # type: ignore[attr-defined]


def materialize(data: dict[str, Any]) -> Delegation:
    """A transient :class:`Delegation` with its programme, as :func:`capture` saw it.

    People, cities and organizations are the live rows, looked up by id; a
    city or organization that is gone is stood in for by what the snapshot
    recorded, a person who is gone by a nameless placeholder. Nothing is added
    to the session: committing afterwards writes nothing.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError(f"unknown snapshot format: {data.get('format') if isinstance(data, dict) else type(data)}")
    shown_cities = {c["id"]: c for c in data["cities"]}
    shown_organizations = {o["id"]: o for o in data["organizations"]}

    person_ids = {m["person_id"] for m in data["members"]}
    person_ids |= {a["contact_person_id"] for a in data["appointments"] if a["contact_person_id"] is not None}
    person_ids |= {f["owner_id"] for f in data["follow_ups"] if f["owner_id"] is not None}
    people = _load(Person, person_ids, joinedload(Person.organization))
    cities = _load(City, set(shown_cities), joinedload(City.country))
    organizations = _load(Organization, set(shown_organizations), joinedload(Organization.city))

    def person(person_id: int | None) -> Person | None:
        if person_id is None:
            return None
        found = people.get(person_id)
        if found is None:
            found = people[person_id] = Person(id=person_id, family_name=_("(Person gelöscht)"), name=_("(Person gelöscht)"))
        return found

    def city(city_id: int | None) -> City | None:
        if city_id is None:
            return None
        found = cities.get(city_id)
        if found is None:
            shown = shown_cities[city_id]
            country = Country(iso_code=shown["country"], name=shown["country"])
            found = cities[city_id] = City(id=city_id, name=shown["name"], timezone=shown["timezone"])
            _set(found, "country", country)
        return found

    def organization(organization_id: int | None) -> Organization | None:
        if organization_id is None:
            return None
        found = organizations.get(organization_id)
        if found is None:
            shown = shown_organizations[organization_id]
            found = Organization(id=organization_id, name=shown["name"], kind=OrganizationKind.OTHER)
            organizations[organization_id] = found
            _set(found, "city", None)
            _set(found, "people", [])
        return found

    delegation = _build(Delegation, data["delegation"], _DELEGATION)
    delegation_id = delegation.id
    _set(delegation, "home_city", city(delegation.home_city_id))

    members: list[Member] = []
    for row in data["members"]:
        member = _build(Member, row, _MEMBER, delegation_id=delegation_id)
        _set(member, "person", person(member.person_id))
        _set(member, "delegation", delegation)
        members.append(member)
    by_member = {m.id: m for m in members}

    def chosen(ids: list[int]) -> list[Member]:
        return [by_member[i] for i in ids if i in by_member]

    legs: list[Leg] = []
    for row in data["legs"]:
        leg = _build(Leg, row, _LEG, delegation_id=delegation_id)
        _set(leg, "city", city(leg.city_id))
        _set(leg, "delegation", delegation)
        legs.append(leg)

    appointments: list[Appointment] = []
    for row in data["appointments"]:
        appointment = _build(Appointment, row, _APPOINTMENT, delegation_id=delegation_id)
        _set(appointment, "city", city(appointment.city_id))
        _set(appointment, "organization", organization(appointment.organization_id))
        _set(appointment, "contact_person", person(appointment.contact_person_id))
        _set(appointment, "attendees", chosen(row["attendee_ids"]))
        _set(appointment, "briefed", chosen(row["briefed_ids"]))
        _set(appointment, "delegation", delegation)
        appointments.append(appointment)
    by_appointment = {a.id: a for a in appointments}

    journeys: list[Journey] = []
    for row in data["journeys"]:
        journey = _build(Journey, row, _JOURNEY, delegation_id=delegation_id)
        _set(journey, "departure_city", city(journey.departure_city_id))
        _set(journey, "arrival_city", city(journey.arrival_city_id))
        _set(journey, "travellers", chosen(row["traveller_ids"]))
        _set(journey, "delegation", delegation)
        journeys.append(journey)

    follow_ups: list[FollowUp] = []
    for row in data["follow_ups"]:
        follow_up = _build(FollowUp, row, _FOLLOW_UP, delegation_id=delegation_id)
        _set(follow_up, "owner", person(follow_up.owner_id))
        _set(follow_up, "organization", organization(follow_up.organization_id))
        _set(follow_up, "appointment", by_appointment.get(follow_up.appointment_id) if follow_up.appointment_id else None)
        _set(follow_up, "delegation", delegation)
        follow_ups.append(follow_up)

    _set(delegation, "members", members)
    _set(delegation, "legs", legs)
    _set(delegation, "appointments", appointments)
    _set(delegation, "journeys", journeys)
    _set(delegation, "follow_ups", follow_ups)
    return delegation
