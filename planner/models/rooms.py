"""Where the delegation sleeps: per-night hotel overrides, and the rooms of the rooming list.

The hotel of a night is *derived* (:mod:`planner.rooms.nights`): from the leg
that covers the night, or from an overnight journey (no hotel then). Only what
a planner decides differently is stored, as a :class:`NightOverride` for that
night. Rooms are stored by the nights they cover, not by a hotel record: which
hotel a room is in follows from its nights, so a leg's hotel edited later moves
its rooms with it, and a room whose nights no longer lie in one hotel is a
warning on the rooming page (:mod:`planner.rooms.checks`), never lost data.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, VersionedMixin, enum_column
from planner.models.delegations import Delegation, Member


class RoomType(enum.StrEnum):
    SINGLE = "single"
    DOUBLE = "double"
    TWIN = "twin"
    SUITE = "suite"


# How many people a room of each type sleeps; more is a warning on the rooming page (an extra bed
# is the hotel's business, so it is not refused).
ROOM_CAPACITY = {RoomType.SINGLE: 1, RoomType.DOUBLE: 2, RoomType.TWIN: 2, RoomType.SUITE: 2}


class NightKind(enum.StrEnum):
    """What a planner decided for one night, overriding what the legs say."""

    HOTEL = "hotel"  # a hotel other than the leg's (or a hotel where no leg is)
    NO_HOTEL = "no_hotel"  # no hotel this night: a night flight or train, a private stay


room_occupants = sa.Table(
    "room_occupants",
    Base.metadata,
    sa.Column("room_id", sa.ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
)


class NightOverride(VersionedMixin, TimestampMixin, Base):
    """A planner's decision about one night of a trip (the local date on whose evening the night begins)."""

    __tablename__ = "night_overrides"
    __table_args__ = (sa.UniqueConstraint("delegation_id", "night"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    night: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[NightKind] = enum_column(NightKind)
    hotel_name: Mapped[str | None] = mapped_column(sa.String(200))
    hotel_address: Mapped[str | None] = mapped_column(sa.Text)
    hotel_phone: Mapped[str | None] = mapped_column(sa.String(50))
    note: Mapped[str | None] = mapped_column(sa.Text)  # why ("Nachtflug LH 712"), for the planning team

    delegation: Mapped[Delegation] = relationship()

    def __repr__(self) -> str:
        return f"<NightOverride {self.delegation_id} {self.night} {self.kind}>"


class Room(VersionedMixin, TimestampMixin, Base):
    """One hotel room for one or more consecutive nights, and who sleeps in it."""

    __tablename__ = "rooms"
    __table_args__ = (sa.CheckConstraint("last_night >= first_night", name="nights_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    room_type: Mapped[RoomType] = enum_column(RoomType, default=RoomType.SINGLE)
    # The first and the last night in the room (local dates): arrival is the first, departure the day after the last.
    first_night: Mapped[date] = mapped_column(sa.Date)
    last_night: Mapped[date] = mapped_column(sa.Date)
    room_number: Mapped[str | None] = mapped_column(sa.String(20))  # as the hotel hands it out
    note: Mapped[str | None] = mapped_column(sa.Text)  # for the hotel: it is printed on the rooming list

    delegation: Mapped[Delegation] = relationship()
    occupants: Mapped[list[Member]] = relationship(secondary=room_occupants, order_by=(Member.sort_order, Member.id))

    @property
    def arrival(self) -> date:
        return self.first_night

    @property
    def departure(self) -> date:
        return self.last_night + timedelta(days=1)

    def covers(self, night: date) -> bool:
        return self.first_night <= night <= self.last_night

    def nights(self) -> list[date]:
        return [self.first_night + timedelta(days=n) for n in range((self.last_night - self.first_night).days + 1)]

    def __repr__(self) -> str:
        return f"<Room {self.id} {self.room_type} {self.first_night}..{self.last_night}>"
