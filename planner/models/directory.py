"""The directory: organizations the delegation meets and the people in them."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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
    # A German embassy or consulate general abroad: the contact sheet lists those of the trip's countries.
    MISSION = "mission"
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
    people: Mapped[list[Person]] = relationship(
        back_populates="organization", order_by=lambda: (Person.family_name, Person.given_name, Person.id)
    )

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


class PersonSide(enum.StrEnum):
    """Which side of a visit a person is on: lists and selects show our own people first."""

    OWN = "own"  # our city, our delegation, our staff
    HOST = "host"  # hosts, partners, counterparts abroad


def full_name(given_name: str | None, family_name: str, *, family_name_first: bool = False) -> str:
    """The name as it is written in running text, without title: "Stephan Keller", "Hu Henghua"."""
    parts = (family_name, given_name) if family_name_first else (given_name, family_name)
    return " ".join(part for part in parts if part)


class Person(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Derived from the parts at every flush (see _derive_names): one column that search,
    # the change history, briefs and calendars read as they always did.
    # Long enough for both parts and the space between them.
    name: Mapped[str] = mapped_column(sa.String(301))
    given_name: Mapped[str | None] = mapped_column(sa.String(100))
    # Roles whose holder is not known yet ("Dolmetscher/in (Platzhalter)") are all family name.
    family_name: Mapped[str] = mapped_column(sa.String(200))
    # Chinese and Korean names are written family name first; the parts stay what they are.
    family_name_first: Mapped[bool] = mapped_column(default=False)
    native_name: Mapped[str | None] = mapped_column(sa.String(200))
    title: Mapped[str | None] = mapped_column(sa.String(50))  # academic or official: "Dr.", "Prof. Dr."
    side: Mapped[PersonSide] = enum_column(PersonSide, default=PersonSide.HOST)
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
        return f"{self.title} {self.name}" if self.title else self.name

    def __repr__(self) -> str:
        return f"<Person {self.name}>"


@sa.event.listens_for(Session, "before_flush")
def _derive_names(session: Session, _flush_context: Any, _instances: Any) -> None:
    # before_flush, not a mapper event: the change history (after_flush) then sees the new name too.
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Person) and obj.family_name is not None:
            obj.name = full_name(obj.given_name, obj.family_name, family_name_first=bool(obj.family_name_first))
