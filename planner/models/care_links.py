"""The travellers' one-time links to their own travel data, and the meals whose organiser may see names.

A :class:`TravelDataLink` is made by a carer for one member of one trip. Its
token is shown (sent) once and stored only as its SHA-256 digest (the feed
tokens' :func:`planner.models.calendar.token_digest`): a copy of the database
opens no link. A link is used up when the traveller submits the form, and
lapses at ``expires_at``; a new link for the same member revokes the old one.

:class:`MealNameRelease` is a carer's decision, per meal, that its organiser
may know *who* eats what, not only how many: a row of its own rather than a
column of :class:`~planner.models.program.Appointment`, because it is not
part of the programme (no calendar SEQUENCE, no release snapshot, no
programme history) and goes with the personal data it concerns.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime
from planner.models.delegations import Member
from planner.models.program import Appointment
from planner.models.users import User
from planner.timezones import utc_now


class LinkState(enum.StrEnum):
    """What the carers' page says about a member's link."""

    NONE = "none"
    SENT = "sent"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


class TravelDataLink(Base):
    """One personal one-time link of a member to enter or confirm their own travel data."""

    __tablename__ = "travel_data_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship()
    created_by: Mapped[User | None] = relationship()

    def state(self, now: datetime) -> LinkState:
        if self.used_at is not None:
            return LinkState.USED
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if self.expires_at <= now:
            return LinkState.EXPIRED
        return LinkState.SENT

    def is_open(self, now: datetime) -> bool:
        return self.state(now) is LinkState.SENT

    def __repr__(self) -> str:  # never the digest
        return f"<TravelDataLink {self.id} of member {self.member_id}>"


class MealNameRelease(Base):
    """A carer let the organiser of this meal see names with dietary needs (carers only see them)."""

    __tablename__ = "meal_name_releases"

    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id", ondelete="CASCADE"), primary_key=True)
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    appointment: Mapped[Appointment] = relationship()
    released_by: Mapped[User | None] = relationship()
