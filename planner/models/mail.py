"""Outgoing e-mail: one row per message and recipient, from queued to sent, failed or kept in the outbox."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, enum_column
from planner.models.delegations import Delegation, Member
from planner.models.releases import Release
from planner.timezones import utc_now


class MessageState(enum.StrEnum):
    """Where a message stands: waiting for the worker, handed to the SMTP server, given up, or kept locally."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    # No SMTP server configured: written as an .eml file to the instance's outbox folder instead.
    OUTBOX = "outbox"


class OutgoingMessage(Base):
    """One e-mail to one recipient; the job worker sends it (planner.mail.sending).

    ``last_error`` says why the last attempt failed in words of the SMTP
    exchange (status code, server reply, connection error); it never holds the
    body. Rows stay after sending: the outbox page and each trip's message
    list show what went out, to whom, and what failed.
    """

    __tablename__ = "outgoing_messages"
    # A release notification is sent once per release and member, however often its job runs.
    __table_args__ = (sa.UniqueConstraint("release_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Both optional: an account mail belongs to no trip; a message outlives the member it went to.
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    # The release a notification announces (None for every other kind of message).
    release_id: Mapped[int | None] = mapped_column(sa.ForeignKey("releases.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    recipient: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    attachment_name: Mapped[str | None] = mapped_column(sa.String(200))
    attachment: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    state: Mapped[MessageState] = enum_column(MessageState, default=MessageState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    # While a job is sending this message: until when the claim holds. A second job for the same
    # message (a requeue) sends nothing before then; a claim left by a worker that died runs out.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    delegation: Mapped[Delegation | None] = relationship()
    member: Mapped[Member | None] = relationship()
    release: Mapped[Release | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutgoingMessage {self.id} {self.kind} {self.state}>"
