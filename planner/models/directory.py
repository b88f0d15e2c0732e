"""The directory: organizations the delegation meets and the people in them."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, VersionedMixin, enum_column

if TYPE_CHECKING:
    from planner.models.geography import City


class OrganizationKind(enum.StrEnum):
    COMPANY = "company"
    GOVERNMENT_BODY = "government_body"
    CULTURAL_INSTITUTION = "cultural_institution"
    TRADE_FAIR = "trade_fair"
    ASSOCIATION = "association"
    EDUCATION = "education"
    OTHER = "other"


class Organization(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    native_name: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[OrganizationKind] = enum_column(OrganizationKind)
    sector: Mapped[str | None] = mapped_column(sa.String(200))
    profile: Mapped[str | None] = mapped_column(sa.Text)
    # Why this organization matters at home, e.g. "European HQ in Düsseldorf since August 2024".
    home_relation: Mapped[str | None] = mapped_column(sa.Text)
    founded_year: Mapped[int | None] = mapped_column(sa.Integer)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    address: Mapped[str | None] = mapped_column(sa.Text)
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # True while phone/e-mail are invented placeholders (example.org, fictional
    # number range): briefs print them with a warning, nobody dials them.
    contact_is_placeholder: Mapped[bool] = mapped_column(default=False)

    city: Mapped[City | None] = relationship(back_populates="organizations")
    people: Mapped[list[Person]] = relationship(back_populates="organization", order_by="Person.name")

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


class Person(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    native_name: Mapped[str | None] = mapped_column(sa.String(200))
    honorific: Mapped[str | None] = mapped_column(sa.String(50))  # "Dr.", "Prof."
    function: Mapped[str | None] = mapped_column(sa.String(200))  # "Oberbürgermeister", "CEO"
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    languages: Mapped[str | None] = mapped_column(sa.String(100))  # ISO 639-1 codes, "de, en"
    notes: Mapped[str | None] = mapped_column(sa.Text)
    contact_is_placeholder: Mapped[bool] = mapped_column(default=False)

    organization: Mapped[Organization | None] = relationship(back_populates="people")

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}" if self.honorific else self.name

    def __repr__(self) -> str:
        return f"<Person {self.name}>"
