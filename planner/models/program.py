"""What happens on the trip: appointments at a place, and journeys between places."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, TimeZoneName, TrashableMixin, UTCDateTime, VersionedMixin, enum_column
from planner.models.delegations import Delegation, ItemStatus, Member
from planner.models.directory import Organization, Person
from planner.models.geography import City


class AppointmentKind(enum.StrEnum):
    COMPANY_VISIT = "company_visit"
    GOVERNMENT_MEETING = "government_meeting"
    PARTNER_CITY_EVENT = "partner_city_event"
    CULTURAL_VISIT = "cultural_visit"
    SEMINAR = "seminar"
    RECEPTION = "reception"
    MEAL = "meal"
    PRESS = "press"
    INTERNAL_BRIEFING = "internal_briefing"
    OTHER = "other"


class Visibility(enum.StrEnum):
    """Who may learn that an item exists at all (see :mod:`planner.audiences`).

    ``internal``: the planning team only (an office meeting, a reserve slot);
    ``delegation``: the team and the delegation's members, the default;
    ``public``: also the press programme.
    """

    INTERNAL = "internal"
    DELEGATION = "delegation"
    PUBLIC = "public"


class JourneyMode(enum.StrEnum):
    FLIGHT = "flight"
    TRAIN = "train"
    CAR = "car"
    OTHER = "other"


def new_uid() -> str:
    """A calendar UID: a random UUID, as RFC 7986 recommends. Never reused, never changed."""
    return str(uuid.uuid4())


appointment_attendees = sa.Table(
    "appointment_attendees",
    Base.metadata,
    sa.Column("appointment_id", sa.ForeignKey("appointments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
)

# Members briefed for an appointment: they get its objectives, talking points and
# background in their own outputs (the delegation leader is briefed for everything).
appointment_briefings = sa.Table(
    "appointment_briefings",
    Base.metadata,
    sa.Column("appointment_id", sa.ForeignKey("appointments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
)

journey_travellers = sa.Table(
    "journey_travellers",
    Base.metadata,
    sa.Column("journey_id", sa.ForeignKey("journeys.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
)

# Attendees, the briefed and travellers in the order the delegation lists its members
# (Delegation.members), whichever way they are loaded: sort_order can repeat after a removal.
_IN_LIST_ORDER = (Member.sort_order, Member.id)


class Appointment(TrashableMixin, VersionedMixin, TimestampMixin, Base):
    """One entry of the programme, at one place, in that place's zone.

    ``start_at``/``end_at`` are UTC instants; ``timezone`` is the IANA zone
    of the place, in which planners typed the times and in which every page,
    calendar and brief shows them.
    """

    __tablename__ = "appointments"
    __table_args__ = (sa.CheckConstraint("end_at > start_at", name="times_in_order"),)

    # Changes to these make a calendar client treat the event as rescheduled
    # (RFC 5545 SEQUENCE); see planner.models.revisions.
    REVISED_BY = ("start_at", "end_at", "timezone", "all_day", "city_id", "venue", "address", "status")

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    # Matched byte for byte against re-imported files, so never rewritten (see planner.text).
    uid: Mapped[str] = mapped_column(sa.String(255), unique=True, default=new_uid, info={"single_line": False})
    revision: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[AppointmentKind] = enum_column(AppointmentKind, default=AppointmentKind.OTHER)
    status: Mapped[ItemStatus] = enum_column(ItemStatus, default=ItemStatus.TENTATIVE)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(TimeZoneName())
    # All-day items span whole local days: start_at/end_at are the local
    # midnights at the start of the first and after the last day.
    all_day: Mapped[bool] = mapped_column(default=False)
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"))
    venue: Mapped[str | None] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.Text)
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    contact_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    objectives: Mapped[str | None] = mapped_column(sa.Text)
    talking_points: Mapped[str | None] = mapped_column(sa.Text)
    background: Mapped[str | None] = mapped_column(sa.Text)
    dress_code: Mapped[str | None] = mapped_column(sa.String(100))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    visibility: Mapped[Visibility] = enum_column(
        Visibility, default=Visibility.DELEGATION, server_default=Visibility.DELEGATION.value
    )
    delegation: Mapped[Delegation] = relationship(back_populates="appointments")
    city: Mapped[City | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    contact_person: Mapped[Person | None] = relationship()
    attendees: Mapped[list[Member]] = relationship(secondary=appointment_attendees, order_by=_IN_LIST_ORDER)
    briefed: Mapped[list[Member]] = relationship(secondary=appointment_briefings, order_by=_IN_LIST_ORDER)

    def __repr__(self) -> str:
        return f"<Appointment {self.id} {self.title!r} {self.start_at:%Y-%m-%d %H:%M}Z>"


class Journey(TrashableMixin, VersionedMixin, TimestampMixin, Base):
    """Travel from one place to another; each end has its own zone.

    A flight leaving Düsseldorf at 13:40 and landing in Seoul at 08:55 the
    next morning is stored as two UTC instants and two zones, so "arrives
    before it departs" is judged on instants, never on wall times.
    """

    __tablename__ = "journeys"
    __table_args__ = (sa.CheckConstraint("arrive_at > depart_at", name="times_in_order"),)

    REVISED_BY = (
        "depart_at",
        "arrive_at",
        "departure_timezone",
        "arrival_timezone",
        "departure_city_id",
        "arrival_city_id",
        "departure_place",
        "arrival_place",
        "status",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    # Matched byte for byte against re-imported files, so never rewritten (see planner.text).
    uid: Mapped[str] = mapped_column(sa.String(255), unique=True, default=new_uid, info={"single_line": False})
    revision: Mapped[int] = mapped_column(default=0)
    mode: Mapped[JourneyMode] = enum_column(JourneyMode, default=JourneyMode.FLIGHT)
    status: Mapped[ItemStatus] = enum_column(ItemStatus, default=ItemStatus.TENTATIVE)
    departure_city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"))
    departure_place: Mapped[str] = mapped_column(sa.String(200))  # "Düsseldorf Airport (DUS)"
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime())
    departure_timezone: Mapped[str] = mapped_column(TimeZoneName())
    arrival_city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"))
    arrival_place: Mapped[str] = mapped_column(sa.String(200))
    arrive_at: Mapped[datetime] = mapped_column(UTCDateTime())
    arrival_timezone: Mapped[str] = mapped_column(TimeZoneName())
    carrier: Mapped[str | None] = mapped_column(sa.String(100))
    number: Mapped[str | None] = mapped_column(sa.String(20))  # flight or train number
    booking_reference: Mapped[str | None] = mapped_column(sa.String(50))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    visibility: Mapped[Visibility] = enum_column(
        Visibility, default=Visibility.DELEGATION, server_default=Visibility.DELEGATION.value
    )

    delegation: Mapped[Delegation] = relationship(back_populates="journeys")
    departure_city: Mapped[City | None] = relationship(foreign_keys=[departure_city_id])
    arrival_city: Mapped[City | None] = relationship(foreign_keys=[arrival_city_id])
    travellers: Mapped[list[Member]] = relationship(secondary=journey_travellers, order_by=_IN_LIST_ORDER)

    def __repr__(self) -> str:
        return f"<Journey {self.id} {self.departure_place} -> {self.arrival_place}>"
