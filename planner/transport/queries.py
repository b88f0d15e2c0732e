"""Reads of the vehicle plan, with eager loading: a day's plan costs the same few queries however full the day is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from planner.extensions import db
from planner.formatting import clock
from planner.labels import label
from planner.models import Appointment, Delegation, Member, Transfer, Vehicle
from planner.timezones import UTC, to_local
from planner.transport.travel import TravelRules


def travel_rules(delegation_id: int) -> TravelRules:
    """The travel-time check's settings (config) and the transfer times planners entered for the trip (one query)."""
    rows = db.session.execute(
        sa.select(Transfer.from_appointment_id, Transfer.appointment_id, sa.func.max(Transfer.travel_minutes))
        .where(
            Transfer.delegation_id == delegation_id,
            Transfer.from_appointment_id.is_not(None),
            Transfer.travel_minutes.is_not(None),
        )
        .group_by(Transfer.from_appointment_id, Transfer.appointment_id)
    ).all()
    config = current_app.config
    return TravelRules(
        speed_kmh=float(config["TRAVEL_CITY_SPEED_KMH"]),
        buffer=timedelta(minutes=config["TRAVEL_BUFFER_MINUTES"]),
        max_drive=timedelta(minutes=config["TRAVEL_MAX_MINUTES"]),
        entered={(origin, target): minutes for origin, target, minutes in rows if origin is not None and minutes is not None},
    )


def _transfer_options() -> list[Any]:
    return [
        selectinload(Transfer.riders).joinedload(Member.person),
        joinedload(Transfer.appointment).selectinload(Appointment.attendees),
        joinedload(Transfer.from_appointment),
    ]


def vehicles_on(delegation_id: int, day: date) -> list[Vehicle]:
    """The trip's vehicles of ``day`` with their city, transfers, riders and the appointments they drive to."""
    return list(
        db.session.scalars(
            sa.select(Vehicle)
            .where(Vehicle.delegation_id == delegation_id, Vehicle.day == day)
            .options(joinedload(Vehicle.city), selectinload(Vehicle.transfers).options(*_transfer_options()))
            .order_by(Vehicle.id)
        )
        .unique()
        .all()
    )


def delegation_for_plan(delegation_id: int) -> Delegation | None:
    """The delegation with its home city and members (their people): what a day's plan and its checks need."""
    return db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .options(joinedload(Delegation.home_city), selectinload(Delegation.members).joinedload(Member.person))
    ).one_or_none()


def trip_vehicles(delegation_id: int) -> list[Vehicle]:
    """Every vehicle of the trip with its city, by day: the drivers of the contact sheet."""
    return list(
        db.session.scalars(
            sa.select(Vehicle)
            .where(Vehicle.delegation_id == delegation_id)
            .options(joinedload(Vehicle.city))
            .order_by(Vehicle.day, Vehicle.id)
        )
    )


def vehicle_days(delegation_id: int) -> dict[date, int]:
    """How many vehicles the trip has on each day that has any."""
    rows = db.session.execute(
        sa.select(Vehicle.day, sa.func.count(Vehicle.id)).where(Vehicle.delegation_id == delegation_id).group_by(Vehicle.day)
    ).all()
    return {day: count for day, count in rows}


def vehicle_or_404(delegation_id: int, vehicle_id: int) -> Vehicle:
    """One vehicle of the trip with its city and transfers (404 if missing or another trip's)."""
    return db.one_or_404(
        sa.select(Vehicle)
        .where(Vehicle.id == vehicle_id, Vehicle.delegation_id == delegation_id)
        .options(joinedload(Vehicle.city), selectinload(Vehicle.transfers).selectinload(Transfer.riders))
    )


def transfer_or_404(delegation_id: int, transfer_id: int) -> Transfer:
    """One transfer of the trip with its vehicle, riders and appointments (404 if missing or another trip's)."""
    return db.one_or_404(
        sa.select(Transfer)
        .where(Transfer.id == transfer_id, Transfer.delegation_id == delegation_id)
        .options(joinedload(Transfer.vehicle).joinedload(Vehicle.city), *_transfer_options())
    )


def appointments_on(delegation_id: int, day: date) -> list[Appointment]:
    """The trip's appointments starting on ``day`` at their own place, by start, with their attendees."""
    # Every zone's ``day`` lies within a day and a half of UTC midnight: a window, then the exact local date.
    start = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=15)
    end = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=39)
    found = db.session.scalars(
        sa.select(Appointment)
        .where(Appointment.delegation_id == delegation_id, Appointment.start_at >= start, Appointment.start_at < end)
        .options(selectinload(Appointment.attendees))
        .order_by(Appointment.start_at, Appointment.id)
    ).all()
    return [a for a in found if to_local(a.start_at, a.timezone).date() == day]


def appointment_choice(appointment: Appointment) -> SelectChoice:
    return SelectChoice(appointment.id, f"{clock(appointment.start_at, appointment.timezone)} {appointment.title}")


def vehicle_name(vehicle: Vehicle) -> str:
    """A vehicle as the plan and the selects name it: kind, plate, driver."""
    parts = [label(vehicle.kind), vehicle.plate, vehicle.driver_name]
    return " · ".join(str(p) for p in parts if p)


def vehicle_name_without_driver(vehicle: Vehicle) -> str:
    """A vehicle by kind and plate, for lists that name the driver in a column of their own."""
    return " · ".join(str(p) for p in (label(vehicle.kind), vehicle.plate) if p)


def vehicle_choices(vehicles: list[Vehicle]) -> list[SelectChoice]:
    return [SelectChoice(v.id, _("%(name)s (%(seats)d Plätze)", name=vehicle_name(v), seats=v.seats)) for v in vehicles]


@dataclass(frozen=True)
class Ride:
    """The transfers to one appointment on the plan: the vehicles driving there, by departure."""

    appointment: Appointment
    transfers: list[Transfer]


def rides(vehicles: list[Vehicle]) -> list[Ride]:
    """The day's transfers grouped by the appointment they go to, in order of the first departure."""
    grouped: dict[int, list[Transfer]] = defaultdict(list)
    targets: dict[int, Appointment] = {}
    for vehicle in vehicles:
        for transfer in vehicle.transfers:
            if transfer.appointment is None:  # its appointment is in the trash
                continue
            grouped[transfer.appointment.id].append(transfer)
            targets[transfer.appointment.id] = transfer.appointment
    found = [Ride(targets[key], sorted(items, key=lambda t: (t.depart_at, t.id))) for key, items in grouped.items()]
    return sorted(found, key=lambda ride: (ride.transfers[0].depart_at, ride.appointment.start_at, ride.appointment.id))
