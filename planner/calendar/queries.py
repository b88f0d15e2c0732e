"""Reads for calendars: a delegation with everything its calendar shows, and feed look-ups."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from planner.delegations.queries import (
    attendance_pairs,
    delegation_with_programme,  # noqa: F401  (re-exported for the calendar views)
)
from planner.extensions import db
from planner.models import (
    Appointment,
    Audience,
    ChangeRecord,
    City,
    Delegation,
    FeedFollows,
    FeedToken,
    Journey,
    Member,
    Organization,
    PendingImport,
    Person,
    Release,
    ReleaseState,
)
from planner.models.base import Base
from planner.models.calendar import token_digest
from planner.timezones import to_local

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def items_for_member(delegation: Delegation, member: Member) -> tuple[list[Appointment], list[Journey]]:
    """Only what ``member`` attends or travels on."""
    return (
        [a for a in delegation.appointments if member in a.attendees],
        [j for j in delegation.journeys if member in j.travellers],
    )


def items_on_day(delegation: Delegation, day: date) -> tuple[list[Appointment], list[Journey]]:
    """Items starting on ``day`` by the local calendar of the place where they start."""
    return (
        [a for a in delegation.appointments if to_local(a.start_at, a.timezone).date() == day],
        [j for j in delegation.journeys if to_local(j.depart_at, j.departure_timezone).date() == day],
    )


def member_in(delegation: Delegation, member_id: int) -> Member | None:
    return next((m for m in delegation.members if m.id == member_id), None)


def feed_member(delegation: Delegation, member_id: int | None) -> Member | None:
    """The member whose feed it is (None: the whole trip), from the members already loaded when possible."""
    if member_id is None:
        return None
    return member_in(delegation, member_id) or db.session.get(Member, member_id)


def feed_member_alone(member_id: int | None) -> Member | None:
    """The member whose feed it is, with their person, without the delegation's members (None: whole trip, or trashed)."""
    if member_id is None:
        return None
    return db.session.get(Member, member_id, options=[joinedload(Member.person)])


def member_for_person(delegation: Delegation, person_id: int) -> Member | None:
    return next((m for m in delegation.members if m.person_id == person_id), None)


@dataclass(frozen=True)
class FeedState:
    """An active feed, and everything its calendar depends on that can change (see :func:`feed_state`)."""

    id: int
    token: str
    delegation_id: int
    member_id: int | None
    locale: str
    audience: Audience  # part of the cache key: the same token never changes audience, but say so
    follows: FeedFollows
    # The release the feed shows (the one in force when read); None: it shows the draft.
    release_number: int | None
    end_date: date
    validator: tuple  # equal validators, equal bodies (with the same feed, locale, host and day)
    # When a calendar client last fetched the link (noted at most hourly; not part of the validator).
    last_fetched_at: datetime | None = None

    def with_today(self, today: date) -> tuple:
        # Cancelled items drop out of the feed once the trip is over. A release has the end date it was
        # approved with, which this row does not read: its feed is keyed on the day itself instead.
        if self.release_number is not None:
            return (*self.validator, today)
        return (*self.validator, today <= self.end_date)


def _newest_change(model: type[Base]) -> sa.Label:
    # An index on (entity, id) makes this one lookup, however long the history is.
    newest = sa.select(sa.func.max(ChangeRecord.id)).where(ChangeRecord.entity == model.__tablename__).scalar_subquery()
    return newest.label(f"newest_{model.__tablename__}")


# The number of the release in force: approved releases are frozen, so the number names their content.
_RELEASE_IN_FORCE = (
    sa.select(sa.func.max(Release.number))
    .where(Release.delegation_id == FeedToken.delegation_id, Release.state == ReleaseState.APPROVED)
    .scalar_subquery()
    .label("release_number")
)

# What a feed quotes from the directory (names of people, contact details, organization
# names, coordinates of cities) belongs to no delegation, so no delegation revision covers it.
_DIRECTORY = (Person, Organization, City)
_FEED_STATE = (
    sa.select(
        FeedToken.id,
        FeedToken.token,
        FeedToken.delegation_id,
        FeedToken.member_id,
        FeedToken.locale,
        FeedToken.audience,
        FeedToken.follows,
        FeedToken.revoked_at,
        FeedToken.last_fetched_at,
        _RELEASE_IN_FORCE,
        Delegation.end_date,
        Delegation.revision,
        Delegation.updated_at,
        *(_newest_change(model) for model in _DIRECTORY),
    )
    .join(Delegation, Delegation.id == FeedToken.delegation_id)
    .where(FeedToken.digest == sa.bindparam("digest"))
)


def feed_state(token: str) -> FeedState | None:
    """The unrevoked feed for ``token`` with its validator, in one query; None for unknown or revoked tokens.

    Timing does not depend on how close a guess was: the lookup is by digest,
    and the token itself is compared in constant time.

    The validator holds everything that can change the feed's body:

    * the delegation's ``revision``, raised at every flush that changes the
      delegation or anything it owns (appointments, journeys, members,
      legs, follow-ups; :mod:`planner.models.revisions`), and its
      ``updated_at`` (Last-Modified) and end date;
    * for a feed that follows the released version, once the trip has an
      approved release: the number of the release in force *instead of* the
      revision (an approved release never changes, and draft edits must not
      reach it; approving the next one changes the number);
    * the directory records a feed quotes (people, organizations, cities),
      which belong to no delegation: the newest entry of the change history
      for each of those tables. Every flush that creates, changes or deletes
      one of them writes such an entry (:mod:`planner.models.history`), so
      an edit anywhere in them counts as a change, and the look-up costs
      the same however large the directory grows.

    A poll costs this one query when its answer is 304 (see :mod:`planner.calendar.feed_cache`).
    It runs on a connection of its own, returned to the pool at once: going
    through the ORM session (begin, bind lookup, close at teardown) cost a
    poll more than the rest of the view. The statement is the same; reading
    the state before the calendar is built (on the session) is all that
    matters for correctness, see :func:`planner.calendar.feed_cache.feed_response`.

    The connection runs in autocommit: one statement sees one consistent
    snapshot without a transaction around it, and without one nothing is
    rolled back when the connection goes back to the pool. That ROLLBACK cost
    a round trip, and psycopg forgets a connection's prepared statements at
    every ROLLBACK, so on PostgreSQL this statement was planned anew at every
    poll (0.34 ms of the server's time against 0.09 ms prepared).
    """
    if not _TOKEN_SHAPE.match(token):
        return None
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        row = connection.execute(_FEED_STATE, {"digest": token_digest(token)}).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    # The digest lookup already matched; compare the token itself in constant time as well.
    if not hmac.compare_digest(row.token.encode(), token.encode()):
        return None
    directory = tuple(row._mapping[f"newest_{model.__tablename__}"] for model in _DIRECTORY)
    release_number = row.release_number if row.follows == FeedFollows.RELEASED else None
    if release_number is not None:
        validator: tuple = ("release", release_number, *directory)
    else:
        validator = ("draft", row.revision, row.updated_at, *directory)
    return FeedState(
        row.id,
        row.token,
        row.delegation_id,
        row.member_id,
        row.locale,
        row.audience,
        row.follows,
        release_number,
        row.end_date,
        validator,
        row.last_fetched_at,
    )


def feeds_of(delegation_id: int) -> list[FeedToken]:
    return list(
        db.session.scalars(
            sa.select(FeedToken)
            .where(
                FeedToken.delegation_id == delegation_id,
                FeedToken.revoked_at.is_(None),
                # A trashed member's feeds rest with them (and answer 404); the list would call them the whole trip's.
                sa.or_(FeedToken.member_id.is_(None), FeedToken.member.has(Member.deleted_at.is_(None))),
            )
            .options(selectinload(FeedToken.member).selectinload(Member.person))
            .order_by(FeedToken.member_id.is_not(None), FeedToken.id)
        )
    )


def feed_in(delegation_id: int, feed_id: int) -> FeedToken | None:
    return db.session.scalars(
        sa.select(FeedToken).where(FeedToken.id == feed_id, FeedToken.delegation_id == delegation_id)
    ).one_or_none()


def pending_import_by_key(key: str) -> PendingImport | None:
    """The upload ``key``, whoever made it (the view tells the owner's from another's)."""
    return db.session.scalars(sa.select(PendingImport).where(PendingImport.key == key)).one_or_none()


# -- the rows a feed's item keys are made of (planner.calendar.feed_build) -------------------------------------

_Organization = sa.orm.aliased(Organization)
_Contact = sa.orm.aliased(Person)
_City = sa.orm.aliased(City)


def _versioned(entity: Any, name: str) -> tuple[sa.Label, ...]:
    return (entity.id.label(f"{name}_id"), entity.version.label(f"{name}_version"), entity.updated_at.label(f"{name}_updated_at"))


@dataclass(frozen=True)
class ProgrammeKeys:
    """A trip's programme as columns: what decides which events a feed shows and whether a kept block still fits.

    No ORM entities: each row is a plain tuple with named fields (see :func:`programme_keys`).
    """

    appointments: Sequence[sa.Row]
    journeys: Sequence[sa.Row]
    pairs: list[tuple[str, int, int]]  # (list, item id, member id), as delegation_with_programme reads them
    members: Sequence[sa.Row]  # every member the pairs name: id, version, updated_at, person_id, sort_order, person_...


def programme_keys(delegation_id: int) -> ProgrammeKeys:
    """The columns of the trip's items, their related rows and attendance, in four queries however large the trip.

    Loading the programme as ORM rows (every appointment with its organization, contact,
    city and attendees) cost most of a feed rebuild after one change; these columns are
    enough to find each event's kept block, and only the items whose block is missing
    are then loaded in full (:func:`appointments_by_id`, :func:`journeys_by_id`).
    Trashed items and members are left out explicitly, as the ORM's global rule does.
    """
    # On the session's connection, as Core: plain rows, without the ORM's per-row work (a third of the read).
    connection = db.session.connection()
    appointments = connection.execute(
        sa.select(
            Appointment.id,
            Appointment.version,
            Appointment.revision,
            Appointment.created_at,
            Appointment.updated_at,
            Appointment.uid,
            Appointment.status,
            Appointment.visibility,
            Appointment.kind,
            Appointment.all_day,
            Appointment.timezone,
            Appointment.start_at,
            Appointment.end_at,
            Appointment.latitude,
            Appointment.longitude,
            *_versioned(_Organization, "organization"),
            *_versioned(_Contact, "contact"),
            *_versioned(_City, "city"),
        )
        .outerjoin(_Organization, _Organization.id == Appointment.organization_id)
        .outerjoin(_Contact, _Contact.id == Appointment.contact_person_id)
        .outerjoin(_City, _City.id == Appointment.city_id)
        .where(Appointment.delegation_id == delegation_id, Appointment.deleted_at.is_(None))
    ).all()
    journeys = connection.execute(
        sa.select(
            Journey.id,
            Journey.version,
            Journey.revision,
            Journey.created_at,
            Journey.updated_at,
            Journey.uid,
            Journey.status,
            Journey.visibility,
            Journey.departure_timezone,
            Journey.depart_at,
            Journey.arrival_timezone,
            Journey.arrive_at,
            *_versioned(_City, "city"),
        )
        .outerjoin(_City, _City.id == Journey.departure_city_id)
        .where(Journey.delegation_id == delegation_id, Journey.deleted_at.is_(None))
    ).all()
    pairs = attendance_pairs(delegation_id)
    member_columns = sa.select(
        Member.id,
        Member.version,
        Member.updated_at,
        Member.person_id,
        Member.sort_order,
        Person.version.label("person_version"),
        Person.updated_at.label("person_updated_at"),
    ).join(Person, Person.id == Member.person_id)
    members = list(
        connection.execute(member_columns.where(Member.delegation_id == delegation_id, Member.deleted_at.is_(None))).all()
    )
    strangers = {member_id for _list, _item, member_id in pairs} - {row.id for row in members}
    if strangers:  # members of another delegation: never made by the forms, but the schema allows it
        members += connection.execute(member_columns.where(Member.id.in_(strangers), Member.deleted_at.is_(None))).all()
    return ProgrammeKeys(appointments, journeys, pairs, members)


def appointments_by_id(ids: Iterable[int]) -> list[Appointment]:
    """The appointments ``ids`` with what their events read (attendance lists not loaded: the caller sets them)."""
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.id.in_(list(ids)))
            .options(joinedload(Appointment.city), joinedload(Appointment.organization), joinedload(Appointment.contact_person))
        ).unique()
    )


def journeys_by_id(ids: Iterable[int]) -> list[Journey]:
    """The journeys ``ids`` with the departure city their events read (travellers not loaded: the caller sets them)."""
    return list(
        db.session.scalars(sa.select(Journey).where(Journey.id.in_(list(ids))).options(joinedload(Journey.departure_city)))
    )


def members_by_id(ids: Iterable[int]) -> list[Member]:
    """The members ``ids`` with their persons."""
    return list(db.session.scalars(sa.select(Member).where(Member.id.in_(list(ids))).options(joinedload(Member.person))))
