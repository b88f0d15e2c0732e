"""The directory through the API: organizations, people, cities and partnerships, per role and scope.

Every account reads the directory, as every account reads its pages; what a
profile tells of trips keeps to the owner's teams; no answer carries an e-mail
address, a phone number or personal travel data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import (
    Member,
    Organization,
    OrganizationKind,
    Partnership,
    Person,
    PersonSide,
    TokenScope,
    TravelProfile,
    UserRole,
)
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import join_team, make_appointment, make_city, make_delegation, make_user

PERSON_EMAIL = "hong.gildong@mark-person.example"
PERSON_PHONE = "+82 2 MARK-PERSON-PHONE"
ORG_EMAIL = "info@mark-org.example"
ORG_PHONE = "+82 2 MARK-ORG-PHONE"
PASSPORT = "MARK-PASSPORT-M1234567"
DIET = "MARK-DIET-NO-PEANUTS"
TEAM_TRIP = "Reise mit Team"
FOREIGN_TRIP = "Fremde Reise"


@dataclass(frozen=True)
class Directory:
    organization_id: int
    person_id: int
    city_id: int
    partnership_id: int
    team_appointment_id: int
    foreign_appointment_id: int


@pytest.fixture
def directory(app: Flask, outside_teams: None) -> Directory:
    """A host organization with a contact person who is on two trips: one with a team, one with none of ours."""
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        planner = make_user(UserRole.PLANNER, "planner@example.org")
        viewer = make_user(UserRole.VIEWER, "viewer@example.org")
        make_user(UserRole.PLANNER, "outsider@example.org")
        home = make_city()
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        seoul.native_name, seoul.latitude, seoul.longitude = "서울", 37.5665, 126.978
        team_trip = make_delegation(home=home, title=TEAM_TRIP)
        foreign_trip = make_delegation(home=home, title=FOREIGN_TRIP)
        join_team(planner, team_trip)
        join_team(viewer, team_trip)
        city_hall = Organization(
            name="Seoul Metropolitan Government",
            native_name="서울특별시",
            kind=OrganizationKind.GOVERNMENT_BODY,
            city=seoul,
            address="110 Sejong-daero",
            phone=ORG_PHONE,
            email=ORG_EMAIL,
            website="https://english.seoul.go.kr",
        )
        company = Organization(name="Acme Korea", kind=OrganizationKind.COMPANY, city=seoul)
        hong = Person(
            given_name="Gildong",
            family_name="Hong",
            family_name_first=True,
            native_name="홍길동",
            title="Dr.",
            function="Bürgermeister",
            side=PersonSide.HOST,
            organization=city_hall,
            email=PERSON_EMAIL,
            phone=PERSON_PHONE,
            languages="ko, en",
        )
        db.session.add_all([city_hall, company, hong])
        db.session.flush()
        db.session.add(
            TravelProfile(person=hong, passport_number=PASSPORT, dietary_notes=DIET, mobile_phone=PERSON_PHONE + "-TRIP")
        )
        db.session.add_all([Member(delegation=team_trip, person=hong), Member(delegation=foreign_trip, person=hong)])
        team_appointment = make_appointment(
            team_trip,
            datetime(2024, 10, 15, 9, 30),
            title="Empfang im Rathaus",
            city=seoul,
            organization=city_hall,
            contact_person=hong,
        )
        foreign_appointment = make_appointment(
            foreign_trip,
            datetime(2024, 10, 16, 9, 30),
            title="MARK-FOREIGN-VISIT",
            city=seoul,
            organization=city_hall,
            contact_person=hong,
        )
        partnership = Partnership(home_city=home, partner_city=seoul, since=date(2004, 7, 22), notes="Seit 2004")
        db.session.add(partnership)
        db.session.commit()
        return Directory(city_hall.id, hong.id, seoul.id, partnership.id, team_appointment.id, foreign_appointment.id)


def _get(client: FlaskClient, secret: str, path: str) -> dict:
    response = client.get(f"/api/v1{path}", headers=bearer(secret))
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    return response.get_json()


def _paths(d: Directory) -> list[str]:
    return [
        "/organizations",
        f"/organizations/{d.organization_id}",
        "/people",
        f"/people/{d.person_id}",
        "/cities",
        f"/cities/{d.city_id}",
        "/partnerships",
        f"/partnerships/{d.partnership_id}",
    ]


ROLE_SCOPES = [
    ("admin@example.org", TokenScope.READ),
    ("admin@example.org", TokenScope.WRITE),
    ("planner@example.org", TokenScope.READ),
    ("planner@example.org", TokenScope.WRITE),
    ("viewer@example.org", TokenScope.READ),
    ("outsider@example.org", TokenScope.READ),
    ("outsider@example.org", TokenScope.WRITE),
]


@pytest.mark.parametrize(("email", "scope"), ROLE_SCOPES)
def test_every_account_reads_the_directory_and_its_profiles_keep_to_its_trips(
    client: FlaskClient, directory: Directory, make_token: TokenMaker, email: str, scope: TokenScope
) -> None:
    secret = make_token(email, scope)
    for path in _paths(directory):
        _get(client, secret, path)
    # What a profile tells of trips: the admin's all, a team member's their team's, an outsider's none.
    trips = {
        "admin@example.org": {TEAM_TRIP, FOREIGN_TRIP},
        "outsider@example.org": set(),
    }.get(email, {TEAM_TRIP})
    person = _get(client, secret, f"/people/{directory.person_id}")
    assert {m["delegation_title"] for m in person["memberships"]} == trips
    expected_ids = {
        directory.team_appointment_id: TEAM_TRIP in trips,
        directory.foreign_appointment_id: FOREIGN_TRIP in trips,
    }
    seen = {a["id"] for a in person["contact_for"]}
    assert seen == {i for i, shown in expected_ids.items() if shown}
    organization = _get(client, secret, f"/organizations/{directory.organization_id}")
    assert {a["id"] for a in organization["appointments"]} == seen


def test_the_directory_needs_a_token(client: FlaskClient, directory: Directory) -> None:
    for path in _paths(directory):
        response = client.get(f"/api/v1{path}")
        assert response.status_code == 401 and response.mimetype == "application/problem+json", path


def test_no_answer_carries_contact_or_personal_travel_data(
    client: FlaskClient, directory: Directory, make_token: TokenMaker
) -> None:
    secret = make_token("admin@example.org")
    text = ""
    for path in _paths(directory):
        response = client.get(f"/api/v1{path}", headers=bearer(secret))
        text += response.get_data(as_text=True)
    for marker in (PERSON_EMAIL, PERSON_PHONE, ORG_EMAIL, ORG_PHONE, PASSPORT, DIET, "MARK-"):
        assert marker not in text.replace("MARK-FOREIGN-VISIT", ""), marker
    assert "@" not in text.replace("MARK-FOREIGN-VISIT", "")


def test_the_records_say_what_the_pages_say(client: FlaskClient, directory: Directory, make_token: TokenMaker) -> None:
    secret = make_token("viewer@example.org")
    person = _get(client, secret, f"/people/{directory.person_id}")
    assert person["name"] == "Dr. Hong Gildong"  # family name first, as written in Korean
    assert (person["native_name"], person["side"], person["languages"]) == ("홍길동", "host", "ko, en")
    assert person["organization"] == {"id": directory.organization_id, "name": "Seoul Metropolitan Government"}
    assert person["contact_for"][0]["start"] == {
        "utc": "2024-10-15T00:30:00Z",
        "zone": "Asia/Seoul",
        "local": "2024-10-15T09:30:00",
    }
    organization = _get(client, secret, f"/organizations/{directory.organization_id}")
    assert organization["people"] == [{"id": directory.person_id, "name": "Dr. Hong Gildong", "function": "Bürgermeister"}]
    assert organization["city"]["name"] == "Seoul" and organization["website"] == "https://english.seoul.go.kr"
    assert "phone" not in organization and "email" not in organization
    city = _get(client, secret, f"/cities/{directory.city_id}")
    assert (city["native_name"], city["timezone"], city["country"]) == ("서울", "Asia/Seoul", "KR")
    assert (city["latitude"], city["longitude"]) == (37.5665, 126.978)
    assert city["partnerships"] == [directory.partnership_id]
    assert {o["name"] for o in city["organizations"]} == {"Seoul Metropolitan Government", "Acme Korea"}
    partnership = _get(client, secret, f"/partnerships/{directory.partnership_id}")
    assert (partnership["since"], partnership["home_city"]["name"], partnership["partner_city"]["name"]) == (
        "2004-07-22",
        "Düsseldorf",
        "Seoul",
    )


def test_lists_page_in_the_directorys_order_and_filter_by_kind(client: FlaskClient, directory: Directory, make_token) -> None:
    secret = make_token("planner@example.org")
    whole = _get(client, secret, "/organizations")
    assert [o["name"] for o in whole["items"]] == ["Acme Korea", "Seoul Metropolitan Government"]
    assert whole["page"] == {"total": 2, "limit": 50, "offset": 0, "next_offset": None}
    second = _get(client, secret, "/organizations?limit=1&offset=1")
    assert [o["name"] for o in second["items"]] == ["Seoul Metropolitan Government"] and second["page"]["next_offset"] is None
    first = _get(client, secret, "/organizations?limit=1")
    assert first["page"]["next_offset"] == 1
    companies = _get(client, secret, "/organizations?kind=company")
    assert [o["name"] for o in companies["items"]] == ["Acme Korea"]
    assert [c["name"] for c in _get(client, secret, "/cities")["items"]] == ["Düsseldorf", "Seoul"]
    assert _get(client, secret, "/people")["page"]["total"] == 1


@pytest.mark.parametrize("path", ["/organizations/999", "/people/999", "/cities/999", "/partnerships/999"])
def test_an_unknown_record_is_a_404_problem(client: FlaskClient, directory: Directory, make_token: TokenMaker, path: str) -> None:
    response = client.get(f"/api/v1{path}", headers=bearer(make_token("planner@example.org")))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", ["kind=castle", "limit=0", "offset=-1"])
def test_bad_parameters_are_422_problems(client: FlaskClient, directory: Directory, make_token: TokenMaker, query: str) -> None:
    response = client.get(f"/api/v1/organizations?{query}", headers=bearer(make_token("planner@example.org")))
    assert response.status_code == 422 and query.split("=")[0] in response.get_json()["errors"]["query"]
