"""Room preferences on the rooms page: the trip's carers see them (each look in the read log); nobody else sees a trace."""

from __future__ import annotations

from datetime import date
from html import unescape

import sqlalchemy as sa
from flask import Flask

from planner.extensions import db
from planner.models import Member, PersonalDataRead, Room, RoomType
from tests.care.conftest import CARER_EMAIL, MEDICAL, PASSPORT, PHONE, ROOM, planted  # noqa: F401  (planted: the fixture)
from tests.conftest import PLANNER_EMAIL, VIEWER_EMAIL, login


def _reads(app: Flask) -> list[tuple[str, int | None, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(PersonalDataRead.user_email, PersonalDataRead.person_id, PersonalDataRead.what).order_by(
                PersonalDataRead.id
            )
        ).all()
        return [(email, person, what) for email, person, what in rows]


def _page(app: Flask, email: str, delegation_id: int, *, teams: bool = True) -> str:
    client = app.test_client()
    login(client, email, teams=teams)
    response = client.get(f"/delegations/{delegation_id}/rooms")
    assert response.status_code == 200, email
    return unescape(response.get_data(as_text=True))


def test_carers_see_room_preferences_and_each_look_is_logged(app: Flask, planted: tuple[int, int, int]) -> None:  # noqa: F811
    delegation_id, member_id, person_id = planted
    with app.app_context():
        # The member with the preference has a room in Seoul: the preference shows beside it too.
        room = Room(
            delegation_id=delegation_id, room_type=RoomType.SINGLE, first_night=date(2024, 10, 14), last_night=date(2024, 10, 15)
        )
        room.occupants = [db.session.get(Member, member_id)]
        db.session.add(room)
        db.session.commit()
    assert _reads(app) == []

    page = _page(app, CARER_EMAIL, delegation_id, teams=False)
    assert "Zimmerwünsche" in page
    assert page.count(ROOM) == 2  # in the list of preferences and beside the room's occupant
    assert f"Zimmerwunsch: {ROOM}" in page
    # Only the preference: the rest of the travel data stays on the carers' own pages.
    assert PASSPORT not in page and MEDICAL not in page and PHONE not in page
    assert _reads(app) == [(CARER_EMAIL, person_id, "rooming")]

    _page(app, CARER_EMAIL, delegation_id, teams=False)
    assert _reads(app) == [(CARER_EMAIL, person_id, "rooming")] * 2  # every look, not the first one only


def test_editors_and_viewers_without_the_care_right_see_no_trace_of_a_preference(
    app: Flask,
    planted: tuple[int, int, int],  # noqa: F811
) -> None:
    delegation_id, _member_id, _person_id = planted
    for email in (PLANNER_EMAIL, VIEWER_EMAIL):
        page = _page(app, email, delegation_id)
        assert ROOM not in page and "Zimmerwunsch" not in page and "Zimmerwünsche" not in page, email
    assert _reads(app) == []
