"""Which countries a trip touches: where emergency numbers and missions must be known.

The home country first, then every other country in the order the trip reaches
it: the cities of its legs and of its journeys' departures and arrivals (a
stopover city counts). Cancelled legs and journeys do not count. Works on a
stored delegation and on a released programme rebuilt by
:func:`planner.releases.snapshot.materialize` alike.
"""

from __future__ import annotations

from datetime import datetime

from planner.models import City, Country, Delegation, ItemStatus


def trip_countries(delegation: Delegation) -> list[Country]:
    """The countries of ``delegation``, home country first, each once (by ISO code)."""
    stops: list[tuple[datetime, City]] = []
    for leg in delegation.legs:
        if leg.status is not ItemStatus.CANCELLED:
            stops.append((leg.arrive_at, leg.city))
    for journey in delegation.journeys:
        if journey.status is ItemStatus.CANCELLED:
            continue
        if journey.departure_city is not None:
            stops.append((journey.depart_at, journey.departure_city))
        if journey.arrival_city is not None:
            stops.append((journey.arrive_at, journey.arrival_city))
    stops.sort(key=lambda stop: stop[0])
    countries: dict[str, Country] = {}
    for city in [delegation.home_city, *(city for _at, city in stops)]:
        if city is not None and city.country is not None:
            countries.setdefault(city.country.iso_code, city.country)
    return list(countries.values())
