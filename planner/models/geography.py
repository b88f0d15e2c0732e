"""Countries, cities (each with its IANA zone) and city partnerships."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, TimeZoneName, VersionedMixin

if TYPE_CHECKING:
    from planner.models.directory import Organization


class Country(Base):
    """A country, identified by its ISO 3166-1 alpha-2 code.

    Display names come from the locale data (Babel), so "KR" reads
    "Südkorea" in German and "South Korea" in English without storing both.
    """

    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(primary_key=True)
    iso_code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))

    cities: Mapped[list[City]] = relationship(back_populates="country", order_by="City.name")

    def __repr__(self) -> str:
        return f"<Country {self.iso_code}>"


class City(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "cities"
    __table_args__ = (sa.UniqueConstraint("country_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # The name in the local script (서울, 重庆), for briefs and signage.
    native_name: Mapped[str | None] = mapped_column(sa.String(100))
    country_id: Mapped[int] = mapped_column(sa.ForeignKey("countries.id"))
    timezone: Mapped[str] = mapped_column(TimeZoneName())
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    profile: Mapped[str | None] = mapped_column(sa.Text)

    country: Mapped[Country] = relationship(back_populates="cities")
    organizations: Mapped[list[Organization]] = relationship(back_populates="city")

    def __repr__(self) -> str:
        return f"<City {self.name} ({self.timezone})>"


class Partnership(VersionedMixin, Base):
    """A twinning between the home city and a partner city (Düsseldorf–Chongqing since 22 July 2004)."""

    __tablename__ = "partnerships"
    __table_args__ = (
        sa.UniqueConstraint("home_city_id", "partner_city_id"),
        sa.CheckConstraint("home_city_id <> partner_city_id", name="distinct_cities"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"))
    partner_city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"))
    since: Mapped[date] = mapped_column(sa.Date)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    home_city: Mapped[City] = relationship(foreign_keys=[home_city_id])
    partner_city: Mapped[City] = relationship(foreign_keys=[partner_city_id])
