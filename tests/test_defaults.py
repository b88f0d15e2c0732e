"""What a new record's form proposes before anyone chooses (issue #13: risky defaults).

Read from the rendered HTML, as a browser preselects it: the option marked
``selected`` (or, with none marked, the first one) and the inputs' values.
"""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import City, Delegation
from tests.conftest import make_city


def preselected(page: str, name: str) -> str:
    """The label a browser shows in the select ``name`` before anyone touches it."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    options = re.findall(r"<option([^>]*)>(.*?)</option>", select.group(1), re.S)
    chosen = [label for attributes, label in options if re.search(r"\bselected\b", attributes)]
    return unescape((chosen or [options[0][1]])[0]).strip()


def input_value(page: str, name: str) -> str:
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert field, f"no input {name}"
    value = re.search(r'value="([^"]*)"', field.group(0))
    return value.group(1) if value else ""


def test_a_new_trip_starts_from_the_configured_home_city(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        names = db.session.scalars(sa.select(City.name).order_by(City.name)).all()
    assert names[0] != "Düsseldorf"  # else the alphabetical first would pass this test too
    assert preselected(admin.get("/delegations/new").get_data(as_text=True), "home_city_id") == "Düsseldorf"


def test_the_home_city_is_a_setting(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        make_city("Köln", "Europe/Berlin")
        db.session.commit()
    app.config["HOME_CITY"] = "Köln"
    assert preselected(admin.get("/delegations/new").get_data(as_text=True), "home_city_id") == "Köln"
    app.config["HOME_CITY"] = "Atlantis"  # no such city: nothing is claimed, the list starts as it is
    assert admin.get("/delegations/new").status_code == 200


def test_a_new_account_is_read_only_until_someone_chooses_more(admin: FlaskClient) -> None:
    page = admin.get("/admin/users/new").get_data(as_text=True)
    assert preselected(page, "role") == "Lesezugriff"


def test_a_new_appointment_starts_after_the_flight_has_landed(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        trip = db.session.scalars(sa.select(Delegation)).one()
        d = trip.id
    # The Keller trip lands in Seoul at 08:55 local on 14 October: an hour for the airport, then the quarter hour.
    page = admin.get(f"/delegations/{d}/appointments/new?day=2024-10-14").get_data(as_text=True)
    assert input_value(page, "starts") == "2024-10-14T10:00"
    assert input_value(page, "ends") == "2024-10-14T11:00"
    assert preselected(page, "city_id") == "Seoul"
    # Without a day: the first day in the first city, which is that same arrival day.
    page = admin.get(f"/delegations/{d}/appointments/new").get_data(as_text=True)
    assert input_value(page, "starts") == "2024-10-14T10:00"
    # A day without an arrival keeps the morning.
    page = admin.get(f"/delegations/{d}/appointments/new?day=2024-10-15").get_data(as_text=True)
    assert input_value(page, "starts") == "2024-10-15T09:00"
