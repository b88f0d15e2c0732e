"""Typed inputs of the vehicle plan: what the forms (or a script) hand on to the operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from planner.models import VehicleKind


@dataclass(frozen=True)
class VehicleInput:
    """A vehicle with its driver for one local day in one city."""

    day: date
    city_id: int
    seats: int
    kind: VehicleKind = VehicleKind.VAN
    driver_name: str | None = None
    driver_phone: str | None = None
    plate: str | None = None
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class TransferInput:
    """One vehicle's ride to an appointment (``depart_at``: aware UTC), with who rides in it."""

    vehicle_id: int
    appointment_id: int
    depart_at: datetime
    from_appointment_id: int | None = None
    from_place: str | None = None
    travel_minutes: int | None = None
    rider_ids: tuple[int, ...] = ()
    notes: str | None = None
    version: int | None = None
