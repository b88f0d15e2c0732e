"""Writes of the vehicle plan: vehicles and transfers, from typed inputs.

Operations flush and never commit (the caller does, see :mod:`planner.editing`);
versions and the change history follow at flush. Rules that involve other
records (a vehicle of another day, more riders than seats) are refused with
:class:`~planner.editing.Rejected`, naming the field to blame.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.editing import Rejected, ensure_version, flush_edit, optional_text, record_to_save
from planner.extensions import db
from planner.models import Appointment, City, Delegation, Transfer, Vehicle
from planner.timezones import to_local
from planner.transport.inputs import TransferInput, VehicleInput


def save_vehicle(delegation: Delegation, data: VehicleInput, vehicle: Vehicle | None = None) -> Vehicle:
    """Create a vehicle, or update ``vehicle`` (EditConflict if ``data.version`` is stale).

    Refused: a day outside the trip, an unknown city, fewer seats than riders already
    booked into one of its transfers.
    """
    if not delegation.start_date <= data.day <= delegation.end_date:
        raise Rejected("day", _("Der Tag liegt außerhalb der Reisedaten."))
    if db.session.get(City, data.city_id) is None:
        raise Rejected("city_id", _("Diese Stadt gibt es nicht."))
    if data.seats < 1:
        raise Rejected("seats", _("Ein Fahrzeug braucht mindestens einen Sitzplatz."))
    vehicle = record_to_save(vehicle, data.version, lambda: Vehicle(delegation=delegation))
    if vehicle.id is not None:
        fullest = max((len(t.riders) for t in vehicle.transfers), default=0)
        if fullest > data.seats:
            raise Rejected(
                "seats",
                ngettext(
                    "In einer Fahrt dieses Fahrzeugs sitzt schon %(num)d Person.",
                    "In einer Fahrt dieses Fahrzeugs sitzen schon %(num)d Personen.",
                    fullest,
                ),
            )
        if vehicle.day != data.day and vehicle.transfers:
            raise Rejected("day", _("Das Fahrzeug hat schon Fahrten an seinem Tag; bitte diese zuerst ändern."))
    vehicle.day = data.day
    vehicle.city_id = data.city_id
    vehicle.kind = data.kind
    vehicle.seats = data.seats
    vehicle.driver_name = optional_text(data.driver_name)
    vehicle.driver_phone = optional_text(data.driver_phone)
    vehicle.plate = optional_text(data.plate)
    vehicle.notes = optional_text(data.notes)
    flush_edit(vehicle)
    return vehicle


def delete_vehicle(vehicle: Vehicle, version: int | None) -> None:
    """Delete ``vehicle`` and its transfers (EditConflict if ``version`` is stale)."""
    ensure_version(vehicle, version)
    db.session.delete(vehicle)
    db.session.flush()


def _appointment(delegation: Delegation, appointment_id: int | None, field: str) -> Appointment | None:
    if appointment_id is None:
        return None
    appointment = db.session.scalars(
        sa.select(Appointment).where(Appointment.id == appointment_id, Appointment.delegation_id == delegation.id)
    ).one_or_none()
    if appointment is None:
        raise Rejected(field, _("Diesen Termin gibt es in dieser Reise nicht."))
    return appointment


def save_transfer(delegation: Delegation, data: TransferInput, transfer: Transfer | None = None) -> Transfer:
    """Create a transfer, or update ``transfer`` (EditConflict if ``data.version`` is stale).

    Refused: a vehicle or appointment of another trip, a ride from the appointment it goes to,
    a departure on another day than the vehicle's (in the vehicle's city), a departure after
    the appointment starts, more riders than the vehicle has seats. Riders who are not members
    of the trip are ignored, as everywhere members are chosen.
    """
    vehicle = db.session.scalars(
        sa.select(Vehicle).where(Vehicle.id == data.vehicle_id, Vehicle.delegation_id == delegation.id)
    ).one_or_none()
    if vehicle is None:
        raise Rejected("vehicle_id", _("Dieses Fahrzeug gibt es in dieser Reise nicht."))
    appointment = _appointment(delegation, data.appointment_id, "appointment_id")
    assert appointment is not None
    origin = _appointment(delegation, data.from_appointment_id, "from_appointment_id")
    if origin is not None and origin.id == appointment.id:
        raise Rejected("from_appointment_id", _("Eine Fahrt führt nicht vom Termin zu sich selbst."))
    if to_local(data.depart_at, vehicle.city.timezone).date() != vehicle.day:
        raise Rejected("departs", _("Die Abfahrt liegt nicht am Tag des Fahrzeugs."))
    if data.depart_at >= appointment.start_at:
        raise Rejected("departs", _("Die Abfahrt muss vor dem Beginn des Termins liegen."))
    wanted = set(data.rider_ids)
    riders = [m for m in delegation.members if m.id in wanted]
    if len(riders) > vehicle.seats:
        raise Rejected(
            "riders",
            ngettext("Das Fahrzeug hat nur %(num)d Sitzplatz.", "Das Fahrzeug hat nur %(num)d Sitzplätze.", vehicle.seats),
        )
    transfer = record_to_save(transfer, data.version, lambda: Transfer(delegation=delegation))
    transfer.vehicle = vehicle
    transfer.appointment_id = appointment.id
    transfer.from_appointment_id = origin.id if origin is not None else None
    transfer.from_place = optional_text(data.from_place)
    transfer.depart_at = data.depart_at
    transfer.travel_minutes = data.travel_minutes
    transfer.notes = optional_text(data.notes)
    transfer.riders = riders
    flush_edit(transfer)
    return transfer


def delete_transfer(transfer: Transfer, version: int | None) -> None:
    """Delete ``transfer`` (EditConflict if ``version`` is stale)."""
    ensure_version(transfer, version)
    db.session.delete(transfer)
    db.session.flush()
