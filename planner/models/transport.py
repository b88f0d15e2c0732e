"""Ground transport on the trip: the vehicles of each day and the transfers they drive.

A :class:`Vehicle` is booked for one local day in one city (a van with its
driver for Tuesday in Seoul). A :class:`Transfer` is one vehicle's ride to an
appointment, from the previous appointment or from a named place (the hotel),
with the members riding in it. Several vehicles driving the delegation to the
same appointment are several transfers; so "who rides in which vehicle" is the
riders of each transfer, and the change history records them like an
appointment's attendees.

The driver's phone is the transport operator's work number, not personal data
of the delegation; it is still shown only to the trip's team and on the vehicle
plan, never in feeds, the press programme or members' briefs.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, UTCDateTime, VersionedMixin, enum_column
from planner.models.delegations import Delegation, Member
from planner.models.geography import City
from planner.models.program import Appointment


class VehicleKind(enum.StrEnum):
    CAR = "car"
    VAN = "van"
    MINIBUS = "minibus"
    COACH = "coach"


class Vehicle(VersionedMixin, TimestampMixin, Base):
    """A vehicle with its driver for one day of the trip, in one city (``day``: the local date there)."""

    __tablename__ = "vehicles"
    __table_args__ = (sa.CheckConstraint("seats > 0", name="seats_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(sa.Date)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"))
    kind: Mapped[VehicleKind] = enum_column(VehicleKind, default=VehicleKind.VAN)
    # Passenger seats, the driver's not counted.
    seats: Mapped[int] = mapped_column()
    driver_name: Mapped[str | None] = mapped_column(sa.String(200))
    driver_phone: Mapped[str | None] = mapped_column(sa.String(50))
    plate: Mapped[str | None] = mapped_column(sa.String(30))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    delegation: Mapped[Delegation] = relationship()
    city: Mapped[City] = relationship()
    transfers: Mapped[list[Transfer]] = relationship(
        back_populates="vehicle", cascade="all, delete-orphan", order_by="Transfer.depart_at", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Vehicle {self.id} {self.kind.value} {self.day}>"


transfer_riders = sa.Table(
    "transfer_riders",
    Base.metadata,
    sa.Column("transfer_id", sa.ForeignKey("transfers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
)


class Transfer(VersionedMixin, TimestampMixin, Base):
    """One vehicle's ride to an appointment, from the previous one (``from_appointment``) or from ``from_place``.

    ``travel_minutes`` is the planner's own figure for the drive; when it is
    set for a ride from one appointment to the next, the travel-time check
    (:mod:`planner.transport.travel`) takes it instead of the distance.
    """

    __tablename__ = "transfers"
    __table_args__ = (sa.CheckConstraint("travel_minutes IS NULL OR travel_minutes > 0", name="travel_minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    vehicle_id: Mapped[int] = mapped_column(sa.ForeignKey("vehicles.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    from_appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id", ondelete="SET NULL"))
    from_place: Mapped[str | None] = mapped_column(sa.String(200))
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime())
    travel_minutes: Mapped[int | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(sa.Text)

    delegation: Mapped[Delegation] = relationship()
    vehicle: Mapped[Vehicle] = relationship(back_populates="transfers")
    appointment: Mapped[Appointment | None] = relationship(foreign_keys=[appointment_id])
    from_appointment: Mapped[Appointment | None] = relationship(foreign_keys=[from_appointment_id])
    riders: Mapped[list[Member]] = relationship(secondary=transfer_riders, order_by=(Member.sort_order, Member.id))

    def __repr__(self) -> str:
        return f"<Transfer {self.id} vehicle {self.vehicle_id} -> appointment {self.appointment_id}>"
