"""The nights of a trip and where the delegation sleeps in each: one answer for the rooming page, checks and print.

Rules, decided here once:

* **A night** is named by the local date on whose evening it begins, in the
  place where the delegation sleeps ("the night of 14 October" runs into the
  15th). The trip's nights run from its first day to the day before its last
  (the home office's dates), widened to any leg outside them.
* **From a leg.** A counted leg (:class:`~planner.delegations.itinerary.Itinerary`:
  cancelled legs never count) covers the nights from its local arrival date up
  to, not including, its local departure date, in its city's zone. Its hotel is
  the leg's hotel (name, address, phone); a leg without a hotel name is a hotel
  night whose hotel is still open.
* **On the way.** A night no leg covers, during which a journey that is not
  cancelled is under way (it leaves on or before that date at its departure,
  and arrives after it at its arrival), is spent travelling: no hotel.
* **Otherwise** the delegation has no stay that night (at home, or not planned yet).
* **A planner's override** of one night wins over all of the above: another
  hotel, or no hotel.

Consecutive hotel nights in the same hotel make one :class:`Stay`, which is
what a hotel's rooming list covers. "The same hotel" is the same name and
address (ignoring case and spacing), so a stay split into two legs is still one
stay for the hotel; a leg without a hotel name is a stay of its own.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from planner.delegations.itinerary import Itinerary
from planner.models import City, Delegation, ItemStatus, Journey, Leg, NightKind, NightOverride, Room
from planner.timezones import to_local


class NightState(enum.StrEnum):
    """Where the delegation is during one night."""

    HOTEL = "hotel"  # in a hotel (the leg's, or one a planner set)
    JOURNEY = "journey"  # on an overnight journey: no hotel
    NO_HOTEL = "no_hotel"  # a planner said: no hotel this night
    NO_STAY = "no_stay"  # no leg and no journey: at home, or not planned yet


@dataclass(frozen=True)
class Hotel:
    """A hotel as the rooming list prints it."""

    name: str | None
    address: str | None = None
    phone: str | None = None

    @property
    def identity(self) -> tuple[str, str] | None:
        """Name and address as compared between nights; None for a hotel without a name (still open)."""
        if not self.name or not self.name.strip():
            return None
        return (" ".join(self.name.split()).casefold(), " ".join((self.address or "").split()).casefold())


@dataclass(frozen=True)
class Night:
    """One night of the trip and where the delegation spends it."""

    day: date  # the local date on whose evening the night begins
    state: NightState
    zone: str
    hotel: Hotel | None = None
    city: City | None = None
    leg: Leg | None = None  # the leg that covers the night, if one does (also under an override)
    journey: Journey | None = None  # the overnight journey, for NightState.JOURNEY
    override: NightOverride | None = None

    @property
    def in_hotel(self) -> bool:
        return self.state is NightState.HOTEL

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=1)

    @property
    def stay_identity(self) -> tuple[object, ...] | None:
        """Equal for consecutive nights in one hotel (see the module docstring); None when not in a hotel."""
        if not self.in_hotel or self.hotel is None:
            return None
        identity = self.hotel.identity
        if identity is not None:
            return ("hotel", *identity)
        return ("leg", self.leg.id if self.leg is not None else None, self.day if self.leg is None else None)


@dataclass
class Stay:
    """Consecutive nights in one hotel: what one rooming list covers."""

    nights: list[Night]
    rooms: list[Room] = field(default_factory=list)  # rooms with at least one night in the stay

    @property
    def hotel(self) -> Hotel:
        hotel = self.nights[0].hotel
        assert hotel is not None
        return hotel

    @property
    def city(self) -> City | None:
        return self.nights[0].city

    @property
    def first_night(self) -> date:
        return self.nights[0].day

    @property
    def last_night(self) -> date:
        return self.nights[-1].day

    @property
    def arrival(self) -> date:
        return self.first_night

    @property
    def departure(self) -> date:
        return self.last_night + timedelta(days=1)

    @property
    def key(self) -> str:
        """The stay in a URL: its first night (ISO); any of its nights finds it too (:meth:`Nights.stay_on`)."""
        return self.first_night.isoformat()

    def covers(self, day: date) -> bool:
        return self.first_night <= day <= self.last_night


class Nights:
    """The nights of one trip, each with its place, and the hotel stays they make.

    Built from a delegation whose legs (with cities), journeys and home city are
    loaded, plus its overrides and rooms; runs no query.
    """

    def __init__(self, delegation: Delegation, overrides: Iterable[NightOverride] = (), rooms: Iterable[Room] = ()) -> None:
        self.delegation = delegation
        self.itinerary = Itinerary.of(delegation)
        self.home_zone = delegation.home_timezone
        self.overrides = {o.night: o for o in overrides}
        spans = {leg.id: self._leg_nights(leg) for leg in self.itinerary.legs}
        first, last = delegation.start_date, delegation.end_date - timedelta(days=1)
        for arrive, depart in spans.values():
            first, last = min(first, arrive), max(last, depart - timedelta(days=1))
        journeys = [j for j in delegation.journeys if j.status is not ItemStatus.CANCELLED]
        self.nights: list[Night] = []
        day = first
        while day <= last:
            leg = next((leg for leg in self.itinerary.legs if spans[leg.id][0] <= day < spans[leg.id][1]), None)
            self.nights.append(self._night(day, leg, journeys))
            day += timedelta(days=1)
        self.stays = self._stays(rooms)

    @staticmethod
    def _leg_nights(leg: Leg) -> tuple[date, date]:
        """The local arrival and departure dates of a leg: it covers the nights from the first up to the second."""
        return to_local(leg.arrive_at, leg.timezone).date(), to_local(leg.depart_at, leg.timezone).date()

    def _night(self, day: date, leg: Leg | None, journeys: list[Journey]) -> Night:
        override = self.overrides.get(day)
        zone = leg.timezone if leg is not None else self.home_zone
        city = leg.city if leg is not None else None
        if override is not None:
            if override.kind is NightKind.HOTEL:
                hotel = Hotel(override.hotel_name, override.hotel_address, override.hotel_phone)
                return Night(day, NightState.HOTEL, zone, hotel, city, leg, override=override)
            return Night(day, NightState.NO_HOTEL, zone, None, city, leg, override=override)
        if leg is not None:
            hotel = Hotel(leg.hotel_name, leg.hotel_address, leg.hotel_phone)
            return Night(day, NightState.HOTEL, zone, hotel, city, leg)
        journey = next((j for j in journeys if _under_way(j, day)), None)
        if journey is not None:
            return Night(day, NightState.JOURNEY, journey.departure_timezone, journey=journey)
        return Night(day, NightState.NO_STAY, zone)

    def _stays(self, rooms: Iterable[Room]) -> list[Stay]:
        stays: list[Stay] = []
        previous: tuple[object, ...] | None = None
        for night in self.nights:
            identity = night.stay_identity
            if identity is None:
                previous = None
                continue
            if identity == previous and stays:
                stays[-1].nights.append(night)
            else:
                stays.append(Stay([night]))
            previous = identity
        ordered = sorted(rooms, key=lambda r: (r.first_night, r.id or 0))
        for stay in stays:
            stay.rooms = [r for r in ordered if r.first_night <= stay.last_night and r.last_night >= stay.first_night]
        return stays

    # -- questions ---------------------------------------------------------------

    def on(self, day: date) -> Night | None:
        """The night beginning on ``day``, or None outside the trip."""
        index = (day - self.nights[0].day).days if self.nights else -1
        return self.nights[index] if 0 <= index < len(self.nights) else None

    def stay_on(self, day: date) -> Stay | None:
        """The hotel stay that ``day``'s night belongs to, or None when the delegation is in no hotel then."""
        return next((stay for stay in self.stays if stay.covers(day)), None)

    def hotel_nights(self) -> list[Night]:
        return [night for night in self.nights if night.in_hotel]


def _under_way(journey: Journey, day: date) -> bool:
    """Whether ``journey`` is under way during the night beginning on ``day``."""
    leaves = to_local(journey.depart_at, journey.departure_timezone).date()
    arrives = to_local(journey.arrive_at, journey.arrival_timezone).date()
    return leaves <= day < arrives
