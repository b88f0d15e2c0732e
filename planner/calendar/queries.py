"""Reads for calendars: a delegation with everything its calendar shows, and feed look-ups."""

from __future__ import annotations

import hmac
import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from planner.extensions import db
from planner.delegations.queries import delegation_with_programme  # noqa: F401  (re-exported for the calendar views)
from planner.models import Appointment, Delegation, FeedToken, Journey, Member, PendingImport
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


def member_for_person(delegation: Delegation, person_id: int) -> Member | None:
    return next((m for m in delegation.members if m.person_id == person_id), None)


def active_feed(token: str) -> FeedToken | None:
    """The unrevoked feed for ``token``, or None. Timing does not depend on how close a guess was."""
    if not _TOKEN_SHAPE.match(token):
        return None
    feed = db.session.scalars(
        sa.select(FeedToken).where(FeedToken.digest == token_digest(token)).options(selectinload(FeedToken.member))
    ).one_or_none()
    if feed is None or feed.revoked_at is not None:
        return None
    # The digest lookup already matched; compare the token itself in constant time as well.
    return feed if hmac.compare_digest(feed.token.encode(), token.encode()) else None


def feeds_of(delegation_id: int) -> list[FeedToken]:
    return list(
        db.session.scalars(
            sa.select(FeedToken)
            .where(FeedToken.delegation_id == delegation_id, FeedToken.revoked_at.is_(None))
            .options(selectinload(FeedToken.member).selectinload(Member.person))
            .order_by(FeedToken.member_id.is_not(None), FeedToken.id)
        )
    )


def feed_in(delegation_id: int, feed_id: int) -> FeedToken | None:
    return db.session.scalars(
        sa.select(FeedToken).where(FeedToken.id == feed_id, FeedToken.delegation_id == delegation_id)
    ).one_or_none()


def pending_import(delegation_id: int, key: str, user_id: int) -> PendingImport | None:
    return db.session.scalars(
        sa.select(PendingImport).where(
            PendingImport.key == key, PendingImport.delegation_id == delegation_id, PendingImport.user_id == user_id
        )
    ).one_or_none()
