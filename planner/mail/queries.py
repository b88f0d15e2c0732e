"""Reads of the mail feature: the outbox list, one message, a trip's messages (without the bodies)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload

from planner.extensions import db
from planner.models import Member, MessageState, OutgoingMessage, Release

# The newest this many on one page; older ones stay in the database.
LIST_LIMIT = 200


def _listing() -> sa.Select[OutgoingMessage]:
    # Bodies and attachments stay in the database: a list shows who, what and how it went.
    return (
        sa.select(OutgoingMessage)
        .options(defer(OutgoingMessage.body), defer(OutgoingMessage.attachment))
        .order_by(OutgoingMessage.created_at.desc(), OutgoingMessage.id.desc())
        .limit(LIST_LIMIT)
    )


def outbox() -> list[OutgoingMessage]:
    """The newest messages of every trip, with their delegation for the list."""
    return list(db.session.scalars(_listing().options(joinedload(OutgoingMessage.delegation))))


def of_delegation(delegation_id: int) -> list[OutgoingMessage]:
    """The newest messages sent for one trip, with the member (and person) each went to."""
    query = _listing().where(OutgoingMessage.delegation_id == delegation_id)
    query = query.options(joinedload(OutgoingMessage.member).joinedload(Member.person))
    return list(db.session.scalars(query))


def message_or_404(message_id: int) -> OutgoingMessage:
    return db.first_or_404(
        sa.select(OutgoingMessage).where(OutgoingMessage.id == message_id).options(joinedload(OutgoingMessage.delegation))
    )


def release_notifications(delegation_id: int) -> list[OutgoingMessage]:
    """The release notifications of one trip, by release (the newest first) and recipient, with member and release."""
    query = (
        sa.select(OutgoingMessage)
        .join(Release, Release.id == OutgoingMessage.release_id)
        .where(OutgoingMessage.delegation_id == delegation_id)
        .options(
            defer(OutgoingMessage.body),
            defer(OutgoingMessage.attachment),
            joinedload(OutgoingMessage.member).joinedload(Member.person),
            joinedload(OutgoingMessage.release).defer(Release.snapshot),
        )
        .order_by(Release.number.desc(), OutgoingMessage.id)
    )
    return list(db.session.scalars(query))


def notification_counts(delegation_id: int) -> dict[int, dict[MessageState, int]]:
    """Per release id of the trip: how many of its notifications are in each state (states with none left out)."""
    rows = db.session.execute(
        sa.select(OutgoingMessage.release_id, OutgoingMessage.state, sa.func.count())
        .where(OutgoingMessage.delegation_id == delegation_id, OutgoingMessage.release_id.is_not(None))
        .group_by(OutgoingMessage.release_id, OutgoingMessage.state)
    )
    counts: dict[int, dict[MessageState, int]] = {}
    for release_id, state, count in rows:
        if release_id is not None:  # the WHERE says so; the type does not
            counts.setdefault(release_id, {})[MessageState(state)] = count
    return counts
