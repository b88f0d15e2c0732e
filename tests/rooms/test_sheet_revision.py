"""A printed rooming list cannot change without its stamp: every room and night write moves the trip's revision on.

The stamp ("Revision N") and the render key (:func:`planner.rooms.queries.rooming_state`) both
follow the trip's revision, so a list on paper and one printed after a change differ visibly.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import NightKind, RoomType
from planner.rooms import operations, queries
from planner.rooms.inputs import NightInput, RoomInput

LIST = "/delegations/{id}/rooms/2024-10-14/list"


def _stamp(client: FlaskClient, delegation_id: int) -> int:
    html = unescape(client.get(LIST.format(id=delegation_id)).get_data(as_text=True))
    found = re.search(r"Revision (\d+)", html)
    assert found is not None
    return int(found.group(1))


def test_room_and_night_writes_move_the_stamp_and_the_state(app: Flask, planner: FlaskClient, keller: int) -> None:
    stamps, states = [_stamp(planner, keller)], []
    with app.app_context():
        states.append(queries.rooming_state(keller))
        rooming = queries.rooming(keller)
        assert rooming is not None
        member_id = rooming.delegation.members[0].id
        room = operations.save_room(
            rooming.nights, rooming.rooms, RoomInput(RoomType.SINGLE, date(2024, 10, 14), date(2024, 10, 15), (member_id,))
        )
        db.session.commit()
        room_id, version = room.id, room.version
    stamps.append(_stamp(planner, keller))
    with app.app_context():
        states.append(queries.rooming_state(keller))
        rooming = queries.rooming(keller)
        assert rooming is not None
        room = next(r for r in rooming.rooms if r.id == room_id)
        operations.save_room(
            rooming.nights,
            rooming.rooms,
            RoomInput(RoomType.SINGLE, room.first_night, room.last_night, (member_id,), "1801", version=version),
            room,
        )
        db.session.commit()
    stamps.append(_stamp(planner, keller))
    with app.app_context():
        states.append(queries.rooming_state(keller))
        rooming = queries.rooming(keller)
        assert rooming is not None
        operations.save_night(rooming.delegation, date(2024, 10, 15), NightInput(NightKind.HOTEL, "Anderes Hotel"), None)
        db.session.commit()
        states.append(queries.rooming_state(keller))
    stamps.append(_stamp(planner, keller))
    assert stamps == sorted(set(stamps)), stamps  # each write a higher revision on the printed list
    assert len(set(states)) == len(states)
