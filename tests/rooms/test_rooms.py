"""Rooms: the nights of the Keller trip derived from its legs and journeys, overrides, the rooming rules and checks.

Expected nights are worked out here from the seed file itself (its legs'
local arrival and departure dates), not from the code under test.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from html import unescape

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner import PROJECT_ROOT
from planner.extensions import db
from planner.models import ChangeRecord, Member, NightOverride, Person, Room, RoomType
from planner.rooms import queries
from planner.rooms.nights import NightState
from tests.conftest import csrf_token, login

SEED = PROJECT_ROOT / "planner" / "seed" / "keller-2024.toml"


def _seed() -> dict:
    with SEED.open("rb") as handle:
        return tomllib.load(handle)


def _seed_leg_nights() -> dict[date, str]:
    """Night -> hotel address, from the seed's legs: local arrival date up to (not incl.) local departure date."""
    nights: dict[date, str] = {}
    for leg in _seed()["delegation"]["legs"]:
        day, last = leg["arrive"].date(), leg["depart"].date()
        while day < last:
            nights[day] = leg["hotel_address"]
            day += timedelta(days=1)
    return nights


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _member_ids(app: Flask, delegation_id: int) -> dict[str, int]:
    """Family name -> member id."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Person.family_name, Member.id)
            .join(Member, Member.person_id == Person.id)
            .where(Member.delegation_id == delegation_id)
        )
        return {family: member for family, member in rows}


def test_keller_nights_follow_the_legs_and_the_night_flight(app: Flask, keller_trip: int) -> None:
    seed = _seed()
    expected_hotel = _seed_leg_nights()
    with app.app_context():
        rooming = queries.rooming(keller_trip)
        assert rooming is not None
        nights = rooming.nights
        start, end = seed["delegation"]["start_date"], seed["delegation"]["end_date"]
        assert [n.day for n in nights.nights] == [start + timedelta(days=i) for i in range((end - start).days)]
        for night in nights.nights:
            if night.day in expected_hotel:
                assert night.state is NightState.HOTEL, night
                assert night.hotel is not None and night.hotel.address == expected_hotel[night.day]
            else:
                assert night.state is not NightState.HOTEL, night
        # 13 Oct: the flight leaves Düsseldorf at 13:40 and lands in Seoul the next morning: a night on the way.
        flight = next(j for j in seed["delegation"]["journeys"] if j["key"] == "dus-icn")
        assert flight["depart"].date() < flight["arrive"].date()
        on_the_way = nights.on(flight["depart"].date())
        assert on_the_way is not None and on_the_way.state is NightState.JOURNEY
        assert on_the_way.hotel is None
        # The last night (19 Oct): back home in the evening, no hotel.
        assert nights.on(end - timedelta(days=1)).state is NightState.NO_STAY  # type: ignore[union-attr]
        # Two stays: Seoul (arrival 14, departure 16), Chongqing (arrival 16, departure 19).
        legs = seed["delegation"]["legs"]
        assert [(s.arrival, s.departure) for s in nights.stays] == [(leg["arrive"].date(), leg["depart"].date()) for leg in legs]
        assert [s.city.name for s in nights.stays] == ["Seoul", "Chongqing"]  # type: ignore[union-attr]


def test_the_rooms_page_says_where_each_night_is_spent(planner: FlaskClient, keller: int) -> None:
    page = planner.get(f"/delegations/{keller}/rooms")
    assert page.status_code == 200
    html = _text(page)
    assert 'id="night-2024-10-13" data-state="journey"' in html
    assert "Unterwegs, kein Hotel: Düsseldorf Airport (DUS) → Seoul Incheon (ICN)" in html
    assert 'id="night-2024-10-14" data-state="hotel"' in html
    assert 'id="night-2024-10-19" data-state="no_stay"' in html
    # Every member lacks a room in both hotels: one warning per member and stay.
    assert html.count('data-kind="no_room"') == 7 * 2


def test_a_night_can_be_overridden_and_set_back(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/rooms/nights/2024-10-15"
    token = csrf_token(planner, url)
    # A different hotel needs its name.
    refused = planner.post(url, data={"csrf_token": token, "version": 1, "kind": "hotel"})
    assert refused.status_code == 422 and "Bitte den Namen des Hotels angeben." in _text(refused)
    saved = planner.post(
        url,
        data={
            "csrf_token": token,
            "version": 1,
            "kind": "hotel",
            "hotel_name": "Hotel Gangnam",
            "hotel_address": "Seoul, Gangnam-gu",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        nights = queries.rooming(keller).nights  # type: ignore[union-attr]
        assert nights.on(date(2024, 10, 15)).hotel.name == "Hotel Gangnam"  # type: ignore[union-attr]
        # The Seoul stay split in two: the leg's hotel for one night, then the other hotel.
        assert [(s.first_night, s.last_night) for s in nights.stays][:2] == [(date(2024, 10, 14),) * 2, (date(2024, 10, 15),) * 2]
        override = db.session.scalars(sa.select(NightOverride)).one()
        version = override.version
    # No hotel at all that night.
    assert (
        planner.post(url, data={"csrf_token": token, "version": version, "kind": "no_hotel", "note": "Nachtzug"}).status_code
        == 302
    )
    with app.app_context():
        night = queries.rooming(keller).nights.on(date(2024, 10, 15))  # type: ignore[union-attr]
        assert night.state is NightState.NO_HOTEL and night.override.hotel_name is None  # type: ignore[union-attr]
        version = db.session.scalars(sa.select(NightOverride.version)).one()
    # A stale version is a conflict, nothing changes.
    assert planner.post(url, data={"csrf_token": token, "version": version - 1, "kind": ""}).status_code == 409
    # Back to what the legs say: the override is gone.
    assert planner.post(url, data={"csrf_token": token, "version": version, "kind": ""}).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(NightOverride)).all() == []
        night = queries.rooming(keller).nights.on(date(2024, 10, 15))  # type: ignore[union-attr]
        assert night.state is NightState.HOTEL and night.override is None  # type: ignore[union-attr]
        actions = db.session.scalars(sa.select(ChangeRecord.action).where(ChangeRecord.entity == "night_overrides")).all()
        assert actions == ["create", "update", "delete"]
    history = _text(planner.get(f"/delegations/{keller}/history"))
    assert "Nacht vom Di., 15. Okt. 2024" in history


def _post_room(client: FlaskClient, delegation_id: int, **fields: object):
    url = f"/delegations/{delegation_id}/rooms/new?night=2024-10-14"
    data = {"csrf_token": csrf_token(client, url), "version": 1, "room_type": "double"}
    data.update({k: v for k, v in fields.items()})  # type: ignore[misc]
    return client.post(url, data=data)


def test_rooms_are_saved_and_a_member_sleeps_in_one_room_a_night(app: Flask, planner: FlaskClient, keller: int) -> None:
    ids = _member_ids(app, keller)
    keller_id, diener = ids["Keller"], ids["Diener"]
    first = _post_room(
        planner, keller, room_type="single", first_night="2024-10-14", last_night="2024-10-15", occupant_ids=[keller_id]
    )
    assert first.status_code == 302
    # Keller again, on the second night, in another room: refused with a clear message, nothing saved.
    twice = _post_room(planner, keller, first_night="2024-10-15", last_night="2024-10-15", occupant_ids=[keller_id, diener])
    assert twice.status_code == 422
    assert "Keller, Stephan (Dr.) hat in der Nacht vom Di., 15. Okt. 2024 schon ein Zimmer" in _text(twice)
    # Nights in two hotels: refused.
    across = _post_room(planner, keller, first_night="2024-10-15", last_night="2024-10-16", occupant_ids=[diener])
    assert across.status_code == 422 and "Ein Zimmer liegt in einem Hotel" in _text(across)
    # Nobody in the room, or nights in the wrong order: refused.
    assert _post_room(planner, keller, first_night="2024-10-14", last_night="2024-10-14").status_code == 422
    wrong_order = _post_room(planner, keller, first_night="2024-10-15", last_night="2024-10-14", occupant_ids=[diener])
    assert wrong_order.status_code == 422 and "Die letzte Nacht darf nicht vor der ersten liegen." in _text(wrong_order)
    # A night that is no hotel night is not a choice at all.
    assert (
        _post_room(planner, keller, first_night="2024-10-13", last_night="2024-10-14", occupant_ids=[diener]).status_code == 422
    )
    with app.app_context():
        rooms = db.session.scalars(sa.select(Room)).all()
        assert len(rooms) == 1 and rooms[0].room_type is RoomType.SINGLE
        assert [m.id for m in rooms[0].occupants] == [keller_id]
        assert db.session.scalars(sa.select(ChangeRecord.action).where(ChangeRecord.entity == "rooms")).all() == ["create"]


def test_the_checks_name_over_capacity_and_members_without_a_room(app: Flask, planner: FlaskClient, keller: int) -> None:
    ids = _member_ids(app, keller)
    trio = [ids["Keller"], ids["Diener"], ids["Dolmetscher/in (Platzhalter)"]]
    saved = _post_room(planner, keller, room_type="twin", first_night="2024-10-14", last_night="2024-10-14", occupant_ids=trio)
    assert saved.status_code == 302  # an extra bed is the hotel's business: a warning, not a refusal
    html = _text(planner.get(f"/delegations/{keller}/rooms"))
    assert 'data-kind="over_capacity"' in html
    assert "3 Personen in einem Zimmer der Art „Zweibettzimmer“ (für 2)" in html
    # The three have no room on the 15th only; the four others none on both Seoul nights.
    assert "Keller, Stephan (Dr.) hat in der Nacht vom Di., 15. Okt. 2024 kein Zimmer." in html
    assert re.search(r"Diener, Wolfram hat in den Nächten vom Mo\., 14\. Okt\. 2024 bis Di\., 15\. Okt\. 2024", html) is None
    with app.app_context():
        rooming = queries.rooming(keller)
        assert rooming is not None
        kinds = [w.kind for w in rooming.warnings()]
        seoul_missing = [w for w in rooming.warnings() if w.kind == "no_room" and w.stay_key == "2024-10-14"]
        assert kinds.count("over_capacity") == 1
        assert len(seoul_missing) == 3 + 4  # three for the 15th, four for both nights


def test_editing_and_deleting_a_room(app: Flask, planner: FlaskClient, keller: int) -> None:
    ids = _member_ids(app, keller)
    assert (
        _post_room(planner, keller, first_night="2024-10-16", last_night="2024-10-18", occupant_ids=[ids["Diener"]]).status_code
        == 302
    )
    with app.app_context():
        room = db.session.scalars(sa.select(Room)).one()
        room_id, version = room.id, room.version
    edit = f"/delegations/{keller}/rooms/{room_id}/edit"
    token = csrf_token(planner, edit)
    changed = planner.post(
        edit,
        data={
            "csrf_token": token,
            "version": version,
            "room_type": "suite",
            "first_night": "2024-10-16",
            "last_night": "2024-10-17",
            "occupant_ids": [ids["Diener"]],
            "room_number": "1204",
            "note": "Late check-out",
        },
    )
    assert changed.status_code == 302
    stale = planner.post(
        edit,
        data={
            "csrf_token": token,
            "version": version,
            "room_type": "single",
            "first_night": "2024-10-16",
            "last_night": "2024-10-16",
            "occupant_ids": [ids["Diener"]],
        },
    )
    assert stale.status_code == 409
    with app.app_context():
        room = db.session.get(Room, room_id)
        assert room is not None and room.room_type is RoomType.SUITE and room.last_night == date(2024, 10, 17)
        version = room.version
    confirm = planner.get(f"/delegations/{keller}/rooms/{room_id}/delete")
    assert confirm.status_code == 200 and "Zimmer 1204 löschen?" in _text(confirm)
    token = csrf_token(planner, f"/delegations/{keller}/rooms/{room_id}/delete")
    assert (
        planner.post(f"/delegations/{keller}/rooms/{room_id}/delete", data={"csrf_token": token, "version": version}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Room, room_id) is None
        actions = db.session.scalars(sa.select(ChangeRecord.action).where(ChangeRecord.entity == "rooms")).all()
        assert actions == ["create", "update", "delete"]


def test_viewers_read_but_do_not_edit(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "viewer@example.org")
    assert client.get(f"/delegations/{keller}/rooms").status_code == 200
    assert "Zimmer hinzufügen" not in _text(client.get(f"/delegations/{keller}/rooms"))
    assert client.get(f"/delegations/{keller}/rooms/new?night=2024-10-14").status_code == 403
    assert client.get(f"/delegations/{keller}/rooms/nights/2024-10-14").status_code == 403


def test_bad_nights_in_urls_are_not_found(planner: FlaskClient, keller: int) -> None:
    for path in (
        "rooms/nights/2024-13-01",
        "rooms/nights/2031-01-01",
        "rooms/nights/x",
        "rooms/2024-10-13/list",
        "rooms/nope/list",
        "rooms/2024-10-14/list?lang=fr",
        "rooms/2024-10-19/list.pdf",
    ):
        assert planner.get(f"/delegations/{keller}/{path}").status_code == 404, path


def test_the_rooming_pdf_waits_on_the_shared_progress_page(planner: FlaskClient, keller: int) -> None:
    """No worker runs here: the request is answered at once with the render queue's progress page, in the list's words."""
    first = planner.get(f"/delegations/{keller}/rooms/2024-10-16/list.pdf?lang=en")
    assert first.status_code == 303
    location = first.headers["Location"]
    assert re.match(rf"^/delegations/{keller}/brief/renders/[0-9a-f]{{40}}$", location)
    progress = planner.get(location)
    assert progress.status_code == 200
    page = _text(progress)
    assert "Rooming-Liste wird erstellt" in page and 'http-equiv="refresh"' in page
    # The same list asked again joins the render; another document meanwhile waits its turn.
    assert planner.get(f"/delegations/{keller}/rooms/2024-10-17/list.pdf?lang=en").headers["Location"] == location
    busy = planner.get(f"/delegations/{keller}/rooms/2024-10-14/list.pdf")
    assert busy.status_code == 429 and "Für Sie wird bereits ein anderes PDF erstellt" in _text(busy)
    assert planner.get(location + ".pdf").status_code == 404  # not rendered yet: no half-written file


def test_a_room_left_outside_its_hotel_by_a_moved_leg_is_a_warning(app: Flask, planner: FlaskClient, keller: int) -> None:
    ids = _member_ids(app, keller)
    assert (
        _post_room(planner, keller, first_night="2024-10-14", last_night="2024-10-15", occupant_ids=[ids["Diener"]]).status_code
        == 302
    )
    with app.app_context():
        rooming = queries.rooming(keller)
        assert rooming is not None
        seoul = next(leg for leg in rooming.delegation.legs if leg.city.name == "Seoul")
        seoul.depart_at -= timedelta(days=1)  # leaves on the 15th now: the night of the 15th is no hotel night
        db.session.commit()
    html = _text(planner.get(f"/delegations/{keller}/rooms"))
    assert 'data-kind="outside_stay"' in html
    assert "Diener, Wolfram" in html and "nicht in einem einzigen Hotelaufenthalt" in html
    # The rooming list prints only the hotel's nights: one night now.
    sheet = _text(planner.get(f"/delegations/{keller}/rooms/2024-10-14/list"))
    assert "14.10.2024" in sheet and "15.10.2024" in sheet and "16.10.2024" not in sheet
