"""Every edit page keeps the one edit flow's promise about a stale save.

Opened, changed by another planner meanwhile, then saved: the page answers
409 with the conflict page (what was typed next to what is saved now, the
record named, a link back to the edit page) and saves nothing; and a save
of the page exactly as shown goes through. One test per edit page, so a new
feature that forgets the conflict path (or hand-writes it differently) fails.
"""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.extensions import db
from planner.models import (
    Appointment,
    City,
    Delegation,
    FollowUp,
    Journey,
    Leg,
    Member,
    Organization,
    Partnership,
    Person,
    User,
    UserRole,
)
from tests.conftest import KellerSeeder, login, make_user
from tests.html_forms import form_values

# (page, the record's model, its URL with {d} for the trip and {id} for the record)
EDIT_PAGES = [
    ("trip", Delegation, "/delegations/{d}/edit"),
    ("member", Member, "/delegations/{d}/members/{id}/edit"),
    ("leg", Leg, "/delegations/{d}/legs/{id}/edit"),
    ("follow-up", FollowUp, "/delegations/{d}/follow-ups/{id}/edit"),
    ("appointment", Appointment, "/delegations/{d}/appointments/{id}/edit"),
    ("journey", Journey, "/delegations/{d}/journeys/{id}/edit"),
    ("organization", Organization, "/directory/organizations/{id}/edit"),
    ("person", Person, "/directory/people/{id}/edit"),
    ("city", City, "/directory/cities/{id}/edit"),
    ("partnership", Partnership, "/directory/partnerships/{id}/edit"),
    ("account", User, "/admin/users/{id}"),
]


@pytest.fixture
def admin(app: Flask, client: FlaskClient, seed_keller: KellerSeeder) -> FlaskClient:
    seed_keller(app)
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        make_user(UserRole.PLANNER, "other@example.org")  # the account page's record
    login(client, "admin@example.org")
    return client


def _record(app: Flask, model: type) -> tuple[str, int, int]:
    """The page's URL values: the trip, a record of ``model`` (not the signed-in admin) and its version."""
    with app.app_context():
        trip = db.session.scalars(sa.select(Delegation.id)).one()
        stmt = sa.select(model).order_by(model.id)
        if model is User:
            stmt = stmt.where(User.email == "other@example.org")
        record = db.session.scalars(stmt).first()
        assert record is not None, model
        return str(trip), record.id, record.version


def _bump_version(app: Flask, model: type, record_id: int) -> None:
    """Another planner's save, as the database sees it: the row's version goes up."""
    with app.app_context():
        table = model.__table__
        db.session.execute(sa.update(table).where(table.c.id == record_id).values(version=table.c.version + 1))
        db.session.commit()


@pytest.mark.parametrize(("page", "model", "url"), EDIT_PAGES, ids=[page for page, _, _ in EDIT_PAGES])
def test_a_stale_save_shows_the_conflict_page_and_saves_nothing(
    app: Flask, admin: FlaskClient, page: str, model: type, url: str
) -> None:
    trip, record_id, version = _record(app, model)
    edit_url = url.format(d=trip, id=record_id)
    shown = admin.get(edit_url)
    assert shown.status_code == 200
    values = MultiDict(form_values(shown.get_data(as_text=True)).values)
    assert values["version"] == str(version)

    _bump_version(app, model, record_id)
    response = admin.post(edit_url, data=values)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409, body[:2000]
    assert "Jemand anderes hat „" in body and "Jetzt gespeichert" in body
    assert f'href="{edit_url}"' in body  # "continue with what is saved now"
    with app.app_context():
        assert db.session.get(model, record_id).version == version + 1  # only the other save

    # Opened again, the page carries the new version and saves unchanged.
    again = MultiDict(form_values(admin.get(edit_url).get_data(as_text=True)).values)
    assert again["version"] == str(version + 1)
    assert admin.post(edit_url, data=again).status_code == 302


def test_the_conflict_page_writes_times_and_dates_as_the_form_shows_them(app: Flask, admin: FlaskClient) -> None:
    """No raw timestamps ("2024-10-16 15:00:00") and no empty rows: the day and the clock, in the page's language."""
    trip, record_id, _version = _record(app, Appointment)
    edit_url = f"/delegations/{trip}/appointments/{record_id}/edit"
    values = MultiDict(form_values(admin.get(edit_url).get_data(as_text=True)).values)
    _bump_version(app, Appointment, record_id)
    body = html.unescape(admin.post(edit_url, data=values).get_data(as_text=True))
    assert re.search(r"Beginn \(Ortszeit\)</th>\s*<td>\w\w\., \d+\. \w+\.? 2024, \d\d:\d\d</td>", body), body
    assert not re.search(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", body)
    # The occurrence in a repeated hour belongs to its time: no row of its own, empty for every other time.
    assert "Welche der beiden Uhrzeiten" not in body


def test_an_edit_form_without_a_typed_input_cannot_be_built(app: Flask) -> None:
    """``to_input`` is what the edit flow saves: a form class that forgets it fails when built, not when saved."""
    from planner.web.forms import InputForm

    class Forgetful(InputForm):
        pass

    with app.test_request_context(), pytest.raises(TypeError, match="to_input"):
        Forgetful()
