"""Moving an appointment to another time or day: the "Verschieben" form that the timeline's drag posts too.

Times are checked in UTC against the database: the Keller trip's Seoul appointments are typed in
Seoul wall time (UTC+9), so a move that got the zone wrong lands hours off.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Appointment, ItemStatus, UserRole
from planner.timezones import to_local
from tests.conftest import csrf_token, login, make_appointment, make_delegation, make_user


def _seoul_appointments(app: Flask) -> list[tuple[int, datetime, datetime, int, str]]:
    """The Keller trip's confirmed Seoul appointments in order: id, start, end (UTC), version, title."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.timezone == "Asia/Seoul", Appointment.status != ItemStatus.CANCELLED)
            .order_by(Appointment.start_at)
        ).all()
        return [(a.id, a.start_at, a.end_at, a.version, a.title) for a in rows]


def _move(client: FlaskClient, delegation_id: int, appointment_id: int, starts: str, version: int, query: str = ""):
    url = f"/delegations/{delegation_id}/appointments/{appointment_id}/move{query}"
    data = {"csrf_token": csrf_token(client, url), "version": str(version), "starts": starts}
    return client.post(url, data=data)


def _saved(app: Flask, appointment_id: int) -> Appointment:
    with app.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        assert appointment is not None
        db.session.expunge(appointment)
        return appointment


def test_the_form_shows_the_start_as_wall_time_in_the_appointments_zone(app: Flask, planner: FlaskClient, keller: int) -> None:
    item_id, start, *_ = _seoul_appointments(app)[0]
    page = planner.get(f"/delegations/{keller}/appointments/{item_id}/move").get_data(as_text=True)
    wall = to_local(start, "Asia/Seoul").strftime("%Y-%m-%dT%H:%M")
    assert re.search(rf'name="starts"[^>]*value="{wall}"|value="{wall}"[^>]*name="starts"', page)
    assert "Asia/Seoul" in page


def test_move_to_another_time_on_the_same_day_keeps_length_zone_and_city(app: Flask, planner: FlaskClient, keller: int) -> None:
    item_id, start, end, version, _title = _seoul_appointments(app)[0]
    before = _saved(app, item_id)
    new_wall = (to_local(start, "Asia/Seoul") + timedelta(hours=2)).replace(tzinfo=None)
    response = _move(planner, keller, item_id, new_wall.strftime("%Y-%m-%dT%H:%M"), version)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/delegations/{keller}#appointment-{item_id}")
    after = _saved(app, item_id)
    assert after.start_at == start + timedelta(hours=2)
    assert after.end_at == end + timedelta(hours=2)
    assert (after.timezone, after.city_id, after.title) == (before.timezone, before.city_id, before.title)
    assert after.version == version + 1


def test_move_to_another_day_is_read_in_seoul_time(app: Flask, planner: FlaskClient, keller: int) -> None:
    item_id, start, end, version, _title = _seoul_appointments(app)[0]
    next_day = to_local(start, "Asia/Seoul").date() + timedelta(days=1)
    response = _move(planner, keller, item_id, f"{next_day.isoformat()}T10:15", version, "?back=timeline")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/delegations/{keller}/timeline#block-{item_id}")
    after = _saved(app, item_id)
    # 10:15 in Seoul (UTC+9, no daylight-saving time) is 01:15 UTC of the same date.
    assert after.start_at == datetime(next_day.year, next_day.month, next_day.day, 1, 15, tzinfo=UTC)
    assert after.end_at - after.start_at == end - start


def test_a_stale_version_gets_the_conflict_page_and_moves_nothing(app: Flask, planner: FlaskClient, keller: int) -> None:
    item_id, start, _end, version, _title = _seoul_appointments(app)[0]
    with app.app_context():  # another planner saves first
        db.session.get(Appointment, item_id).venue = "Vorstandsetage"
        db.session.commit()
    new_wall = (to_local(start, "Asia/Seoul") + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = _move(planner, keller, item_id, new_wall, version)
    assert response.status_code == 409
    assert _saved(app, item_id).start_at == start


def test_a_time_in_the_spring_forward_gap_is_refused(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
        delegation = make_delegation()
        item = make_appointment(delegation, datetime(2024, 3, 31, 0, 30), zone="Europe/Berlin")
        db.session.commit()
        delegation_id, item_id, start = delegation.id, item.id, item.start_at
    login(client, "planner@example.org")
    response = _move(client, delegation_id, item_id, "2024-03-31T02:30", 1)
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    assert "02:30 gibt es am 31. März 2024 in Europe/Berlin nicht" in text
    assert _saved(app, item_id).start_at == start


def test_viewers_may_not_move(app: Flask, client: FlaskClient, keller: int) -> None:
    item_id, start, _end, version, _title = _seoul_appointments(app)[0]
    login(client, "viewer@example.org")
    url = f"/delegations/{keller}/appointments/{item_id}/move"
    assert client.get(url).status_code == 403
    token = csrf_token(client, f"/delegations/{keller}/timeline")
    wall = (to_local(start, "Asia/Seoul") + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, data={"csrf_token": token, "version": str(version), "starts": wall}).status_code == 403
    assert _saved(app, item_id).start_at == start
    # Nor do they get the links or the drag.
    timeline = client.get(f"/delegations/{keller}/timeline").get_data(as_text=True)
    assert "/move" not in timeline and "timeline_drag.js" not in timeline and "interact" not in timeline


def test_the_timeline_and_the_appointment_page_link_to_the_move_form(app: Flask, planner: FlaskClient, keller: int) -> None:
    item_id, *_ = _seoul_appointments(app)[0]
    timeline = planner.get(f"/delegations/{keller}/timeline").get_data(as_text=True)
    assert f"/delegations/{keller}/appointments/{item_id}/move?back=timeline" in timeline
    assert "timeline_drag.js" in timeline and "interact" in timeline
    page = planner.get(f"/delegations/{keller}/appointments/{item_id}").get_data(as_text=True)
    assert f"/delegations/{keller}/appointments/{item_id}/move" in page


def test_a_move_onto_another_appointment_flashes_the_double_booking(app: Flask, planner: FlaskClient, keller: int) -> None:
    (first_id, first_start, *_), (second_id, second_start, _end, version, second_title) = _seoul_appointments(app)[:2]
    first_title = _saved(app, first_id).title
    onto = to_local(first_start, "Asia/Seoul").strftime("%Y-%m-%dT%H:%M")
    response = _move(planner, keller, second_id, onto, version, "?back=timeline")
    assert response.status_code == 302
    assert _saved(app, second_id).start_at == first_start != second_start
    page = html.unescape(planner.get(response.headers["Location"]).get_data(as_text=True))
    warnings = re.findall(r'<p class="flash flash--warning"[^>]*>([^<]+)</p>', page)
    assert any("Doppelbuchung" in w and first_title in w and second_title in w for w in warnings), warnings


def test_a_repeated_time_asks_which_one_and_takes_the_chosen_occurrence(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
        delegation = make_delegation()
        item = make_appointment(delegation, datetime(2024, 10, 26, 9, 0), zone="Europe/Berlin")
        db.session.commit()
        delegation_id, item_id = delegation.id, item.id
    login(client, "planner@example.org")
    asked = _move(client, delegation_id, item_id, "2024-10-27T02:30", 1)
    assert asked.status_code == 422
    assert 'name="starts-fold"' in asked.get_data(as_text=True)
    url = f"/delegations/{delegation_id}/appointments/{item_id}/move"
    data = {"csrf_token": csrf_token(client, url), "version": "1", "starts": "2024-10-27T02:30", "starts-fold": "1"}
    assert client.post(url, data=data).status_code == 302
    # The second 02:30 (winter time, UTC+1) is 01:30 UTC; the hour's length is kept.
    after = _saved(app, item_id)
    assert after.start_at == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    assert after.end_at == datetime(2024, 10, 27, 2, 30, tzinfo=UTC)
