"""Writes of the rooms feature: rooms of the rooming list and per-night overrides.

Operations take typed inputs, refuse rule breaks with
:class:`~planner.editing.Rejected` and flush; the caller commits. The history
and revision counters follow at flush time (planner.models.history, .revisions).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from planner.editing import Rejected, delete_edited, ensure_version, flush_edit, optional_text, record_to_save
from planner.formatting import day, listed_name
from planner.models import Delegation, NightKind, NightOverride, Room
from planner.rooms.checks import nights_text, room_name
from planner.rooms.inputs import NightInput, RoomInput
from planner.rooms.nights import Nights


def save_room(nights: Nights, rooms: list[Room], data: RoomInput, room: Room | None = None) -> Room:
    """Create a room, or update ``room`` (EditConflict if ``data.version`` is stale).

    ``nights`` and ``rooms`` are the trip's, as loaded (:func:`planner.rooms.queries.rooming`).
    Refused: nights outside one hotel stay, nobody in the room, someone not on
    the trip, and a member who already has another room on one of the nights.
    """
    delegation = nights.delegation
    if data.last_night < data.first_night:
        raise Rejected("last_night", _("Die letzte Nacht darf nicht vor der ersten liegen."))
    stay = nights.stay_on(data.first_night)
    if stay is None:
        raise Rejected(
            "first_night", _("In der Nacht vom %(day)s schläft die Delegation in keinem Hotel.", day=day(data.first_night))
        )
    if not stay.covers(data.last_night):
        raise Rejected(
            "last_night",
            _(
                "Ein Zimmer liegt in einem Hotel: Der Aufenthalt im %(hotel)s endet mit der Nacht vom %(day)s.",
                hotel=stay.hotel.name or _("Hotel noch offen"),
                day=day(stay.last_night),
            ),
        )
    members = {m.id: m for m in delegation.members}
    if not data.occupant_ids:
        raise Rejected("occupant_ids", _("Bitte mindestens eine Person für das Zimmer wählen."))
    unknown = [i for i in data.occupant_ids if i not in members]
    if unknown:
        raise Rejected("occupant_ids", _("Diese Person gehört nicht (mehr) zur Delegation."))
    for other in rooms:
        if room is not None and other.id == room.id:
            continue
        first, last = max(other.first_night, data.first_night), min(other.last_night, data.last_night)
        if first > last:
            continue
        for member in other.occupants:
            if member.id in data.occupant_ids:
                raise Rejected(
                    "occupant_ids",
                    _(
                        "%(name)s hat %(nights)s schon ein Zimmer (%(room)s). Eine Person schläft je Nacht in einem Zimmer.",
                        name=listed_name(member.person),
                        nights=nights_text(first, last),
                        room=room_name(other),
                    ),
                )
    room = record_to_save(room, data.version, lambda: Room(delegation=delegation))
    room.room_type = data.room_type
    room.first_night = data.first_night
    room.last_night = data.last_night
    room.room_number = optional_text(data.room_number)
    room.note = optional_text(data.note)
    chosen = [members[i] for i in data.occupant_ids]
    if [m.id for m in room.occupants] != [m.id for m in chosen]:  # a list assigned anew counts as a change
        room.occupants = sorted(chosen, key=lambda m: (m.sort_order, m.id))
    flush_edit(room)
    return room


def delete_room(room: Room, version: int | None) -> None:
    """Delete ``room`` (EditConflict if ``version`` is stale); the history keeps what it was."""
    delete_edited(room, version)


def save_night(delegation: Delegation, night: date, data: NightInput, override: NightOverride | None) -> NightOverride | None:
    """Set, change or remove (``data.kind`` None) the override of one night; returns it, or None when removed.

    A different hotel needs its name. EditConflict if ``data.version`` is stale.
    """
    if data.kind is None:
        if override is not None:
            delete_edited(override, data.version)
        return None
    if data.kind is NightKind.HOTEL and not optional_text(data.hotel_name):
        raise Rejected("hotel_name", _("Bitte den Namen des Hotels angeben."))
    if override is not None:
        ensure_version(override, data.version)
    else:
        override = record_to_save(None, None, lambda: NightOverride(delegation=delegation, night=night))
    override.kind = data.kind
    keep_hotel = data.kind is NightKind.HOTEL
    override.hotel_name = optional_text(data.hotel_name) if keep_hotel else None
    override.hotel_address = optional_text(data.hotel_address) if keep_hotel else None
    override.hotel_phone = optional_text(data.hotel_phone) if keep_hotel else None
    override.note = optional_text(data.note)
    flush_edit(override)
    return override
