"""A delegation trip, who travels on it, and the cities it stays in."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, TrashableMixin, UTCDateTime, VersionedMixin, enum_column
from planner.models.directory import Person
from planner.models.geography import City

if TYPE_CHECKING:
    from planner.models.followups import FollowUp
    from planner.models.program import Appointment, Journey


class DelegationStatus(enum.StrEnum):
    DRAFT = "draft"
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MemberRole(enum.StrEnum):
    LEADER = "leader"
    MEMBER = "member"
    STAFF = "staff"
    PRESS = "press"
    INTERPRETER = "interpreter"


class ItemStatus(enum.StrEnum):
    """Planning status of anything with a time: legs, appointments, journeys."""

    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Delegation(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "delegations"
    __table_args__ = (sa.CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    home_city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"))
    # Calendar dates of the trip as the home office counts them (departure day to return day).
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[DelegationStatus] = enum_column(DelegationStatus, default=DelegationStatus.DRAFT)
    # The status a cancelled trip had before: taking the cancellation back returns to exactly it
    # (see planner.delegations.operations.cancel_delegation). NULL while the trip is not cancelled.
    status_before_cancel: Mapped[DelegationStatus | None] = enum_column(DelegationStatus)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # The delegation's duty phone on the road (carried by the organising staff, not a person's own number):
    # printed on the contact sheet and in the brief for everyone travelling.
    duty_phone: Mapped[str | None] = mapped_column(sa.String(50))
    # The press programme (its public items only) at /api/v1/delegations/<id>/press without a token; off unless a
    # planner turns it on for this trip.
    press_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Archived trips leave the main lists but keep all their data.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on every change to the delegation or anything in it (see
    # planner.models.revisions); feeds use it as their validator.
    revision: Mapped[int] = mapped_column(default=1)

    home_city: Mapped[City] = relationship()
    members: Mapped[list[Member]] = relationship(
        back_populates="delegation", cascade="all, delete-orphan", order_by="Member.sort_order, Member.id"
    )
    legs: Mapped[list[Leg]] = relationship(back_populates="delegation", cascade="all, delete-orphan", order_by="Leg.arrive_at")
    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="delegation", cascade="all, delete-orphan", order_by="Appointment.start_at"
    )
    journeys: Mapped[list[Journey]] = relationship(
        back_populates="delegation", cascade="all, delete-orphan", order_by="Journey.depart_at"
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="delegation", cascade="all, delete-orphan", order_by="FollowUp.due_on, FollowUp.id"
    )

    @property
    def leader(self) -> Member | None:
        """The member with the leader role; the role is the single source of who leads."""
        return next((m for m in self.members if m.role == MemberRole.LEADER), None)

    @property
    def home_timezone(self) -> str:
        return self.home_city.timezone

    def __repr__(self) -> str:
        return f"<Delegation {self.id} {self.title!r}>"


class Member(TrashableMixin, VersionedMixin, TimestampMixin, Base):
    """A person taking part in one delegation, in a role."""

    __tablename__ = "members"
    __table_args__ = (sa.UniqueConstraint("delegation_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
    role: Mapped[MemberRole] = enum_column(MemberRole, default=MemberRole.MEMBER)
    # What the person does on this trip, if more specific than their job ("Korea Desk, programme lead").
    function: Mapped[str | None] = mapped_column(sa.String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    # The language of everything sent to this participant (e-mails) and the default of their feeds:
    # one of the app's LANGUAGES.
    language: Mapped[str] = mapped_column(sa.String(8), default="de", server_default="de")

    delegation: Mapped[Delegation] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()

    def __repr__(self) -> str:
        return f"<Member {self.person_id} in {self.delegation_id} as {self.role}>"


class Leg(TrashableMixin, VersionedMixin, TimestampMixin, Base):
    """A stay of the delegation in one city, from arrival to departure.

    The leg's wall times are those of its city's zone.
    """

    __tablename__ = "legs"
    __table_args__ = (sa.CheckConstraint("depart_at > arrive_at", name="times_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"))
    arrive_at: Mapped[datetime] = mapped_column(UTCDateTime())
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[ItemStatus] = enum_column(ItemStatus, default=ItemStatus.TENTATIVE)
    focus: Mapped[str | None] = mapped_column(sa.Text)  # "green tech, med tech, AI"
    hotel_name: Mapped[str | None] = mapped_column(sa.String(200))
    hotel_address: Mapped[str | None] = mapped_column(sa.Text)
    hotel_phone: Mapped[str | None] = mapped_column(sa.String(50))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    delegation: Mapped[Delegation] = relationship(back_populates="legs")
    city: Mapped[City] = relationship()

    @property
    def timezone(self) -> str:
        return self.city.timezone

    def __repr__(self) -> str:
        return f"<Leg {self.city_id} {self.arrive_at:%Y-%m-%d}>"
