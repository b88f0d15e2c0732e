"""Reads for the programme: choices for the forms, single items, the trash."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from planner.delegations.itinerary import Itinerary
from planner.extensions import db
from planner.models import Appointment, City, Delegation, Journey, Organization, Person
from planner.models.trash import include_trashed
from planner.timezones import zone_names


def city_choices() -> tuple[list[SelectChoice], dict[int, str]]:
    """Cities for a select box, and each city's zone (the default zone of an appointment there)."""
    cities = db.session.scalars(sa.select(City).options(selectinload(City.country)).order_by(City.name)).all()
    return [SelectChoice(c.id, c.name) for c in cities], {c.id: c.timezone for c in cities}


def zone_choices(empty_label: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(name, name) for name in zone_names()]
    return ([SelectChoice("", empty_label)] if empty_label else []) + choices


def organization_choices() -> list[SelectChoice]:
    rows = db.session.execute(sa.select(Organization.id, Organization.name).order_by(Organization.name)).all()
    return [SelectChoice(0, "—")] + [SelectChoice(i, n) for i, n in rows]


def person_choices() -> list[SelectChoice]:
    rows = db.session.execute(sa.select(Person.id, Person.name).order_by(Person.name)).all()
    return [SelectChoice(0, "—")] + [SelectChoice(i, n) for i, n in rows]


def member_choices(delegation: Delegation) -> list[SelectChoice]:
    return [SelectChoice(m.id, m.person.display_name) for m in delegation.members]


def appointment_in(delegation: Delegation, appointment_id: int) -> Appointment | None:
    return next((a for a in delegation.appointments if a.id == appointment_id), None)


def journey_in(delegation: Delegation, journey_id: int) -> Journey | None:
    return next((j for j in delegation.journeys if j.id == journey_id), None)


def trashed_appointments(delegation_id: int) -> list[Appointment]:
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.delegation_id == delegation_id, Appointment.deleted_at.is_not(None))
            .options(selectinload(Appointment.city))
            .order_by(Appointment.deleted_at.desc())
            .execution_options(**include_trashed())
        )
    )


def trashed_appointment(delegation_id: int, appointment_id: int) -> Appointment | None:
    return db.session.scalars(
        sa.select(Appointment)
        .where(
            Appointment.id == appointment_id,
            Appointment.delegation_id == delegation_id,
            Appointment.deleted_at.is_not(None),
        )
        .execution_options(**include_trashed())
    ).one_or_none()


def default_place(delegation: Delegation, day: date | None) -> tuple[int | None, datetime | None]:
    """City and a sensible start for a new appointment: the leg the delegation is in that day, 09:00 local.

    On a travel day the leg it arrives in first; on a day without a leg (or
    without a day) the first leg, starting on ``day`` or the day it arrives.
    """
    itinerary = Itinerary.of(delegation)
    if not itinerary.legs:
        return None, None
    on_day = itinerary.legs_on(day) if day is not None else []
    leg = on_day[0] if on_day else itinerary.legs[0]
    start_day = day or itinerary.days_of(leg)[0]
    return leg.city_id, datetime.combine(start_day, time(9, 0))
