"""Appointment writes: scope and per-trip rights, the form's rules (DST gap and repeated hour), ETag/If-Match, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Appointment, ChangeRecord, Member, MemberRole, Person, TokenScope, User, UserRole
from planner.models.trash import include_trashed
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import join_team, make_appointment, make_city, make_delegation, make_user


@dataclass(frozen=True)
class Trip:
    delegation_id: int
    other_id: int
    city_id: int
    appointment_id: int
    member_ids: tuple[int, ...]
    stranger_member_id: int


@pytest.fixture
def trip(app: Flask, outside_teams: None) -> Trip:
    """A Düsseldorf trip with a team (planner, viewer, a planner without the edit right), one appointment, two members."""
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        planner = make_user(UserRole.PLANNER, "planner@example.org")
        viewer = make_user(UserRole.VIEWER, "viewer@example.org")
        reader = make_user(UserRole.PLANNER, "reader@example.org")
        make_user(UserRole.PLANNER, "outsider@example.org")
        city = make_city("Düsseldorf", "Europe/Berlin", "DE")
        delegation = make_delegation(home=city, title="Reise mit Team")
        other = make_delegation(home=city, title="Fremde Reise")
        join_team(planner, delegation)
        join_team(viewer, delegation)
        join_team(reader, delegation, may_edit=False)
        join_team(make_user(UserRole.PLANNER, "other-planner@example.org"), other)
        members = [
            Member(delegation=delegation, person=Person(given_name="Mia", family_name="Mitglied"), role=MemberRole.MEMBER),
            Member(delegation=delegation, person=Person(given_name="Bert", family_name="Zweiter"), role=MemberRole.MEMBER),
        ]
        stranger = Member(delegation=other, person=Person(given_name="Sam", family_name="Fremd"))
        db.session.add_all([*members, stranger])
        appointment = make_appointment(delegation, datetime(2024, 10, 15, 10, 0), zone="Europe/Berlin", title="Rathaus")
        appointment.city = city
        db.session.commit()
        return Trip(delegation.id, other.id, city.id, appointment.id, tuple(m.id for m in members), stranger.id)


def _url(trip: Trip, appointment_id: int | None = None, delegation_id: int | None = None) -> str:
    base = f"/api/v1/delegations/{delegation_id or trip.delegation_id}/appointments"
    return base if appointment_id is None else f"{base}/{appointment_id}"


def _body(trip: Trip, **changes: Any) -> dict[str, Any]:
    body = {"title": "Empfang", "city_id": trip.city_id, "start": "2024-10-16T18:00", "end": "2024-10-16T19:30"}
    body.update(changes)
    return body


def _headers(secret: str, tag: str | None = None) -> dict[str, str]:
    headers = bearer(secret)
    if tag is not None:
        headers["If-Match"] = tag
    return headers


def _stored(app: Flask, appointment_id: int) -> Appointment | None:
    with app.app_context():
        found = db.session.get(Appointment, appointment_id, execution_options=include_trashed())
        if found is not None:
            db.session.expunge(found)
        return found


def test_a_write_token_creates_an_appointment_from_wall_time(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    response = client.post(_url(trip), json=_body(trip, notes="Bitte Gastgeschenk"), headers=bearer(secret))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # 18:00 in Düsseldorf in October is summer time, two hours ahead of UTC.
    assert body["start"] == {"utc": "2024-10-16T16:00:00Z", "zone": "Europe/Berlin", "local": "2024-10-16T18:00:00"}
    assert body["end"]["utc"] == "2024-10-16T17:30:00Z"
    assert sorted(body["attendees"]) == sorted(trip.member_ids)  # as the form proposes: the whole delegation
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(_url(trip, body["id"]))
    stored = _stored(app, body["id"])
    assert stored is not None and stored.notes == "Bitte Gastgeschenk"
    assert stored.start_at == datetime(2024, 10, 16, 16, 0, tzinfo=UTC)


def test_the_history_names_the_tokens_owner(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    created = client.post(_url(trip), json=_body(trip), headers=bearer(secret)).get_json()
    tag = client.get(_url(trip, trip.appointment_id), headers=bearer(secret)).headers["ETag"]
    assert client.patch(_url(trip, trip.appointment_id), json={"title": "Neu"}, headers=_headers(secret, tag)).status_code == 200
    with app.app_context():
        planner_id = db.session.scalars(sa.select(User.id).where(User.email == "planner@example.org")).one()
        rows = db.session.execute(
            sa.select(ChangeRecord.entity_id, ChangeRecord.action, ChangeRecord.user_id, ChangeRecord.user_email).where(
                ChangeRecord.entity == "appointments"
            )
        ).all()
    assert (created["id"], "create", planner_id, "planner@example.org") in rows
    assert (trip.appointment_id, "update", planner_id, "planner@example.org") in rows


@pytest.mark.parametrize(
    ("email", "scope", "status"),
    [
        ("planner@example.org", TokenScope.READ, 403),  # the scope
        ("reader@example.org", TokenScope.WRITE, 403),  # on the team, without the edit right
        ("outsider@example.org", TokenScope.WRITE, 404),  # not on the team: the trip does not exist for them
        ("other-planner@example.org", TokenScope.WRITE, 404),
        ("viewer@example.org", TokenScope.READ, 403),  # a viewer gets no write token at all
        ("admin@example.org", TokenScope.WRITE, 201),
    ],
)
def test_who_may_create(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker, email: str, scope: TokenScope, status: int
) -> None:
    secret = make_token(email, scope)
    response = client.post(_url(trip), json=_body(trip), headers=bearer(secret))
    assert response.status_code == status, response.get_json()
    if status != 201:
        assert response.mimetype == "application/problem+json"
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(
    ("email", "scope", "status"),
    [
        ("planner@example.org", TokenScope.READ, 403),
        ("reader@example.org", TokenScope.WRITE, 403),
        ("outsider@example.org", TokenScope.WRITE, 404),
    ],
)
def test_who_may_change_or_trash(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker, method: str, email: str, scope: TokenScope, status: int
) -> None:
    secret = make_token(email, scope)
    response = getattr(client, method)(_url(trip, trip.appointment_id), json=_body(trip), headers=_headers(secret, '"1"'))
    assert response.status_code == status
    stored = _stored(app, trip.appointment_id)
    assert stored is not None and stored.title == "Rathaus" and stored.version == 1 and stored.deleted_at is None


def test_reading_one_appointment_per_role(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    for email, status in [
        ("planner@example.org", 200),
        ("viewer@example.org", 200),
        ("admin@example.org", 200),
        ("outsider@example.org", 404),
    ]:
        response = client.get(_url(trip, trip.appointment_id), headers=bearer(make_token(email)))
        assert response.status_code == status, email
    secret = make_token("planner@example.org")
    assert client.get(_url(trip, trip.appointment_id, trip.other_id), headers=bearer(secret)).status_code == 404
    assert client.get(_url(trip, trip.appointment_id)).status_code == 401


def test_if_match_flow(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    url = _url(trip, trip.appointment_id)
    tag = client.get(url, headers=bearer(secret)).headers["ETag"]
    assert tag == '"1"'

    missing = client.patch(url, json={"title": "Ohne"}, headers=_headers(secret))
    assert missing.status_code == 428 and missing.mimetype == "application/problem+json"
    weak = client.patch(url, json={"title": "Schwach"}, headers=_headers(secret, 'W/"1"'))
    assert weak.status_code == 412

    changed = client.patch(url, json={"title": "Rathaus, Empfang"}, headers=_headers(secret, tag))
    assert changed.status_code == 200
    new_tag = changed.headers["ETag"]
    assert new_tag == '"2"' and changed.get_json()["title"] == "Rathaus, Empfang"
    # The time was left out: it stays where it was.
    assert changed.get_json()["start"]["local"] == "2024-10-15T10:00:00"

    stale = client.put(url, json=_body(trip, title="Veraltet"), headers=_headers(secret, tag))
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert client.delete(url, headers=_headers(secret, tag)).status_code == 412
    assert client.delete(url, headers=_headers(secret)).status_code == 428
    stored = _stored(app, trip.appointment_id)
    assert stored is not None and stored.title == "Rathaus, Empfang" and stored.deleted_at is None

    replacement = _body(trip, title="Ersetzt", attendees=[trip.member_ids[0]])
    replaced = client.put(url, json=replacement, headers=_headers(secret, new_tag))
    assert replaced.status_code == 200, replaced.get_json()
    assert replaced.get_json()["attendees"] == [trip.member_ids[0]]
    assert replaced.get_json()["start"]["local"] == "2024-10-16T18:00:00"

    trashed = client.delete(url, headers=_headers(secret, replaced.headers["ETag"]))
    assert trashed.status_code == 204
    assert client.get(url, headers=bearer(secret)).status_code == 404
    stored = _stored(app, trip.appointment_id)
    assert stored is not None and stored.deleted_at is not None  # in the trash, restorable


def test_a_wall_time_in_the_spring_gap_is_refused(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    response = client.post(_url(trip), json=_body(trip, start="2024-03-31T02:30", end="2024-03-31T04:00"), headers=bearer(secret))
    assert response.status_code == 422
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert list(problem["errors"]["json"]) == ["start"]
    assert "02:30" in problem["errors"]["json"]["start"][0]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1


def test_a_repeated_wall_time_needs_its_occurrence(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    body = _body(trip, start="2024-10-27T02:30", end="2024-10-27T04:00")
    response = client.post(_url(trip), json=body, headers=bearer(secret))
    assert response.status_code == 422
    problem = response.get_json()
    assert list(problem["errors"]["json"]) == ["start"]
    # The first 02:30 is still summer time (UTC+2), the second already winter time (UTC+1).
    assert problem["instants"] == {"start": ["2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z"]}

    second = client.post(_url(trip), json={**body, "start_fold": 1}, headers=bearer(secret))
    assert second.status_code == 201
    assert second.get_json()["start"]["utc"] == "2024-10-27T01:30:00Z"
    first = client.post(_url(trip), json={**body, "start_fold": 0}, headers=bearer(secret))
    assert first.get_json()["start"]["utc"] == "2024-10-27T00:30:00Z"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": "2024-10-16T17:00"}, "end"),
        ({"title": "   "}, "title"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"city_id": 999999}, "city_id"),
        ({"organization_id": 999999}, "organization_id"),
        ({"start": "2500-01-01T10:00"}, "start"),
    ],
)
def test_what_the_form_refuses_is_a_422_naming_the_field(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker, changes: dict[str, Any], field: str
) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    response = client.post(_url(trip), json=_body(trip, **changes), headers=bearer(secret))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


def test_members_of_another_trip_are_refused(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    response = client.post(_url(trip), json=_body(trip, attendees=[trip.stranger_member_id]), headers=bearer(secret))
    assert response.status_code == 422
    assert "attendees" in response.get_json()["errors"]["json"]


def test_a_changed_zone_reads_the_kept_wall_time_there(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    url = _url(trip, trip.appointment_id)
    tag = client.get(url, headers=bearer(secret)).headers["ETag"]
    response = client.patch(url, json={"timezone": "Asia/Seoul"}, headers=_headers(secret, tag))
    assert response.status_code == 200
    start = response.get_json()["start"]
    assert start == {"utc": "2024-10-15T01:00:00Z", "zone": "Asia/Seoul", "local": "2024-10-15T10:00:00"}
