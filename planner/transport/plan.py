"""One day's vehicle plan as the day page, its print view and its PDF show it: vehicles, rides, warnings.

Built once here, so the page and the printed sheet cannot disagree about what
a day holds or which warnings it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from planner.models import Delegation, Vehicle
from planner.transport import queries
from planner.transport.checks import check_day


@dataclass(frozen=True)
class DayPlan:
    """The vehicles of one day with their rides; warnings per transfer and per appointment (for the templates)."""

    delegation: Delegation
    day: date
    vehicles: list[Vehicle]
    rides: list[queries.Ride]
    transfer_warnings: dict[int, list[str]]
    appointment_warnings: dict[int, list[str]]
    warned: int  # distinct warnings: a clash of two rides is one warning, shown at both

    def context(self) -> dict[str, Any]:
        """What ``transport/_plan.html``'s macros and the pages that call them take."""
        return {
            "delegation": self.delegation,
            "day": self.day,
            "vehicles": self.vehicles,
            "rides": self.rides,
            "transfer_warnings": self.transfer_warnings,
            "appointment_warnings": self.appointment_warnings,
            "warned": self.warned,
            "vehicle_name": queries.vehicle_name,
        }


def day_plan(delegation: Delegation, on: date) -> DayPlan:
    """The plan of ``on`` for ``delegation`` (loaded with its members and their people)."""
    vehicles = queries.vehicles_on(delegation.id, on)
    warnings = check_day(vehicles, list(delegation.members))
    by_transfer: dict[int, list[str]] = {}
    by_appointment: dict[int, list[str]] = {}
    for w in warnings:
        target = (
            by_transfer.setdefault(w.transfer_id, []) if w.transfer_id else by_appointment.setdefault(w.appointment_id or 0, [])
        )
        if w.message not in target:
            target.append(w.message)
    return DayPlan(
        delegation=delegation,
        day=on,
        vehicles=vehicles,
        rides=queries.rides(vehicles),
        transfer_warnings=by_transfer,
        appointment_warnings=by_appointment,
        warned=len({w.message for w in warnings}),
    )
