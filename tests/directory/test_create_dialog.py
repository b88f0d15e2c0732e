"""Creating an organization, person or city from inside another form, without a browser.

The "Neu …" control beside a record select is a plain link to the directory's
"new" page with ``next`` (no JavaScript): saving returns to the form. The same
routes answer the create dialog's htmx requests (header ``HX-Request``) with the
form alone, 422 with its messages, or 204 and the event ``planner:created``.
Viewers get 403 and nothing is written. The browser half is
tests/browser/test_dialogs.py.
"""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import City, Delegation, Organization, Person
from tests.conftest import csrf_token
from tests.directory.conftest import find_id, history_count, rows, text

HTMX = {"HX-Request": "true"}
NEW_ROUTES = {
    "organization": "/directory/organizations/new",
    "person": "/directory/people/new",
    "city": "/directory/cities/new",
}


@pytest.fixture
def trip(app: Flask, seeded: None) -> int:
    return find_id(app, sa.select(Delegation.id).order_by(Delegation.id).limit(1))


def _create_links(html: str) -> dict[str, str]:
    """The "Neu …" links of a form page: the select each belongs to -> its href."""
    links = re.findall(r'<a href="([^"]+)" hx-get="[^"]+"[^>]*data-create-for="([^"]+)"', html)
    return {select: unescape(href) for href, select in links}


def _dialog_token(client: FlaskClient, path: str) -> str:
    fragment = client.get(path, headers=HTMX).get_data(as_text=True)
    match = re.search(r'name="dialog-csrf_token" type="hidden" value="([^"]+)"', fragment)
    assert match, fragment
    return match.group(1)


def test_form_pages_offer_new_records_beside_their_selects(planner: FlaskClient, trip: int) -> None:
    pages = {
        f"/delegations/{trip}/appointments/new": {
            "city_id": "city",
            "organization_id": "organization",
            "contact_person_id": "person",
        },
        # New journeys are rows (three), each with both cities.
        f"/delegations/{trip}/journeys/new": {
            f"journeys-{row}-{end}_city_id": "city" for row in range(3) for end in ("departure", "arrival")
        },
        f"/delegations/{trip}/journeys/1/edit": {"departure_city_id": "city", "arrival_city_id": "city"},
        f"/delegations/{trip}/members/new": {"person_id": "person"},
        f"/delegations/{trip}/legs/new": {"city_id": "city"},
        f"/delegations/{trip}/follow-ups/new": {"organization_id": "organization"},
        f"/delegations/{trip}/edit": {"home_city_id": "city"},
        "/delegations/new": {"home_city_id": "city"} | {f"legs-{row}-city_id": "city" for row in range(4)},
    }
    for path, expected in pages.items():
        html = planner.get(path).get_data(as_text=True)
        links = _create_links(html)
        assert set(links) == set(expected), (path, links)
        for select, kind in expected.items():
            assert re.search(rf'<select[^>]*data-searchable[^>]*id="{select}"', html) or re.search(
                rf'<select[^>]*id="{select}"[^>]*data-searchable', html
            ), (path, select)
            parts = urlsplit(links[select])
            assert parts.path == NEW_ROUTES[kind]
            assert parse_qs(parts.query)["next"] == [path]
        assert 'id="create-dialog"' in html and "js/create_dialog.js" in html and "js/searchable.js" in html


def test_without_javascript_next_returns_to_the_form(app: Flask, planner: FlaskClient, trip: int) -> None:
    form_path = f"/delegations/{trip}/appointments/new"
    href = _create_links(planner.get(form_path).get_data(as_text=True))["organization_id"]

    page = planner.get(href)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert f'href="{form_path}"' in page.get_data(as_text=True), "Abbrechen does not lead back to the form"

    token = csrf_token(planner, href)
    refused = planner.post(href, data={"csrf_token": token, "version": "1", "kind": "company", "name": ""})
    assert refused.status_code == 422 and "Bitte ausfüllen." in text(refused)

    saved = planner.post(href, data={"csrf_token": token, "version": "1", "kind": "company", "name": "Hanwha Ocean"})
    assert saved.status_code == 302 and saved.headers["Location"] == form_path
    new_id = find_id(app, sa.select(Organization.id).where(Organization.name == "Hanwha Ocean"))
    back = planner.get(form_path).get_data(as_text=True)
    assert f'<option value="{new_id}">Hanwha Ocean</option>' in back
    assert "„Hanwha Ocean“ ist angelegt und kann jetzt gewählt werden." in unescape(back)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\t/evil.example", "javascript:alert(1)"])
def test_next_must_be_a_path_on_this_site(app: Flask, planner: FlaskClient, seeded: None, target: str) -> None:
    path = "/directory/cities/new?" + f"next={target}"
    token = csrf_token(planner, "/directory/cities/new")
    response = planner.post(
        "/directory/cities/new",
        query_string={"next": target},
        data={"csrf_token": token, "version": "1", "name": "Gyeongju", "country_iso": "KR", "timezone": "Asia/Seoul"},
    )
    assert response.status_code == 302, path
    new_id = find_id(app, sa.select(City.id).where(City.name == "Gyeongju"))
    assert response.headers["Location"] == f"/directory/cities/{new_id}"


def test_dialog_gets_the_form_alone_with_its_own_ids(planner: FlaskClient, seeded: None) -> None:
    for kind, path in NEW_ROUTES.items():
        response = planner.get(path, headers=HTMX)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, kind
        assert "<html" not in html and "<h1" not in html
        assert 'id="create-dialog-title"' in html
        assert f'hx-post="{path}"' in html and 'hx-target="#create-dialog-body"' in html
        # Prefixed: the city form's "timezone" must not clash with the appointment form's.
        first = "family_name" if kind == "person" else "name"
        assert f'id="dialog-{first}"' in html and f'id="{first}"' not in html
        assert "HX-Request" in response.headers.get("Vary", "")
    assert "HX-Request" in planner.get("/directory/cities/new").headers.get("Vary", "")


def test_dialog_refuses_bad_input_with_422_and_writes_nothing(app: Flask, planner: FlaskClient, seeded: None) -> None:
    before = (rows(app, City), history_count(app))
    token = _dialog_token(planner, NEW_ROUTES["city"])
    response = planner.post(
        NEW_ROUTES["city"],
        headers=HTMX,
        data={
            "dialog-csrf_token": token,
            "dialog-version": "1",
            "dialog-name": "",
            "dialog-country_iso": "KR",
            "dialog-timezone": "Mars/Olympus",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html and 'aria-invalid="true"' in html
    assert "Bitte ausfüllen." in unescape(html) and "keine bekannte IANA-Zeitzone" in unescape(html)
    assert "HX-Trigger" not in response.headers
    assert (rows(app, City), history_count(app)) == before


@pytest.mark.parametrize(
    ("kind", "fields", "model", "name", "label"),
    [
        ("organization", {"kind": "company", "name": "Hanwha Ocean"}, Organization, "Hanwha Ocean", "Hanwha Ocean"),
        # A person as the person selects list them: family name first, with a comma.
        (
            "person",
            {"family_name": "Park", "given_name": "Ji-won", "family_name_first": "y", "side": "host"},
            Person,
            "Park Ji-won",
            "Park, Ji-won",
        ),
        ("city", {"name": "경주", "country_iso": "KR", "timezone": "Asia/Seoul"}, City, "경주", "경주"),
    ],
)
def test_dialog_saves_and_names_the_new_record(
    app: Flask, planner: FlaskClient, seeded: None, kind: str, fields: dict[str, str], model: type, name: str, label: str
) -> None:
    token = _dialog_token(planner, NEW_ROUTES[kind])
    data = {"dialog-csrf_token": token, "dialog-version": "1"} | {f"dialog-{k}": v for k, v in fields.items()}
    response = planner.post(NEW_ROUTES[kind], headers=HTMX, data=data)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.headers["HX-Trigger"].isascii()
    created = json.loads(response.headers["HX-Trigger"])["planner:created"]
    with app.app_context():
        record = db.session.get(model, created["id"])
        assert record is not None and record.name == name
    assert created["label"] == label


@pytest.mark.parametrize("kind", list(NEW_ROUTES))
def test_viewers_cannot_create_from_the_dialog(app: Flask, viewer: FlaskClient, seeded: None, kind: str) -> None:
    model = {"organization": Organization, "person": Person, "city": City}[kind]
    before = rows(app, model)
    assert viewer.get(NEW_ROUTES[kind], headers=HTMX).status_code == 403
    token = csrf_token(viewer, "/directory/organizations")
    response = viewer.post(
        NEW_ROUTES[kind],
        headers=HTMX,
        data={"dialog-csrf_token": token, "dialog-version": "1", "dialog-name": "Sneaky", "dialog-kind": "company"},
    )
    assert response.status_code == 403
    assert rows(app, model) == before
