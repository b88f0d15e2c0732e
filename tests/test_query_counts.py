"""A page costs a fixed number of SQL queries, however many appointments the trip has."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from benchmarks.harness import counted, query_cap  # the same counter as make bench's query figures
from benchmarks.trips import generate_trip  # the same trips as make bench's page figures
from planner.extensions import db
from planner.models import Appointment, Journey


def build_trip(app: Flask, appointments: int) -> tuple[int, str]:
    """The benchmarks' generated trip (ten legs, fifty members, follow-ups): (delegation id, feed token)."""
    with app.app_context():
        return generate_trip(appointments, label=f"Anzahl{appointments}")


PAGES = [
    "/delegations/{id}",
    "/delegations/{id}/timeline",
    "/delegations/{id}/calendar.ics",
    "/delegations/{id}/history",
    "/",
    "/delegations/{id}/programme.csv",
    "/delegations/{id}/places.kml",
    "/delegations/{id}/brief",
]


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_programme(app: Flask, planner_client: FlaskClient, page: str) -> None:
    small, _ = build_trip(app, 10)
    large, _ = build_trip(app, 500)
    counts = []
    for delegation_id in (small, large):
        with counted(app) as statements:
            response = planner_client.get(page.format(id=delegation_id))
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 10 appointments, {counts[1]} for 500"
    assert counts[1] <= query_cap(page), f"{page}: {counts[1]} queries"


def test_feed_queries_do_not_grow(app: Flask) -> None:
    small = build_trip(app, 10)
    large = build_trip(app, 500)
    client = app.test_client()
    counts = []
    for _id, token in (small, large):
        with counted(app) as statements:
            assert client.get(f"/feeds/{token}.ics").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] <= 10, counts


def test_feed_rebuild_after_a_change_queries_do_not_grow(app: Flask) -> None:
    """The rebuild from kept blocks reads the programme as columns and loads only the changed item: fixed queries too."""
    client = app.test_client()
    counts = []
    for delegation_id, token in (build_trip(app, 10), build_trip(app, 500)):
        first = client.get(f"/feeds/{token}.ics")  # built in full: its event blocks are kept
        assert first.status_code == 200
        with app.app_context():
            # One the feed shows (a cancelled one of a past trip is left out).
            appointment = next(
                a
                for a in db.session.scalars(
                    sa.select(Appointment).where(Appointment.delegation_id == delegation_id).order_by(Appointment.start_at)
                )
                if a.uid.encode() in first.data.replace(b"\r\n ", b"")
            )
            appointment.title = "Umbenannt für die Zählung"
            db.session.commit()
        with counted(app) as statements:
            again = client.get(f"/feeds/{token}.ics")
        assert again.status_code == 200 and "Umbenannt für".encode() in again.data.replace(b"\r\n ", b"")
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] <= 10, counts


ITEM_PAGES = {
    "appointment page": "/delegations/{id}/appointments/{appointment}",
    "appointment edit page": "/delegations/{id}/appointments/{appointment}/edit",
    "appointment .ics": "/delegations/{id}/appointments/{appointment}/calendar.ics",
    "journey edit page": "/delegations/{id}/journeys/{journey}/edit",
}


def middle_items(app: Flask, delegation_id: int) -> dict[str, int]:
    """The appointment in the middle of the programme (the most neighbours) and the middle journey."""
    with app.app_context():
        appointments = db.session.scalars(
            sa.select(Appointment.id).where(Appointment.delegation_id == delegation_id).order_by(Appointment.start_at)
        ).all()
        journeys = db.session.scalars(
            sa.select(Journey.id).where(Journey.delegation_id == delegation_id).order_by(Journey.depart_at)
        ).all()
    return {"id": delegation_id, "appointment": appointments[len(appointments) // 2], "journey": journeys[len(journeys) // 2]}


@contextmanager
def loaded_appointments() -> Iterator[list[Appointment]]:
    """Every appointment the ORM builds from a row meanwhile (a page that scans the trip loads them all)."""
    loaded: list[Appointment] = []

    def record(target: Appointment, _context: object) -> None:
        loaded.append(target)

    sa.event.listen(Appointment, "load", record)
    try:
        yield loaded
    finally:
        sa.event.remove(Appointment, "load", record)


def test_item_pages_cost_the_same_at_30_and_3000_appointments(app: Flask, planner_client: FlaskClient) -> None:
    # The Keller trip's size and a hundred times that: a page about one item reads that item
    # (and, for its warnings, its neighbours), never the whole programme.
    trips = [middle_items(app, build_trip(app, size)[0]) for size in (30, 3000)]
    for name, page in ITEM_PAGES.items():
        counts = []
        for trip in trips:
            with counted(app) as statements, loaded_appointments() as appointments:
                response = planner_client.get(page.format(**trip))
            assert response.status_code == 200, name
            counts.append(len(statements))
            assert len(appointments) <= 100, f"{name}: {len(appointments)} appointments loaded"
        assert counts[0] == counts[1], f"{name}: {counts[0]} queries for 30 appointments, {counts[1]} for 3,000"
        # 13: one of them asks whether the planner is on the trip's team (planner.teams.access), once per request.
        assert counts[1] <= 13, f"{name}: {counts[1]} queries"
