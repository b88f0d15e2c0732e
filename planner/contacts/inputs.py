"""What the writes of emergency numbers take: the typed input the admin form (and the seed) turn into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.models import EmergencyService


@dataclass(frozen=True)
class EmergencyNumberInput:
    """One number of one country; ``country_iso`` is an ISO 3166-1 code, the country record is made on first use.

    Text is cleaned already (trimmed, empty as ``None``). A number stated as checked
    (``to_be_verified`` False) needs a source and the day it was checked: the operation refuses it otherwise.
    """

    country_iso: str
    service: EmergencyService
    number: str
    note: str | None = None
    source: str | None = None
    checked_on: date | None = None
    to_be_verified: bool = True
