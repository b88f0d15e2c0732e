"""The directory: organizations the delegation meets and the people in them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
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


@dataclass(frozen=True)
class PersonNames:
    """How one person is written in one language (see :meth:`Person.names`)."""

    running: str  # in running text, with title: "Dr. Stephan Keller", "Hu Henghua"
    native: str | None  # the native-script form with its romanisation: "胡衡华 (Hú Hénghuá)"
    formal: str  # the formal address: "Herr Oberbürgermeister" / "Lord Mayor"; the running name if none is given
    function: str | None  # the function in that language


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
    # The native-script name in Latin letters by a standard system (Hanyu Pinyin, Revised Romanization),
    # which may differ from the spelling the person uses in the name parts ("Chun Jong-Yoon").
    romanized_name: Mapped[str | None] = mapped_column(sa.String(200))
    title: Mapped[str | None] = mapped_column(sa.String(50))  # academic or official: "Dr.", "Prof. Dr."
    title_en: Mapped[str | None] = mapped_column(sa.String(50))  # only where it differs: "Prof. Dr." -> "Prof."
    # How the person is addressed, salutation and title of office: "Herr Oberbürgermeister" / "Lord Mayor".
    salutation: Mapped[str | None] = mapped_column(sa.String(100))
    salutation_en: Mapped[str | None] = mapped_column(sa.String(100))
    side: Mapped[PersonSide] = enum_column(PersonSide, default=PersonSide.HOST)
    function: Mapped[str | None] = mapped_column(sa.String(200))  # "Oberbürgermeister", "CEO"
    function_en: Mapped[str | None] = mapped_column(sa.String(200))  # "Lord Mayor"
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    languages: Mapped[str | None] = mapped_column(sa.String(100))  # ISO 639-1 codes, "de, en"
    notes: Mapped[str | None] = mapped_column(sa.Text)
    contact_is_placeholder: Mapped[bool] = mapped_column(default=False)

    organization: Mapped[Organization | None] = relationship(back_populates="people")

    @property
    def display_name(self) -> str:
        """The name in German running text, with title: "Dr. Stephan Keller" (what lists and selects show)."""
        return self.names("de").running

    def names(self, lang: str | None) -> PersonNames:
        """Every way a page, the brief or a place card writes this person, in ``lang`` ('de', 'en', ...).

        German is the stored language; English uses the English title, salutation and function
        where they are given and the German ones otherwise (a title like "Dr." is the same).
        Name order follows the person's culture (``family_name_first``) in every language.
        """
        english = (lang or "de")[:2] == "en"
        title = (self.title_en or self.title) if english else self.title
        running = full_name(self.given_name, self.family_name or "", family_name_first=bool(self.family_name_first))
        if title:
            running = f"{title} {running}"
        salutation = (self.salutation_en or None) if english else self.salutation
        native = self.native_name
        if native and self.romanized_name:
            native = f"{native} ({self.romanized_name})"
        return PersonNames(
            running=running,
            native=native,
            formal=salutation or running,
            function=(self.function_en or self.function) if english else self.function,
        )

    def __repr__(self) -> str:
        return f"<Person {self.name}>"


@sa.event.listens_for(Session, "before_flush")
def _derive_names(session: Session, _flush_context: Any, _instances: Any) -> None:
    # before_flush, not a mapper event: the change history (after_flush) then sees the new name too.
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Person) and obj.family_name is not None:
            obj.name = full_name(obj.given_name, obj.family_name, family_name_first=bool(obj.family_name_first))
