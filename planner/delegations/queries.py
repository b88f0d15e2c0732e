"""Reads of the delegations feature."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from wtforms.fields.choices import SelectChoice

from planner import workload
from planner.audiences import Viewer, shows_item
from planner.delegations.itinerary import Itinerary
from planner.extensions import db
from planner.models import (
    Appointment,
    Audience,
    ChangeRecord,
    City,
    Delegation,
    FeedToken,
    FollowUp,
    ItemStatus,
    Journey,
    Leg,
    Member,
    Person,
    appointment_attendees,
    appointment_briefings,
    journey_travellers,
)
from planner.models.base import Base
from planner.models.trash import include_trashed
from planner.teams.access import trip_filter
from planner.timezones import to_local


@dataclass(frozen=True)
class DelegationOverview:
    current: list[Delegation]
    upcoming: list[Delegation]
    past: list[Delegation]
    archived: list[Delegation]
    stops: dict[int, list[str]]  # by delegation id: the cities of its itinerary, in order (cancelled legs left out)


def delegations_by_period(today: date, user: Any) -> DelegationOverview:
    """The delegations ``user`` may see split into current, upcoming and past, loaded in a fixed number of queries."""
    delegations = db.session.scalars(
        sa.select(Delegation)
        .where(trip_filter(user, Delegation.id))
        .options(
            selectinload(Delegation.home_city),
            selectinload(Delegation.legs).selectinload(Leg.city),
            selectinload(Delegation.members).selectinload(Member.person),
        )
        .order_by(Delegation.start_date.desc(), Delegation.id)
    ).all()
    archived = [d for d in delegations if d.archived_at is not None]
    active = [d for d in delegations if d.archived_at is None]
    current = [d for d in active if d.start_date <= today <= d.end_date]
    upcoming = sorted((d for d in active if d.start_date > today), key=lambda d: d.start_date)
    past = [d for d in active if d.end_date < today]
    stops = {d.id: [leg.city.name for leg in Itinerary.of(d).legs] for d in delegations}
    return DelegationOverview(current=current, upcoming=upcoming, past=past, archived=archived, stops=stops)


def delegation_with_programme(delegation_id: int) -> Delegation | None:
    """The delegation with everything its pages show, in six queries however large the trip.

    The delegation comes with its home city and its legs (a handful of rows)
    in one joined query; members, follow-ups, appointments and journeys take
    one query each (selectin), the things each row points to (city,
    organization, person) riding along as joins. Who attends which
    appointment and who travels on which journey are read as pairs of ids
    from the two association tables in one more query and matched to the
    members already loaded (a selectin load would run one more query for
    every 500 appointments and load every member row again for every
    appointment it attends).
    """
    workload.whole_programme()  # one at a time per worker (planner.workload)
    delegation = (
        db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.id == delegation_id)
            .options(
                # The countries: the brief's emergency numbers and etiquette are by country
                # (planner.contacts.countries.trip_countries); a lazy load per country otherwise.
                joinedload(Delegation.home_city).joinedload(City.country),
                joinedload(Delegation.legs).joinedload(Leg.city).joinedload(City.country),
                selectinload(Delegation.members).joinedload(Member.person).joinedload(Person.organization),
                selectinload(Delegation.follow_ups).options(joinedload(FollowUp.owner), joinedload(FollowUp.organization)),
                selectinload(Delegation.appointments).options(
                    # The country decides weekends and holidays (planner.program.calendar_days).
                    joinedload(Appointment.city).joinedload(City.country),
                    joinedload(Appointment.organization),
                    joinedload(Appointment.contact_person),
                ),
                selectinload(Delegation.journeys).options(
                    joinedload(Journey.departure_city).joinedload(City.country),
                    joinedload(Journey.arrival_city).joinedload(City.country),
                ),
            )
        )
        .unique()
        .one_or_none()
    )
    if delegation is not None:
        _attach_members(delegation)
    return delegation


def attendance_pairs(delegation_id: int) -> list[tuple[str, int, int]]:
    """Who attends, is briefed for and travels on which item of the trip, in one query: (list, item id, member id).

    The list is "attendees" or "briefed" (item: an appointment) or "travellers" (a journey);
    trashed members are left out, as the relationships leave them out.
    """
    # Spelled out rather than left to the global trash rule: it may not reach into a UNION's parts,
    # and a trashed member's attendance rows stay (hidden with them) until a restore. Run as Core on the
    # session's connection: tens of thousands of plain rows, without the ORM's per-row work.
    rows = db.session.connection().execute(
        sa.union_all(
            sa.select(sa.literal("attendees"), appointment_attendees.c.appointment_id, appointment_attendees.c.member_id)
            .join(Appointment, Appointment.id == appointment_attendees.c.appointment_id)
            .join(Member, Member.id == appointment_attendees.c.member_id)
            .where(Appointment.delegation_id == delegation_id, Member.deleted_at.is_(None)),
            sa.select(sa.literal("briefed"), appointment_briefings.c.appointment_id, appointment_briefings.c.member_id)
            .join(Appointment, Appointment.id == appointment_briefings.c.appointment_id)
            .join(Member, Member.id == appointment_briefings.c.member_id)
            .where(Appointment.delegation_id == delegation_id, Member.deleted_at.is_(None)),
            sa.select(sa.literal("travellers"), journey_travellers.c.journey_id, journey_travellers.c.member_id)
            .join(Journey, Journey.id == journey_travellers.c.journey_id)
            .join(Member, Member.id == journey_travellers.c.member_id)
            .where(Journey.delegation_id == delegation_id, Member.deleted_at.is_(None)),
        )
    )
    return [tuple(row) for row in rows]


def _attach_members(delegation: Delegation) -> None:
    """Fill every appointment's ``attendees`` and ``briefed`` and every journey's ``travellers`` from one query.

    Members come in the relationship's order (``Member.sort_order``, then id,
    as the delegation lists them). The lists are set as loaded state, so
    nothing is marked changed and no lazy load follows.
    """
    items: dict[tuple[str, int], Appointment | Journey] = {("attendees", a.id): a for a in delegation.appointments}
    items |= {("briefed", a.id): a for a in delegation.appointments}
    items |= {("travellers", j.id): j for j in delegation.journeys}
    # Only the items someone attends get a set: most of a large trip's briefing lists are empty.
    ids: dict[tuple[str, int], set[int]] = {}
    if items:
        for kind, item_id, member_id in attendance_pairs(delegation.id):
            key = (kind, item_id)
            if key in items:
                found = ids.get(key)
                if found is None:
                    found = ids[key] = set()
                found.add(member_id)
    members = list(delegation.members)
    known = {m.id for m in members}
    strangers = set().union(*ids.values()) - known if ids else set()
    if strangers:  # members of another delegation: never made by the forms, but the schema allows it
        members += db.session.scalars(sa.select(Member).where(Member.id.in_(strangers)).options(joinedload(Member.person))).all()
        members.sort(key=lambda m: (m.sort_order, m.id))
    by_id = {m.id: m for m in members}
    position = {m.id: index for index, m in enumerate(members)}
    for (attribute, _id), item in items.items():
        chosen = sorted(ids.get((attribute, _id), ()), key=position.__getitem__)
        set_committed_value(item, attribute, [by_id[i] for i in chosen])


@dataclass
class ProgrammeEntry:
    item: Appointment | Journey
    starts_at: datetime
    zone: str  # where it starts

    @property
    def is_journey(self) -> bool:
        return isinstance(self.item, Journey)


@dataclass
class ProgrammeDay:
    day: date
    entries: list[ProgrammeEntry] = field(default_factory=list)
    # Where the delegation is that day: its legs' cities in order of arrival (two on a travel day), or the home city.
    places: list[str] = field(default_factory=list)
    in_trip: bool = False  # between the trip's first and last day (where quick add offers itself)


# A trip longer than two months is a data error, not a trip: the empty days listed stay bounded.
MAX_TRIP_DAYS = 62


def trip_days(delegation: Delegation) -> list[date]:
    """The days from the trip's start to its end (the first :data:`MAX_TRIP_DAYS` of them)."""
    length = min((delegation.end_date - delegation.start_date).days + 1, MAX_TRIP_DAYS)
    return [delegation.start_date + timedelta(days=offset) for offset in range(max(length, 0))]


def programme(delegation: Delegation, member: Member | None = None, *, every_day: bool = False) -> list[ProgrammeDay]:
    """Appointments and journeys grouped by the local date of the place where each starts.

    With ``member``, only what that person attends or travels on, as the
    member audience sees it (no internal-only items; :mod:`planner.audiences`).
    With ``every_day``, each day of the trip is listed even while nothing is
    planned on it (the trip page, where a planner adds to an empty day).
    Each day names where the delegation is (:meth:`Itinerary.legs_on`).
    """
    viewer = Viewer(Audience.MEMBER, member) if member is not None else Viewer.team()
    appointments = [a for a in delegation.appointments if (member is None or member in a.attendees) and shows_item(viewer, a)]
    journeys = [j for j in delegation.journeys if (member is None or member in j.travellers) and shows_item(viewer, j)]
    return programme_of(delegation, appointments, journeys, every_day=every_day)


def programme_of(
    delegation: Delegation, appointments: list[Appointment], journeys: list[Journey], *, every_day: bool = False
) -> list[ProgrammeDay]:
    """``appointments`` and ``journeys`` (already chosen for a reader) grouped into days as :func:`programme` does."""
    entries = [ProgrammeEntry(a, a.start_at, a.timezone) for a in appointments]
    entries += [ProgrammeEntry(j, j.depart_at, j.departure_timezone) for j in journeys]
    days: dict[date, ProgrammeDay] = {}
    in_trip = set(trip_days(delegation))
    if every_day:
        days = {trip_day: ProgrammeDay(trip_day) for trip_day in sorted(in_trip)}
    for entry in sorted(entries, key=lambda e: (e.starts_at, e.is_journey)):
        local_day = to_local(entry.starts_at, entry.zone).date()
        days.setdefault(local_day, ProgrammeDay(local_day)).entries.append(entry)
    itinerary = Itinerary.of(delegation)
    for programme_day in days.values():
        legs = itinerary.legs_on(programme_day.day)
        programme_day.places = list(dict.fromkeys(leg.city.name for leg in legs)) if legs else [delegation.home_city.name]
        programme_day.in_trip = programme_day.day in in_trip
    return [days[d] for d in sorted(days)]


def history(delegation_id: int, limit: int = 500) -> list[ChangeRecord]:
    """The newest changes to a delegation and everything in it."""
    return list(
        db.session.scalars(
            sa.select(ChangeRecord)
            .where(ChangeRecord.delegation_id == delegation_id)
            .order_by(ChangeRecord.at.desc(), ChangeRecord.id.desc())
            .limit(limit)
        )
    )


def printed_state(delegation_id: int, *directory: type[Base]) -> tuple | None:
    """What can change a printed sheet of the trip, in one query; None if there is no such delegation.

    The delegation's ``revision`` covers everything it owns (legs, journeys,
    appointments, members, nights, rooms, vehicles, transfers:
    :mod:`planner.models.revisions`); a sheet that also prints records of the
    directory (people's names, cities, missions, emergency numbers) names their
    models in ``directory``, whose newest change record stands for all rows of
    that kind. Equal states give equal sheets: the render queue keys on it.
    """
    newest = [
        sa.select(sa.func.max(ChangeRecord.id)).where(ChangeRecord.entity == model.__tablename__).scalar_subquery()
        for model in directory
    ]
    row = db.session.execute(
        sa.select(Delegation.revision, Delegation.updated_at, *newest).where(Delegation.id == delegation_id)
    ).one_or_none()
    return None if row is None else tuple(row)


def home_city_choices() -> list[SelectChoice]:
    return [SelectChoice(c.id, c.name) for c in db.session.scalars(sa.select(City).order_by(City.name))]


def configured_home_city_id() -> int | None:
    """The city named by the ``HOME_CITY`` setting, a new trip's home city; None if the directory has none of that name."""
    name = current_app.config.get("HOME_CITY")
    if not name:
        return None
    return db.session.scalar(sa.select(City.id).where(City.name == name).order_by(City.id).limit(1))


def appointment_choices(delegation: Delegation) -> list[SelectChoice]:
    return [SelectChoice(0, "—")] + [SelectChoice(a.id, a.title) for a in delegation.appointments]


def delegation_or_404(delegation_id: int) -> Delegation:
    """The delegation alone (with its home city), for a page about one of its parts."""
    return db.one_or_404(sa.select(Delegation).where(Delegation.id == delegation_id).options(joinedload(Delegation.home_city)))


def member_or_404(delegation_id: int, member_id: int) -> Member:
    """Exactly the member the URL names, in exactly that delegation (404 otherwise), with the person."""
    return db.one_or_404(
        sa.select(Member)
        .where(Member.id == member_id, Member.delegation_id == delegation_id)
        .options(joinedload(Member.person).joinedload(Person.organization))
    )


def leg_or_404(delegation_id: int, leg_id: int) -> Leg:
    """Exactly the leg the URL names, in exactly that delegation (404 otherwise), with its city (its zone)."""
    return db.one_or_404(sa.select(Leg).where(Leg.id == leg_id, Leg.delegation_id == delegation_id).options(joinedload(Leg.city)))


def delegation_with_legs(delegation_id: int) -> Delegation | None:
    """The delegation with its legs and their cities, for the leg warnings after a save (None if gone)."""
    return db.session.scalar(
        sa.select(Delegation).where(Delegation.id == delegation_id).options(selectinload(Delegation.legs).joinedload(Leg.city))
    )


def appointments_left_in(leg: Leg) -> int:
    """How many appointments (not cancelled, not trashed) are in the leg's city during its stay.

    Asked when the leg is deleted or cancelled: these appointments then lie outside any stay.
    """
    return (
        db.session.scalar(
            sa.select(sa.func.count(Appointment.id)).where(
                Appointment.delegation_id == leg.delegation_id,
                Appointment.city_id == leg.city_id,
                Appointment.status != ItemStatus.CANCELLED,
                Appointment.start_at < leg.depart_at,
                Appointment.end_at > leg.arrive_at,
            )
        )
        or 0
    )


def follow_up_or_404(delegation_id: int, follow_up_id: int) -> FollowUp:
    """Exactly the follow-up the URL names, in exactly that delegation (404 otherwise)."""
    return db.one_or_404(sa.select(FollowUp).where(FollowUp.id == follow_up_id, FollowUp.delegation_id == delegation_id))


# -- what a delete or a cancellation takes along, and the trash ---------------------------


@dataclass(frozen=True)
class MemberLinks:
    """What a member is on: appointments they attend and journeys they travel on (not trashed)."""

    appointments: int
    journeys: int


def member_links(member: Member) -> MemberLinks:
    """How many appointments and journeys ``member`` is on, in one query (for the remove confirmation).

    The trash is filtered here by hand: the global rule does not reach into scalar subqueries.
    """
    attending = (
        sa.select(sa.func.count())
        .select_from(appointment_attendees)
        .join(Appointment, Appointment.id == appointment_attendees.c.appointment_id)
        .where(appointment_attendees.c.member_id == member.id, Appointment.deleted_at.is_(None))
        .scalar_subquery()
    )
    travelling = (
        sa.select(sa.func.count())
        .select_from(journey_travellers)
        .join(Journey, Journey.id == journey_travellers.c.journey_id)
        .where(journey_travellers.c.member_id == member.id, Journey.deleted_at.is_(None))
        .scalar_subquery()
    )
    row = db.session.execute(sa.select(attending, travelling)).one()
    return MemberLinks(appointments=row[0] or 0, journeys=row[1] or 0)


@dataclass(frozen=True)
class TripScope:
    """What cancelling a trip concerns: its live appointments and the calendar subscriptions that show them."""

    appointments: int
    subscriptions: int


def trip_scope(delegation_id: int) -> TripScope:
    """Appointments (not cancelled) and calendar subscriptions of the trip, in one query."""
    appointments = (
        sa.select(sa.func.count(Appointment.id))
        .where(
            Appointment.delegation_id == delegation_id,
            Appointment.status != ItemStatus.CANCELLED,
            Appointment.deleted_at.is_(None),
        )
        .scalar_subquery()
    )
    subscriptions = sa.select(sa.func.count(FeedToken.id)).where(FeedToken.delegation_id == delegation_id).scalar_subquery()
    row = db.session.execute(sa.select(appointments, subscriptions)).one()
    return TripScope(appointments=row[0] or 0, subscriptions=row[1] or 0)


@dataclass(frozen=True)
class Trash:
    """Everything of one trip in the trash, by kind, the most recently trashed first."""

    legs: list[Leg]
    members: list[Member]
    appointments: list[Appointment]
    journeys: list[Journey]
    follow_ups: list[FollowUp]

    def __bool__(self) -> bool:
        return any((self.legs, self.members, self.appointments, self.journeys, self.follow_ups))


def _trashed(model: Any, delegation_id: int, *options: Any) -> list[Any]:
    return list(
        db.session.scalars(
            sa.select(model)
            .where(model.delegation_id == delegation_id, model.deleted_at.is_not(None))
            .options(*options)
            .order_by(model.deleted_at.desc(), model.id)
            .execution_options(**include_trashed())
        )
    )


def trash(delegation_id: int) -> Trash:
    """The trip's trash page: one query per kind, with what each row is named by."""
    return Trash(
        legs=_trashed(Leg, delegation_id, joinedload(Leg.city)),
        members=_trashed(Member, delegation_id, joinedload(Member.person)),
        appointments=_trashed(Appointment, delegation_id, joinedload(Appointment.city)),
        journeys=_trashed(Journey, delegation_id),
        follow_ups=_trashed(FollowUp, delegation_id),
    )


def trashed_or_404(model: Any, delegation_id: int, item_id: int) -> Any:
    """Exactly the trashed item the URL names, in exactly that delegation (404 if missing or not trashed)."""
    return db.one_or_404(
        sa.select(model)
        .where(model.id == item_id, model.delegation_id == delegation_id, model.deleted_at.is_not(None))
        .execution_options(**include_trashed())
    )
