"""The API's reads: one page of a list in a fixed order, with what its serializer needs loaded eagerly.

Every function takes the account the token acts for and keeps to the trips that
account may see (:mod:`planner.teams.access`); trashed rows are left out by the
model's query hook (:mod:`planner.models.trash`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from planner.audiences import Viewer
from planner.directory import queries as directory_queries
from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    City,
    Delegation,
    FollowUp,
    Journey,
    Leg,
    Member,
    Organization,
    OrganizationKind,
    Partnership,
    Person,
    Release,
    User,
    Visibility,
)
from planner.releases import queries as release_queries
from planner.releases.changes import Change, changes_between
from planner.releases.snapshot import materialize
from planner.teams.access import may_see, trip_filter

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int

    def meta(self) -> dict[str, Any]:
        following = self.offset + self.limit
        return {
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "next_offset": following if following < self.total else None,
        }


def _page(select: sa.Select[Any], order: list[Any], limit: int, offset: int) -> Page[Any]:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(select.order_by(None).subquery())) or 0
    items = list(db.session.scalars(select.order_by(*order).limit(limit).offset(offset)).unique())
    return Page(items, total, limit, offset)


_CITY = (joinedload(City.country),)


def delegations(user: User, limit: int, offset: int) -> Page[Delegation]:
    """The trips ``user`` may see, by start date (newest first)."""
    select = (
        sa.select(Delegation)
        .where(trip_filter(user, Delegation.id))
        .options(joinedload(Delegation.home_city).joinedload(City.country))
    )
    return _page(select, [Delegation.start_date.desc(), Delegation.id], limit, offset)


def delegation(user: User, delegation_id: int) -> Delegation | None:
    """The trip, if ``user`` may see it (None otherwise: it does not exist for them)."""
    if not may_see(user, delegation_id):
        return None
    return db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .options(joinedload(Delegation.home_city).joinedload(City.country))
    ).one_or_none()


def member(delegation_id: int, member_id: int) -> Member | None:
    return db.session.scalars(
        sa.select(Member).where(Member.id == member_id, Member.delegation_id == delegation_id).options(joinedload(Member.person))
    ).one_or_none()


def members(delegation_id: int, limit: int, offset: int) -> Page[Member]:
    select = sa.select(Member).where(Member.delegation_id == delegation_id).options(joinedload(Member.person))
    return _page(select, [Member.sort_order, Member.id], limit, offset)


def legs(delegation_id: int, limit: int, offset: int) -> Page[Leg]:
    select = sa.select(Leg).where(Leg.delegation_id == delegation_id).options(joinedload(Leg.city).joinedload(City.country))
    return _page(select, [Leg.arrive_at, Leg.id], limit, offset)


def appointments(delegation_id: int, member: Member | None, limit: int, offset: int) -> Page[Appointment]:
    """The trip's appointments by start; with ``member`` only theirs, never internal ones (the member audience)."""
    select = (
        sa.select(Appointment)
        .where(Appointment.delegation_id == delegation_id)
        .options(
            joinedload(Appointment.city).joinedload(City.country),
            joinedload(Appointment.organization),
            selectinload(Appointment.attendees),
            selectinload(Appointment.briefed),
        )
    )
    if member is not None:
        select = select.where(Appointment.attendees.any(Member.id == member.id), Appointment.visibility != Visibility.INTERNAL)
    return _page(select, [Appointment.start_at, Appointment.id], limit, offset)


def appointment(delegation_id: int, appointment_id: int) -> Appointment | None:
    """One appointment of the trip (None if it has no such one, or it is in the trash), loaded for its serializer."""
    return db.session.scalars(
        sa.select(Appointment)
        .where(Appointment.id == appointment_id, Appointment.delegation_id == delegation_id)
        .options(
            joinedload(Appointment.city).joinedload(City.country),
            joinedload(Appointment.organization),
            selectinload(Appointment.attendees),
            selectinload(Appointment.briefed),
        )
    ).one_or_none()


def journeys(delegation_id: int, member: Member | None, limit: int, offset: int) -> Page[Journey]:
    """The trip's journeys by departure; with ``member`` only those they travel on, never internal ones."""
    select = (
        sa.select(Journey)
        .where(Journey.delegation_id == delegation_id)
        .options(
            joinedload(Journey.departure_city).joinedload(City.country),
            joinedload(Journey.arrival_city).joinedload(City.country),
            selectinload(Journey.travellers),
        )
    )
    if member is not None:
        select = select.where(Journey.travellers.any(Member.id == member.id), Journey.visibility != Visibility.INTERNAL)
    return _page(select, [Journey.depart_at, Journey.id], limit, offset)


def press_programme(delegation_id: int) -> tuple[Delegation, list[Appointment], list[Journey]] | None:
    """The trip with its members, and its public appointments and journeys by time (the press audience's items)."""
    delegation = db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .options(selectinload(Delegation.members).joinedload(Member.person))
    ).one_or_none()
    if delegation is None:
        return None
    people = joinedload(Member.person)
    appointments = db.session.scalars(
        sa.select(Appointment)
        .where(
            Appointment.delegation_id == delegation_id,
            Appointment.visibility == Visibility.PUBLIC,
            Appointment.kind != AppointmentKind.INTERNAL_BRIEFING,
        )
        .options(
            joinedload(Appointment.city).joinedload(City.country),
            joinedload(Appointment.organization),
            selectinload(Appointment.attendees).options(people),
        )
        .order_by(Appointment.start_at, Appointment.id)
    ).unique()
    journeys = db.session.scalars(
        sa.select(Journey)
        .where(Journey.delegation_id == delegation_id, Journey.visibility == Visibility.PUBLIC)
        .options(
            joinedload(Journey.departure_city).joinedload(City.country),
            joinedload(Journey.arrival_city).joinedload(City.country),
            selectinload(Journey.travellers).options(people),
        )
        .order_by(Journey.depart_at, Journey.id)
    ).unique()
    return delegation, list(appointments), list(journeys)


# -- the directory and released versions --------------------------------------------------------------------------
# The directory's own reads (planner.directory.queries), in the order its pages list them, one page cut out; the
# profiles keep to the trips the token's owner may see, as the pages do. A directory and a trip's releases are
# small enough to read whole.


def page_of(items: list[T], limit: int, offset: int) -> Page[T]:
    """One page of a list read whole, in its own order."""
    return Page(items[offset : offset + limit], len(items), limit, offset)


def organizations(kind: OrganizationKind | None, limit: int, offset: int) -> Page[Organization]:
    return page_of(directory_queries.organizations(kind), limit, offset)


def people(limit: int, offset: int) -> Page[Person]:
    return page_of(directory_queries.people(), limit, offset)


def cities(now: datetime, limit: int, offset: int) -> Page[City]:
    return page_of([row.city for row in directory_queries.cities(now)], limit, offset)


def partnerships(limit: int, offset: int) -> Page[Partnership]:
    return page_of(directory_queries.partnerships(), limit, offset)


def releases(delegation_id: int, limit: int, offset: int) -> Page[Release]:
    """The trip's releases, the newest first, withdrawn ones included (as its releases page lists them)."""
    return page_of(release_queries.releases_of(delegation_id), limit, offset)


@dataclass(frozen=True)
class ReleaseChanges:
    """What changed in release ``release`` against ``previous`` (the approved one before it), for one reader."""

    release: Release
    previous: Release | None
    changes: list[Change]
    zones: dict[tuple[str, int], str]  # each item's zone by (item, id), to write the changes' instants


def _zones(*programmes: Delegation) -> dict[tuple[str, int], str]:
    zones: dict[tuple[str, int], str] = {}
    for programme in programmes:  # the newer last: a moved item is dated where it is now
        zones.update({("leg", leg.id): leg.timezone for leg in programme.legs})
        zones.update({("appointment", a.id): a.timezone for a in programme.appointments})
        zones.update({("journey", j.id): j.departure_timezone for j in programme.journeys})
    return zones


def release_changes(delegation_id: int, number: int, viewer: Viewer) -> ReleaseChanges:
    """Release ``number`` of the trip (404 if it has none) and what changed in it for ``viewer``.

    The first approved version, and any version before it, has nothing to be compared with: no changes.
    """
    found = release_queries.release_or_404(delegation_id, number)
    previous = release_queries.previous_released_programme(delegation_id, number)
    if previous is None:
        return ReleaseChanges(found, None, [], {})
    programme = materialize(found.snapshot)
    changes = changes_between(previous.programme, programme, viewer)
    return ReleaseChanges(found, previous.release, changes, _zones(previous.programme, programme))


def journey(delegation_id: int, journey_id: int) -> Journey | None:
    """One journey of the trip (None if it has no such one, or it is in the trash), loaded for its serializer."""
    return db.session.scalars(
        sa.select(Journey)
        .where(Journey.id == journey_id, Journey.delegation_id == delegation_id)
        .options(
            joinedload(Journey.departure_city).joinedload(City.country),
            joinedload(Journey.arrival_city).joinedload(City.country),
            selectinload(Journey.travellers),
        )
    ).one_or_none()


_FOLLOW_UP = (joinedload(FollowUp.owner), joinedload(FollowUp.organization), joinedload(FollowUp.appointment))


def follow_ups(delegation_id: int, limit: int, offset: int) -> Page[FollowUp]:
    """The trip's follow-ups by due date (those without one last, on every database), then as entered."""
    select = sa.select(FollowUp).where(FollowUp.delegation_id == delegation_id).options(*_FOLLOW_UP)
    return _page(select, [FollowUp.due_on.is_(None), FollowUp.due_on, FollowUp.id], limit, offset)


def follow_up(delegation_id: int, follow_up_id: int) -> FollowUp | None:
    """One follow-up of the trip (None if it has no such one, or it is in the trash)."""
    return db.session.scalars(
        sa.select(FollowUp).where(FollowUp.id == follow_up_id, FollowUp.delegation_id == delegation_id).options(*_FOLLOW_UP)
    ).one_or_none()
