"""Reads of the mail feature: the outbox list, one message, a trip's messages (without the bodies)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload

from planner.extensions import db
from planner.models import Member, OutgoingMessage

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
