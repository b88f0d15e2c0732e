"""Entry requirements as data: what a destination asks of a traveller's passport, per nationality and passport type.

An admin keeps these rules (``planner.entry``); the entry check
(:mod:`planner.entry.check`) compares them with a traveller's passport and the
trip's stays. A rule is a fact about another state's law, so it carries its
source and the day it was last checked; a rule without them stays marked
"to be verified" (``to_be_verified``), and every check that uses it says so.
"""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from planner.models.base import Base, TimestampMixin, VersionedMixin, enum_column

# One kind of passport for the rules and for the travellers' data (a diplomatic passport counts as official).
from planner.models.care import PassportType


class ValidityFrom(enum.StrEnum):
    """From which day a destination counts the passport validity it asks for.

    Sources word it either way ("six months on entry", "three months beyond
    the intended departure"); the rule stores what its source says.
    """

    ARRIVAL = "arrival"
    DEPARTURE = "departure"


class EntryRule(VersionedMixin, TimestampMixin, Base):
    """What ``destination`` asks of a traveller of ``nationality`` with a ``passport_type`` passport.

    Countries are ISO 3166-1 alpha-2 codes rather than rows of ``countries``:
    a rule may name a country the directory has no city of yet, and pages name
    the code in the reader's language (:func:`planner.formatting.territory_name`).

    ``valid_from``: the first day (a local date at the destination) the rule
    applies to; of the rules for the same destination, nationality and passport
    type, the one with the latest ``valid_from`` on or before the day of arrival
    answers for a stay. So a trip in October 2024 is checked against China's
    15 days of 2023/24 and a trip in 2025 against the 30 days that followed,
    both kept side by side. Empty: since always.
    """

    __tablename__ = "entry_rules"
    __table_args__ = (
        sa.CheckConstraint("visa_free_days IS NULL OR visa_free_days > 0", name="visa_free_days_positive"),
        sa.CheckConstraint("passport_validity_months IS NULL OR passport_validity_months >= 0", name="validity_not_negative"),
        sa.Index("ix_entry_rules_lookup", "destination", "nationality", "passport_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    destination: Mapped[str] = mapped_column(sa.String(2))
    # The nationality the rule is for (the state that issued the passport, as for German passports).
    nationality: Mapped[str] = mapped_column(sa.String(2))
    passport_type: Mapped[PassportType] = enum_column(PassportType, default=PassportType.ORDINARY)
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    # A visa is needed before travel; then visa_free_days is empty.
    visa_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Longest stay without a visa, in days as the destination counts them (counts_arrival_day).
    visa_free_days: Mapped[int | None] = mapped_column()
    # Whether the day of arrival is the first day of the stay (and the day of departure its last). China
    # counts from 00:00 of the day after entry; where no source says, the arrival day counts (the stricter way).
    counts_arrival_day: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Validity the passport must have left, in months as sources state it, from arrival or from departure.
    passport_validity_months: Mapped[int | None] = mapped_column()
    passport_validity_from: Mapped[ValidityFrom] = enum_column(
        ValidityFrom, default=ValidityFrom.DEPARTURE, server_default=ValidityFrom.DEPARTURE.value
    )
    # Only on a rule for ordinary passports: whether its waiver also covers official passports (when
    # there is no rule of their own). China's unilateral waiver names ordinary passports only.
    waiver_covers_official: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    notes: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str | None] = mapped_column(sa.Text)
    checked_on: Mapped[date | None] = mapped_column(sa.Date)
    to_be_verified: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    def __repr__(self) -> str:
        return f"<EntryRule {self.destination} {self.nationality} {self.passport_type} from {self.valid_from}>"
