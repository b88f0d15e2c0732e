"""Typed input of the entry-rule form: what the form hands on to the operations (and the seed loader)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.models import PassportType, ValidityFrom


@dataclass(frozen=True)
class EntryRuleInput:
    """One entry rule as typed; see :class:`planner.models.EntryRule` for what each field means."""

    destination: str
    nationality: str
    passport_type: PassportType
    valid_from: date | None = None
    visa_required: bool = False
    visa_free_days: int | None = None
    counts_arrival_day: bool = True
    passport_validity_months: int | None = None
    passport_validity_from: ValidityFrom = ValidityFrom.DEPARTURE
    waiver_covers_official: bool = False
    notes: str | None = None
    source: str | None = None
    checked_on: date | None = None
    to_be_verified: bool = True
