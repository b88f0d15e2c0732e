"""The programme as CSV and its places as KML: from the API and from the trip's pages, per role, scope and audience.

The CSV is read back with Python's csv module in both locales, the KML with an
XML parser; expected times are worked out here with zoneinfo from the wall times
the fixture typed, and the planted markers must be where each audience may read
them and nowhere else.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import ItemStatus, Journey, Member, MemberRole, Person, TokenScope, UserRole, Visibility
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import csrf_token, join_team, login, make_appointment, make_city, make_delegation, make_user

NOTES = "MARK-TEAM-NOTES"
TALKING = "MARK-TALKING-POINTS"
INTERNAL_TITLE = "MARK-INTERNAL-TITLE"
BOOKING = "MARK-BOOKING"
SCRIPT_TITLE = '<script>alert("x")</script> & Empfang'
FORMULA_TITLE = '=HYPERLINK("https://evil.example","klick")'
KML = "{http://www.opengis.net/kml/2.2}"
SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class Trip:
    delegation_id: int
    other_id: int
    member_id: int
    other_member_id: int


@pytest.fixture
def trip(app: Flask, outside_teams: None) -> Trip:
    """A trip with a team (planner, viewer) and appointments planting every marker; a second trip nobody is on."""
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        planner = make_user(UserRole.PLANNER, "planner@example.org")
        viewer = make_user(UserRole.VIEWER, "viewer@example.org")
        make_user(UserRole.PLANNER, "outsider@example.org")
        delegation = make_delegation(title="Reise nach Seoul")
        other = make_delegation(home=delegation.home_city, title="Fremde Reise")
        join_team(planner, delegation)
        join_team(viewer, delegation)
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        seoul.latitude, seoul.longitude = 37.5665, 126.978
        mia = Member(delegation=delegation, person=Person(given_name="Mia", family_name="Mitglied"), role=MemberRole.MEMBER)
        kai = Member(delegation=delegation, person=Person(given_name="Kai", family_name="Kollege"), role=MemberRole.MEMBER)
        stranger = Member(delegation=other, person=Person(given_name="Sam", family_name="Fremd"))
        db.session.add_all([mia, kai, stranger])
        db.session.flush()
        visit = make_appointment(
            delegation,
            datetime(2024, 10, 15, 9, 30),
            90,
            title=SCRIPT_TITLE,
            city=seoul,
            venue="Rathaus Seoul",
            address="110 Sejong-daero, Jung-gu",
            latitude=37.5663,
            longitude=126.9779,
            notes=NOTES,
            talking_points=TALKING,
            status=ItemStatus.CONFIRMED,
        )
        visit.attendees = [mia, kai]
        # No coordinates of its own: the map places it at its city.
        formula = make_appointment(delegation, datetime(2024, 10, 15, 14, 0), title=FORMULA_TITLE, city=seoul)
        formula.attendees = [mia]
        internal = make_appointment(
            delegation, datetime(2024, 10, 16, 8, 0), title=INTERNAL_TITLE, city=seoul, visibility=Visibility.INTERNAL
        )
        internal.attendees = [mia, kai]
        only_kai = make_appointment(
            delegation, datetime(2024, 10, 16, 12, 0), title="Nur Kai", city=seoul, latitude=37.5, longitude=127.0
        )
        only_kai.attendees = [kai]
        cancelled = make_appointment(
            delegation,
            datetime(2024, 10, 17, 10, 0),
            title="Abgesagter Besuch",
            city=seoul,
            status=ItemStatus.CANCELLED,
            latitude=37.4,
            longitude=127.1,
        )
        cancelled.attendees = [mia, kai]
        depart = datetime(2024, 10, 17, 12, 0, tzinfo=SEOUL).astimezone(UTC)
        journey = Journey(
            delegation=delegation,
            departure_place="Incheon (ICN)",
            depart_at=depart,
            departure_timezone="Asia/Seoul",
            arrival_place="Chongqing (CKG)",
            arrive_at=depart + timedelta(hours=4),
            arrival_timezone="Asia/Shanghai",
            carrier="Asiana",
            number="OZ 323",
            booking_reference=BOOKING,
            notes=NOTES,
        )
        journey.travellers = [mia]
        db.session.add(journey)
        db.session.commit()
        return Trip(delegation.id, other.id, mia.id, stranger.id)


def _csv(response, delimiter: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and response.mimetype_params.get("charset") == "utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads UTF-8"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def _kml(response) -> ET.Element:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/vnd.google-earth.kml+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{KML}kml"
    return root


def _placemarks(root: ET.Element) -> dict[str, ET.Element]:
    return {mark.findtext(f"{KML}name"): mark for mark in root.iter(f"{KML}Placemark")}  # type: ignore[misc]


# -- who may download -----------------------------------------------------------------------------------------

PATHS = ("/programme.csv", "/places.kml")


# Every role with each scope it can have (a viewer makes read tokens only: tests/api/test_tokens.py).
ROLE_SCOPES = [
    ("admin@example.org", TokenScope.READ, True),
    ("admin@example.org", TokenScope.WRITE, True),
    ("planner@example.org", TokenScope.READ, True),
    ("planner@example.org", TokenScope.WRITE, True),
    ("viewer@example.org", TokenScope.READ, True),
    ("outsider@example.org", TokenScope.READ, False),
    ("outsider@example.org", TokenScope.WRITE, False),
]


@pytest.mark.parametrize(("email", "scope", "sees"), ROLE_SCOPES)
def test_the_api_files_follow_the_team_for_every_role_and_scope(
    client: FlaskClient, trip: Trip, make_token: TokenMaker, email: str, scope: TokenScope, sees: bool
) -> None:
    secret = make_token(email, scope)
    for path in PATHS:
        for query in ("", f"?member={trip.member_id}"):
            response = client.get(f"/api/v1/delegations/{trip.delegation_id}{path}{query}", headers=bearer(secret))
            assert response.status_code == (200 if sees else 404), (email, path, query)
            if not sees:
                assert response.mimetype == "application/problem+json"
        # The trip outside every team: for the admin it exists; for everyone else it does not.
        response = client.get(f"/api/v1/delegations/{trip.other_id}{path}", headers=bearer(secret))
        assert response.status_code == (200 if email == "admin@example.org" else 404)


def test_the_api_files_need_a_token(client: FlaskClient, trip: Trip) -> None:
    for path in PATHS:
        response = client.get(f"/api/v1/delegations/{trip.delegation_id}{path}")
        assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_a_member_of_another_trip_or_a_bad_parameter_is_refused(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org")
    for path in PATHS:
        foreign = client.get(
            f"/api/v1/delegations/{trip.delegation_id}{path}?member={trip.other_member_id}", headers=bearer(secret)
        )
        assert foreign.status_code == 404 and foreign.mimetype == "application/problem+json"
        for query in ("member=0", "member=abc", "lang=fr"):
            bad = client.get(f"/api/v1/delegations/{trip.delegation_id}{path}?{query}", headers=bearer(secret))
            assert bad.status_code == 422 and query.split("=")[0] in bad.get_json()["errors"]["query"]


@pytest.mark.parametrize(
    ("email", "status"),
    [("viewer@example.org", 200), ("planner@example.org", 200), ("admin@example.org", 200), ("outsider@example.org", 404)],
)
def test_the_pages_downloads_follow_the_team(app: Flask, trip: Trip, email: str, status: int) -> None:
    client = app.test_client()
    login(client, email, teams=False)
    base = f"/delegations/{trip.delegation_id}"
    for path in (*PATHS, *(f"/members/{trip.member_id}{p}" for p in PATHS)):
        assert client.get(base + path).status_code == status, path
    assert client.get(f"{base}/members/{trip.other_member_id}/programme.csv").status_code == 404


def test_the_trip_page_and_the_member_page_link_their_files(app: Flask, trip: Trip) -> None:
    client = app.test_client()
    login(client, "viewer@example.org", teams=False)
    base = f"/delegations/{trip.delegation_id}"
    page = client.get(base).get_data(as_text=True)
    assert f'href="{base}/programme.csv"' in page and f'href="{base}/places.kml"' in page
    member_page = client.get(f"{base}/members/{trip.member_id}").get_data(as_text=True)
    assert f'href="{base}/members/{trip.member_id}/programme.csv"' in member_page
    assert f'href="{base}/members/{trip.member_id}/places.kml"' in member_page


# -- what the CSV says ------------------------------------------------------------------------------------------


def test_the_teams_csv_in_german_reads_back_with_times_three_ways(
    client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("viewer@example.org")
    rows = _csv(client.get(f"/api/v1/delegations/{trip.delegation_id}/programme.csv", headers=bearer(secret)), ";")
    assert list(rows[0]) == [
        "Tag",
        "Beginn (Ortszeit)",
        "Ende (Ortszeit)",
        "Zeitzone Beginn",
        "Zeitzone Ende",
        "Beginn (UTC)",
        "Ende (UTC)",
        "Art",
        "Titel",
        "Ort",
        "Adresse",
        "Status",
        "Teilnehmende",
        "Interne Hinweise",
    ]
    titles = [row["Titel"] for row in rows]
    # By start: the journey (12:00 Seoul on the 17th) after the cancelled visit (10:00 that day).
    assert titles == [
        SCRIPT_TITLE,
        "'" + FORMULA_TITLE,
        INTERNAL_TITLE,
        "Nur Kai",
        "Abgesagter Besuch",
        "Incheon (ICN) → Chongqing (CKG) (Asiana OZ 323)",
    ]
    visit = rows[0]
    start = datetime(2024, 10, 15, 9, 30, tzinfo=SEOUL)
    assert (visit["Tag"], visit["Beginn (Ortszeit)"], visit["Ende (Ortszeit)"]) == (
        "2024-10-15",
        "2024-10-15 09:30",
        "2024-10-15 11:00",
    )
    assert visit["Zeitzone Beginn"] == visit["Zeitzone Ende"] == "Asia/Seoul"
    assert visit["Beginn (UTC)"] == start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") == "2024-10-15T00:30:00Z"
    assert visit["Ende (UTC)"] == "2024-10-15T02:00:00Z"
    assert (visit["Ort"], visit["Adresse"], visit["Status"]) == ("Rathaus Seoul", "110 Sejong-daero, Jung-gu", "Bestätigt")
    assert visit["Teilnehmende"] == "Mia Mitglied, Kai Kollege"
    assert visit["Interne Hinweise"] == NOTES
    journey = rows[-1]
    assert (journey["Zeitzone Beginn"], journey["Zeitzone Ende"]) == ("Asia/Seoul", "Asia/Shanghai")
    assert (journey["Beginn (Ortszeit)"], journey["Ende (Ortszeit)"]) == ("2024-10-17 12:00", "2024-10-17 15:00")
    assert (journey["Beginn (UTC)"], journey["Ende (UTC)"]) == ("2024-10-17T03:00:00Z", "2024-10-17T07:00:00Z")
    assert journey["Ort"] == "Incheon (ICN) → Chongqing (CKG)" and journey["Interne Hinweise"] == NOTES
    text = "".join(",".join(row.values()) for row in rows)
    assert TALKING not in text and BOOKING not in text


def test_a_members_csv_has_their_items_without_internal_ones_notes_or_talking_points(
    client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("planner@example.org")
    response = client.get(
        f"/api/v1/delegations/{trip.delegation_id}/programme.csv?member={trip.member_id}", headers=bearer(secret)
    )
    rows = _csv(response, ";")
    assert "Interne Hinweise" not in rows[0]
    assert [row["Titel"] for row in rows] == [
        SCRIPT_TITLE,
        "'" + FORMULA_TITLE,
        "Abgesagter Besuch",
        "Incheon (ICN) → Chongqing (CKG) (Asiana OZ 323)",
    ]
    body = response.data.decode("utf-8-sig")
    for marker in (NOTES, TALKING, INTERNAL_TITLE, BOOKING, "Nur Kai"):
        assert marker not in body, marker
    assert "attachment" in response.headers["Content-Disposition"] and "mia-mitglied" in response.headers["Content-Disposition"]


def test_the_english_csv_is_comma_separated_and_reads_back(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org")
    response = client.get(f"/api/v1/delegations/{trip.delegation_id}/programme.csv?lang=en", headers=bearer(secret))
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=","))
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert len(lines) == 7 and all(len(line) == 14 for line in lines)
    # Headings in English (of the new ones, those already in the catalogue).
    assert (lines[0][0], lines[0][1], lines[0][8], lines[0][12]) == ("Day", "Start (local time)", "Title", "Participants")
    assert lines[1][:7] == [
        "2024-10-15",
        "2024-10-15 09:30",
        "2024-10-15 11:00",
        "Asia/Seoul",
        "Asia/Seoul",
        "2024-10-15T00:30:00Z",
        "2024-10-15T02:00:00Z",
    ]
    assert lines[2][8] == "'" + FORMULA_TITLE  # the comma inside is quoted, the formula guarded


def test_the_pages_csv_follows_the_readers_language(app: Flask, trip: Trip) -> None:
    client = app.test_client()
    login(client, "viewer@example.org", teams=False)
    url = f"/delegations/{trip.delegation_id}/programme.csv"
    german = _csv(client.get(url), ";")
    assert german[0]["Titel"] == SCRIPT_TITLE and german[0]["Interne Hinweise"] == NOTES
    client.post("/language", data={"csrf_token": csrf_token(client, "/"), "locale": "en", "next": "/"})
    english = list(csv.reader(io.StringIO(client.get(url).data.decode("utf-8-sig"), newline=""), delimiter=","))
    assert english[1][8] == SCRIPT_TITLE and len(english[1]) == 14
    member = _csv(client.get(f"/delegations/{trip.delegation_id}/members/{trip.member_id}/programme.csv"), ",")
    assert len(member) == 4 and NOTES not in str(member)


# -- what the KML says ------------------------------------------------------------------------------------------


def test_the_kml_parses_with_escaped_text_and_the_places_of_the_team(
    client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("planner@example.org")
    response = client.get(f"/api/v1/delegations/{trip.delegation_id}/places.kml", headers=bearer(secret))
    root = _kml(response)
    assert b"<script>" not in response.data and b"&lt;script&gt;" in response.data
    marks = _placemarks(root)
    # The cancelled visit is not on the map; the internal item is, for the team.
    assert set(marks) == {SCRIPT_TITLE, FORMULA_TITLE, INTERNAL_TITLE, "Nur Kai"}
    visit = marks[SCRIPT_TITLE]
    assert visit.findtext(f"{KML}Point/{KML}coordinates") == "126.977900,37.566300"  # longitude first
    assert visit.findtext(f"{KML}TimeSpan/{KML}begin") == "2024-10-15T00:30:00Z"
    assert visit.findtext(f"{KML}TimeSpan/{KML}end") == "2024-10-15T02:00:00Z"
    description = visit.findtext(f"{KML}description") or ""
    assert "09:30–11:00 (Ortszeit Seoul)" in description and "Rathaus Seoul, 110 Sejong-daero" in description
    # Without coordinates of its own, at its city's.
    assert marks[FORMULA_TITLE].findtext(f"{KML}Point/{KML}coordinates") == "126.978000,37.566500"
    text = response.data.decode()
    for marker in (NOTES, TALKING, BOOKING):
        assert marker not in text, marker


def test_a_members_kml_shows_only_their_places(app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org")
    response = client.get(f"/api/v1/delegations/{trip.delegation_id}/places.kml?member={trip.member_id}", headers=bearer(secret))
    assert set(_placemarks(_kml(response))) == {SCRIPT_TITLE, FORMULA_TITLE}
    web = app.test_client()
    login(web, "viewer@example.org", teams=False)
    page = web.get(f"/delegations/{trip.delegation_id}/members/{trip.member_id}/places.kml")
    assert set(_placemarks(_kml(page))) == {SCRIPT_TITLE, FORMULA_TITLE}
    assert INTERNAL_TITLE.encode() not in page.data


def test_a_control_character_in_old_data_still_gives_well_formed_xml(
    app: Flask, client: FlaskClient, trip: Trip, make_token
) -> None:
    with app.app_context():
        # Written past the model's rules, as an old database might hold it.
        update = db.text("UPDATE appointments SET venue = :venue WHERE title = 'Nur Kai'")
        db.session.execute(update, {"venue": "Halle\x0b B\uffff"})
        db.session.commit()
    secret = make_token("planner@example.org")
    marks = _placemarks(_kml(client.get(f"/api/v1/delegations/{trip.delegation_id}/places.kml", headers=bearer(secret))))
    assert "Halle B" in (marks["Nur Kai"].findtext(f"{KML}description") or "")
