"""Reads for the rooms pages and the rooming list: one trip with its legs, journeys, members, overrides and rooms.

A fixed number of queries however many nights and rooms a trip has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from planner.delegations.queries import printed_state
from planner.extensions import db
from planner.models import City, Delegation, Leg, Member, NightOverride, Person, Room, TravelProfile
from planner.rooms.checks import RoomWarning, check_rooms
from planner.rooms.nights import Nights


@dataclass
class Rooming:
    """Everything the rooms page and the rooming list show, loaded up front."""

    delegation: Delegation
    overrides: list[NightOverride]
    rooms: list[Room]
    nights: Nights

    def warnings(self) -> list[RoomWarning]:
        return check_rooms(self.nights, self.delegation.members, self.rooms)


def rooming(delegation_id: int) -> Rooming | None:
    """The trip's nights, stays and rooms, or None if there is no such delegation."""
    delegation = (
        db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.id == delegation_id)
            .options(
                joinedload(Delegation.home_city),
                joinedload(Delegation.legs).joinedload(Leg.city),
                selectinload(Delegation.journeys),
                selectinload(Delegation.members).joinedload(Member.person),
            )
        )
        .unique()
        .one_or_none()
    )
    if delegation is None:
        return None
    overrides = night_overrides(delegation_id)
    rooms = list(
        db.session.scalars(
            sa.select(Room)
            .where(Room.delegation_id == delegation_id)
            .options(selectinload(Room.occupants).joinedload(Member.person))
            .order_by(Room.first_night, Room.id)
        )
    )
    return Rooming(delegation, overrides, rooms, Nights(delegation, overrides, rooms))


@dataclass(frozen=True)
class RoomPreference:
    """A member's room preference from their travel data (personal: for carers only, each read logged)."""

    member_id: int
    person_id: int
    text: str


def room_preferences(delegation_id: int) -> dict[int, RoomPreference]:
    """The room preferences of the trip's members who have one, by member id, in one query.

    Decrypts personal data: call only for a carer of the trip, and record the read
    (:func:`planner.care.operations.record_read`) for every person it returns.
    """
    rows = db.session.execute(
        sa.select(Member.id, Member.person_id, TravelProfile.room_preference)
        .join(TravelProfile, TravelProfile.person_id == Member.person_id)
        .where(Member.delegation_id == delegation_id, TravelProfile.room_preference.is_not(None))
        .order_by(Member.sort_order, Member.id)
    ).all()
    return {member_id: RoomPreference(member_id, person_id, text) for member_id, person_id, text in rows if text and text.strip()}


def room_or_404(delegation_id: int, room_id: int) -> Room:
    """Exactly the room the URL names, in exactly that delegation (404 otherwise), with its occupants."""
    return db.one_or_404(
        sa.select(Room)
        .where(Room.id == room_id, Room.delegation_id == delegation_id)
        .options(selectinload(Room.occupants).joinedload(Member.person))
    )


def night_overrides(delegation_id: int) -> list[NightOverride]:
    """The planners' decisions about the trip's nights, by night."""
    return list(
        db.session.scalars(
            sa.select(NightOverride).where(NightOverride.delegation_id == delegation_id).order_by(NightOverride.night)
        )
    )


def override_on(delegation_id: int, night: date) -> NightOverride | None:
    return db.session.scalars(
        sa.select(NightOverride).where(NightOverride.delegation_id == delegation_id, NightOverride.night == night)
    ).one_or_none()


def rooming_state(delegation_id: int) -> tuple | None:
    """What can change a rooming list, in one query; None if there is no such delegation.

    The delegation's ``revision`` covers its legs, journeys, members, overrides
    and rooms (planner.models.revisions); the names of people and cities come
    from the directory, whose newest change of each kind stands for all of them.
    """
    return printed_state(delegation_id, Person, City)


__all__ = [
    "RoomPreference",
    "Rooming",
    "night_overrides",
    "override_on",
    "room_or_404",
    "room_preferences",
    "rooming",
    "rooming_state",
]
