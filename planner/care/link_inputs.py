"""Typed input of the travellers' own form (their one-time link)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.models import DietaryNeed, PassportType


@dataclass(frozen=True)
class OwnProfileInput:
    """What a traveller enters or confirms about themselves; None (or empty) clears a value."""

    passport_type: PassportType | None
    passport_country: str | None
    passport_number: str | None
    passport_expires_on: date | None
    nationality: str | None
    mobile_phone: str | None
    emergency_contact: str | None
    dietary_needs: tuple[DietaryNeed, ...]
    dietary_notes: str | None
    medical_notes: str | None
    mobility_needs: str | None
    room_preference: str | None
