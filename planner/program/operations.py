"""Writes of the programme: appointments and journeys, from typed inputs.

Every writer (the edit pages, the .ics import, cloning a trip, the seed
loader) comes through here. Operations flush and never commit (the caller
does, see :mod:`planner.editing`); revisions, versions and the change
history follow automatically at flush.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from planner.editing import (
    Row,
    ensure_version,
    flush_edit,
    optional_text,
    record_to_save,
    restore_trashed,
    save_rows,
    trash_edited,
)
from planner.models import Appointment, Delegation, ItemStatus, Journey, Member
from planner.program.inputs import AppointmentInput, JourneyInput, MoveInput

_APPOINTMENT_TEXTS = ("venue", "address", "objectives", "talking_points", "background", "dress_code", "notes")
_JOURNEY_TEXTS = ("carrier", "number", "booking_reference", "notes")
_KEPT_UNLESS_GIVEN = ("all_day", "latitude", "longitude", "uid")


def _set_text(record: Appointment | Journey, name: str, value: str | None) -> None:
    """Store ``value`` as optional text, unless it reads the same as the text stored now.

    Rows written before this rule (the seed, earlier imports) may keep blanks
    around a text; a save that leaves the text as it reads (an .ics import
    that only moves the start) must not rewrite it: no change in the history,
    no new version for nothing.
    """
    text = optional_text(value)
    if text != optional_text(getattr(record, name)):
        setattr(record, name, text)


def _members(delegation: Delegation, ids: Iterable[int]) -> list[Member]:
    """The delegation's members among ``ids``, in the delegation's order (ids of other trips are ignored)."""
    wanted = set(ids)
    return [m for m in delegation.members if m.id in wanted]


def save_appointment(delegation: Delegation, data: AppointmentInput, appointment: Appointment | None = None) -> Appointment:
    """Create an appointment, or update ``appointment`` (raises EditConflict if ``data.version`` is stale)."""
    appointment = record_to_save(appointment, data.version, lambda: Appointment(delegation=delegation))
    appointment.title = data.title.strip()
    appointment.kind = data.kind
    appointment.status = data.status
    appointment.city_id = data.city_id
    appointment.timezone = data.timezone
    appointment.start_at = data.start_at
    appointment.end_at = data.end_at
    appointment.organization_id = data.organization_id
    appointment.contact_person_id = data.contact_person_id
    appointment.visibility = data.visibility
    for name in _APPOINTMENT_TEXTS:
        _set_text(appointment, name, getattr(data, name))
    for name in _KEPT_UNLESS_GIVEN:
        if getattr(data, name) is not None:
            setattr(appointment, name, getattr(data, name))
    appointment.attendees = _members(delegation, data.attendee_ids)
    appointment.briefed = _members(delegation, data.briefed_ids)
    flush_edit(appointment)
    return appointment


def move_appointment(delegation: Delegation, appointment: Appointment, move: MoveInput) -> Appointment:
    """Move ``appointment`` to ``move.start_at``, keeping its length (the timeline's drag and its "Verschieben" form).

    Only the time changes: the appointment keeps its zone and its city even when it lands on a
    day the delegation spends elsewhere (the conflict warnings then say so), because the place
    of a meeting is the planner's decision, not the calendar's. The length is kept in real time,
    so an hour stays an hour across a change of daylight-saving time. It is an ordinary save
    (same version check, history and revision), so no rule of :func:`save_appointment` is skipped.
    """
    length = appointment.end_at - appointment.start_at
    data = dataclasses.replace(
        AppointmentInput.of(appointment), start_at=move.start_at, end_at=move.start_at + length, version=move.version
    )
    return save_appointment(delegation, data, appointment)


def add_appointments(delegation: Delegation, inputs: Iterable[AppointmentInput]) -> list[Appointment]:
    """Create several appointments at once (quick add): one flush each, one commit by the caller, so all or none."""
    return [save_appointment(delegation, data) for data in inputs]


def set_appointment_status(appointment: Appointment, status: ItemStatus, version: int | None) -> None:
    ensure_version(appointment, version)
    appointment.status = status
    flush_edit(appointment)


def trash_appointment(appointment: Appointment, version: int | None) -> None:
    trash_edited(appointment, version)


def restore_appointment(appointment: Appointment) -> None:
    restore_trashed(appointment)


def save_journey(delegation: Delegation, data: JourneyInput, journey: Journey | None = None) -> Journey:
    """Create a journey, or update ``journey`` (raises EditConflict if ``data.version`` is stale)."""
    journey = record_to_save(journey, data.version, lambda: Journey(delegation=delegation))
    journey.mode = data.mode
    journey.status = data.status
    journey.departure_city_id = data.departure_city_id
    journey.departure_place = data.departure_place.strip()
    journey.departure_timezone = data.departure_timezone
    journey.depart_at = data.depart_at
    journey.arrival_city_id = data.arrival_city_id
    journey.arrival_place = data.arrival_place.strip()
    journey.arrival_timezone = data.arrival_timezone
    journey.arrive_at = data.arrive_at
    for name in _JOURNEY_TEXTS:
        _set_text(journey, name, getattr(data, name))
    if data.uid is not None:
        journey.uid = data.uid
    journey.travellers = _members(delegation, data.traveller_ids)
    journey.visibility = data.visibility
    flush_edit(journey)
    return journey


def add_journeys(delegation: Delegation, rows: Iterable[Row[JourneyInput]]) -> list[Journey]:
    """Create several journeys (the rows of one form) through :func:`save_journey`, all or nothing."""
    return save_rows("journeys", rows, lambda data: save_journey(delegation, data))


def trash_journey(journey: Journey, version: int | None) -> None:
    """Move ``journey`` to the trash (EditConflict if ``version`` is stale); its travellers stay with it."""
    trash_edited(journey, version)


def restore_journey(journey: Journey) -> None:
    restore_trashed(journey)
