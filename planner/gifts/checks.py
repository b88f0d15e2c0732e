"""The gift register's warnings, for one gift being saved and for a whole list at once.

* **Repeat**: the same gift (same item, normalised) given twice to the same
  counterpart, a person or an organization, in any year and on any trip.
* **Declaration**: a received gift whose value in euros is at or above the
  threshold (``GIFT_DECLARATION_THRESHOLD_EUR``) must be declared; one of
  unknown value is flagged too, so nobody takes "no value" for "below".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app

from planner.models import Gift, GiftDirection

DEFAULT_THRESHOLD_EUR = Decimal("25")


def declaration_threshold() -> Decimal:
    """The app's threshold in euros (config ``GIFT_DECLARATION_THRESHOLD_EUR``, default 25)."""
    return Decimal(str(current_app.config.get("GIFT_DECLARATION_THRESHOLD_EUR", DEFAULT_THRESHOLD_EUR)))


def normalise_item(text: str | None) -> str:
    """The item as compared: case, accents, punctuation and spacing do not make another gift.

    "Bildband „Düsseldorf“" and "bildband duesseldorf" are not the same (umlaut
    spelt out), but "Bildband Düsseldorf!" and "  BILDBAND  düsseldorf" are.
    Hangul and Hanzi stay as they are (NFC after taking accents off).
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_accents = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    folded = unicodedata.normalize("NFC", without_accents).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


@dataclass(frozen=True)
class Counterpart:
    person_id: int | None
    organization_id: int | None

    def matches(self, gift: Gift) -> bool:
        return (self.person_id is not None and gift.person_id == self.person_id) or (
            self.organization_id is not None and gift.organization_id == self.organization_id
        )


def earlier_repeats(
    item: str, counterpart: Counterpart, given: Iterable[Gift], *, own_id: int | None = None, before: Gift | None = None
) -> list[Gift]:
    """Gifts among ``given`` (gifts we gave) with the same normalised item to the same counterpart, oldest first.

    ``before``: only those given before that gift (the list warns at the second gift, not at the first).
    """
    key = normalise_item(item)
    found = [
        g
        for g in given
        if g.id != own_id and g.direction is GiftDirection.GIVEN and normalise_item(g.item) == key and counterpart.matches(g)
    ]
    if before is not None:
        found = [g for g in found if (g.given_on, g.id) < (before.given_on, before.id)]
    return sorted(found, key=lambda g: (g.given_on, g.id))


def must_declare(gift: Gift, threshold: Decimal) -> bool:
    """A received gift worth ``threshold`` euros or more."""
    return gift.direction is GiftDirection.RECEIVED and gift.value_eur is not None and gift.value_eur >= threshold


def value_unknown(gift: Gift) -> bool:
    """A received gift without a value in euros: whether it must be declared is still open."""
    return gift.direction is GiftDirection.RECEIVED and gift.value_eur is None


@dataclass
class GiftRow:
    """One gift as the register shows and exports it, with its warnings."""

    gift: Gift
    must_declare: bool
    value_unknown: bool
    repeats: list[Gift]

    @property
    def undeclared(self) -> bool:
        return self.must_declare and not self.gift.declared


def register_rows(gifts: Iterable[Gift], given_to_counterparts: Iterable[Gift], threshold: Decimal) -> list[GiftRow]:
    """Each of ``gifts`` with its warnings; ``given_to_counterparts``: every given gift to their counterparts."""
    pool = list(given_to_counterparts)
    rows = []
    for gift in gifts:
        repeats: list[Gift] = []
        if gift.direction is GiftDirection.GIVEN:
            counterpart = Counterpart(gift.person_id, gift.organization_id)
            repeats = earlier_repeats(gift.item, counterpart, pool, own_id=gift.id, before=gift)
        rows.append(GiftRow(gift, must_declare(gift, threshold), value_unknown(gift), repeats))
    return rows
