"""Writes for the programme. Revisions, versions and the change history follow automatically at flush."""

from __future__ import annotations

from planner.editing import commit_edit, converted, ensure_version, optional_text
from planner.extensions import db
from planner.models import Appointment, AppointmentKind, Delegation, ItemStatus, Journey, JourneyMode, Member, Visibility
from planner.program.forms import AppointmentForm, JourneyForm
from planner.timezones import utc_now


def _members(delegation: Delegation, ids: list[int] | None) -> list[Member]:
    wanted = set(ids or [])
    return [m for m in delegation.members if m.id in wanted]


def save_appointment(delegation: Delegation, form: AppointmentForm, appointment: Appointment | None = None) -> Appointment:
    """Create or update an appointment from a validated form; raises EditConflict on a stale version."""
    if appointment is None:
        appointment = Appointment(delegation=delegation)
        db.session.add(appointment)
    else:
        ensure_version(appointment, form.version.data)
    appointment.title = form.title.data.strip()
    appointment.kind = AppointmentKind(form.kind.data)
    appointment.status = ItemStatus(form.status.data)
    appointment.city_id = form.city_id.data or None
    appointment.timezone = converted(form.resolved_zone, "resolved_zone")
    appointment.start_at = converted(form.start_at, "start_at")
    appointment.end_at = converted(form.end_at, "end_at")
    appointment.venue = optional_text(form.venue.data)
    appointment.address = optional_text(form.address.data)
    appointment.organization_id = form.organization_id.data or None
    appointment.contact_person_id = form.contact_person_id.data or None
    appointment.attendees = _members(delegation, form.attendees.data)
    appointment.visibility = Visibility(form.visibility.data)
    appointment.briefed = _members(delegation, form.briefed.data)
    for name in ("objectives", "talking_points", "background", "dress_code", "notes"):
        setattr(appointment, name, optional_text(getattr(form, name).data))
    commit_edit(appointment)
    return appointment


def set_appointment_status(appointment: Appointment, status: ItemStatus, version: int | None) -> None:
    ensure_version(appointment, version)
    appointment.status = status
    commit_edit(appointment)


def trash_appointment(appointment: Appointment, version: int | None) -> None:
    ensure_version(appointment, version)
    appointment.deleted_at = utc_now()
    commit_edit(appointment)


def restore_appointment(appointment: Appointment) -> None:
    appointment.deleted_at = None
    db.session.commit()


def save_journey(delegation: Delegation, form: JourneyForm, journey: Journey | None = None) -> Journey:
    if journey is None:
        journey = Journey(delegation=delegation)
        db.session.add(journey)
    else:
        ensure_version(journey, form.version.data)
    journey.mode = JourneyMode(form.mode.data)
    journey.status = ItemStatus(form.status.data)
    journey.departure_city_id = form.departure_city_id.data or None
    journey.departure_place = form.departure_place.data.strip()
    journey.departure_timezone = form.departure_timezone.data
    journey.depart_at = converted(form.depart_at, "depart_at")
    journey.arrival_city_id = form.arrival_city_id.data or None
    journey.arrival_place = form.arrival_place.data.strip()
    journey.arrival_timezone = form.arrival_timezone.data
    journey.arrive_at = converted(form.arrive_at, "arrive_at")
    for name in ("carrier", "number", "booking_reference", "notes"):
        setattr(journey, name, optional_text(getattr(form, name).data))
    journey.travellers = _members(delegation, form.travellers.data)
    journey.visibility = Visibility(form.visibility.data)
    commit_edit(journey)
    return journey


def delete_journey(journey: Journey, version: int | None) -> None:
    ensure_version(journey, version)
    db.session.delete(journey)
    db.session.commit()
