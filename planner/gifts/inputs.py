"""What the writes of the gift register take: the typed input the form (and the seed) turn into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from planner.models import GiftDirection


@dataclass(frozen=True)
class GiftInput:
    """One gift. Text is cleaned already (trimmed, empty as ``None``); ids of 0 mean "none".

    ``value_eur`` is needed only for another currency than EUR (the threshold is in euros).
    ``repeat_confirmed``: the planner saw the warning that the same gift already went to
    this counterpart and saves anyway.
    """

    direction: GiftDirection
    item: str
    given_on: date
    description: str | None = None
    occasion: str | None = None
    appointment_id: int | None = None
    person_id: int | None = None
    organization_id: int | None = None
    city_id: int | None = None
    our_side: str | None = None
    value_amount: Decimal | None = None
    currency: str = "EUR"
    value_eur: Decimal | None = None
    kept_at: str | None = None
    declared: bool = False
    declared_on: date | None = None
    notes: str | None = None
    placeholder: bool = False
    repeat_confirmed: bool = False
    version: int | None = None
