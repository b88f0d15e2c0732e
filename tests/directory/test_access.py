"""Who may do what: everyone signed in reads, only admins and planners write."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.models import City, Organization, Partnership, Person, UserRole
from tests import test_access as shared_access
from tests.conftest import csrf_token
from tests.directory.conftest import _signed_in, find_id, rows, text

# Who may use each new route; the same lines belong in LEAST_ROLE of tests/test_access.py.
DIRECTORY_ROLES = {
    "directory.index": shared_access.READ,
    "directory.organizations": shared_access.READ,
    "directory.organization": shared_access.READ,
    "directory.people": shared_access.READ,
    "directory.person": shared_access.READ,
    "directory.cities": shared_access.READ,
    "directory.city": shared_access.READ,
    "directory.partnerships": shared_access.READ,
    "search.index": shared_access.READ,
    "directory.new_organization": shared_access.EDIT,
    "directory.edit_organization": shared_access.EDIT,
    "directory.new_person": shared_access.EDIT,
    "directory.edit_person": shared_access.EDIT,
    "directory.new_city": shared_access.EDIT,
    "directory.edit_city": shared_access.EDIT,
    "directory.confirm_delete_city": shared_access.EDIT,
    "directory.delete_city": shared_access.EDIT,
    "directory.new_partnership": shared_access.EDIT,
    "directory.edit_partnership": shared_access.EDIT,
}

READ_PAGES = [
    "/directory/organizations",
    "/directory/organizations/{org}",
    "/directory/people",
    "/directory/people/{person}",
    "/directory/cities",
    "/directory/cities/{city}",
    "/directory/partnerships",
    "/search?q=doosan",
]
FORMS = [
    "/directory/organizations/new",
    "/directory/organizations/{org}/edit",
    "/directory/people/new",
    "/directory/people/{person}/edit",
    "/directory/cities/new",
    "/directory/cities/{city}/edit",
    "/directory/partnerships/new",
    "/directory/partnerships/{partnership}/edit",
]


@pytest.fixture
def ids(app: Flask, seeded: None) -> dict[str, int]:
    return {
        "org": find_id(app, sa.select(Organization.id).where(Organization.name == "Doosan Robotics")),
        "person": find_id(app, sa.select(Person.id).where(Person.name == "Stephan Keller")),
        "city": find_id(app, sa.select(City.id).where(City.name == "Seoul")),
        "partnership": find_id(app, sa.select(Partnership.id)),
    }


def test_anonymous_users_are_sent_to_sign_in(client: FlaskClient, ids: dict[str, int]) -> None:
    for path in READ_PAGES + FORMS:
        response = client.get(path.format(**ids))
        assert response.status_code == 302, path
        assert urlsplit(response.headers["Location"]).path == "/auth/login", path


def test_viewer_reads_every_page_but_sees_no_edit_controls(viewer: FlaskClient, ids: dict[str, int]) -> None:
    for path in READ_PAGES:
        response = viewer.get(path.format(**ids))
        assert response.status_code == 200, path
        page = text(response)
        assert "/edit" not in page and "/new" not in page, path
        assert "Bearbeiten</a>" not in page, path


def test_viewer_cannot_open_or_send_any_form(app: Flask, viewer: FlaskClient, ids: dict[str, int]) -> None:
    token = csrf_token(viewer, "/directory/organizations")
    before = [rows(app, model) for model in (Organization, Person, City, Partnership)]
    for path in FORMS:
        url = path.format(**ids)
        assert viewer.get(url).status_code == 403, url
        response = viewer.post(url, data={"csrf_token": token, "name": "Übernommen", "version": "1"})
        assert response.status_code == 403, url
        assert "Dafür fehlt Ihnen die Berechtigung." in text(response)
    assert [rows(app, model) for model in (Organization, Person, City, Partnership)] == before


@pytest.mark.parametrize("role", [UserRole.PLANNER, UserRole.ADMIN])
def test_editors_see_edit_controls_and_open_every_form(app: Flask, ids: dict[str, int], role: UserRole) -> None:
    editor = _signed_in(app, role)
    page = text(editor.get(f"/directory/organizations/{ids['org']}"))
    assert f"/directory/organizations/{ids['org']}/edit" in page
    assert "/directory/organizations/new" in text(editor.get("/directory/organizations"))
    for path in FORMS:
        assert editor.get(path.format(**ids)).status_code == 200, path


def test_the_shared_route_list_classifies_the_new_routes_as_intended(app: Flask) -> None:
    # tests/test_access.py walks every rule of LEAST_ROLE for every role and tests/test_web.py sends
    # anonymous users of every route to sign in; this proves the directory's lines there say what we mean.
    assert {"directory", "search"} <= app.blueprints.keys()
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(DIRECTORY_ROLES) <= endpoints
    assert {endpoint: shared_access.LEAST_ROLE.get(endpoint) for endpoint in DIRECTORY_ROLES} == DIRECTORY_ROLES
    directory_endpoints = {e for e in endpoints if e.startswith(("directory.", "search."))}
    assert directory_endpoints == set(DIRECTORY_ROLES), "a directory route without a decision here"
