"""The gift register: gifts given and received on official occasions, kept over the years.

A gift belongs to the city's record, not to one trip: the compliance office
asks about gifts long after a trip's programme was archived or deleted, so a
gift points at its trip and appointment with ``ON DELETE SET NULL`` and keeps
the occasion in its own words (``occasion``). The counterpart is a directory
person and/or organization; the partner city is stored as such (the register
is filtered by it across the years).

Values are estimates (Decimal, never float). The declaration threshold is
compared in euros: a value in another currency carries its estimated euro
amount (``value_eur``), which the form asks for (see
:mod:`planner.gifts.operations`).
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, VersionedMixin, enum_column

if TYPE_CHECKING:
    from planner.models.delegations import Delegation
    from planner.models.directory import Organization, Person
    from planner.models.geography import City
    from planner.models.program import Appointment


class GiftDirection(enum.StrEnum):
    GIVEN = "given"  # by our side to the counterpart
    RECEIVED = "received"  # by our side from the counterpart


class Gift(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "gifts"
    __table_args__ = (
        sa.CheckConstraint("value_amount IS NULL OR value_amount >= 0", name="value_not_negative"),
        sa.CheckConstraint("value_eur IS NULL OR value_eur >= 0", name="value_eur_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[GiftDirection] = enum_column(GiftDirection)
    item: Mapped[str] = mapped_column(sa.String(200))  # what: "Bildband Düsseldorf", "Porzellanvase"
    description: Mapped[str | None] = mapped_column(sa.Text)
    given_on: Mapped[date] = mapped_column(sa.Date, index=True)
    # The occasion in words, kept when the trip or appointment goes.
    occasion: Mapped[str | None] = mapped_column(sa.String(300))
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegations.id", ondelete="SET NULL"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id", ondelete="SET NULL"))
    # The counterpart: who gave it to us or whom we gave it to (a person, their organization, or both).
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id", ondelete="SET NULL"), index=True)
    # Our side: who handed it over or received it (free text: also people outside the directory).
    our_side: Mapped[str | None] = mapped_column(sa.String(200))
    value_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR", server_default="EUR")
    # The estimate in euros: the same as value_amount for EUR, an estimate for other currencies.
    value_eur: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    kept_at: Mapped[str | None] = mapped_column(sa.String(300))  # where it is now: "Rathaus, Vitrine 2. OG"
    declared: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    declared_on: Mapped[date | None] = mapped_column(sa.Date)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # True while facts of the entry are planning assumptions (the public record is silent on value etc.).
    placeholder: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    delegation: Mapped[Delegation | None] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    person: Mapped[Person | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    city: Mapped[City | None] = relationship()

    @property
    def name(self) -> str:
        """How the change history names the entry."""
        return f"{self.item} ({self.given_on.isoformat() if self.given_on else '?'})"

    def __repr__(self) -> str:
        return f"<Gift {self.direction} {self.item!r}>"
