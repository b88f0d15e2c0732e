"""Writes of the delegations feature: the trip, its members, legs and follow-ups, from typed inputs.

Every writer (the edit pages, cloning a trip, the seed loader) comes through
here. Operations take the parent first (where there is one), then the input,
then the record being edited; they flush and never commit (the caller does,
see :mod:`planner.editing`). History, versions and revisions follow
automatically at flush.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from planner.delegations.inputs import (
    AddMembersInput,
    CloneInput,
    DelegationInput,
    FollowUpInput,
    LegInput,
    MemberInput,
    NewDelegationInput,
    NewMemberInput,
)
from planner.directory.inputs import PersonInput
from planner.directory.operations import create_person
from planner.editing import (
    Rejected,
    ensure_version,
    flush_edit,
    optional_text,
    record_to_save,
    restore_trashed,
    save_rows,
    trash_edited,
)
from planner.extensions import db
from planner.models import (
    Appointment,
    Delegation,
    DelegationStatus,
    FollowUp,
    ItemStatus,
    Journey,
    Leg,
    Member,
    PersonSide,
    Room,
    Transfer,
    User,
    Vehicle,
)
from planner.models.program import new_uid
from planner.models.trash import include_trashed
from planner.program.inputs import AppointmentInput, JourneyInput
from planner.program.operations import save_appointment, save_journey
from planner.protocol.operations import copy_plan
from planner.protocol.queries import plans_of_trip
from planner.rooms import operations as room_operations
from planner.rooms import queries as room_queries
from planner.rooms.inputs import NightInput, RoomInput
from planner.teams.operations import copy_team, join_as_creator
from planner.timezones import NonexistentLocalTime, to_local, to_utc, utc_now
from planner.transport import operations as transport_operations
from planner.transport.inputs import TransferInput, VehicleInput

_LEG_TEXTS = ("focus", "hotel_name", "hotel_address", "hotel_phone", "notes")


def save_delegation(data: DelegationInput, delegation: Delegation | None = None) -> Delegation:
    """Create a delegation, or update ``delegation`` (raises EditConflict if ``data.version`` is stale)."""
    delegation = record_to_save(delegation, data.version, lambda: Delegation())
    delegation.title = data.title.strip()
    delegation.purpose = optional_text(data.purpose)
    delegation.home_city_id = data.home_city_id
    delegation.start_date = data.start_date
    delegation.end_date = data.end_date
    _set_trip_status(delegation, data.status)
    delegation.notes = optional_text(data.notes)
    delegation.duty_phone = optional_text(data.duty_phone)
    delegation.press_public = data.press_public
    flush_edit(delegation)
    return delegation


def create_delegation(data: NewDelegationInput, creator: User | None = None) -> Delegation:
    """A new trip and its first stops, in one transaction: a refused stop leaves no trip behind (the caller rolls back).

    The ``creator`` joins the trip's team with every right, so the trip does not vanish from its own author's list.
    """
    delegation = save_delegation(data.delegation)
    save_rows("legs", data.legs, lambda leg: save_leg(delegation, leg))
    if creator is not None:
        join_as_creator(delegation, creator)
    return delegation


def _set_trip_status(delegation: Delegation, status: DelegationStatus) -> None:
    """Set the trip's status, remembering the one it had when it is cancelled (whichever page cancels it)."""
    if status == DelegationStatus.CANCELLED and delegation.status != DelegationStatus.CANCELLED:
        delegation.status_before_cancel = delegation.status
    elif status != DelegationStatus.CANCELLED:
        delegation.status_before_cancel = None
    delegation.status = status


def cancel_delegation(delegation: Delegation, version: int | None) -> None:
    """Cancel the trip; :func:`uncancel_delegation` takes it back.

    Cancelling changes the trip's status and nothing else: its appointments,
    journeys and legs keep their own status (the calendars show the trip's
    items as before; the trip page and list show it struck through). So the
    exact reverse is the status alone. The status before is *stored*
    (``status_before_cancel``) rather than read from the change history: the
    history can be incomplete (a restored backup, a trip imported cancelled),
    the column is set on every path that cancels (this, the edit form).
    """
    ensure_version(delegation, version)
    _set_trip_status(delegation, DelegationStatus.CANCELLED)
    flush_edit(delegation)


def uncancel_delegation(delegation: Delegation, version: int | None) -> None:
    """Take a cancellation back: the trip gets the status it had before (:class:`Rejected` if it is not cancelled)."""
    ensure_version(delegation, version)
    if delegation.status != DelegationStatus.CANCELLED:
        raise Rejected("status", _("Die Reise ist nicht abgesagt."))
    # A trip cancelled before its status was stored: "planned" is what a trip being worked on is.
    _set_trip_status(delegation, delegation.status_before_cancel or DelegationStatus.PLANNED)
    flush_edit(delegation)


def set_archived(delegation: Delegation, archived: bool, version: int | None) -> None:
    ensure_version(delegation, version)
    delegation.archived_at = utc_now() if archived else None
    flush_edit(delegation)


def _shift(instant: datetime, zone: str, days: timedelta) -> datetime:
    """Move ``instant`` by whole days keeping its wall time at ``zone`` (09:30 stays 09:30 across DST)."""
    wall = to_local(instant, zone).replace(tzinfo=None) + days
    try:
        return to_utc(wall, zone, fold=0)
    except NonexistentLocalTime:
        # The same wall time does not exist on the new day: take the moment the clocks jump to.
        return to_utc(wall + timedelta(hours=1), zone, fold=0)


def _shift_span(start: datetime, start_zone: str, end: datetime, end_zone: str, days: timedelta) -> tuple[datetime, datetime]:
    """:func:`_shift` both ends; if the end fell into a clock change the start did not, keep the duration."""
    new_start, new_end = _shift(start, start_zone, days), _shift(end, end_zone, days)
    return (new_start, new_end) if new_end > new_start else (new_start, new_start + (end - start))


def clone_delegation(source: Delegation, data: CloneInput, cloner: User | None = None) -> Delegation:
    """A copy of ``source`` as a draft departing on ``data.start_date``; all local wall times are kept.

    Members, legs, appointments (with their precedence and seating) and journeys are copied through the same
    operations the pages use (with new calendar UIDs, as tentative; cancelled
    items stay behind); follow-ups and subscriptions belong to the old trip.
    The logistics come along too (:func:`_clone_logistics`): night overrides,
    rooms, vehicles and transfers, shifted by the same days. The team comes
    along with its rights; the ``cloner`` joins it with every right. No
    personal data is copied: travel data belongs to the person, not the trip.
    """
    offset = timedelta(days=(data.start_date - source.start_date).days)
    copy = save_delegation(
        DelegationInput(
            title=data.title,
            home_city_id=source.home_city_id,
            start_date=source.start_date + offset,
            end_date=source.end_date + offset,
            status=DelegationStatus.DRAFT,
            purpose=source.purpose,
            notes=source.notes,
        )
    )
    copy_team(source, copy)
    if cloner is not None:
        join_as_creator(copy, cloner)
    members = {member.id: save_member(copy, replace(MemberInput.of(member), version=None)) for member in source.members}

    def new_ids(old: list[Member]) -> tuple[int, ...]:
        return tuple(members[m.id].id for m in old if m.id in members)

    for leg in source.legs:
        zone = leg.city.timezone
        arrive_at, depart_at = _shift(leg.arrive_at, zone, offset), _shift(leg.depart_at, zone, offset)
        save_leg(
            copy,
            replace(LegInput.of(leg), arrive_at=arrive_at, depart_at=depart_at, status=ItemStatus.TENTATIVE, version=None),
        )
    appointments: dict[int, Appointment] = {}
    # Precedence and seating go with their appointments: the people are the directory's, the same in the copy.
    plans = plans_of_trip(source.id)
    for appointment in source.appointments:
        if appointment.status == ItemStatus.CANCELLED:
            continue
        start, end = _shift_span(appointment.start_at, appointment.timezone, appointment.end_at, appointment.timezone, offset)
        copied = appointments[appointment.id] = save_appointment(
            copy,
            replace(
                AppointmentInput.of(appointment),
                start_at=start,
                end_at=end,
                status=ItemStatus.TENTATIVE,
                attendee_ids=new_ids(appointment.attendees),
                briefed_ids=new_ids(appointment.briefed),
                uid=new_uid(),
                version=None,
            ),
        )
        if appointment.id in plans:
            copy_plan(plans[appointment.id], copied)
    for journey in source.journeys:
        if journey.status == ItemStatus.CANCELLED:
            continue
        depart, arrive = _shift_span(
            journey.depart_at, journey.departure_timezone, journey.arrive_at, journey.arrival_timezone, offset
        )
        save_journey(
            copy,
            replace(
                JourneyInput.of(journey),
                depart_at=depart,
                arrive_at=arrive,
                status=ItemStatus.TENTATIVE,
                booking_reference=None,  # a booking belongs to the old trip
                traveller_ids=new_ids(journey.travellers),
                uid=new_uid(),
                version=None,
            ),
        )
    _clone_logistics(source.id, copy, offset, members, appointments)
    return copy


def _clone_logistics(
    source_id: int, copy: Delegation, offset: timedelta, members: dict[int, Member], appointments: dict[int, Appointment]
) -> None:
    """Copy the night overrides, rooms, vehicles and transfers of trip ``source_id`` into ``copy``, ``offset`` later.

    Nights and days move by the offset, departures keep their wall time in the
    vehicle's city (as appointments do); occupants and riders become the copy's
    members, transfers go to the copies of their appointments. Each goes through
    the operation the pages use, so the copy obeys the same rules: what they
    refuse in the copy stays behind, like cancelled items do (a room outside
    the copy's hotel stays, a transfer to a cancelled appointment, which is not
    copied). What belonged to the old bookings stays behind too: room numbers
    (the hotel hands them out per booking), and the vehicle's plate and driver
    with their phone (a hire for those days, and a third person's number).
    """

    def new_ids(old: list[Member]) -> tuple[int, ...]:
        return tuple(members[m.id].id for m in old if m.id in members)

    for override in room_queries.night_overrides(source_id):
        room_operations.save_night(
            copy,
            override.night + offset,
            NightInput(override.kind, override.hotel_name, override.hotel_address, override.hotel_phone, override.note),
            None,
        )
    db.session.flush()
    # The copy's legs, journeys, members and overrides as stored now: its nights are derived from them.
    db.session.expire(copy)
    rooming = room_queries.rooming(copy.id)
    assert rooming is not None
    old_rooms = db.session.scalars(
        sa.select(Room)
        .where(Room.delegation_id == source_id)
        .options(selectinload(Room.occupants))
        .order_by(Room.first_night, Room.id)
    ).all()
    for room in old_rooms:
        room_data = RoomInput(
            room.room_type, room.first_night + offset, room.last_night + offset, new_ids(room.occupants), None, room.note
        )
        with contextlib.suppress(Rejected):
            rooming.rooms.append(room_operations.save_room(rooming.nights, rooming.rooms, room_data))

    vehicles = db.session.scalars(
        sa.select(Vehicle)
        .where(Vehicle.delegation_id == source_id)
        .options(joinedload(Vehicle.city), selectinload(Vehicle.transfers).selectinload(Transfer.riders))
        .order_by(Vehicle.day, Vehicle.id)
    ).all()
    for vehicle in vehicles:
        try:
            new_vehicle = transport_operations.save_vehicle(
                copy, VehicleInput(vehicle.day + offset, vehicle.city_id, vehicle.seats, vehicle.kind, notes=vehicle.notes)
            )
        except Rejected:
            continue
        for transfer in vehicle.transfers:
            target = appointments.get(transfer.appointment_id)
            if target is None:
                continue
            origin = appointments.get(transfer.from_appointment_id) if transfer.from_appointment_id else None
            data = TransferInput(
                vehicle_id=new_vehicle.id,
                appointment_id=target.id,
                depart_at=_shift(transfer.depart_at, vehicle.city.timezone, offset),
                from_appointment_id=origin.id if origin is not None else None,
                from_place=transfer.from_place,
                travel_minutes=transfer.travel_minutes,
                rider_ids=new_ids(transfer.riders),
                notes=transfer.notes,
            )
            with contextlib.suppress(Rejected):
                transport_operations.save_transfer(copy, data)


def save_member(delegation: Delegation, data: MemberInput, member: Member | None = None) -> Member:
    """Add a person to ``delegation``, or update ``member``; a person is in a delegation once (:class:`Rejected`)."""
    if member is not None:
        ensure_version(member, data.version)
    # Asked before the new row exists: an autoflush of a half-filled member would fail.
    taken = sa.select(Member.id).where(Member.delegation_id == delegation.id, Member.person_id == data.person_id)
    if member is not None:
        taken = taken.where(Member.id != member.id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise Rejected("person_id", _("Diese Person ist bereits Teil der Delegation."))
    # A trashed member still holds the person's place (restoring them brings back their attendance).
    if db.session.scalar(taken.where(Member.deleted_at.is_not(None)).limit(1), execution_options=include_trashed()):
        raise Rejected("person_id", _("Diese Person liegt im Papierkorb der Reise. Bitte dort wiederherstellen."))
    if member is None:
        member = Member(delegation=delegation, sort_order=len(delegation.members))
        # SQLAlchemy 2 does not cascade through backrefs: add the new row explicitly.
        db.session.add(member)
    member.person_id = data.person_id
    member.role = data.role
    member.function = optional_text(data.function)
    member.language = data.language
    if data.sort_order is not None:
        member.sort_order = data.sort_order
    flush_edit(member)
    return member


def add_members(delegation: Delegation, data: AddMembersInput) -> list[Member]:
    """Add a directory person and/or new people to ``delegation``, all or nothing (the caller commits once).

    Each new person is created in the directory on our side (they travel with us) and
    joins with the role of their row; a refusal names its row (:func:`save_rows`), and
    the caller's rollback also undoes the people and members flushed before it.
    """
    added = [save_member(delegation, data.existing)] if data.existing is not None else []

    def new_member(row: NewMemberInput) -> Member:
        person = create_person(
            PersonInput(
                family_name=row.family_name,
                given_name=row.given_name,
                title=row.title,
                function=row.function,
                side=PersonSide.OWN,
            )
        )
        return save_member(delegation, MemberInput(person_id=person.id, role=row.role, language=row.language))

    return added + save_rows("people", data.new_people, new_member)


def _items_of(member: Member) -> list[Appointment | Journey]:
    """What ``member`` (not trashed at the moment) attends, is briefed for or travels on (items not trashed)."""
    items: list[Appointment | Journey] = list(
        db.session.scalars(
            sa.select(Appointment).where(
                sa.or_(Appointment.attendees.any(Member.id == member.id), Appointment.briefed.any(Member.id == member.id))
            )
        )
    )
    items += db.session.scalars(sa.select(Journey).where(Journey.travellers.any(Member.id == member.id)))
    return items


def _touch(items: list[Appointment | Journey]) -> None:
    # The member's name leaves (or returns to) these items' calendar events while their own rows
    # do not change: a new updated_at moves each event's LAST-MODIFIED, so clients take the new
    # text. Only the timestamp: no new version, no history entry for the item.
    now = utc_now()
    for item in items:
        item.updated_at = now


def trash_member(member: Member, version: int | None) -> None:
    """Move ``member`` to the trash: off the delegation's list and off every item they attend or travel on.

    The attendance rows stay (hidden with the member, see :mod:`planner.models.trash`),
    so :func:`restore_member` puts them back on exactly the same items.
    """
    ensure_version(member, version)
    items = _items_of(member)
    _touch(items)
    trash_edited(member, version)


def restore_member(member: Member) -> None:
    """Take ``member`` out of the trash, with their attendance and travel as before."""
    restore_trashed(member)
    _touch(_items_of(member))
    flush_edit(member)


def save_leg(delegation: Delegation, data: LegInput, leg: Leg | None = None) -> Leg:
    """Create a leg, or update ``leg`` (raises EditConflict if ``data.version`` is stale)."""
    leg = record_to_save(leg, data.version, lambda: Leg(delegation=delegation))
    leg.city_id = data.city_id
    leg.arrive_at = data.arrive_at
    leg.depart_at = data.depart_at
    leg.status = data.status
    for name in _LEG_TEXTS:
        setattr(leg, name, optional_text(getattr(data, name)))
    flush_edit(leg)
    return leg


def trash_leg(leg: Leg, version: int | None) -> None:
    """Move ``leg`` to the trash (EditConflict if ``version`` is stale)."""
    trash_edited(leg, version)


def restore_leg(leg: Leg) -> None:
    """Take ``leg`` out of the trash; the caller shows the leg warnings it has now (it may overlap a newer leg)."""
    restore_trashed(leg)


def save_follow_up(delegation: Delegation, data: FollowUpInput, follow_up: FollowUp | None = None) -> FollowUp:
    """Create a follow-up, or update ``follow_up`` (raises EditConflict if ``data.version`` is stale)."""
    follow_up = record_to_save(follow_up, data.version, lambda: FollowUp(delegation=delegation))
    follow_up.title = data.title.strip()
    follow_up.description = optional_text(data.description)
    follow_up.owner_id = data.owner_id
    follow_up.due_on = data.due_on
    follow_up.status = data.status
    follow_up.organization_id = data.organization_id
    follow_up.appointment_id = data.appointment_id
    flush_edit(follow_up)
    return follow_up


def trash_follow_up(follow_up: FollowUp, version: int | None) -> None:
    """Move ``follow_up`` to the trash (EditConflict if ``version`` is stale)."""
    trash_edited(follow_up, version)


def restore_follow_up(follow_up: FollowUp) -> None:
    restore_trashed(follow_up)
