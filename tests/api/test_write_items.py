"""Journeys, members and follow-ups through the API: every endpoint per role and scope, the forms' rules, ETag/If-Match,
the DST answers for each end of a journey, what is never exposed, and the change history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from benchmarks.harness import counted  # the same counter as make bench's query figures
from planner.extensions import db
from planner.models import (
    ChangeRecord,
    FollowUp,
    FollowUpStatus,
    Journey,
    Member,
    MemberRole,
    Organization,
    OrganizationKind,
    Person,
    TokenScope,
    User,
    UserRole,
)
from planner.models.trash import include_trashed
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import join_team, make_appointment, make_city, make_delegation, make_user

BOOKING = "MARK-BOOKING-REF"
PHONE = "+49 211 MARK-PHONE"


@dataclass(frozen=True)
class Trip:
    delegation_id: int
    other_id: int
    berlin_id: int  # Düsseldorf, Europe/Berlin
    seoul_id: int  # Asia/Seoul
    journey_id: int
    member_ids: tuple[int, int]
    follow_up_id: int
    appointment_id: int
    other_appointment_id: int
    person_id: int  # in the directory, not a member yet
    organization_id: int
    stranger_member_id: int


@pytest.fixture
def trip(app: Flask, outside_teams: None) -> Trip:
    """A trip with a team (planner, viewer, a planner without the edit right), a journey, two members, a follow-up."""
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        planner = make_user(UserRole.PLANNER, "planner@example.org")
        viewer = make_user(UserRole.VIEWER, "viewer@example.org")
        reader = make_user(UserRole.PLANNER, "reader@example.org")
        make_user(UserRole.PLANNER, "outsider@example.org")
        berlin = make_city("Düsseldorf", "Europe/Berlin", "DE")
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        delegation = make_delegation(home=berlin, title="Reise mit Team")
        other = make_delegation(home=berlin, title="Fremde Reise")
        join_team(planner, delegation)
        join_team(viewer, delegation)
        join_team(reader, delegation, may_edit=False)
        mia = Member(
            delegation=delegation,
            person=Person(given_name="Mia", family_name="Mitglied", phone=PHONE),
            role=MemberRole.MEMBER,
            sort_order=0,
        )
        bert = Member(
            delegation=delegation, person=Person(given_name="Bert", family_name="Zweiter"), role=MemberRole.MEMBER, sort_order=1
        )
        stranger = Member(delegation=other, person=Person(given_name="Sam", family_name="Fremd"))
        newcomer = Person(given_name="Nora", family_name="Neu")
        organization = Organization(name="Samsung", kind=OrganizationKind.COMPANY)
        db.session.add_all([mia, bert, stranger, newcomer, organization])
        depart = datetime(2024, 10, 13, 11, 40, tzinfo=UTC)
        journey = Journey(
            delegation=delegation,
            departure_city=berlin,
            departure_place="Düsseldorf Flughafen",
            departure_timezone="Europe/Berlin",
            depart_at=depart,
            arrival_city=seoul,
            arrival_place="Incheon",
            arrival_timezone="Asia/Seoul",
            arrive_at=depart + timedelta(hours=12, minutes=15),
            booking_reference=BOOKING,
            travellers=[mia],
        )
        db.session.add(journey)
        appointment = make_appointment(delegation, datetime(2024, 10, 15, 10, 0), zone="Asia/Seoul", title="Besuch")
        appointment.attendees = [mia, bert]
        foreign = make_appointment(other, datetime(2024, 10, 15, 10, 0), zone="Asia/Seoul", title="Fremder Termin")
        follow_up = FollowUp(delegation=delegation, title="Dankesbrief", due_on=date(2024, 11, 1))
        db.session.add(follow_up)
        db.session.commit()
        return Trip(
            delegation.id,
            other.id,
            berlin.id,
            seoul.id,
            journey.id,
            (mia.id, bert.id),
            follow_up.id,
            appointment.id,
            foreign.id,
            newcomer.id,
            organization.id,
            stranger.id,
        )


def _url(trip: Trip, path: str, delegation_id: int | None = None) -> str:
    return f"/api/v1/delegations/{delegation_id or trip.delegation_id}/{path}"


def _headers(secret: str, tag: str | None = None) -> dict[str, str]:
    headers = bearer(secret)
    if tag is not None:
        headers["If-Match"] = tag
    return headers


def _journey_body(trip: Trip, **changes: Any) -> dict[str, Any]:
    body = {
        "departure_city_id": trip.berlin_id,
        "departure_place": "DUS",
        "depart": "2024-10-20T13:40",
        "arrival_city_id": trip.seoul_id,
        "arrival_place": "ICN",
        "arrive": "2024-10-21T08:55",
        "carrier": "Korean Air",
        "number": "KE 5926",
    }
    body.update(changes)
    return body


def _stored(app: Flask, model: type[Any], record_id: int) -> Any:
    with app.app_context():
        found = db.session.get(model, record_id, execution_options=include_trashed())
        if found is not None:
            db.session.expunge(found)
        return found


# -- every endpoint per role and scope ------------------------------------------------------------


def _calls(trip: Trip) -> list[tuple[str, str, dict[str, Any] | None, int]]:
    """Every new endpoint once, in an order in which each succeeds for a writer: method, path, body, success status."""
    journey, member, follow_up = f"journeys/{trip.journey_id}", f"members/{trip.member_ids[1]}", f"follow-ups/{trip.follow_up_id}"
    person = {"person_id": trip.person_id, "role": "staff"}
    return [
        ("GET", journey, None, 200),
        ("POST", "journeys", _journey_body(trip), 201),
        ("PUT", journey, _journey_body(trip, number="OZ 541"), 200),
        ("PATCH", journey, {"status": "confirmed"}, 200),
        ("DELETE", journey, None, 204),
        ("GET", member, None, 200),
        ("POST", "members", person, 201),
        ("PUT", member, {"person_id": _bert_person(trip), "role": "interpreter"}, 200),
        ("PATCH", member, {"function": "Dolmetscher"}, 200),
        ("DELETE", member, None, 204),
        ("GET", "follow-ups", None, 200),
        ("GET", follow_up, None, 200),
        ("POST", "follow-ups", {"title": "Fotos schicken"}, 201),
        ("PUT", follow_up, {"title": "Dankesbrief an den Bürgermeister"}, 200),
        ("PATCH", follow_up, {"status": "done"}, 200),
        ("DELETE", follow_up, None, 204),
    ]


def _bert_person(trip: Trip) -> int:
    return db.session.scalar(sa.select(Member.person_id).where(Member.id == trip.member_ids[1])) or 0


# Who may read the trip (team and admins), who may write it (team with the edit right, admins); the scope's limit
# (a read token never writes) comes first: the gate answers it before the trip is looked at.
ROLES = [
    ("anonymous", None, None, None),
    ("viewer", "viewer@example.org", TokenScope.READ, "read"),
    ("outsider", "outsider@example.org", TokenScope.READ, "none"),
    ("outsider", "outsider@example.org", TokenScope.WRITE, "none"),
    ("reader", "reader@example.org", TokenScope.WRITE, "read"),
    ("planner", "planner@example.org", TokenScope.READ, "read"),
    ("planner", "planner@example.org", TokenScope.WRITE, "write"),
    ("admin", "admin@example.org", TokenScope.READ, "read"),
    ("admin", "admin@example.org", TokenScope.WRITE, "write"),
]


def _expected(method: str, success: int, scope: TokenScope | None, reach: str | None) -> int:
    if scope is None:
        return 401
    if method != "GET" and scope == TokenScope.READ:
        return 403
    if reach == "none":
        return 404
    if method != "GET" and reach == "read":
        return 403
    return success


@pytest.mark.parametrize(("role", "email", "scope", "reach"), ROLES, ids=[f"{r[0]}-{r[2] and r[2].value}" for r in ROLES])
def test_every_endpoint_per_role_and_scope(
    app: Flask,
    client: FlaskClient,
    trip: Trip,
    make_token: TokenMaker,
    role: str,
    email: str | None,
    scope: TokenScope | None,
    reach: str | None,
) -> None:
    secret = make_token(email, scope) if email and scope else None
    with app.app_context():
        calls = _calls(trip)
    problems = []
    for method, path, body, success in calls:
        headers = _headers(secret, "*") if secret else {"If-Match": "*"}  # "*": any version, knowingly
        response = client.open(_url(trip, path), method=method, json=body, headers=headers)
        expected = _expected(method, success, scope, reach)
        if response.status_code != expected:
            problems.append(f"{role} {scope}: {method} {path} got {response.status_code}, expected {expected}")
        if expected >= 400 and response.mimetype != "application/problem+json":
            problems.append(f"{role} {scope}: {method} {path} answered {response.mimetype}")
    assert not problems, "\n".join(problems)
    with app.app_context():
        # A refused write leaves everything as it was; a writer's walk trashed what it wrote last.
        journey = db.session.get(Journey, trip.journey_id, execution_options=include_trashed())
        assert journey is not None
        assert (journey.deleted_at is not None) == (reach == "write" and scope == TokenScope.WRITE)
        count = db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp), execution_options=include_trashed())
        assert count == (2 if reach == "write" and scope == TokenScope.WRITE else 1)


def test_another_trips_records_are_not_found_through_this_trip(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("admin@example.org", TokenScope.WRITE)
    # The stranger is a member of the other trip: through this trip's URL it does not exist, for reading or writing.
    url = _url(trip, f"members/{trip.stranger_member_id}")
    assert client.get(url, headers=bearer(secret)).status_code == 404
    assert client.patch(url, json={"role": "staff"}, headers=_headers(secret, "*")).status_code == 404
    assert client.get(_url(trip, f"journeys/{trip.journey_id}", trip.other_id), headers=bearer(secret)).status_code == 404


# -- journeys ---------------------------------------------------------------------------------------


def test_a_journey_is_created_from_the_wall_time_at_each_end(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    response = client.post(_url(trip, "journeys"), json=_journey_body(trip), headers=bearer(secret))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # 13:40 in Düsseldorf (summer time, UTC+2) and 08:55 the next morning in Seoul (UTC+9).
    assert body["departure"]["at"] == {"utc": "2024-10-20T11:40:00Z", "zone": "Europe/Berlin", "local": "2024-10-20T13:40:00"}
    assert body["arrival"]["at"] == {"utc": "2024-10-20T23:55:00Z", "zone": "Asia/Seoul", "local": "2024-10-21T08:55:00"}
    assert body["departure"]["city"]["id"] == trip.berlin_id and body["arrival"]["place"] == "ICN"
    assert sorted(body["travellers"]) == sorted(trip.member_ids)  # a new journey: the whole delegation travels
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(_url(trip, f"journeys/{body['id']}"))
    stored = _stored(app, Journey, body["id"])
    assert stored.depart_at == datetime(2024, 10, 20, 11, 40, tzinfo=UTC) and stored.carrier == "Korean Air"


def test_a_named_zone_wins_over_the_citys(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    body = _journey_body(trip, arrival_timezone="Asia/Shanghai", arrive="2024-10-21T08:55")
    response = client.post(_url(trip, "journeys"), json=body, headers=bearer(secret))
    assert response.status_code == 201
    # 08:55 in Shanghai (UTC+8), not in the arrival city's Seoul (UTC+9).
    assert response.get_json()["arrival"]["at"] == {
        "utc": "2024-10-21T00:55:00Z",
        "zone": "Asia/Shanghai",
        "local": "2024-10-21T08:55:00",
    }


def test_a_departure_in_the_spring_gap_is_refused_naming_the_field(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    body = _journey_body(trip, depart="2024-03-31T02:30", arrive="2024-03-31T20:00")
    response = client.post(_url(trip, "journeys"), json=body, headers=bearer(secret))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert list(problem["errors"]["json"]) == ["depart"]
    assert "02:30" in problem["errors"]["json"]["depart"][0]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Journey)) == 1


def test_a_repeated_arrival_time_needs_its_occurrence_in_the_arrivals_zone(
    client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    """Seoul to Düsseldorf, landing at 02:30 on the night the clocks go back: only the arrival is ambiguous.

    The departure's 2024-10-27 02:30 would be just as ambiguous in Düsseldorf, but it is read in Seoul's zone,
    which has no daylight saving: each end in its own zone."""
    secret = make_token("planner@example.org", TokenScope.WRITE)
    body = _journey_body(
        trip,
        departure_city_id=trip.seoul_id,
        depart="2024-10-26T23:30",
        arrival_city_id=trip.berlin_id,
        arrive="2024-10-27T02:30",
    )
    response = client.post(_url(trip, "journeys"), json=body, headers=bearer(secret))
    assert response.status_code == 422
    problem = response.get_json()
    assert list(problem["errors"]["json"]) == ["arrive"]
    assert "arrive_fold" in problem["errors"]["json"]["arrive"][0]
    # The first 02:30 is still summer time (UTC+2), the second already winter time (UTC+1).
    assert problem["instants"] == {"arrive": ["2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z"]}

    second = client.post(_url(trip, "journeys"), json={**body, "arrive_fold": 1}, headers=bearer(secret))
    assert second.status_code == 201
    assert second.get_json()["arrival"]["at"]["utc"] == "2024-10-27T01:30:00Z"
    first = client.post(_url(trip, "journeys"), json={**body, "arrive_fold": 0}, headers=bearer(secret))
    assert first.get_json()["arrival"]["at"]["utc"] == "2024-10-27T00:30:00Z"


def test_a_repeated_departure_time_names_the_departure(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    body = _journey_body(trip, depart="2024-10-27T02:30", arrive="2024-10-27T20:00")
    response = client.post(_url(trip, "journeys"), json=body, headers=bearer(secret))
    assert response.status_code == 422
    assert response.get_json()["instants"] == {"depart": ["2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z"]}
    chosen = client.post(_url(trip, "journeys"), json={**body, "depart_fold": 0}, headers=bearer(secret))
    assert chosen.status_code == 201 and chosen.get_json()["departure"]["at"]["utc"] == "2024-10-27T00:30:00Z"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # Later on the wall clock, earlier in real time: 20:00 in Seoul is 11:00 UTC, before 13:40 in Düsseldorf.
        ({"depart": "2024-10-20T13:40", "arrive": "2024-10-20T20:00"}, "arrive"),
        ({"departure_place": "   "}, "departure_place"),
        ({"arrival_timezone": "Mars/Olympus"}, "arrival_timezone"),
        ({"arrival_city_id": 999999}, "arrival_city_id"),
        ({"depart": "2500-01-01T10:00"}, "depart"),
    ],
)
def test_what_the_journey_form_refuses_is_a_422_naming_the_field(
    client: FlaskClient, trip: Trip, make_token: TokenMaker, changes: dict[str, Any], field: str
) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    response = client.post(_url(trip, "journeys"), json=_journey_body(trip, **changes), headers=bearer(secret))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


def test_travellers_of_another_trip_are_refused(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    body = _journey_body(trip, travellers=[trip.stranger_member_id])
    response = client.post(_url(trip, "journeys"), json=body, headers=bearer(secret))
    assert response.status_code == 422 and "travellers" in response.get_json()["errors"]["json"]


def test_the_booking_reference_is_never_read_or_written(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    url = _url(trip, f"journeys/{trip.journey_id}")
    read = client.get(url, headers=bearer(secret))
    assert read.status_code == 200 and BOOKING not in read.get_data(as_text=True)
    refused = client.patch(url, json={"booking_reference": "XYZ123"}, headers=_headers(secret, read.headers["ETag"]))
    assert refused.status_code == 422  # not a field of the API
    # A replacement and a change keep the booking the API cannot see.
    replaced = client.put(url, json=_journey_body(trip), headers=_headers(secret, read.headers["ETag"]))
    assert replaced.status_code == 200, replaced.get_json()
    changed = client.patch(url, json={"notes": "Gepäck vorab"}, headers=_headers(secret, replaced.headers["ETag"]))
    assert changed.status_code == 200 and BOOKING not in changed.get_data(as_text=True)
    assert _stored(app, Journey, trip.journey_id).booking_reference == BOOKING


def test_journey_if_match_flow(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    url = _url(trip, f"journeys/{trip.journey_id}")
    tag = client.get(url, headers=bearer(secret)).headers["ETag"]
    assert tag == '"1"'
    assert client.patch(url, json={"number": "KE 1"}, headers=_headers(secret)).status_code == 428
    assert client.patch(url, json={"number": "KE 1"}, headers=_headers(secret, 'W/"1"')).status_code == 412

    # Only the arrival's zone changes: its wall time stays 08:55 and is read in Shanghai (UTC+8) now, not Seoul (UTC+9).
    changed = client.patch(url, json={"arrival_timezone": "Asia/Shanghai"}, headers=_headers(secret, tag))
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    arrival = changed.get_json()["arrival"]["at"]
    assert arrival == {"utc": "2024-10-14T00:55:00Z", "zone": "Asia/Shanghai", "local": "2024-10-14T08:55:00"}
    assert changed.get_json()["departure"]["at"]["local"] == "2024-10-13T13:40:00"

    stale = client.put(url, json=_journey_body(trip), headers=_headers(secret, tag))
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert client.delete(url, headers=_headers(secret, tag)).status_code == 412
    assert client.delete(url, headers=_headers(secret)).status_code == 428
    assert _stored(app, Journey, trip.journey_id).deleted_at is None

    replaced = client.put(url, json=_journey_body(trip), headers=_headers(secret, changed.headers["ETag"]))
    assert replaced.status_code == 200
    assert replaced.get_json()["travellers"] == []  # a replacement without travellers has none
    trashed = client.delete(url, headers=_headers(secret, replaced.headers["ETag"]))
    assert trashed.status_code == 204
    assert client.get(url, headers=bearer(secret)).status_code == 404
    assert _stored(app, Journey, trip.journey_id).deleted_at is not None  # in the trash, restorable


# -- members ----------------------------------------------------------------------------------------


def test_adding_a_member(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    body = {"person_id": trip.person_id, "role": "interpreter", "function": "Koreanisch", "language": "en"}
    response = client.post(_url(trip, "members"), json=body, headers=bearer(secret))
    assert response.status_code == 201, response.get_json()
    member = response.get_json()
    assert member["name"] == "Nora Neu" and member["role"] == "interpreter" and member["language"] == "en"
    assert member["sort_order"] == 2  # last, after the two there
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(_url(trip, f"members/{member['id']}"))
    again = client.post(_url(trip, "members"), json=body, headers=bearer(secret))
    assert again.status_code == 422 and "person_id" in again.get_json()["errors"]["json"]  # a person is in a trip once
    missing = client.post(_url(trip, "members"), json={"person_id": 999999}, headers=bearer(secret))
    assert missing.status_code == 422 and "person_id" in missing.get_json()["errors"]["json"]
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(Member.delegation_id == trip.delegation_id))
            == 3
        )


def test_personal_data_is_neither_shown_nor_taken(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    url = _url(trip, f"members/{trip.member_ids[0]}")
    read = client.get(url, headers=bearer(secret))
    assert read.status_code == 200 and PHONE not in read.get_data(as_text=True)
    assert set(read.get_json()) == {"id", "name", "role", "function", "sort_order", "person_id", "language"}
    for field, value in [("phone", "+49 1"), ("passport_number", "C01X00T47"), ("diet", "vegan"), ("health_notes", "x")]:
        response = client.patch(url, json={field: value}, headers=_headers(secret, read.headers["ETag"]))
        assert response.status_code == 422, field
    assert _stored(app, Member, trip.member_ids[0]).version == 1


def test_member_if_match_flow_and_removal(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    url = _url(trip, f"members/{trip.member_ids[0]}")
    tag = client.get(url, headers=bearer(secret)).headers["ETag"]
    assert client.patch(url, json={"role": "leader"}, headers=_headers(secret)).status_code == 428
    changed = client.patch(url, json={"role": "leader", "function": "Delegationsleitung"}, headers=_headers(secret, tag))
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    assert changed.get_json()["role"] == "leader" and changed.get_json()["name"] == "Mia Mitglied"
    assert client.patch(url, json={"role": "staff"}, headers=_headers(secret, tag)).status_code == 412

    person = changed.get_json()["person_id"]
    replaced = client.put(url, json={"person_id": person}, headers=_headers(secret, changed.headers["ETag"]))
    assert replaced.status_code == 200
    # Left out: a new member's defaults; the place in the list stays.
    assert replaced.get_json() | {"id": 0} == {
        "id": 0,
        "name": "Mia Mitglied",
        "role": "member",
        "function": None,
        "sort_order": 0,
        "person_id": person,
        "language": "de",
    }

    assert client.delete(url, headers=_headers(secret, tag)).status_code == 412
    removed = client.delete(url, headers=_headers(secret, replaced.headers["ETag"]))
    assert removed.status_code == 204
    assert client.get(url, headers=bearer(secret)).status_code == 404
    assert _stored(app, Member, trip.member_ids[0]).deleted_at is not None  # in the trash, restorable
    # Off the appointment and the journey they were on, as when removed on the page.
    appointment = client.get(_url(trip, f"appointments/{trip.appointment_id}"), headers=bearer(secret)).get_json()
    assert appointment["attendees"] == [trip.member_ids[1]]
    journey = client.get(_url(trip, f"journeys/{trip.journey_id}"), headers=bearer(secret)).get_json()
    assert journey["travellers"] == []


# -- follow-ups -------------------------------------------------------------------------------------


def test_follow_ups_are_listed_by_due_date_those_without_last(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    with app.app_context():
        db.session.add_all(
            [
                FollowUp(delegation_id=trip.delegation_id, title="Ohne Datum"),
                FollowUp(delegation_id=trip.delegation_id, title="Früher", due_on=date(2024, 10, 25)),
                FollowUp(delegation_id=trip.other_id, title="Fremd", due_on=date(2024, 10, 1)),
            ]
        )
        db.session.commit()
    secret = make_token("viewer@example.org")
    response = client.get(_url(trip, "follow-ups"), headers=bearer(secret))
    assert response.status_code == 200
    assert [f["title"] for f in response.get_json()["items"]] == ["Früher", "Dankesbrief", "Ohne Datum"]
    assert response.get_json()["page"] == {"total": 3, "limit": 50, "offset": 0, "next_offset": None}
    second = client.get(_url(trip, "follow-ups") + "?limit=1&offset=1", headers=bearer(secret)).get_json()
    assert [f["title"] for f in second["items"]] == ["Dankesbrief"] and second["page"]["next_offset"] == 2


def test_a_follow_up_with_its_references(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    body = {
        "title": "Angebot nachfassen",
        "description": "Zwei Seiten",
        "owner_id": trip.person_id,
        "organization_id": trip.organization_id,
        "appointment_id": trip.appointment_id,
        "due_on": "2024-11-15",
        "status": "in_progress",
    }
    response = client.post(_url(trip, "follow-ups"), json=body, headers=bearer(secret))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["owner"] == {"id": trip.person_id, "name": "Nora Neu"}
    assert created["organization"] == {"id": trip.organization_id, "name": "Samsung"}
    assert created["appointment"] == {"id": trip.appointment_id, "title": "Besuch"}
    assert created["due_on"] == "2024-11-15" and created["status"] == "in_progress"
    read = client.get(_url(trip, f"follow-ups/{created['id']}"), headers=bearer(secret))
    assert read.get_json() == created and read.headers["ETag"] == '"1"'
    stored = _stored(app, FollowUp, created["id"])
    assert stored.status == FollowUpStatus.IN_PROGRESS and stored.due_on == date(2024, 11, 15)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"due_on": "2500-01-01"}, "due_on"),
        ({"owner_id": 999999}, "owner_id"),
        ({"organization_id": 999999}, "organization_id"),
        ({"appointment_id": "foreign"}, "appointment_id"),  # another trip's appointment does not exist here
    ],
)
def test_what_the_follow_up_form_refuses_is_a_422_naming_the_field(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker, changes: dict[str, Any], field: str
) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    if changes.get("appointment_id") == "foreign":
        changes = {"appointment_id": trip.other_appointment_id}
    response = client.post(_url(trip, "follow-ups"), json={"title": "Neu", **changes}, headers=bearer(secret))
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]["json"]) == [field]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 1


def test_follow_up_if_match_flow(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    url = _url(trip, f"follow-ups/{trip.follow_up_id}")
    tag = client.get(url, headers=bearer(secret)).headers["ETag"]
    assert client.patch(url, json={"status": "done"}, headers=_headers(secret)).status_code == 428
    done = client.patch(url, json={"status": "done"}, headers=_headers(secret, tag))
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    assert done.get_json()["due_on"] == "2024-11-01"  # kept
    assert client.put(url, json={"title": "Alt"}, headers=_headers(secret, tag)).status_code == 412
    replaced = client.put(url, json={"title": "Ersetzt"}, headers=_headers(secret, done.headers["ETag"]))
    assert replaced.status_code == 200
    assert replaced.get_json()["due_on"] is None and replaced.get_json()["status"] == "open"  # a new one's defaults
    assert client.delete(url, headers=_headers(secret, tag)).status_code == 412
    assert client.delete(url, headers=_headers(secret, replaced.headers["ETag"])).status_code == 204
    assert client.get(url, headers=bearer(secret)).status_code == 404
    assert _stored(app, FollowUp, trip.follow_up_id).deleted_at is not None


# -- the change history -------------------------------------------------------------------------------


def test_the_history_names_the_tokens_owner(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org", TokenScope.WRITE)
    journey = client.post(_url(trip, "journeys"), json=_journey_body(trip), headers=bearer(secret)).get_json()
    member = client.post(_url(trip, "members"), json={"person_id": trip.person_id}, headers=bearer(secret)).get_json()
    follow_up = client.post(_url(trip, "follow-ups"), json={"title": "Neu"}, headers=bearer(secret)).get_json()
    for path in (f"journeys/{trip.journey_id}", f"members/{trip.member_ids[1]}", f"follow-ups/{trip.follow_up_id}"):
        response = client.delete(_url(trip, path), headers=_headers(secret, '"1"'))
        assert response.status_code == 204, path
    with app.app_context():
        planner_id = db.session.scalars(sa.select(User.id).where(User.email == "planner@example.org")).one()
        rows = db.session.execute(
            sa.select(
                ChangeRecord.entity, ChangeRecord.entity_id, ChangeRecord.action, ChangeRecord.user_id, ChangeRecord.user_email
            )
        ).all()
    by_api = {
        ("journeys", journey["id"], "create"),
        ("members", member["id"], "create"),
        ("follow_ups", follow_up["id"], "create"),
        ("journeys", trip.journey_id, "trash"),
        ("members", trip.member_ids[1], "trash"),
        ("follow_ups", trip.follow_up_id, "trash"),
    }
    actors = {(entity, record_id, action): (user_id, email) for entity, record_id, action, user_id, email in rows}
    assert {key: actors.get(key) for key in by_api} == dict.fromkeys(by_api, (planner_id, "planner@example.org"))


def test_control_characters_are_taken_out_as_from_every_form(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    """PostgreSQL refuses NUL: the API takes C0 controls out of texts as the request does for form fields."""
    secret = make_token("planner@example.org", TokenScope.WRITE)
    created = client.post(
        _url(trip, "follow-ups"), json={"title": "Dank\x00brief\x07", "description": "a\x00b"}, headers=bearer(secret)
    )
    assert created.status_code == 201
    stored = _stored(app, FollowUp, created.get_json()["id"])
    assert (stored.title, stored.description) == ("Dankbrief", "ab")
    only_controls = client.post(
        _url(trip, "journeys"), json=_journey_body(trip, departure_place="\x00\x01"), headers=bearer(secret)
    )
    assert only_controls.status_code == 422 and list(only_controls.get_json()["errors"]["json"]) == ["departure_place"]


def test_the_follow_up_list_costs_the_same_for_one_and_for_many(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("viewer@example.org")
    client.get(_url(trip, "follow-ups"), headers=bearer(secret))  # the token's first use notes the time once
    counts = []
    for more in (0, 8):
        with app.app_context():
            for number in range(more):
                owner = Person(given_name="Olga", family_name=f"Owner {number}")
                organization = Organization(name=f"Firma {number}", kind=OrganizationKind.COMPANY)
                db.session.add(
                    FollowUp(
                        delegation_id=trip.delegation_id,
                        title=f"Aufgabe {number}",
                        owner=owner,
                        organization=organization,
                        appointment_id=trip.appointment_id,
                    )
                )
            db.session.commit()
        with counted(app) as statements:
            response = client.get(_url(trip, "follow-ups"), headers=bearer(secret))
        assert response.status_code == 200 and len(response.get_json()["items"]) == 1 + more
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{counts[0]} queries for one follow-up, {counts[1]} for nine"
