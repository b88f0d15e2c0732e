"""A page costs a fixed number of SQL queries, however many appointments the trip has."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from benchmarks.harness import counted  # the same counter as make bench's query figures
from benchmarks.trips import generate_trip  # the same trips as make bench's page figures
from planner.models import UserRole
from tests.conftest import login, make_user


def build_trip(app: Flask, appointments: int) -> tuple[int, str]:
    """The benchmarks' generated trip (ten legs, fifty members, follow-ups): (delegation id, feed token)."""
    with app.app_context():
        return generate_trip(appointments, label=f"Anzahl{appointments}")


@pytest.fixture
def signed_in(app: Flask, client: FlaskClient) -> FlaskClient:
    with app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
    login(client, "planner@example.org")
    return client


PAGES = [
    "/delegations/{id}",
    "/delegations/{id}/timeline",
    "/delegations/{id}/calendar.ics",
    "/delegations/{id}/history",
    "/",
]


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_programme(app: Flask, signed_in: FlaskClient, page: str) -> None:
    small, _ = build_trip(app, 10)
    large, _ = build_trip(app, 500)
    counts = []
    for delegation_id in (small, large):
        with counted(app) as statements:
            response = signed_in.get(page.format(id=delegation_id))
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 10 appointments, {counts[1]} for 500"
    assert counts[1] <= 10, f"{page}: {counts[1]} queries"


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
