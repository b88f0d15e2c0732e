"""One-line fields stay on one line, whoever writes them: every edit form, the seed loader, the models.

A line break in a title or a name (a crafted POST, a seed file) used to be
stored as typed, and every calendar of that trip, the anonymous feed
included, then answered 500. ``import-data`` refuses such rows
(tests/test_backup.py); everything else stores one line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.backup.importer import backup_tables
from planner.extensions import db
from planner.models import Appointment, Delegation, FeedToken, Journey, Leg, Member, Organization, Person, UserRole
from planner.models.followups import FollowUp
from planner.models.geography import City
from planner.seed import KELLER_TRIP, load_seed
from planner.text import is_single_line, is_single_line_column
from tests.conftest import KellerSeeder, login, make_user
from tests.html_forms import FormValues

EDIT_FORMS = [
    ("/delegations/{delegation}/edit", None),
    ("/delegations/{delegation}/members/{id}/edit", Member),
    ("/delegations/{delegation}/legs/{id}/edit", Leg),
    ("/delegations/{delegation}/follow-ups/{id}/edit", FollowUp),
    ("/delegations/{delegation}/appointments/{id}/edit", Appointment),
    ("/delegations/{delegation}/journeys/{id}/edit", Journey),
    ("/directory/organizations/{id}/edit", Organization),
    ("/directory/people/{id}/edit", Person),
    ("/directory/cities/{id}/edit", City),
]


@pytest.fixture
def trip(app: Flask, client: FlaskClient, seed_keller: KellerSeeder) -> dict[str, Any]:
    seed_keller(app)
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        feed = FeedToken.issue(delegation)
        db.session.add(feed)
        make_user(UserRole.ADMIN, "admin@example.org")
        db.session.commit()
        ids = {model: db.session.scalars(sa.select(model.id).order_by(model.id)).first() for _, model in EDIT_FORMS if model}
        trip = {"delegation": delegation.id, "token": feed.token, "ids": ids}
    login(client, "admin@example.org")
    return trip


def line_breaks_stored(app: Flask) -> list[str]:
    """Every one-line column value in the database that holds a line break or tab."""
    found = []
    with app.app_context():
        for table in backup_tables():
            columns = [column for column in table.columns if is_single_line_column(column)]
            for column in columns:
                for value in db.session.scalars(sa.select(column).where(column.is_not(None))):
                    if not is_single_line(value):
                        found.append(f"{table.name}.{column.name}: {value!r}")
    return found


def calendars_answer(client: FlaskClient, trip: dict[str, Any]) -> None:
    for url in (f"/feeds/{trip['token']}.ics", f"/delegations/{trip['delegation']}/calendar.ics"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize(
    ("path", "model"), EDIT_FORMS, ids=[model.__name__ if model else "Delegation" for _, model in EDIT_FORMS]
)
def test_line_breaks_posted_into_one_line_fields_are_stored_as_spaces(
    app: Flask, client: FlaskClient, trip: dict[str, Any], path: str, model: type | None
) -> None:
    url = path.format(delegation=trip["delegation"], id=trip["ids"].get(model))
    page = client.get(url)
    assert page.status_code == 200, url
    form = FormValues()
    form.feed(page.get_data(as_text=True))
    # The first blank of every one-line value becomes CR LF: a crafted POST, the form unchanged otherwise.
    hostile = [(name, value.replace(" ", "\r\n", 1) if name in form.one_line else value) for name, value in form.values]
    touched = [name for (name, value), (_, before) in zip(hostile, form.values, strict=True) if value != before]
    if not touched:  # one-word values only (a city): break the first one inside the word
        index, name, value = next((i, n, v) for i, (n, v) in enumerate(hostile) if n in form.one_line and len(v) > 1)
        hostile[index] = (name, value[:1] + "\n" + value[1:])
        touched = [name]

    response = client.post(url, data=MultiDict(hostile))
    assert response.status_code == 302, (
        url,
        touched,
        re.findall(r'class="field-errors"[^<]*<[^>]*>([^<]*)', response.get_data(as_text=True)),
    )
    assert line_breaks_stored(app) == []
    calendars_answer(client, trip)


def test_the_seed_loader_stores_one_line_and_stays_idempotent(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    text = KELLER_TRIP.read_text(encoding="utf-8")
    # TOML "\n" in a basic string is a real line break: in a key the loader looks records up by, too.
    hostile = text.replace('name = "Düsseldorf"', 'name = "Düssel\\ndorf"', 1)
    assert hostile != text
    seed = tmp_path / "trip.toml"
    seed.write_text(hostile, encoding="utf-8")
    with app.app_context():
        load_seed(db.session, seed)
        db.session.commit()
        assert db.session.scalars(sa.select(City.name).where(City.name.like("Düssel%"))).all() == ["Düssel dorf"]
        again = load_seed(db.session, seed)
        db.session.commit()
        assert sum(again.values()) == 0, again
    assert line_breaks_stored(app) == []


def test_every_write_through_the_models_keeps_one_line(app: Flask) -> None:
    with app.app_context():
        load_seed(db.session)
        delegation = db.session.scalars(sa.select(Delegation)).one()
        delegation.title = "Reise\nnach\u2028Seoul\tund Chongqing"
        delegation.notes = "Zeile 1\nZeile 2"  # Text: several lines are the point
        db.session.commit()
        db.session.expire_all()
        assert delegation.title == "Reise nach Seoul und Chongqing"
        assert delegation.notes == "Zeile 1\nZeile 2"
