"""Where a traveller stays on a trip, country by country, in each destination's local dates.

Border authorities count calendar days on their own side: a flight that lands
in Seoul at 08:55 on 14 October lands on the 13th in UTC and in Düsseldorf, yet
Korea counts the 14th. So every end of a stay is read in the zone of the place
where it happens (the leg's city, the journey's arrival or departure zone).

What makes a stay:

* The **legs** are the delegation's stays in cities; a country with no leg is not
  a stay, however the journeys pass through it (a change of planes in Helsinki,
  the flight home to the traveller's own country).
* The **journeys** a traveller takes say when they cross a border: between two
  journeys the traveller is in the country the first one arrived in. A stay
  then runs from the landing to the next take-off, which may be earlier or later
  than the leg (a hotel night before the programme starts). Journeys within one
  country (Seoul to Busan) do not end the stay.
* Before the first and after the last journey, and for a traveller without any
  journey, the legs alone say when the stay begins and ends; consecutive legs
  in one country are one stay. So do they where a journey ends in no known
  country (no city, a zone such as UTC).

Cancelled legs and journeys do not count; trashed ones are not loaded at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from planner.timezones import country_of_zone, to_local


@dataclass(frozen=True)
class Stay:
    """A stay in one country: from the local date of arrival to the local date of departure there."""

    country: str
    arrive_on: date
    depart_on: date
    cities: tuple[str, ...] = ()

    def days(self, *, counts_arrival_day: bool = True) -> int:
        """The stay's length in days as a destination counts it.

        ``counts_arrival_day``: the day of arrival is day one and the day of departure the last
        (14 to 16 October: 3 days). Otherwise the count begins at midnight after the arrival,
        as China counts its visa-free days (16 to 19 October: 3 days, 16 to 31 October: 15).
        """
        nights = (self.depart_on - self.arrive_on).days
        return nights + 1 if counts_arrival_day else nights


@dataclass(frozen=True)
class LegFacts:
    """A leg as the stay calculation needs it: its country, instants and the zone of its city."""

    country: str
    city: str
    arrive_at: datetime
    depart_at: datetime
    zone: str


@dataclass(frozen=True)
class JourneyFacts:
    """A journey's two ends: when, in which zone and (if known) in which country."""

    depart_at: datetime
    departure_zone: str
    departure_country: str | None
    arrive_at: datetime
    arrival_zone: str
    arrival_country: str | None


@dataclass(frozen=True)
class _Presence:
    """Where the journeys put the traveller: ``country`` from ``start`` to ``end`` (None: open)."""

    country: str | None
    start: tuple[datetime, str] | None
    end: tuple[datetime, str] | None


def _local_date(instant: datetime, zone: str) -> date:
    return to_local(instant, zone).date()


def stays_from(legs: Iterable[LegFacts], journeys: Iterable[JourneyFacts]) -> list[Stay]:
    """The stays per country of a traveller who takes ``journeys`` on a trip with ``legs``, in order of arrival."""
    ordered_legs = sorted(legs, key=lambda leg: leg.arrive_at)
    ordered_journeys = sorted(journeys, key=lambda journey: journey.depart_at)
    if not ordered_journeys:
        return _stays_of_legs(ordered_legs)
    stays: list[Stay] = []
    for presence in _presences(ordered_journeys):
        if presence.country is None:  # an end in no known country: the legs in that time say where
            stays += _stays_of_legs([leg for leg in ordered_legs if _overlaps(leg, presence)])
            continue
        inside = [leg for leg in ordered_legs if leg.country == presence.country and _overlaps(leg, presence)]
        if not inside:  # changing planes, or the way home: no leg, no stay
            continue
        start_at, start_zone = presence.start or (inside[0].arrive_at, inside[0].zone)
        last = max(inside, key=lambda leg: leg.depart_at)
        end_at, end_zone = presence.end or (last.depart_at, last.zone)
        stays.append(
            Stay(
                presence.country,
                _local_date(start_at, start_zone),
                _local_date(end_at, end_zone),
                tuple(dict.fromkeys(leg.city for leg in inside)),
            )
        )
    return stays


def _stays_of_legs(legs: Sequence[LegFacts]) -> list[Stay]:
    stays: list[Stay] = []
    run: list[LegFacts] = []
    for leg in [*legs, None]:
        if run and (leg is None or leg.country != run[0].country):
            last = max(run, key=lambda item: item.depart_at)
            stays.append(
                Stay(
                    run[0].country,
                    _local_date(run[0].arrive_at, run[0].zone),
                    _local_date(last.depart_at, last.zone),
                    tuple(dict.fromkeys(item.city for item in run)),
                )
            )
            run = []
        if leg is not None:
            run.append(leg)
    return stays


def _presences(journeys: Sequence[JourneyFacts]) -> list[_Presence]:
    """Where the traveller is before, between and after the journeys; one stretch per country in a row."""
    first, last = journeys[0], journeys[-1]
    presences = [_Presence(first.departure_country, None, (first.depart_at, first.departure_zone))]
    for before, after in pairwise(journeys):
        presences.append(
            _Presence(before.arrival_country, (before.arrive_at, before.arrival_zone), (after.depart_at, after.departure_zone))
        )
    presences.append(_Presence(last.arrival_country, (last.arrive_at, last.arrival_zone), None))
    merged: list[_Presence] = []
    for presence in presences:
        if merged and presence.country is not None and merged[-1].country == presence.country:
            merged[-1] = _Presence(presence.country, merged[-1].start, presence.end)
        else:
            merged.append(presence)
    return merged


def _overlaps(leg: LegFacts, presence: _Presence) -> bool:
    starts_before_end = presence.end is None or leg.arrive_at < presence.end[0]
    ends_after_start = presence.start is None or leg.depart_at > presence.start[0]
    return starts_before_end and ends_after_start


def journey_end_country(city_country: str | None, zone: str) -> str | None:
    """The country of a journey's end: its city's, or else the one the end's zone belongs to."""
    return city_country or country_of_zone(zone)
