"""Protocol of one appointment: who takes part in which order of precedence, and where they sit.

One :class:`SeatingPlan` per appointment holds the table's shape and the
house rules of the occasion (whose side hosts, host before guest of equal
rank or not, where interpreters sit). Its :class:`ProtocolParticipant` rows
are the people from both sides in protocol order (``position``), with their
rank, speaking order, the principal an interpreter serves, and the seat the
assignment (:mod:`planner.protocol.seating`) or a planner's swap gave them.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, VersionedMixin, enum_column
from planner.models.delegations import Delegation
from planner.models.directory import Person, PersonSide
from planner.models.program import Appointment


class PrecedenceRank(enum.StrEnum):
    """The rank a participant's place in the default order comes from, highest first.

    Interpreters have no place in the order: they serve a principal and sit with them.
    """

    HEAD = "head"  # head of a side: the Lord Mayor, the host city's mayor
    ELECTED = "elected"  # elected officials: deputy mayors, council members
    APPOINTED = "appointed"  # appointed officials: department heads, consuls, directors
    BUSINESS = "business"  # business leaders, heads of institutions
    STAFF = "staff"  # staff, advisers, press
    INTERPRETER = "interpreter"


# The default order of ranks; a lower number sits higher.
RANK_ORDER = {rank: index for index, rank in enumerate(PrecedenceRank)}


class TableShape(enum.StrEnum):
    """How the table is laid: see :mod:`planner.protocol.seating` for where each seat is."""

    FRENCH = "french"  # long table, host in the middle of one long side, co-host opposite
    ENGLISH = "english"  # long table, host at one head, co-host at the other
    ROUND = "round"  # one or more round tables


class InterpreterPlace(enum.StrEnum):
    BEHIND = "behind"  # on a chair behind the principal (banquets)
    BESIDE = "beside"  # set back beside the principal, at the principal's left (talks)


class SeatingPlan(VersionedMixin, TimestampMixin, Base):
    """The precedence and seating of one appointment."""

    __tablename__ = "seating_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The appointment's trip, kept here too: pages load the plan by trip and appointment in one query,
    # and the trip's revision and history follow the plan like any other record of the trip.
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id", ondelete="CASCADE"), unique=True)
    shape: Mapped[TableShape] = enum_column(TableShape, default=TableShape.FRENCH)
    # Whose side gives the meal or meeting: its first person in the order is the host, the other side's the co-host.
    host_side: Mapped[PersonSide] = enum_column(PersonSide, default=PersonSide.HOST)
    # Among equal ranks: the host's people first, or (the courtesy default) the guests first.
    host_first: Mapped[bool] = mapped_column(default=False)
    interpreter_place: Mapped[InterpreterPlace] = enum_column(InterpreterPlace, default=InterpreterPlace.BEHIND)
    seats_per_table: Mapped[int] = mapped_column(default=10)  # round tables only
    # A plan the public record says nothing about is seeded as a placeholder, and printed as one.
    is_placeholder: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(sa.Text)

    delegation: Mapped[Delegation] = relationship()
    appointment: Mapped[Appointment] = relationship()
    participants: Mapped[list[ProtocolParticipant]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="ProtocolParticipant.position, ProtocolParticipant.id",
        foreign_keys="ProtocolParticipant.plan_id",
    )

    @property
    def principals(self) -> list[ProtocolParticipant]:
        """Everyone with a place in the order of precedence, in that order (interpreters are not)."""
        return [p for p in self._in_order() if not p.is_interpreter]

    @property
    def interpreters(self) -> list[ProtocolParticipant]:
        return [p for p in self._in_order() if p.is_interpreter]

    def _in_order(self) -> list[ProtocolParticipant]:
        # The collection is ordered when loaded; after a change in this session, by the positions now.
        return sorted(self.participants, key=lambda p: (p.position or 0, p.id or 0))

    def __repr__(self) -> str:
        return f"<SeatingPlan {self.id} for appointment {self.appointment_id}>"


class ProtocolParticipant(VersionedMixin, TimestampMixin, Base):
    """One person at one appointment, in the order of precedence."""

    __tablename__ = "protocol_participants"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "person_id"),
        sa.CheckConstraint("speaking_order IS NULL OR speaking_order > 0", name="speaking_order_positive"),
        sa.CheckConstraint("seat IS NULL OR seat > 0", name="seat_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("seating_plans.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    rank: Mapped[PrecedenceRank] = enum_column(PrecedenceRank, default=PrecedenceRank.STAFF)
    position: Mapped[int] = mapped_column(default=0)  # the order of precedence, from 1
    speaking_order: Mapped[int | None] = mapped_column(sa.Integer)  # who speaks when (1 first); None: does not speak
    # The principal an interpreter serves (an interpreter only); cleared when the principal leaves the plan.
    serves_id: Mapped[int | None] = mapped_column(sa.ForeignKey("protocol_participants.id", ondelete="SET NULL"))
    seat: Mapped[int | None] = mapped_column(sa.Integer)  # the seat number on the drawing (principals only)

    plan: Mapped[SeatingPlan] = relationship(back_populates="participants", foreign_keys=[plan_id])
    person: Mapped[Person] = relationship()
    serves: Mapped[ProtocolParticipant | None] = relationship(remote_side=[id], foreign_keys=[serves_id])

    @property
    def delegation(self) -> Delegation | None:
        """The trip the participant's plan belongs to: its revision and history follow the participant."""
        return self.plan.delegation if self.plan is not None else None

    @property
    def is_interpreter(self) -> bool:
        return self.rank is PrecedenceRank.INTERPRETER

    @property
    def side(self) -> PersonSide:
        return self.person.side

    def __repr__(self) -> str:
        return f"<ProtocolParticipant {self.person_id} #{self.position} in plan {self.plan_id}>"
