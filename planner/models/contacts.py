"""Emergency numbers per country: public facts, each with its source and the day it was checked.

A number nobody could source is still stored, flagged ``to_be_verified``, so a
brief or contact sheet prints it with that warning instead of as fact; a
country without any row is printed as "to be verified" (see
:mod:`planner.contacts.sheet`), never left out.
"""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, VersionedMixin, enum_column
from planner.models.geography import Country


class EmergencyService(enum.StrEnum):
    """Whom a number reaches; the order here is the order on paper."""

    GENERAL = "general"  # one number for everything (112 in the EU)
    POLICE = "police"
    FIRE_AND_AMBULANCE = "fire_and_ambulance"
    AMBULANCE = "ambulance"
    FIRE = "fire"
    TRAVEL_HOTLINE = "travel_hotline"  # a tourist information/interpretation line, not an emergency service


class EmergencyNumber(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "emergency_numbers"
    # One number per service and country: two "police" rows would leave the reader guessing.
    __table_args__ = (sa.UniqueConstraint("country_id", "service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(sa.ForeignKey("countries.id"), index=True)
    service: Mapped[EmergencyService] = enum_column(EmergencyService)
    number: Mapped[str] = mapped_column(sa.String(30))
    note: Mapped[str | None] = mapped_column(sa.String(300))
    # Where the number comes from (a URL or the title of a document) and when someone last checked it there.
    source: Mapped[str | None] = mapped_column(sa.String(500))
    checked_on: Mapped[date | None] = mapped_column(sa.Date)
    to_be_verified: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    country: Mapped[Country] = relationship()

    @property
    def name(self) -> str:
        """How the change history names the row ("KR police")."""
        code = self.country.iso_code if self.country is not None else "?"
        return f"{code} {self.service.value if self.service else ''}".strip()

    def __repr__(self) -> str:
        return f"<EmergencyNumber {self.name} {self.number}>"
