"""The travel-time check: is there time to get from one appointment to the next?

Needed time for two consecutive appointments of the same people on one day:

* the transfer time a planner entered for the ride from the first to the second
  (:attr:`planner.models.Transfer.travel_minutes`): they know the city, so it is
  taken as it is, door to door;
* otherwise the great-circle distance between the two places' coordinates at the
  configured city speed (``TRAVEL_CITY_SPEED_KMH``, see :mod:`planner.config` for
  why 20 km/h), capped at ``TRAVEL_MAX_MINUTES``, plus ``TRAVEL_BUFFER_MINUTES``;
* without either: unknown. The check then says so as a hint, never as a warning,
  and only where the gap is shorter than the longest drive it reckons with
  (``TRAVEL_MAX_MINUTES`` plus the buffer): a longer gap is enough anyway.

A gap exactly as long as the needed time is enough. The rules run inside the
conflict checks (:func:`planner.program.conflicts.check_programme`); this module
only knows distances and times, so it can be tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType
from typing import Protocol

# The mean Earth radius (IUGG, R1 = 6371.0088 km): the usual figure for great-circle distances.
EARTH_RADIUS_KM = 6371.0088


class Place(Protocol):
    id: int
    latitude: float | None
    longitude: float | None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in km between two points given in degrees (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class TravelRules:
    """The settings of the check and the transfer times planners entered, by (from, to) appointment id."""

    speed_kmh: float
    buffer: timedelta
    max_drive: timedelta
    entered: Mapping[tuple[int, int], int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def reach(self) -> timedelta:
        """The longest gap the check can find too short: how far a single appointment's check must look."""
        longest_entered = timedelta(minutes=max(self.entered.values(), default=0))
        return max(longest_entered, self.max_drive + self.buffer)


@dataclass(frozen=True)
class NeededTime:
    """How long the way from one appointment to the next takes, and how that was worked out."""

    time: timedelta
    entered: bool  # True: a planner's transfer time; False: from the distance
    km: float | None = None


def needed_time(first: Place, second: Place, rules: TravelRules) -> NeededTime | None:
    """The time needed between ``first``'s end and ``second``'s start, or None when nothing tells it."""
    entered = rules.entered.get((first.id, second.id))
    if entered is not None:
        return NeededTime(timedelta(minutes=entered), entered=True)
    if None in (first.latitude, first.longitude, second.latitude, second.longitude):
        return None
    km = haversine_km(first.latitude, first.longitude, second.latitude, second.longitude)  # type: ignore[arg-type]
    drive = min(timedelta(hours=km / rules.speed_kmh), rules.max_drive)
    # Whole minutes, rounded up: the warning names minutes, and a check must not pass on a fraction.
    minutes = math.ceil((drive + rules.buffer).total_seconds() / 60)
    return NeededTime(timedelta(minutes=minutes), entered=False, km=km)
