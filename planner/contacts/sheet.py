"""The trip's contact and emergency sheet as plain view objects.

One builder for the team's page and its print view (and, once the logistics
sheets render through the brief's PDF pipeline, for the PDF). What it shows:
the trip's duty phone, the German missions of the trip's countries, the hotels
of the legs, and the emergency numbers of every country of the trip, each with
its source date; a country without numbers is listed as "to be verified",
never left out. No personal data: no traveller's phone, passport, diet or
medical note is read here.

Two places are left for the logistics features to fill: :attr:`ContactSheet.hotels`
(today built from what the legs store; the hotel nights and rooms will take over)
and :attr:`ContactSheet.drivers` (empty until vehicles and drivers exist).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from planner.contacts import queries
from planner.contacts.countries import trip_countries
from planner.formatting import territory_name
from planner.labels import label
from planner.models import Country, Delegation, EmergencyNumber, ItemStatus, Leg, Organization


@dataclass
class NumberView:
    service: str
    number: str
    note: str | None
    source: str | None
    checked_on: date | None
    to_be_verified: bool

    @property
    def source_is_link(self) -> bool:
        return bool(self.source) and self.source.startswith(("https://", "http://"))  # type: ignore[union-attr]


@dataclass
class CountryNumbers:
    """A country of the trip with its numbers; ``numbers`` empty means: to be verified before the trip."""

    code: str
    country: str
    numbers: list[NumberView]

    @property
    def to_be_verified(self) -> bool:
        return not self.numbers or any(n.to_be_verified for n in self.numbers)


@dataclass
class MissionPerson:
    name: str
    function: str | None
    phone: str | None
    email: str | None
    placeholder: bool


@dataclass
class MissionView:
    id: int
    name: str
    native_name: str | None
    city: str | None
    country: str | None
    address: str | None
    phone: str | None
    email: str | None
    website: str | None
    placeholder: bool
    people: list[MissionPerson] = field(default_factory=list)


@dataclass
class HotelView:
    city: str
    name: str | None
    address: str | None
    phone: str | None
    arrive_at: datetime
    depart_at: datetime
    zone: str
    status: ItemStatus
    placeholder: bool


@dataclass
class DriverView:
    """A driver and vehicle of the trip: filled by the vehicles feature once it exists."""

    name: str
    phone: str | None
    vehicle: str | None
    city: str | None


@dataclass
class ContactSheet:
    delegation_id: int
    title: str
    start_date: date
    end_date: date
    duty_phone: str | None
    countries: list[CountryNumbers]
    missions: list[MissionView]
    # The countries abroad without a German mission on the sheet: to be clarified before the trip.
    countries_without_mission: list[str]
    # Hotels per leg, from the legs for now; the rooms feature (hotel nights) will fill this instead.
    hotels: list[HotelView]
    # Drivers and vehicles: the vehicles feature fills this; empty until then.
    drivers: list[DriverView] = field(default_factory=list)


def number_view(number: EmergencyNumber) -> NumberView:
    return NumberView(
        service=label(number.service),
        number=number.number,
        note=number.note,
        source=number.source,
        checked_on=number.checked_on,
        to_be_verified=number.to_be_verified,
    )


def country_numbers(countries: Iterable[Country], numbers: Mapping[str, list[EmergencyNumber]]) -> list[CountryNumbers]:
    """Every one of ``countries``, with its numbers or none (then printed as "to be verified")."""
    return [
        CountryNumbers(
            code=c.iso_code, country=territory_name(c.iso_code), numbers=[number_view(n) for n in numbers.get(c.iso_code, [])]
        )
        for c in countries
    ]


def hotel_views(legs: Iterable[Leg]) -> list[HotelView]:
    """The hotels of ``legs`` as the legs store them today (name, address, phone)."""
    return [
        HotelView(
            city=leg.city.name,
            name=leg.hotel_name,
            address=leg.hotel_address,
            phone=leg.hotel_phone,
            arrive_at=leg.arrive_at,
            depart_at=leg.depart_at,
            zone=leg.timezone,
            status=leg.status,
            # Legs carry no placeholder flag; seeded placeholder hotels say so in their name.
            placeholder=bool(leg.hotel_phone) and bool(re.search(r"platzhalter|placeholder", leg.hotel_name or "", re.I)),
        )
        for leg in legs
    ]


def mission_view(organization: Organization) -> MissionView:
    city = organization.city
    return MissionView(
        id=organization.id,
        name=organization.name,
        native_name=organization.native_name,
        city=city.name if city else None,
        country=territory_name(city.country.iso_code) if city else None,
        address=organization.address,
        phone=organization.phone,
        email=organization.email,
        website=organization.website,
        placeholder=organization.contact_is_placeholder and bool(organization.phone or organization.email),
        people=[
            MissionPerson(
                name=p.display_name,
                function=p.function,
                phone=p.phone,
                email=p.email,
                placeholder=p.contact_is_placeholder and bool(p.phone or p.email),
            )
            for p in organization.people
        ],
    )


def build_sheet(delegation: Delegation) -> ContactSheet:
    """The sheet of ``delegation`` (loaded by :func:`planner.contacts.queries.trip_for_sheet`)."""
    countries = trip_countries(delegation)
    codes = [c.iso_code for c in countries]
    missions = queries.missions_for(codes, delegation.id)
    home = delegation.home_city.country.iso_code
    covered = {m.city.country.iso_code for m in missions if m.city is not None}
    return ContactSheet(
        delegation_id=delegation.id,
        title=delegation.title,
        start_date=delegation.start_date,
        end_date=delegation.end_date,
        duty_phone=delegation.duty_phone,
        countries=country_numbers(countries, queries.numbers_for(codes)),
        missions=[mission_view(m) for m in missions],
        countries_without_mission=[territory_name(code) for code in codes if code != home and code not in covered],
        hotels=hotel_views(leg for leg in delegation.legs if leg.status is not ItemStatus.CANCELLED),
    )
