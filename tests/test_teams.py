"""Per-trip teams: admins see every trip, planners and viewers only the trips whose team lists them.

The role walk goes over every URL rule of the app that names a trip: outside the
trip's team every one of them is a 404 (GET and POST alike, so the trip's existence
is not revealed), its calendar feed with the secret token excepted; on the team a
viewer reads but never edits, a planner edits with the trip's edit right. The trip's
items are planted with a marker word that must not show up in the trip list, search
or directory profiles of someone outside the team, and must show up for someone on it.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.extensions import db
from planner.models import Appointment, ChangeRecord, Delegation, Journey, Leg, Member, TeamMember, User
from tests import test_access
from tests.conftest import csrf_token, join_team, login
from tests.html_forms import form_values
from tests.test_access import ADMIN, LEAST_ROLE, READ, TOKEN, _cases

world = test_access.world  # the role walk's fixture: the Keller trip, one of everything, an account per role

MARKER = "Zebrafink"


@pytest.fixture
def trip(outside_teams: None, world: dict[str, object], app: Flask) -> dict[str, object]:
    """The world of the role walk with nobody on the Keller trip's team, and the marker planted in its items."""
    with app.app_context():
        delegation = db.session.get(Delegation, world["delegation_id"])
        assert delegation is not None
        delegation.title = f"{MARKER}reise"
        appointment = db.session.get(Appointment, world["appointment_id"])
        assert appointment is not None and appointment.organization_id is not None
        appointment.title = f"{MARKER}termin"
        contact = db.session.scalars(
            sa.select(Appointment).where(Appointment.contact_person_id.is_not(None), Appointment.id != appointment.id)
        ).first()
        assert contact is not None
        contact.title = f"{MARKER}gespräch"
        leg = db.session.get(Leg, world["leg_id"])
        assert leg is not None
        leg.hotel_name = f"{MARKER}hotel"
        journey = db.session.get(Journey, world["journey_id"])
        assert journey is not None
        journey.departure_place = f"{MARKER}bahnhof"
        member = db.session.get(Member, world["member_id"])
        assert member is not None
        # Nobody but the walk's own teammate and the preparer of its release on the team (the world puts them there).
        on_team = db.session.scalars(sa.select(User.email).join(TeamMember, TeamMember.user_id == User.id))
        assert sorted(on_team) == ["preparer@example.org", "teammate@example.org"]
        facts = {
            "organization": appointment.organization_id,
            "contact": contact.contact_person_id,
            "traveller": member.person_id,
        }
        db.session.commit()
    return {**world, **facts}


def _signed_in(app: Flask, email: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    login(client, email, teams=False)
    return client, csrf_token(client, "/")


def _join(app: Flask, email: str, delegation_id: object, **rights: bool) -> None:
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        delegation = db.session.get(Delegation, delegation_id)
        assert delegation is not None
        join_team(user, delegation, **rights)
        db.session.commit()


def _walk(
    app: Flask, client: FlaskClient, token: str, ids: dict[str, object], only: str | None = None
) -> dict[str, tuple[str, str, int]]:
    """Every URL rule that names a trip (``only``: of that method), requested once: endpoint -> (method, url, status).

    The pages (GET) come first: the POSTs remove and restore things, after which a page
    of a removed thing is rightly not found.
    """
    seen = {}
    cases = sorted(_cases(app), key=lambda case: case[2] != "GET")
    for endpoint, rule, method in cases:
        if "<int:delegation_id>" not in rule or (only is not None and method != only):
            continue
        if LEAST_ROLE[endpoint] == TOKEN:
            continue  # the JSON API ignores sessions; tests/api walks it with tokens inside and outside the team
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        seen[endpoint] = (method, url, response.status_code)
    return seen


def _fake_key(rule_endpoint: str) -> bool:
    # Routes keyed by an upload or render that the walk cannot name: 404 for anyone, team or not.
    return rule_endpoint in {
        "calendar.import_preview",
        "calendar.import_confirm",
        "calendar.import_discard",
        "briefs.render_status",
        "briefs.render_file",
    }


@pytest.mark.parametrize("role", ["viewer", "planner"])
def test_outside_the_team_every_url_of_the_trip_is_not_found(app: Flask, trip: dict[str, object], role: str) -> None:
    client, token = _signed_in(app, f"{role}@example.org")
    seen = _walk(app, client, token, trip)
    assert len(seen) > 50  # the walk really went over the trip's pages
    wrong = [f"{method} {url}: {status}" for method, url, status in seen.values() if status != 404]
    assert not wrong, "\n".join(wrong)
    with app.app_context():
        assert db.session.get(Delegation, trip["delegation_id"]) is not None  # nothing was changed or removed
        assert db.session.get(TeamMember, trip["team_member_id"]) is not None
    # The calendar feed needs no account: its token is the key, whoever is on the team.
    feed = app.test_client().get(f"/feeds/{trip['token']}.ics")
    assert feed.status_code == 200 and MARKER in feed.get_data(as_text=True)


@pytest.mark.parametrize("role", ["viewer", "planner"])
def test_outside_the_team_the_trip_items_appear_nowhere(app: Flask, trip: dict[str, object], role: str) -> None:
    client, _token = _signed_in(app, f"{role}@example.org")
    # Each page and the planted item it shows to the trip's team (the search page repeats the term itself).
    pages = {
        "/": f"{MARKER}reise",
        f"/search?q={MARKER}": f"{MARKER}termin",
        f"/directory/organizations/{trip['organization']}": f"{MARKER}termin",
        f"/directory/people/{trip['contact']}": f"{MARKER}gespräch",
        f"/directory/people/{trip['traveller']}": f"{MARKER}reise",
    }

    def shown() -> dict[str, bool]:
        found = {}
        for path, planted in pages.items():
            response = client.get(path)
            assert response.status_code == 200, path
            found[path] = planted in response.get_data(as_text=True)
        return found

    assert shown() == dict.fromkeys(pages, False)
    assert "Nichts gefunden" in client.get(f"/search?q={MARKER}").get_data(as_text=True)
    # The same pages for the same account on the team: every planted item is there (the markers are real).
    _join(app, f"{role}@example.org", trip["delegation_id"])
    assert shown() == dict.fromkeys(pages, True)
    results = client.get(f"/search?q={MARKER}").get_data(as_text=True)
    for planted in ("reise", "termin", "hotel", "bahnhof"):
        assert f"{MARKER}{planted}" in results


def test_admins_see_every_trip_without_being_on_its_team(app: Flask, trip: dict[str, object]) -> None:
    client, token = _signed_in(app, "admin@example.org")
    assert f"{MARKER}reise" in client.get("/").get_data(as_text=True)
    assert f"{MARKER}termin" in client.get(f"/search?q={MARKER}").get_data(as_text=True)
    pages = _walk(app, client, token, trip, only="GET")
    wrong = [f"{m} {u}: {s}" for e, (m, u, s) in pages.items() if (s in (403, 404) and not _fake_key(e)) or s >= 500]
    actions = _walk(app, client, token, trip, only="POST")
    wrong += [f"{m} {u}: {s}" for e, (m, u, s) in actions.items() if s in (401, 403) or s >= 500]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("role", "may_edit"), [("viewer", True), ("viewer", False), ("planner", False), ("planner", True)])
def test_on_the_team_viewers_read_and_planners_edit_with_the_right(
    app: Flask, trip: dict[str, object], role: str, may_edit: bool
) -> None:
    email = f"{role}@example.org"
    if role == "viewer" and may_edit:
        # A viewer given the edit right anyway (an account demoted after joining): the role caps it.
        with app.app_context():
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            db.session.add(TeamMember(delegation_id=trip["delegation_id"], user_id=user.id, may_edit=True))
            db.session.commit()
    else:
        _join(app, email, trip["delegation_id"], may_edit=may_edit)
    client, token = _signed_in(app, email)
    edits = role == "planner" and may_edit
    seen = _walk(app, client, token, trip)
    wrong = []
    for endpoint, (method, url, status) in seen.items():
        reads = LEAST_ROLE[endpoint] == READ
        if status >= 500:
            wrong.append(f"{method} {url}: {status}")
        elif LEAST_ROLE[endpoint] == ADMIN:
            if status != 403:  # approving a release: a right nobody on this team holds
                wrong.append(f"{method} {url}: {status}, expected 403")
        elif reads or edits:
            # A page must be there; an action may find its thing gone (removed by an earlier POST of the walk).
            refused = (403, 404) if method == "GET" and not _fake_key(endpoint) else (403,)
            if status in refused:
                wrong.append(f"{method} {url}: refused ({status})")
        elif status != 403:
            wrong.append(f"{method} {url}: {status}, expected 403")
    assert not wrong, "\n".join(wrong)
    page = client.get(f"/delegations/{trip['delegation_id']}").get_data(as_text=True)
    edit_link = f"/delegations/{trip['delegation_id']}/edit"
    assert (edit_link in page) is edits  # edit links only where editing is allowed


def test_team_page_adds_changes_and_removes_and_access_follows(app: Flask, trip: dict[str, object]) -> None:
    delegation_id = trip["delegation_id"]
    _join(app, "planner@example.org", delegation_id)  # a planner of the trip manages its team
    planner, token = _signed_in(app, "planner@example.org")
    viewer, _viewer_token = _signed_in(app, "viewer@example.org")
    with app.app_context():
        viewer_id = db.session.scalars(sa.select(User.id).where(User.email == "viewer@example.org")).one()
        admin_id = db.session.scalars(sa.select(User.id).where(User.email == "admin@example.org")).one()
    trip_url, team_url = f"/delegations/{delegation_id}", f"/delegations/{delegation_id}/team"
    assert viewer.get(trip_url).status_code == 404
    page = planner.get(team_url).get_data(as_text=True)
    assert "viewer@example.org" in page and "admin@example.org" not in page  # admins are no choice: they see it all

    # A viewer with the edit right is refused: nothing stored, the reason on the page.
    refused = planner.post(team_url, data={"csrf_token": token, "add-user_id": viewer_id, "add-may_edit": "y"})
    assert refused.status_code == 422
    assert "Lesekonto" in refused.get_data(as_text=True)
    # So are an admin and an account that does not exist.
    assert planner.post(team_url, data={"csrf_token": token, "add-user_id": admin_id}).status_code == 422
    assert planner.post(team_url, data={"csrf_token": token, "add-user_id": 999999}).status_code == 422
    with app.app_context():
        assert db.session.scalars(sa.select(TeamMember).where(TeamMember.user_id == viewer_id)).all() == []
    assert viewer.get(trip_url).status_code == 404

    added = planner.post(team_url, data={"csrf_token": token, "add-user_id": viewer_id, "add-may_approve": "y"})
    assert added.status_code == 302
    assert viewer.get(trip_url).status_code == 200
    assert viewer.get(team_url).status_code == 200
    with app.app_context():
        member = db.session.scalars(sa.select(TeamMember).where(TeamMember.user_id == viewer_id)).one()
        assert (member.may_edit, member.may_approve, member.may_care) == (False, True, False)
        member_id = member.id
    # Twice is refused.
    assert planner.post(team_url, data={"csrf_token": token, "add-user_id": viewer_id}).status_code == 422

    # A viewer on the team cannot manage it.
    viewer_token = csrf_token(viewer, trip_url)
    assert viewer.post(f"{team_url}/{member_id}/remove", data={"csrf_token": viewer_token}).status_code == 403

    changed = planner.post(f"{team_url}/{member_id}", data={"csrf_token": token, f"member-{member_id}-may_care": "y"})
    assert changed.status_code == 302
    with app.app_context():
        member = db.session.get(TeamMember, member_id)
        assert member is not None and (member.may_approve, member.may_care) == (False, True)
        history = db.session.scalars(
            sa.select(ChangeRecord).where(ChangeRecord.entity == "team_members", ChangeRecord.delegation_id == delegation_id)
        ).all()
        assert [r.action for r in history] == ["create", "update"]
    assert "Betreut persönliche Daten" in planner.get(f"{trip_url}/history").get_data(as_text=True)

    removed = planner.post(f"{team_url}/{member_id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    assert viewer.get(trip_url).status_code == 404
    assert f"{MARKER}reise" not in viewer.get("/").get_data(as_text=True)


def test_a_planner_who_loses_the_edit_right_is_refused_edits(app: Flask, trip: dict[str, object]) -> None:
    delegation_id = trip["delegation_id"]
    _join(app, "planner@example.org", delegation_id)
    admin, admin_token = _signed_in(app, "admin@example.org")
    planner, _token = _signed_in(app, "planner@example.org")
    edit_url = f"/delegations/{delegation_id}/edit"
    assert planner.get(edit_url).status_code == 200
    with app.app_context():
        member_id = db.session.scalars(
            sa.select(TeamMember.id).join(User, TeamMember.user_id == User.id).where(User.email == "planner@example.org")
        ).one()
    taken = admin.post(
        f"/delegations/{delegation_id}/team/{member_id}",
        data={"csrf_token": admin_token, f"member-{member_id}-may_approve": "y"},
    )
    assert taken.status_code == 302
    assert planner.get(edit_url).status_code == 403
    assert planner.get(f"/delegations/{delegation_id}").status_code == 200


def test_the_creator_of_a_trip_joins_its_team_with_every_right(app: Flask, trip: dict[str, object]) -> None:
    planner, _token = _signed_in(app, "planner@example.org")
    data = form_values(planner.get("/delegations/new").get_data(as_text=True)).values
    typed = {"title": "Neue Teamreise", "start_date": "2025-05-04", "end_date": "2025-05-09"}
    data = [(k, v) for k, v in data if k not in typed] + list(typed.items())
    created = planner.post("/delegations/new", data=MultiDict(data))
    assert created.status_code == 302, created.get_data(as_text=True)
    with app.app_context():
        new = db.session.scalars(sa.select(Delegation).where(Delegation.title == "Neue Teamreise")).one()
        team = db.session.scalars(sa.select(TeamMember).where(TeamMember.delegation_id == new.id)).all()
        assert [(m.user.email, m.may_edit, m.may_approve, m.may_care) for m in team] == [
            ("planner@example.org", True, True, False)
        ]
    assert planner.get(f"/delegations/{new.id}").status_code == 200
    assert "Neue Teamreise" in planner.get("/").get_data(as_text=True)
    viewer, _viewer_token = _signed_in(app, "viewer@example.org")
    assert viewer.get(f"/delegations/{new.id}").status_code == 404


def test_a_clone_gets_the_team_of_its_source(app: Flask, trip: dict[str, object]) -> None:
    delegation_id = trip["delegation_id"]
    _join(app, "planner@example.org", delegation_id)
    _join(app, "viewer@example.org", delegation_id, may_approve=True)
    planner, _token = _signed_in(app, "planner@example.org")
    url = f"/delegations/{delegation_id}/clone"
    data = [(k, v) for k, v in form_values(planner.get(url).get_data(as_text=True)).values if k != "title"]
    cloned = planner.post(url, data=MultiDict([*data, ("title", "Geklonte Teamreise")]))
    assert cloned.status_code == 302, cloned.get_data(as_text=True)
    with app.app_context():
        copy = db.session.scalars(sa.select(Delegation).where(Delegation.title == "Geklonte Teamreise")).one()
        team = {
            m.user.email: (m.may_edit, m.may_approve, m.may_care)
            for m in db.session.scalars(sa.select(TeamMember).where(TeamMember.delegation_id == copy.id))
        }
    assert team == {
        "teammate@example.org": (False, False, False),
        "preparer@example.org": (True, False, False),
        "viewer@example.org": (False, True, False),
        "planner@example.org": (True, True, False),  # the cloner: plans and approves; the care of travellers is granted by name
    }
    viewer, _viewer_token = _signed_in(app, "viewer@example.org")
    assert viewer.get(f"/delegations/{copy.id}").status_code == 200
