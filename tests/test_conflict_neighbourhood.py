"""One appointment's warnings from its neighbourhood are exactly those the whole programme's check gives it.

The appointment page and the save of one appointment check only the items
near it (:func:`planner.program.queries.neighbourhood`); the programme page
checks the whole trip (:func:`planner.program.conflicts.check_programme`).
Both must always agree, for every appointment, in content and order.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from benchmarks.trips import generate_trip
from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import Appointment, Delegation, ItemStatus
from planner.program.conflicts import Warning, check_appointment, check_programme
from planner.program.queries import neighbourhood
from planner.timezones import to_utc
from tests.conftest import login
from tests.html_forms import form_values

BUFFERS = [timedelta(0), timedelta(minutes=30), timedelta(minutes=90), timedelta(hours=5)]


def assert_same_warnings(delegation_id: int, buffer: timedelta) -> dict[str, int]:
    """Compare both checks for every appointment of the trip; return how many warnings of each kind there were."""
    delegation = delegation_with_programme(delegation_id)
    assert delegation is not None
    expected: dict[int, list[Warning]] = {a.id: [] for a in delegation.appointments}
    for warning in check_programme(delegation, buffer):
        expected[warning.appointment_id].append(warning)
    kinds: dict[str, int] = {}
    for appointment_id, warnings in expected.items():
        # A fresh session for each item: nothing the whole-trip load brought in can help the neighbourhood.
        db.session.expunge_all()
        appointment = db.session.get(Appointment, appointment_id)
        assert appointment is not None
        assert check_appointment(neighbourhood(appointment, buffer)) == warnings, (appointment.title, buffer)
        for warning in warnings:
            kinds[warning.kind] = kinds.get(warning.kind, 0) + 1
    db.session.expunge_all()
    return kinds


def add_provocations(delegation_id: int) -> None:
    """Items that trip every rule into the Keller trip, and the shapes that would fool a careless neighbourhood."""
    delegation = db.session.get(Delegation, delegation_id)
    assert delegation is not None
    aimmo = next(a for a in delegation.appointments if "AIMMO" in a.title)
    leader = delegation.leader
    assert leader is not None
    seoul = aimmo.city
    wall = lambda day, h, m=0: to_utc(datetime(2024, 10, day, h, m), "Asia/Seoul")  # noqa: E731
    first_departure = delegation.journeys[0].depart_at

    def add(title: str, start: datetime, end: datetime, **fields: object) -> Appointment:
        fields.setdefault("city", seoul)
        fields.setdefault("timezone", "Asia/Seoul")
        appointment = Appointment(delegation=delegation, title=title, start_at=start, end_at=end, **fields)
        db.session.add(appointment)
        return appointment

    add("Überschneidung", aimmo.start_at + timedelta(minutes=30), aimmo.end_at + timedelta(minutes=30), attendees=[leader])
    add("Nachts", wall(14, 3), wall(14, 4))
    add("Falsche Stadt", wall(14, 12), wall(14, 13), city=delegation.legs[1].city)
    add("Im Flugzeug", first_departure + timedelta(hours=2), first_departure + timedelta(hours=3), timezone="Europe/Berlin")
    add("Nach der Reise", to_utc(datetime(2024, 11, 5, 10), "Europe/Berlin"), to_utc(datetime(2024, 11, 5, 11), "Europe/Berlin"))
    add("Abgesagt daneben", aimmo.start_at, aimmo.end_at, status=ItemStatus.CANCELLED, attendees=[leader])
    # A long item with a short one inside that ends early: for the item after both, its predecessor
    # (by start) is the short one, which ends hours before; the long one reaching close to it must
    # not be taken for its predecessor.
    add("Langer Block", wall(16, 12), wall(16, 16, 50), venue="Halle A", attendees=[leader])
    add("Kurz im Block", wall(16, 12, 30), wall(16, 13), venue="Halle B", attendees=[leader])
    add("Nach dem Block", wall(16, 17), wall(16, 17, 30), venue="Halle C", attendees=[leader])
    # Back to back at different places, for the whole delegation (no attendees) and for one member.
    add("Gleich danach", wall(16, 17, 40), wall(16, 18, 20), venue="Halle D")
    add("Gleicher Beginn", wall(16, 17, 40), wall(16, 18, 10), venue="Halle E", attendees=[leader])
    db.session.commit()


@pytest.fixture
def keller(app: Flask, keller: int) -> int:
    """The shared Keller trip, plus appointments planted to provoke every kind of warning."""
    with app.app_context():
        add_provocations(keller)
    return keller


@pytest.mark.parametrize("buffer", BUFFERS, ids=str)
def test_keller_every_appointment(app: Flask, keller: int, buffer: timedelta) -> None:
    with app.app_context():
        kinds = assert_same_warnings(keller, buffer)
    assert {"double_booking", "odd_hour", "wrong_city", "during_journey", "outside_trip"} <= set(kinds)
    if buffer >= timedelta(minutes=30):
        assert kinds["buffer"]


def test_hidden_predecessor_is_not_too_close(app: Flask, keller: int) -> None:
    # Pinned on its own: a neighbourhood of just the items overlapping [start − buffer, end + buffer]
    # sees "Langer Block" (ends 10 min before) as the previous item and warns wrongly.
    with app.app_context():
        after = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Nach dem Block")).one()
        buffer = timedelta(minutes=30)
        assert not [w for w in check_appointment(neighbourhood(after, buffer)) if "Langer Block" in w.message]
        # With 5 hours, the short item (ends 4 hours before) is too close, and the long one still is not.
        warned = [w.message for w in check_appointment(neighbourhood(after, timedelta(hours=5))) if w.kind == "buffer"]
        assert any("Kurz im Block" in message for message in warned)
        assert not any("Langer Block" in message for message in warned)


def test_generated_trip_every_appointment(app: Flask) -> None:
    with app.app_context():
        delegation_id, _token = generate_trip(300, label="Nachbarn")
        # Some items for the whole delegation and some cancelled, as planners make them.
        for n, appointment in enumerate(
            db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == delegation_id).order_by(Appointment.id))
        ):
            if n % 7 == 0:
                appointment.attendees = []
            if n % 11 == 0:
                appointment.status = ItemStatus.CANCELLED
        db.session.commit()
        for buffer in (timedelta(minutes=30), timedelta(hours=2)):
            kinds = assert_same_warnings(delegation_id, buffer)
            assert kinds["buffer"] and kinds["double_booking"]


def test_appointment_page_and_save_show_the_items_warnings(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "planner@example.org")
    with app.app_context():
        clash = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Überschneidung")).one()
        warnings = check_programme(db.session.get(Delegation, keller), timedelta(minutes=30))
        clash_id, expected = clash.id, [w.message for w in warnings if w.appointment_id == clash.id]
    assert any("Doppelbuchung" in message for message in expected)
    page = html.unescape(client.get(f"/delegations/{keller}/appointments/{clash_id}").get_data(as_text=True))
    assert all(message in page for message in expected)

    # Saved unchanged: back on the programme with the same warnings flashed.
    url = f"/delegations/{keller}/appointments/{clash_id}/edit"
    response = client.post(url, data=MultiDict(form_values(client.get(url).get_data(as_text=True)).values))
    assert response.status_code == 302
    shown = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert all(message in shown for message in expected)
