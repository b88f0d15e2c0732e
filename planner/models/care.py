"""Personal travel data and the record of who read it (issue: people and logistics).

A person's travel data belongs to the person, not to one trip: the same
passport serves every trip they join, and it is deleted a set number of days
after their last trip ended (``PERSONAL_DATA_RETENTION_DAYS``). Every value
that identifies or describes the traveller's body, papers or whereabouts is
encrypted at rest (:class:`planner.models.base.Encrypted`) and shown only to
the trip's carers (``TeamMember.may_care``) and admins; each such read is
written to :class:`PersonalDataRead`.

The languages a person speaks stay on :class:`planner.models.directory.Person`
(the directory and the interpreters' planning use them); they are not secret.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, Encrypted, EncryptedDate, TimestampMixin, UTCDateTime, VersionedMixin
from planner.models.delegations import Delegation
from planner.models.directory import Person
from planner.models.users import User
from planner.timezones import utc_now


class PassportType(enum.StrEnum):
    """What entry rules distinguish: waivers often cover ordinary passports only."""

    ORDINARY = "ordinary"
    OFFICIAL = "official"  # official or service passport (Dienstpass); diplomatic ones are treated alike


class DietaryNeed(enum.StrEnum):
    """What a meal's organiser needs to know, as counts; anything else goes into the note."""

    VEGETARIAN = "vegetarian"
    VEGAN = "vegan"
    NO_PORK = "no_pork"
    NO_BEEF = "no_beef"
    NO_ALCOHOL = "no_alcohol"
    HALAL = "halal"
    KOSHER = "kosher"
    GLUTEN_FREE = "gluten_free"
    LACTOSE_FREE = "lactose_free"
    NUT_ALLERGY = "nut_allergy"
    SEAFOOD_ALLERGY = "seafood_allergy"


class TravelProfile(VersionedMixin, TimestampMixin, Base):
    """One person's travel data, kept across trips, encrypted field by field."""

    __tablename__ = "travel_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    # The PassportType's value.
    passport_type: Mapped[str | None] = mapped_column(Encrypted())
    # ISO 3166-1 alpha-2 of the issuing state; nationality likewise.
    passport_country: Mapped[str | None] = mapped_column(Encrypted())
    passport_number: Mapped[str | None] = mapped_column(Encrypted())
    passport_expires_on: Mapped[date | None] = mapped_column(EncryptedDate())
    nationality: Mapped[str | None] = mapped_column(Encrypted())
    # The number that reaches the person during the trip (often not the office number in the directory).
    mobile_phone: Mapped[str | None] = mapped_column(Encrypted())
    # Name, relation and phone of whom to call in an emergency, as the person writes it.
    emergency_contact: Mapped[str | None] = mapped_column(Encrypted())
    # DietaryNeed values, comma-separated; the note says what the list cannot.
    dietary_needs: Mapped[str | None] = mapped_column(Encrypted())
    dietary_notes: Mapped[str | None] = mapped_column(Encrypted())
    medical_notes: Mapped[str | None] = mapped_column(Encrypted())
    mobility_needs: Mapped[str | None] = mapped_column(Encrypted())
    room_preference: Mapped[str | None] = mapped_column(Encrypted())
    # When the person last entered or confirmed the data themselves (through their one-time link).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()

    @property
    def dietary_need_list(self) -> list[DietaryNeed]:
        """The stored needs as enum members; unknown values (from an older version) are left out."""
        known = {need.value for need in DietaryNeed}
        return [DietaryNeed(value) for value in (self.dietary_needs or "").split(",") if value in known]

    def __repr__(self) -> str:  # never the values
        return f"<TravelProfile of person {self.person_id}>"


class PersonalDataRead(Base):
    """One look at personal travel data: who, whose, on which trip, what and when.

    Written when the data is shown or exported to someone, never when the
    system itself uses it (a count of dietary needs, the entry check run by a
    job); the rows outlive the data they describe, so an audit after the
    deletion still sees who read it.
    """

    __tablename__ = "personal_data_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Kept when the account goes, like the history's actor.
    user_email: Mapped[str] = mapped_column(sa.String(254))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegations.id", ondelete="SET NULL"), index=True)
    # What was read: "profile", "rooming", "entry_check", "contact_sheet" ... (a code; pages translate it).
    what: Mapped[str] = mapped_column(sa.String(40))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, index=True)

    user: Mapped[User | None] = relationship()
    person: Mapped[Person | None] = relationship()
    delegation: Mapped[Delegation | None] = relationship()
