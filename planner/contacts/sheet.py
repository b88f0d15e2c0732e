"""The trip's contact and emergency sheet as plain view objects.

One builder for the team's page, its print view and its PDF
(:mod:`planner.contacts.printing`). What it shows: the trip's duty phone, the
German missions of the trip's countries, the emergency numbers of every
country of the trip, each with its source date (a country without numbers is
listed as "to be verified", never left out), one entry per hotel stay as the
hotel nights make them (:mod:`planner.rooms.nights`: the legs' hotels and the
planners' overrides, with the stay's dates, address and phone as stored), and
the drivers of the trip's vehicles (day, vehicle, name and work phone).

No personal data: no traveller's phone, passport, diet or medical note is read
here, no travel profile at all; the view objects have no field for one.
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
from planner.models import Country, Delegation, EmergencyNumber, ItemStatus, Leg, Organization, Vehicle
from planner.rooms import queries as room_queries
from planner.rooms.nights import Nights, Stay
from planner.transport import queries as transport_queries


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


_PLACEHOLDER = re.compile(r"platzhalter|placeholder", re.I)


@dataclass
class HotelView:
    """A leg's hotel as the leg stores it (the brief's list of hotels)."""

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
class StayView:
    """One hotel stay of the trip: consecutive nights in one hotel (:class:`planner.rooms.nights.Stay`)."""

    city: str | None
    name: str | None  # None: the hotel is still open
    address: str | None
    phone: str | None
    arrival: date
    departure: date
    nights: int
    # The leg's status when the stay comes from a leg; None when a planner set the hotel for the night.
    status: ItemStatus | None
    placeholder: bool


@dataclass
class DriverView:
    """A vehicle of the trip on its day, with its driver's name and work phone as stored."""

    day: date
    name: str | None
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
    # One entry per hotel stay, from the hotel nights (legs and the planners' overrides).
    hotels: list[StayView]
    # The trip's vehicles with a driver's name or phone, by day.
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
            placeholder=bool(leg.hotel_phone) and bool(_PLACEHOLDER.search(leg.hotel_name or "")),
        )
        for leg in legs
    ]


def stay_view(stay: Stay) -> StayView:
    """A hotel stay as the sheet lists it: the hotel of its first night (a stay is one hotel throughout)."""
    first = stay.nights[0]
    hotel = stay.hotel
    return StayView(
        city=stay.city.name if stay.city is not None else None,
        name=hotel.name,
        address=hotel.address,
        phone=hotel.phone,
        arrival=stay.arrival,
        departure=stay.departure,
        nights=len(stay.nights),
        status=first.leg.status if first.leg is not None and first.override is None else None,
        # Nothing flags a hotel as a placeholder; seeded placeholder hotels say so in their name.
        placeholder=bool(hotel.phone) and bool(_PLACEHOLDER.search(hotel.name or "")),
    )


def driver_views(vehicles: Iterable[Vehicle]) -> list[DriverView]:
    """The vehicles with a driver's name or phone (a vehicle without either is no contact), in the given order."""
    return [
        DriverView(
            day=v.day,
            name=v.driver_name,
            phone=v.driver_phone,
            vehicle=transport_queries.vehicle_name_without_driver(v),
            city=v.city.name if v.city is not None else None,
        )
        for v in vehicles
        if v.driver_name or v.driver_phone
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
    """The sheet of ``delegation`` (loaded by :func:`planner.contacts.queries.trip_for_sheet`).

    Cancelled legs give no hotel nights (:mod:`planner.rooms.nights`), so a cancelled stay is not listed.
    """
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
        hotels=[stay_view(stay) for stay in Nights(delegation, room_queries.night_overrides(delegation.id)).stays],
        drivers=driver_views(transport_queries.trip_vehicles(delegation.id)),
    )
