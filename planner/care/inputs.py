"""Typed inputs of the carers' pages: what the forms hand on to the operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.models import DietaryNeed, PassportType


@dataclass(frozen=True)
class TravelProfileInput:
    """A person's travel data as a carer enters it; text already trimmed, empty as ``None``.

    Country codes are ISO 3166-1 alpha-2 codes the form checked against the app's
    country list; ``dietary_needs`` holds the needs in the order of :class:`DietaryNeed`.
    """

    version: int
    passport_type: PassportType | None = None
    passport_country: str | None = None
    passport_number: str | None = None
    passport_expires_on: date | None = None
    nationality: str | None = None
    mobile_phone: str | None = None
    emergency_contact: str | None = None
    dietary_needs: tuple[DietaryNeed, ...] = ()
    dietary_notes: str | None = None
    medical_notes: str | None = None
    mobility_needs: str | None = None
    room_preference: str | None = None
