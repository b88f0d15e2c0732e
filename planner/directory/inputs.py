"""What the directory's writes take: one frozen dataclass per record kind.

A form turns into one of these (``to_input()``), and so can any other caller
(the seed loader, an import, a test): the operations in
:mod:`planner.directory.operations` never see a form or a dict. Text is
already cleaned (trimmed, empty as ``None``); rules that involve other records
(unique names, references that may have gone) are the operations' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.models import OrganizationKind, PersonSide


@dataclass(frozen=True)
class OrganizationInput:
    """An organization as a planner describes it."""

    name: str
    kind: OrganizationKind
    native_name: str | None = None
    sector: str | None = None
    profile: str | None = None
    home_relation: str | None = None
    founded_year: int | None = None
    website: str | None = None
    address: str | None = None
    city_id: int | None = None
    phone: str | None = None
    email: str | None = None
    contact_is_placeholder: bool = False


@dataclass(frozen=True)
class PersonInput:
    """A counterpart or delegation member as the directory keeps them."""

    family_name: str
    given_name: str | None = None
    title: str | None = None
    side: PersonSide = PersonSide.HOST
    family_name_first: bool = False
    native_name: str | None = None
    romanized_name: str | None = None
    title_en: str | None = None
    salutation: str | None = None
    salutation_en: str | None = None
    function: str | None = None
    function_en: str | None = None
    organization_id: int | None = None
    email: str | None = None
    phone: str | None = None
    languages: str | None = None
    notes: str | None = None
    contact_is_placeholder: bool = False


@dataclass(frozen=True)
class CityInput:
    """A city; ``country_iso`` is an ISO 3166-1 code, the country record is made on first use."""

    name: str
    country_iso: str
    timezone: str
    native_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    profile: str | None = None


@dataclass(frozen=True)
class PartnershipInput:
    """A twinning of two cities, whichever way round it is entered."""

    home_city_id: int
    partner_city_id: int
    since: date
    notes: str | None = None
