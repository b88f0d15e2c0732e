"""The read endpoints: who sees which trip through a token, what each audience gets, instants, pagination."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import (
    Appointment,
    Delegation,
    Journey,
    Leg,
    Member,
    MemberRole,
    Person,
    TeamMember,
    TokenScope,
    User,
    UserRole,
    Visibility,
)
from planner.timezones import to_utc
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import join_team, make_appointment, make_city, make_delegation, make_user

INTERNAL_TITLE = "MARK-INTERNAL-TITLE"
NOTES = "MARK-TEAM-NOTES"
TALKING = "MARK-TALKING-POINTS"
BOOKING = "MARK-BOOKING-REF"
JOURNEY_NOTES = "MARK-JOURNEY-NOTES"
MEMBER_PHONE = "+49 211 MARK-PHONE"


@dataclass(frozen=True)
class Trip:
    delegation_id: int
    other_id: int
    member_id: int
    briefed_id: int
    stranger_member_id: int


@pytest.fixture
def trip(app: Flask, outside_teams: None) -> Trip:
    """A trip with a team (planner, viewer), a second trip nobody of them is on, and accounts of every role."""
    with app.app_context():
        admin = make_user(UserRole.ADMIN, "admin@example.org")
        planner = make_user(UserRole.PLANNER, "planner@example.org")
        viewer = make_user(UserRole.VIEWER, "viewer@example.org")
        make_user(UserRole.PLANNER, "outsider@example.org")
        del admin
        delegation = make_delegation(title="Reise mit Team")
        other = make_delegation(home=delegation.home_city, title="Fremde Reise")
        join_team(planner, delegation)
        join_team(viewer, delegation)
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        arrive = to_utc(datetime(2024, 10, 14, 9, 0), "Asia/Seoul")
        db.session.add(
            Leg(delegation=delegation, city=seoul, arrive_at=arrive, depart_at=arrive + timedelta(days=3), notes=NOTES)
        )
        mia = Person(given_name="Mia", family_name="Mitglied", phone=MEMBER_PHONE)
        bert = Person(given_name="Bert", family_name="Gebrieft")
        member = Member(delegation=delegation, person=mia, role=MemberRole.MEMBER, sort_order=1)
        briefed = Member(delegation=delegation, person=bert, role=MemberRole.MEMBER, sort_order=2)
        stranger = Member(delegation=other, person=Person(given_name="Sam", family_name="Fremd"), sort_order=1)
        db.session.add_all([member, briefed, stranger])
        db.session.flush()
        for hour in (9, 11, 15):
            appointment = make_appointment(
                delegation,
                datetime(2024, 10, 15, hour, 0),
                title=f"Termin {hour}",
                city=seoul,
                notes=NOTES,
                talking_points=TALKING,
            )
            appointment.attendees = [member, briefed]
            appointment.briefed = [briefed]
        internal = make_appointment(
            delegation, datetime(2024, 10, 16, 8, 0), title=INTERNAL_TITLE, visibility=Visibility.INTERNAL
        )
        internal.attendees = [member, briefed]
        depart = to_utc(datetime(2024, 10, 17, 12, 0), "Asia/Seoul")
        journey = Journey(
            delegation=delegation,
            departure_place="Incheon (ICN)",
            depart_at=depart,
            departure_timezone="Asia/Seoul",
            arrival_place="Chongqing (CKG)",
            arrive_at=depart + timedelta(hours=4),
            arrival_timezone="Asia/Shanghai",
            booking_reference=BOOKING,
            notes=JOURNEY_NOTES,
        )
        journey.travellers = [member]
        db.session.add(journey)
        db.session.commit()
        return Trip(delegation.id, other.id, member.id, briefed.id, stranger.id)


def _get(client: FlaskClient, secret: str, path: str) -> tuple[int, dict]:
    response = client.get(f"/api/v1{path}", headers=bearer(secret))
    assert response.status_code >= 400 or response.mimetype == "application/json", response.mimetype
    return response.status_code, response.get_json()


@pytest.mark.parametrize(
    ("email", "sees_team_trip", "sees_other_trip"),
    [
        ("admin@example.org", True, True),
        ("planner@example.org", True, False),
        ("viewer@example.org", True, False),
        ("outsider@example.org", False, False),
    ],
)
def test_a_token_sees_the_trips_its_owner_sees(
    client: FlaskClient, trip: Trip, make_token: TokenMaker, email: str, sees_team_trip: bool, sees_other_trip: bool
) -> None:
    secret = make_token(email)
    status, listing = _get(client, secret, "/delegations")
    assert status == 200
    listed = {item["id"] for item in listing["items"]}
    assert listed == {d for d, seen in ((trip.delegation_id, sees_team_trip), (trip.other_id, sees_other_trip)) if seen}
    assert listing["page"]["total"] == len(listed)
    for delegation_id, seen in ((trip.delegation_id, sees_team_trip), (trip.other_id, sees_other_trip)):
        for path in ("", "/appointments", "/journeys", "/legs", "/members"):
            status, body = _get(client, secret, f"/delegations/{delegation_id}{path}")
            # Outside the team the trip does not exist, as on the pages (its existence is not revealed).
            assert status == (200 if seen else 404), (email, delegation_id, path, body)


def test_losing_the_team_place_takes_the_token_off_the_trip(app: Flask, client: FlaskClient, trip: Trip, make_token) -> None:
    secret = make_token("planner@example.org")
    assert _get(client, secret, f"/delegations/{trip.delegation_id}")[0] == 200
    with app.app_context():
        db.session.execute(sa.delete(TeamMember).where(TeamMember.delegation_id == trip.delegation_id))
        db.session.commit()
    assert _get(client, secret, f"/delegations/{trip.delegation_id}")[0] == 404


def test_instants_are_utc_with_zone_and_local_wall_time(app: Flask, client: FlaskClient, trip: Trip, make_token) -> None:
    secret = make_token("planner@example.org")
    _status, body = _get(client, secret, f"/delegations/{trip.delegation_id}/appointments")
    with app.app_context():
        stored = {
            a.id: (a.start_at, a.end_at, a.timezone)
            for a in db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == trip.delegation_id))
        }
    assert [item["id"] for item in body["items"]] == sorted(stored, key=lambda i: (stored[i][0], i))
    first = body["items"][0]
    assert first["start"] == {"utc": "2024-10-15T00:00:00Z", "zone": "Asia/Seoul", "local": "2024-10-15T09:00:00"}
    for item in body["items"]:
        start, end, zone = stored[item["id"]]
        for key, instant in (("start", start), ("end", end)):
            parsed = datetime.fromisoformat(item[key]["utc"].replace("Z", "+00:00"))
            assert parsed == instant and parsed.utcoffset() == timedelta(0)
            assert item[key]["zone"] == zone
            wall = datetime.fromisoformat(item[key]["local"])
            assert wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) == instant
    _status, journeys = _get(client, secret, f"/delegations/{trip.delegation_id}/journeys")
    journey = journeys["items"][0]
    assert journey["departure"]["at"] == {"utc": "2024-10-17T03:00:00Z", "zone": "Asia/Seoul", "local": "2024-10-17T12:00:00"}
    assert journey["arrival"]["at"] == {"utc": "2024-10-17T07:00:00Z", "zone": "Asia/Shanghai", "local": "2024-10-17T15:00:00"}
    _status, legs = _get(client, secret, f"/delegations/{trip.delegation_id}/legs")
    assert legs["items"][0]["arrive"]["local"] == "2024-10-14T09:00:00"
    assert legs["items"][0]["city"] == {
        "id": legs["items"][0]["city"]["id"],
        "name": "Seoul",
        "timezone": "Asia/Seoul",
        "country": "KR",
    }


def test_the_team_gets_internal_items_and_notes_but_never_booking_or_contact_data(
    client: FlaskClient, trip: Trip, make_token
) -> None:
    secret = make_token("viewer@example.org")
    text = ""
    for path in ("", "/appointments", "/journeys", "/legs", "/members"):
        response = client.get(f"/api/v1/delegations/{trip.delegation_id}{path}", headers=bearer(secret))
        assert response.status_code == 200
        text += response.get_data(as_text=True)
    for marker in (INTERNAL_TITLE, NOTES, TALKING, JOURNEY_NOTES):
        assert marker in text, marker
    for marker in (BOOKING, MEMBER_PHONE):
        assert marker not in text, marker


def test_a_members_programme_has_their_items_without_internal_ones_or_notes(client: FlaskClient, trip: Trip, make_token) -> None:
    secret = make_token("planner@example.org")
    plain = client.get(f"/api/v1/delegations/{trip.delegation_id}/appointments?member={trip.member_id}", headers=bearer(secret))
    text = plain.get_data(as_text=True)
    assert plain.status_code == 200
    assert [item["title"] for item in plain.get_json()["items"]] == ["Termin 9", "Termin 11", "Termin 15"]
    for marker in (INTERNAL_TITLE, NOTES, TALKING):
        assert marker not in text, marker
    # Briefing material goes to the member briefed for the appointment; internal notes never.
    briefed = client.get(
        f"/api/v1/delegations/{trip.delegation_id}/appointments?member={trip.briefed_id}", headers=bearer(secret)
    )
    assert TALKING in briefed.get_data(as_text=True)
    assert NOTES not in briefed.get_data(as_text=True)
    journeys = client.get(f"/api/v1/delegations/{trip.delegation_id}/journeys?member={trip.member_id}", headers=bearer(secret))
    assert len(journeys.get_json()["items"]) == 1
    assert JOURNEY_NOTES not in journeys.get_data(as_text=True) and BOOKING not in journeys.get_data(as_text=True)
    not_travelling = client.get(
        f"/api/v1/delegations/{trip.delegation_id}/journeys?member={trip.briefed_id}", headers=bearer(secret)
    )
    assert not_travelling.get_json()["items"] == []
    # A member of another trip is no member of this one.
    foreign = client.get(
        f"/api/v1/delegations/{trip.delegation_id}/appointments?member={trip.stranger_member_id}", headers=bearer(secret)
    )
    assert foreign.status_code == 404 and foreign.mimetype == "application/problem+json"


def test_pages_walk_the_list_in_order(client: FlaskClient, trip: Trip, make_token) -> None:
    secret = make_token("planner@example.org")
    _status, whole = _get(client, secret, f"/delegations/{trip.delegation_id}/appointments")
    assert whole["page"] == {"total": 4, "limit": 50, "offset": 0, "next_offset": None}
    seen, offset = [], 0
    while offset is not None:
        _status, page = _get(client, secret, f"/delegations/{trip.delegation_id}/appointments?limit=3&offset={offset}")
        assert len(page["items"]) <= 3 and page["page"]["total"] == 4
        seen += [item["id"] for item in page["items"]]
        offset = page["page"]["next_offset"]
    assert seen == [item["id"] for item in whole["items"]]
    _status, members = _get(client, secret, f"/delegations/{trip.delegation_id}/members?limit=1&offset=1")
    assert [m["name"] for m in members["items"]] == ["Bert Gebrieft"]
    # What the member form shows that is not personal data; never contact, passport, health or diet.
    assert set(members["items"][0]) == {"id", "name", "role", "function", "sort_order", "person_id", "language"}


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "limit=abc", "member=0"])
def test_bad_paging_is_a_422_problem_naming_the_field(client: FlaskClient, trip: Trip, make_token, query: str) -> None:
    secret = make_token("planner@example.org")
    response = client.get(f"/api/v1/delegations/{trip.delegation_id}/appointments?{query}", headers=bearer(secret))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = json.loads(response.get_data(as_text=True))
    assert problem["status"] == 422 and query.split("=")[0] in problem["errors"]["query"]


def test_the_seeded_trip_reads_like_the_database(app: Flask, client: FlaskClient, seed_keller, make_token) -> None:
    seed_keller(app)
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        delegation = db.session.scalars(sa.select(Delegation)).one()
        expected_titles = [
            a.title
            for a in db.session.scalars(
                sa.select(Appointment)
                .where(Appointment.delegation_id == delegation.id)
                .order_by(Appointment.start_at, Appointment.id)
            )
        ]
        owner = db.session.scalars(sa.select(User).where(User.email == "admin@example.org")).one()
        assert owner.role == UserRole.ADMIN
    secret = make_token("admin@example.org", TokenScope.WRITE)
    titles, offset = [], 0
    while offset is not None:
        _status, page = _get(client, secret, f"/delegations/{delegation.id}/appointments?limit=200&offset={offset}")
        titles += [item["title"] for item in page["items"]]
        offset = page["page"]["next_offset"]
    assert titles == expected_titles and titles
