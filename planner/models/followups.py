"""Actions that remain after the trip."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, TrashableMixin, VersionedMixin, enum_column
from planner.models.delegations import Delegation
from planner.models.directory import Organization, Person
from planner.models.program import Appointment


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class FollowUp(TrashableMixin, VersionedMixin, TimestampMixin, Base):
    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[FollowUpStatus] = enum_column(FollowUpStatus, default=FollowUpStatus.OPEN)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id", ondelete="SET NULL"))

    delegation: Mapped[Delegation] = relationship(back_populates="follow_ups")
    owner: Mapped[Person | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    appointment: Mapped[Appointment | None] = relationship()

    def __repr__(self) -> str:
        return f"<FollowUp {self.id} {self.title!r}>"
