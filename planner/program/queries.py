"""Reads for the programme: choices for the forms, single items and their neighbours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from planner.delegations.itinerary import Itinerary
from planner.extensions import db
from planner.models import Appointment, City, Delegation, ItemStatus, Journey, Leg, Member, Organization
from planner.program.conflicts import Neighbourhood
from planner.timezones import local_day_bounds, to_local
from planner.transport.travel import TravelRules


class CityChoices(NamedTuple):
    """The cities for a select box, with what the forms look up by city id."""

    choices: list[SelectChoice]
    zones: dict[int, str]  # each city's zone: an item's zone when "the city's zone" is chosen
    countries: dict[int, str]  # each city's country (ISO code): its zones come first in the zone select


def city_choices() -> CityChoices:
    """Cities for a select box, each city's zone and each city's country."""
    cities = db.session.scalars(sa.select(City).options(selectinload(City.country)).order_by(City.name)).all()
    return CityChoices(
        [SelectChoice(c.id, c.name) for c in cities],
        {c.id: c.timezone for c in cities},
        {c.id: c.country.iso_code for c in cities},
    )


def organization_choices() -> list[SelectChoice]:
    rows = db.session.execute(sa.select(Organization.id, Organization.name).order_by(Organization.name)).all()
    return [SelectChoice(0, "—")] + [SelectChoice(i, n) for i, n in rows]


def member_choices(delegation: Delegation) -> list[SelectChoice]:
    return [SelectChoice(m.id, m.person.display_name) for m in delegation.members]


# -- single items ----------------------------------------------------------------
#
# Each page about one item loads exactly that item (by its id *and* the delegation's,
# so another trip's id is a 404) with what the page shows, and of the delegation only
# what the page needs: the cost is the same for a trip of 30 appointments or 3,000.
# Trashed appointments are left out by the global rule in planner.models.trash.


def delegation_header(delegation_id: int) -> Delegation:
    """The delegation as a page about one of its items names it: title, home city and zone (404 if missing)."""
    return db.one_or_404(sa.select(Delegation).where(Delegation.id == delegation_id).options(joinedload(Delegation.home_city)))


def delegation_for_forms(delegation_id: int) -> Delegation:
    """The delegation with what the item forms offer and save: members with their people, and the legs (404 if missing)."""
    return db.one_or_404(
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .options(
            joinedload(Delegation.home_city),
            selectinload(Delegation.members).joinedload(Member.person),
            selectinload(Delegation.legs),
        )
    )


def appointment_or_404(delegation_id: int, appointment_id: int) -> Appointment:
    """One appointment of the delegation with everything its page, form and .ics show (404 if missing or trashed)."""
    return db.one_or_404(
        sa.select(Appointment)
        .where(Appointment.id == appointment_id, Appointment.delegation_id == delegation_id)
        .options(
            joinedload(Appointment.delegation).joinedload(Delegation.home_city),
            joinedload(Appointment.city),
            joinedload(Appointment.organization),
            joinedload(Appointment.contact_person),
            selectinload(Appointment.attendees).joinedload(Member.person),
            selectinload(Appointment.briefed).joinedload(Member.person),
        )
    )


def journey_or_404(delegation_id: int, journey_id: int) -> Journey:
    """One journey of the delegation with its travellers (404 if missing)."""
    return db.one_or_404(
        sa.select(Journey)
        .where(Journey.id == journey_id, Journey.delegation_id == delegation_id)
        .options(
            # Only who travels: the form shows them as ticks among the members, loaded with the delegation.
            selectinload(Journey.travellers),
        )
    )


def neighbourhood(appointment: Appointment, buffer: timedelta, travel: TravelRules | None = None) -> Neighbourhood:
    """What the conflict rules need to warn about ``appointment`` (see :func:`planner.program.conflicts.check_appointment`).

    Appointments: every one starting before the appointment's end plus the
    buffer, back to the earliest start among those that end less than the
    buffer before it starts. That holds everything it may overlap and each
    member's next item if it can be too close. It also holds each member's
    real previous item (the latest start before it) whenever any earlier
    item of theirs is loaded, because everything starting between that item
    and the appointment is loaded too: a long item reaching into the buffer
    is never taken for the previous one when a short item that ended long
    before started after it. Journeys: those overlapping it. Members and
    legs: all (a handful of rows; the rules name members and look up the
    leg). Cancelled items are loaded like the others: the rules skip them.
    With ``travel`` (the travel-time check) the buffer is widened to the
    longest gap that check can find too short (:attr:`TravelRules.reach`).
    """
    delegation_id = appointment.delegation_id
    reach = max(buffer, travel.reach) if travel is not None else buffer
    delegation = db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .options(
            selectinload(Delegation.members).joinedload(Member.person),
            selectinload(Delegation.legs).joinedload(Leg.city),
        )
    ).one()
    earliest = (
        sa.select(sa.func.min(Appointment.start_at))
        .where(
            Appointment.delegation_id == delegation_id,
            Appointment.end_at > appointment.start_at - reach,
            Appointment.start_at <= appointment.start_at,
        )
        .scalar_subquery()
    )
    appointments = db.session.scalars(
        sa.select(Appointment)
        .where(
            Appointment.delegation_id == delegation_id,
            Appointment.start_at >= earliest,
            Appointment.start_at < appointment.end_at + reach,
        )
        .options(joinedload(Appointment.city).joinedload(City.country), selectinload(Appointment.attendees))
        .order_by(Appointment.start_at, Appointment.id)
    ).all()
    journeys = db.session.scalars(
        sa.select(Journey)
        .where(
            Journey.delegation_id == delegation_id,
            Journey.depart_at < appointment.end_at,
            Journey.arrive_at > appointment.start_at,
        )
        .options(selectinload(Journey.travellers))
        .order_by(Journey.depart_at, Journey.id)
    ).all()
    return Neighbourhood(
        appointment_id=appointment.id,
        buffer=buffer,
        appointments=list(appointments),
        journeys=list(journeys),
        members=list(delegation.members),
        legs=list(delegation.legs),
        home_city_id=delegation.home_city_id,
        home_timezone=delegation.home_timezone,
        start_date=delegation.start_date,
        end_date=delegation.end_date,
        travel=travel,
    )


def default_place(delegation: Delegation, day: date | None) -> tuple[int | None, datetime | None]:
    """City and a sensible start for a new appointment: the leg the delegation is in that day, local wall time.

    On a travel day the leg it arrives in first; on a day without a leg (or
    without a day) the first leg, starting on ``day`` or the day it arrives.
    The start is 09:00, or later when a journey arrives that day: an hour
    after the last arrival (rounded up to the quarter hour), so the new
    appointment does not fall into the flight or the transfer from the airport.
    """
    itinerary = Itinerary.of(delegation)
    if not itinerary.legs:
        return None, None
    on_day = itinerary.legs_on(day) if day is not None else []
    leg = on_day[0] if on_day else itinerary.legs[0]
    start_day = day or itinerary.days_of(leg)[0]
    start = datetime.combine(start_day, time(9, 0))
    arrived = _last_arrival(delegation.id, start_day, leg.timezone)
    if arrived is not None:
        after = _quarter_hour_up(arrived + ARRIVAL_MARGIN)
        if after.date() == start_day:  # an arrival late at night: that day's morning is still free
            start = max(start, after)
    return leg.city_id, start


# Time between a journey's arrival and the first appointment a new one proposes (luggage, transfer).
ARRIVAL_MARGIN = timedelta(hours=1)


def _last_arrival(delegation_id: int, day: date, zone: str) -> datetime | None:
    """The wall time in ``zone`` of the delegation's last (not cancelled) journey arriving on ``day`` there."""
    bounds = local_day_bounds(day, zone)
    arrival = db.session.scalar(
        sa.select(sa.func.max(Journey.arrive_at)).where(
            Journey.delegation_id == delegation_id,
            Journey.status != ItemStatus.CANCELLED,
            Journey.arrive_at >= bounds.start,
            Journey.arrive_at < bounds.end,
        )
    )
    return to_local(arrival, zone).replace(tzinfo=None) if arrival is not None else None


def _quarter_hour_up(wall: datetime) -> datetime:
    past = timedelta(minutes=wall.minute % 15, seconds=wall.second, microseconds=wall.microsecond)
    return wall if not past else wall - past + timedelta(minutes=15)
