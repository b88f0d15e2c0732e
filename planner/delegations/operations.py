"""Writes of the delegations feature. History, versions and revisions follow automatically at flush."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from planner.delegations.forms import CloneForm, DelegationForm, FollowUpForm, LegForm, MemberForm
from planner.editing import commit_edit, converted, ensure_version, optional_text
from planner.extensions import db
from planner.models import (
    Appointment,
    Delegation,
    DelegationStatus,
    FollowUp,
    FollowUpStatus,
    ItemStatus,
    Journey,
    Leg,
    Member,
    MemberRole,
)
from planner.timezones import NonexistentLocalTime, to_local, to_utc, utc_now


def save_delegation(form: DelegationForm, delegation: Delegation | None = None) -> Delegation:
    if delegation is None:
        delegation = Delegation()
        db.session.add(delegation)
    else:
        ensure_version(delegation, form.version.data)
    delegation.title = form.title.data.strip()
    delegation.purpose = optional_text(form.purpose.data)
    delegation.home_city_id = form.home_city_id.data
    delegation.start_date = form.start_date.data
    delegation.end_date = form.end_date.data
    delegation.status = DelegationStatus(form.status.data)
    delegation.notes = optional_text(form.notes.data)
    commit_edit(delegation)
    return delegation


def set_status(delegation: Delegation, status: DelegationStatus, version: int | None) -> None:
    ensure_version(delegation, version)
    delegation.status = status
    commit_edit(delegation)


def set_archived(delegation: Delegation, archived: bool, version: int | None) -> None:
    ensure_version(delegation, version)
    delegation.archived_at = utc_now() if archived else None
    commit_edit(delegation)


def _shift(instant: datetime, zone: str, days: timedelta) -> datetime:
    """Move ``instant`` by whole days keeping its wall time at ``zone`` (09:30 stays 09:30 across DST)."""
    wall = to_local(instant, zone).replace(tzinfo=None) + days
    try:
        return to_utc(wall, zone, fold=0)
    except NonexistentLocalTime:
        # The same wall time does not exist on the new day: take the moment the clocks jump to.
        return to_utc(wall + timedelta(hours=1), zone, fold=0)


def clone_delegation(source: Delegation, form: CloneForm) -> Delegation:
    """A copy of ``source`` as a draft starting on the chosen date; all local wall times are kept.

    Members, legs, appointments and journeys are copied (with new calendar
    UIDs, as tentative); follow-ups and subscriptions belong to the old trip.
    """
    offset = timedelta(days=(form.start_date.data - source.start_date).days)
    copy = Delegation(
        title=form.title.data.strip(),
        purpose=source.purpose,
        home_city_id=source.home_city_id,
        start_date=source.start_date + offset,
        end_date=source.end_date + offset,
        status=DelegationStatus.DRAFT,
        notes=source.notes,
    )
    db.session.add(copy)
    members: dict[int, Member] = {}
    for member in source.members:
        members[member.id] = Member(
            delegation=copy, person_id=member.person_id, role=member.role, function=member.function, sort_order=member.sort_order
        )
        # SQLAlchemy 2 does not cascade through backrefs: add each new row explicitly.
        db.session.add(members[member.id])
    for leg in source.legs:
        zone = leg.city.timezone
        copy.legs.append(
            Leg(
                city_id=leg.city_id,
                arrive_at=_shift(leg.arrive_at, zone, offset),
                depart_at=_shift(leg.depart_at, zone, offset),
                status=ItemStatus.TENTATIVE,
                focus=leg.focus,
                hotel_name=leg.hotel_name,
                hotel_address=leg.hotel_address,
                hotel_phone=leg.hotel_phone,
                notes=leg.notes,
            )
        )
    copied = (
        "title",
        "kind",
        "timezone",
        "all_day",
        "city_id",
        "venue",
        "address",
        "latitude",
        "longitude",
        "organization_id",
        "contact_person_id",
        "objectives",
        "talking_points",
        "background",
        "dress_code",
        "notes",
        "visibility",
    )
    for appointment in source.appointments:
        if appointment.status == ItemStatus.CANCELLED:
            continue
        new = Appointment(delegation=copy, status=ItemStatus.TENTATIVE, **{k: getattr(appointment, k) for k in copied})
        db.session.add(new)
        new.start_at = _shift(appointment.start_at, appointment.timezone, offset)
        new.end_at = _shift(appointment.end_at, appointment.timezone, offset)
        if new.end_at <= new.start_at:
            new.end_at = new.start_at + (appointment.end_at - appointment.start_at)
        new.attendees = [members[m.id] for m in appointment.attendees if m.id in members]
        new.briefed = [members[m.id] for m in appointment.briefed if m.id in members]
    for journey in source.journeys:
        if journey.status == ItemStatus.CANCELLED:
            continue
        new_journey = Journey(
            delegation=copy,
            mode=journey.mode,
            status=ItemStatus.TENTATIVE,
            departure_city_id=journey.departure_city_id,
            departure_place=journey.departure_place,
            departure_timezone=journey.departure_timezone,
            depart_at=_shift(journey.depart_at, journey.departure_timezone, offset),
            arrival_city_id=journey.arrival_city_id,
            arrival_place=journey.arrival_place,
            arrival_timezone=journey.arrival_timezone,
            arrive_at=_shift(journey.arrive_at, journey.arrival_timezone, offset),
            carrier=journey.carrier,
            number=journey.number,
            notes=journey.notes,
            visibility=journey.visibility,
        )
        db.session.add(new_journey)
        if new_journey.arrive_at <= new_journey.depart_at:
            new_journey.arrive_at = new_journey.depart_at + (journey.arrive_at - journey.depart_at)
        new_journey.travellers = [members[m.id] for m in journey.travellers if m.id in members]
    db.session.commit()
    return copy


def save_member(delegation: Delegation, form: MemberForm, member: Member | None = None) -> Member:
    if member is None:
        member = Member(delegation=delegation, sort_order=len(delegation.members))
        db.session.add(member)
    else:
        ensure_version(member, form.version.data)
    member.person_id = form.person_id.data
    member.role = MemberRole(form.role.data)
    member.function = optional_text(form.function.data)
    commit_edit(member)
    return member


def remove_member(member: Member, version: int | None) -> None:
    """Remove ``member`` from the delegation and from every item they attend or travel on.

    The database would drop the attendance rows by itself (ON DELETE CASCADE),
    but then the items would not count as changed: their calendar events lose
    a name while LAST-MODIFIED stays, and clients keep the old text. Taking
    the member off the lists here makes it an edit of each item.
    """
    ensure_version(member, version)
    for appointment in db.session.scalars(sa.select(Appointment).where(Appointment.attendees.any(Member.id == member.id))):
        appointment.attendees.remove(member)
    for journey in db.session.scalars(sa.select(Journey).where(Journey.travellers.any(Member.id == member.id))):
        journey.travellers.remove(member)
    db.session.delete(member)
    db.session.commit()


def save_leg(delegation: Delegation, form: LegForm, leg: Leg | None = None) -> Leg:
    if leg is None:
        leg = Leg(delegation=delegation)
        db.session.add(leg)
    else:
        ensure_version(leg, form.version.data)
    leg.city_id = form.city_id.data
    leg.arrive_at = converted(form.arrive_at, "arrive_at")
    leg.depart_at = converted(form.depart_at, "depart_at")
    leg.status = ItemStatus(form.status.data)
    for name in ("focus", "hotel_name", "hotel_address", "hotel_phone", "notes"):
        setattr(leg, name, optional_text(getattr(form, name).data))
    commit_edit(leg)
    return leg


def delete_leg(leg: Leg, version: int | None) -> None:
    ensure_version(leg, version)
    db.session.delete(leg)
    db.session.commit()


def save_follow_up(delegation: Delegation, form: FollowUpForm, follow_up: FollowUp | None = None) -> FollowUp:
    if follow_up is None:
        follow_up = FollowUp(delegation=delegation)
        db.session.add(follow_up)
    else:
        ensure_version(follow_up, form.version.data)
    follow_up.title = form.title.data.strip()
    follow_up.description = optional_text(form.description.data)
    follow_up.owner_id = form.owner_id.data or None
    follow_up.due_on = form.due_on.data
    follow_up.status = FollowUpStatus(form.status.data)
    follow_up.organization_id = form.organization_id.data or None
    follow_up.appointment_id = form.appointment_id.data or None
    commit_edit(follow_up)
    return follow_up
