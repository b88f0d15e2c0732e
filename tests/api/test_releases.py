"""A trip's released versions and their changes through the API, per role, scope and reader.

The versions are made through the release operations, the draft edited through
the programme's operations between them, each committed as a page does. The
expected sentences are written out by hand.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import Delegation, Member, MemberRole, Person, Release, TokenScope, User, UserRole, Visibility
from planner.program import operations
from planner.program.inputs import AppointmentInput
from planner.releases.inputs import ApprovalInput, PrepareInput, WithdrawalInput
from planner.releases.operations import approve_release, prepare_release, withdraw_release
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import join_team, make_appointment, make_city, make_delegation, make_user

RECEPTION = "Empfang im Rathaus"
VISIT = "Werksbesuch"
INTERNAL_TITLE = "MARK-INTERNAL-TITLE"
NOTES = "MARK-TEAM-NOTES"
TALKING = "MARK-TALKING-POINTS"


@dataclass(frozen=True)
class Trip:
    delegation_id: int
    mia_id: int
    kai_id: int
    reception_id: int
    visit_id: int
    stranger_member_id: int


def _user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def _live(delegation_id: int) -> Delegation:
    db.session.expire_all()
    found = delegation_with_programme(delegation_id)
    assert found is not None
    return found


def _edit(delegation_id: int, appointment_id: int, **changes: object) -> None:
    trip = _live(delegation_id)
    appointment = next(a for a in trip.appointments if a.id == appointment_id)
    operations.save_appointment(trip, dataclasses.replace(AppointmentInput.of(appointment), **changes), appointment)
    db.session.commit()


def _release(delegation_id: int, approver: str | None) -> Release:
    release = prepare_release(_live(delegation_id), PrepareInput(note="Stand nach Abstimmung"), _user("planner@example.org"))
    db.session.commit()
    if approver is not None:
        approve_release(release, ApprovalInput(version=release.version), _user(approver))
        db.session.commit()
    return release


@pytest.fixture
def trip(app: Flask, outside_teams: None) -> Trip:
    """Version 1; the reception moved, the visit's notes and talking points changed and an internal item added: version 2
    (approved by the admin); the reception renamed: version 3 withdrawn, version 4 waiting for approval."""
    with app.test_request_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        planner = make_user(UserRole.PLANNER, "planner@example.org")
        approver = make_user(UserRole.VIEWER, "approver@example.org")  # the mayor's office: reads, approves
        make_user(UserRole.PLANNER, "outsider@example.org")
        delegation = make_delegation(title="Reise nach Seoul")
        other = make_delegation(home=delegation.home_city, title="Fremde Reise")
        join_team(planner, delegation)
        join_team(approver, delegation, may_approve=True)
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        mia = Member(delegation=delegation, person=Person(given_name="Mia", family_name="Mitglied"), role=MemberRole.MEMBER)
        kai = Member(delegation=delegation, person=Person(given_name="Kai", family_name="Kollege"), role=MemberRole.MEMBER)
        stranger = Member(delegation=other, person=Person(given_name="Sam", family_name="Fremd"))
        db.session.add_all([mia, kai, stranger])
        db.session.flush()
        reception = make_appointment(delegation, datetime(2024, 10, 15, 18, 0), title=RECEPTION, city=seoul)
        reception.visibility = Visibility.PUBLIC
        reception.attendees = [mia]
        visit = make_appointment(delegation, datetime(2024, 10, 16, 10, 0), title=VISIT, city=seoul)
        visit.attendees = [kai]
        db.session.commit()
        ids = Trip(delegation.id, mia.id, kai.id, reception.id, visit.id, stranger.id)

        _release(ids.delegation_id, "approver@example.org")
        moved = datetime(2024, 10, 15, 19, 30, tzinfo=ZoneInfo("Asia/Seoul")).astimezone(UTC)
        _edit(ids.delegation_id, ids.reception_id, start_at=moved, end_at=moved + timedelta(hours=1))
        _edit(ids.delegation_id, ids.visit_id, notes=NOTES, talking_points=TALKING)
        live = _live(ids.delegation_id)
        internal = make_appointment(
            live, datetime(2024, 10, 16, 8, 0), title=INTERNAL_TITLE, city=seoul, visibility=Visibility.INTERNAL
        )
        internal.attendees = [m for m in live.members if m.id == ids.mia_id]
        db.session.commit()
        _release(ids.delegation_id, "admin@example.org")
        _edit(ids.delegation_id, ids.reception_id, title="Empfang der Stadt Seoul")
        withdrawn = _release(ids.delegation_id, None)
        withdraw_release(withdrawn, WithdrawalInput(version=withdrawn.version), _user("planner@example.org"))
        db.session.commit()
        _release(ids.delegation_id, None)
        return ids


def _get(client: FlaskClient, secret: str, path: str, status: int = 200) -> dict:
    response = client.get(f"/api/v1/delegations{path}", headers=bearer(secret))
    assert response.status_code == status, (path, response.get_data(as_text=True))
    return response.get_json()


ROLE_SCOPES = [
    ("admin@example.org", TokenScope.READ, True),
    ("admin@example.org", TokenScope.WRITE, True),
    ("planner@example.org", TokenScope.READ, True),
    ("planner@example.org", TokenScope.WRITE, True),
    ("approver@example.org", TokenScope.READ, True),
    ("outsider@example.org", TokenScope.READ, False),
    ("outsider@example.org", TokenScope.WRITE, False),
]


@pytest.mark.parametrize(("email", "scope", "sees"), ROLE_SCOPES)
def test_the_releases_follow_the_team_for_every_role_and_scope(
    client: FlaskClient, trip: Trip, make_token: TokenMaker, email: str, scope: TokenScope, sees: bool
) -> None:
    secret = make_token(email, scope)
    for path in ("/releases", "/releases/2/changes", f"/releases/2/changes?member={trip.mia_id}", "/releases/1/changes"):
        response = client.get(f"/api/v1/delegations/{trip.delegation_id}{path}", headers=bearer(secret))
        assert response.status_code == (200 if sees else 404), (email, path)
        assert response.mimetype == ("application/json" if sees else "application/problem+json")


def test_the_releases_need_a_token(client: FlaskClient, trip: Trip) -> None:
    for path in ("/releases", "/releases/2/changes"):
        response = client.get(f"/api/v1/delegations/{trip.delegation_id}{path}")
        assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_the_list_names_every_version_and_its_steps_without_an_address(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("approver@example.org")
    response = client.get(f"/api/v1/delegations/{trip.delegation_id}/releases", headers=bearer(secret))
    body = response.get_json()
    assert [(r["number"], r["state"]) for r in body["items"]] == [
        (4, "prepared"),
        (3, "withdrawn"),
        (2, "approved"),
        (1, "approved"),
    ]
    assert body["page"] == {"total": 4, "limit": 50, "offset": 0, "next_offset": None}
    by_number = {r["number"]: r for r in body["items"]}
    assert by_number[1]["approved"]["by"] == "approver" and by_number[2]["approved"]["by"] == "admin"
    assert by_number[3]["withdrawn"]["by"] == "planner" and by_number[3]["approved"] is None
    assert by_number[4]["prepared"]["by"] == "planner" and by_number[4]["note"] == "Stand nach Abstimmung"
    assert "@" not in response.get_data(as_text=True), "no e-mail address in the answer"
    with app.app_context():
        approved_at = db.session.scalar(
            sa.select(Release.approved_at).where(Release.delegation_id == trip.delegation_id, Release.number == 2)
        )
    at = by_number[2]["approved"]["at"]
    assert at["zone"] == "Europe/Berlin"  # the trip's home, where the pages show it
    assert datetime.fromisoformat(at["utc"].replace("Z", "+00:00")) == approved_at and at["utc"].endswith("Z")
    wall = datetime.fromisoformat(at["local"]).replace(tzinfo=ZoneInfo("Europe/Berlin"))
    assert wall.astimezone(UTC) == approved_at
    second = _get(client, secret, f"/{trip.delegation_id}/releases?limit=2&offset=2")
    assert [r["number"] for r in second["items"]] == [2, 1] and second["page"]["next_offset"] is None


def test_the_team_reads_every_change_of_version_2(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    body = _get(client, make_token("planner@example.org"), f"/{trip.delegation_id}/releases/2/changes")
    assert (body["release"]["number"], body["previous"], body["audience"], body["member"]) == (2, 1, "team", None)
    assert [c["text"] for c in body["changes"]] == [
        f"Di., 15. Okt.: {RECEPTION} verschoben von 18:00 auf 19:30 (Ortszeit Seoul)",
        f"Neu: {INTERNAL_TITLE}, Mi., 16. Okt., 08:00 (Ortszeit Seoul)",
        f"Mi., 16. Okt.: {VISIT} – interne Hinweise geändert",
    ]
    moved = body["changes"][0]
    assert (moved["kind"], moved["item"], moved["item_id"]) == ("moved", "appointment", trip.reception_id)
    assert moved["at"] == {"utc": "2024-10-15T10:30:00Z", "zone": "Asia/Seoul", "local": "2024-10-15T19:30:00"}
    assert body["changes"][2]["kind"] == "team_only"


def test_a_member_reads_only_their_own_changes(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org")
    response = client.get(
        f"/api/v1/delegations/{trip.delegation_id}/releases/2/changes?member={trip.mia_id}", headers=bearer(secret)
    )
    body = response.get_json()
    assert (body["audience"], body["member"]) == ("member", trip.mia_id)
    assert [c["text"] for c in body["changes"]] == [f"Di., 15. Okt.: {RECEPTION} verschoben von 18:00 auf 19:30 (Ortszeit Seoul)"]
    text = response.get_data(as_text=True)
    for marker in (INTERNAL_TITLE, NOTES, TALKING, "interne Hinweise", VISIT):
        assert marker not in text, marker
    # Kai's only change is the office's internal note on his visit: nothing for him.
    kai = _get(client, secret, f"/{trip.delegation_id}/releases/2/changes?member={trip.kai_id}")
    assert kai["changes"] == []


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("press", [f"Di., 15. Okt.: {RECEPTION} verschoben von 18:00 auf 19:30 (Ortszeit Seoul)"]),
        ("leadership", [f"Di., 15. Okt.: {RECEPTION} verschoben von 18:00 auf 19:30 (Ortszeit Seoul)"]),
    ],
)
def test_the_press_and_the_leadership_read_no_internal_change(
    client: FlaskClient, trip: Trip, make_token: TokenMaker, audience: str, expected: list[str]
) -> None:
    secret = make_token("planner@example.org")
    response = client.get(
        f"/api/v1/delegations/{trip.delegation_id}/releases/2/changes?audience={audience}", headers=bearer(secret)
    )
    assert [c["text"] for c in response.get_json()["changes"]] == expected
    assert INTERNAL_TITLE not in response.get_data(as_text=True)


def test_the_first_version_and_a_pending_one_are_compared_with_the_approved_one_before(
    client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    secret = make_token("planner@example.org")
    first = _get(client, secret, f"/{trip.delegation_id}/releases/1/changes")
    assert (first["previous"], first["changes"]) == (None, [])
    pending = _get(client, secret, f"/{trip.delegation_id}/releases/4/changes")
    # Version 3 was withdrawn: version 4 is compared with version 2, the one in force.
    assert pending["previous"] == 2 and pending["release"]["state"] == "prepared"
    assert [c["text"] for c in pending["changes"]] == [f"Di., 15. Okt.: „{RECEPTION}“ heißt jetzt „Empfang der Stadt Seoul“"]


def test_wrong_readers_and_versions_are_refused(client: FlaskClient, trip: Trip, make_token: TokenMaker) -> None:
    secret = make_token("planner@example.org")
    base = f"/{trip.delegation_id}/releases"
    both = _get(client, secret, f"{base}/2/changes?audience=press&member={trip.mia_id}", 422)
    assert both["status"] == 422 and "member" in both["detail"]
    _get(client, secret, f"{base}/2/changes?member={trip.stranger_member_id}", 404)
    _get(client, secret, f"{base}/99/changes", 404)
    for query in ("audience=member", "audience=everyone", "member=0", "lang=fr"):
        problem = _get(client, secret, f"{base}/2/changes?{query}", 422)
        assert query.split("=")[0] in problem["errors"]["query"]
    english = _get(client, secret, f"{base}/2/changes?lang=en")
    assert len(english["changes"]) == 3
