"""Where a delegation is at an instant or on a day: one answer for every page, check and import.

An :class:`Itinerary` is built once from a delegation's legs (already
loaded; it runs no query) and answers "which leg, which city, which zone"
for the new-appointment form, the timeline, the conflict checks, the brief,
the trips overview and the .ics importer alike. The rules, decided here
once:

* **Which legs count.** Every leg except cancelled ones: a cancelled item
  never counts (the house rule), so a cancelled stay overlapping a real one
  neither hides it nor adds a city. Tentative legs *do* count: an
  unconfirmed stay is still the best knowledge of where the delegation will
  be, and planners build the programme around it long before the hotel
  confirms. Counted legs are in order of arrival.
* **At an instant.** A leg's stay runs from its arrival up to, not
  including, its departure (at the departure instant the delegation has
  left). Between two stays, before the first and after the last, the
  delegation is at home.
* **On a day.** A leg's days are the local calendar dates, in its city's
  zone, from arrival to departure, both included. A travel day belongs to
  both legs: :meth:`Itinerary.legs_on` returns them in order of arrival, and
  the day's zone (:meth:`Itinerary.zone_on`) is that of the first of them,
  where the day begins. A day without a leg is a day at home.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.models import Delegation, ItemStatus, Leg
from planner.timezones import to_local


@dataclass(frozen=True)
class _Stay:
    """A counted leg with its stay in its own wall time, worked out once for all questions."""

    leg: Leg
    zone: str
    arrive: datetime  # naive wall time in ``zone``
    depart: datetime

    @property
    def first_day(self) -> date:
        return self.arrive.date()

    @property
    def last_day(self) -> date:
        return self.depart.date()


class Itinerary:
    """A delegation's counted legs in order of arrival, and its home zone for the time outside them."""

    def __init__(self, legs: Iterable[Leg], home_zone: str) -> None:
        self.home_zone = home_zone
        counted = sorted((leg for leg in legs if leg.status != ItemStatus.CANCELLED), key=lambda leg: leg.arrive_at)
        self._stays = tuple(
            _Stay(
                leg,
                leg.timezone,
                to_local(leg.arrive_at, leg.timezone).replace(tzinfo=None),
                to_local(leg.depart_at, leg.timezone).replace(tzinfo=None),
            )
            for leg in counted
        )

    @classmethod
    def of(cls, delegation: Delegation) -> Itinerary:
        """The itinerary of ``delegation`` (its legs with their cities and its home city loaded)."""
        return cls(delegation.legs, delegation.home_timezone)

    @property
    def legs(self) -> list[Leg]:
        """The counted legs (cancelled ones left out), in order of arrival."""
        return [stay.leg for stay in self._stays]

    # -- at an instant ---------------------------------------------------------

    def leg_at(self, instant: datetime) -> Leg | None:
        """The leg whose stay contains ``instant`` (UTC), or None between stays and outside the trip."""
        return next((stay.leg for stay in self._stays if stay.leg.arrive_at <= instant < stay.leg.depart_at), None)

    def zone_at(self, instant: datetime) -> str:
        """The zone the delegation lives by at ``instant`` (UTC).

        Inside a stay that leg's zone; outside every stay but on the local
        day of an arrival or departure, the zone of the leg nearest in time
        (a transfer to the airport on departure day keeps that city's clock);
        otherwise the home zone.
        """
        return self._nearest(lambda zone: to_local(instant, zone).replace(tzinfo=None))

    def zone_at_wall(self, wall: datetime) -> str:
        """As :meth:`zone_at` for a naive wall time, read in each leg's own zone (a floating .ics time)."""
        return self._nearest(lambda zone: wall)

    def _nearest(self, wall_in: Callable[[str], datetime]) -> str:
        same_day: list[tuple[timedelta, str]] = []
        for stay in self._stays:
            wall = wall_in(stay.zone)
            if stay.arrive <= wall < stay.depart:
                return stay.zone
            if stay.first_day <= wall.date() <= stay.last_day:
                same_day.append((min(abs(wall - stay.arrive), abs(wall - stay.depart)), stay.zone))
        if same_day:
            return min(same_day, key=lambda pair: pair[0])[1]
        return self.home_zone

    # -- on a day ----------------------------------------------------------------

    def legs_on(self, day: date) -> list[Leg]:
        """The legs the delegation stays in on the local date ``day``, in order of arrival (two on a travel day)."""
        return [stay.leg for stay in self._stays if stay.first_day <= day <= stay.last_day]

    def zone_on(self, day: date) -> str:
        """The zone of the first leg on ``day``, or the home zone on a day without one."""
        return next((stay.zone for stay in self._stays if stay.first_day <= day <= stay.last_day), self.home_zone)

    def days_of(self, leg: Leg) -> tuple[date, date]:
        """First and last local date of a counted ``leg``'s stay, in its city's zone.

        Raises :class:`ValueError` for a leg that does not count (cancelled, or of another trip).
        """
        for stay in self._stays:
            if stay.leg is leg:
                return stay.first_day, stay.last_day
        raise ValueError(f"{leg!r} is not a counted leg of this itinerary")
