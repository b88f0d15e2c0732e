"""The rooming warnings: what a planner must look at before the list goes to the hotel.

Refused outright when a room is saved (:mod:`planner.rooms.operations`): a
member in two rooms on one night, a room on nights outside one hotel stay.
Warned about here, since they also arise from changes elsewhere (a leg moved,
a member added) or may be intended (an extra bed):

* ``no_room``: a member without a room on nights the delegation sleeps in a hotel;
* ``over_capacity``: more people in a room than its type sleeps;
* ``outside_stay``: a room whose nights are no longer all in one hotel stay;
* ``double_booked``: a member in two rooms on one night (saved before a rule
  change, or by a path that skipped the operation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from planner.formatting import day, listed_name
from planner.labels import label
from planner.models import ROOM_CAPACITY, Member, Room
from planner.rooms.nights import Nights


@dataclass(frozen=True)
class RoomWarning:
    kind: str
    message: str
    room_id: int | None = None
    member_id: int | None = None
    stay_key: str | None = None  # the stay's first night, for the warning's place on the page


def nights_text(first: date, last: date) -> str:
    """'in der Nacht zum Mo., 14. Okt. 2024' or 'in den Nächten Mo., 14. Okt. 2024 bis Di., 15. Okt. 2024'."""
    if first == last:
        return _("in der Nacht vom %(day)s", day=day(first))
    return _("in den Nächten vom %(first)s bis %(last)s", first=day(first), last=day(last))


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive dates as (first, last) pairs."""
    runs: list[tuple[date, date]] = []
    for d in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def room_name(room: Room) -> str:
    """A room as a message names it: its number, else its type and who sleeps in it."""
    if room.room_number:
        return _("Zimmer %(number)s", number=room.room_number)
    names = "; ".join(listed_name(m.person) for m in room.occupants)
    return f"{label(room.room_type)} ({names})" if names else label(room.room_type)


def check_rooms(nights: Nights, members: Iterable[Member], rooms: Iterable[Room]) -> list[RoomWarning]:
    """Every rooming warning of a trip, stay by stay, then room by room."""
    rooms = list(rooms)
    members = list(members)
    warnings: list[RoomWarning] = []
    for room in rooms:
        capacity = ROOM_CAPACITY[room.room_type]
        if len(room.occupants) > capacity:
            warnings.append(
                RoomWarning(
                    "over_capacity",
                    _(
                        "%(room)s: %(count)s Personen in einem Zimmer der Art „%(type)s“ (für %(capacity)s).",
                        room=room_name(room),
                        count=len(room.occupants),
                        type=label(room.room_type),
                        capacity=capacity,
                    ),
                    room_id=room.id,
                )
            )
        stay = nights.stay_on(room.first_night)
        if stay is None or not (stay.covers(room.first_night) and stay.covers(room.last_night)):
            warnings.append(
                RoomWarning(
                    "outside_stay",
                    _(
                        "%(room)s liegt %(nights)s nicht in einem einzigen Hotelaufenthalt der Delegation. "
                        "Bitte die Nächte des Zimmers prüfen.",
                        room=room_name(room),
                        nights=nights_text(room.first_night, room.last_night),
                    ),
                    room_id=room.id,
                )
            )
    booked: dict[tuple[int, date], Room] = {}
    for room in rooms:
        for member in room.occupants:
            for night in room.nights():
                other = booked.setdefault((member.id, night), room)
                if other is not room:
                    warnings.append(
                        RoomWarning(
                            "double_booked",
                            _(
                                "%(name)s ist %(nights)s zwei Zimmern zugeteilt: %(first)s und %(second)s.",
                                name=listed_name(member.person),
                                nights=nights_text(night, night),
                                first=room_name(other),
                                second=room_name(room),
                            ),
                            room_id=room.id,
                            member_id=member.id,
                        )
                    )
    for stay in nights.stays:
        for member in members:
            missing = [n.day for n in stay.nights if (member.id, n.day) not in booked]
            for first, last in _runs(missing):
                warnings.append(
                    RoomWarning(
                        "no_room",
                        _(
                            "%(name)s hat %(nights)s kein Zimmer.",
                            name=listed_name(member.person),
                            nights=nights_text(first, last),
                        ),
                        member_id=member.id,
                        stay_key=stay.key,
                    )
                )
    return warnings
