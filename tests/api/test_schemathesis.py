"""Schemathesis against the API's own OpenAPI document, through the WSGI app (no network).

Every operation gets a bounded number of generated requests (valid and invalid
parameters) with a valid read token; every answer must be no 5xx, have a
documented status and content type, and match its schema (problem documents
included). The real trip's answers are checked against the schema as well,
since generated ids mostly miss it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import Delegation, Member, TokenScope, User, UserRole
from planner.program import operations
from planner.program.inputs import AppointmentInput
from planner.releases.inputs import ApprovalInput, PrepareInput
from planner.releases.operations import approve_release, prepare_release
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import KellerSeeder, join_team, make_appointment, make_delegation, make_user

EMAIL = "planner@example.org"


@pytest.fixture
def keller_for_api(app: Flask, seed_keller: KellerSeeder) -> tuple[int, int]:
    """The Keller trip with a planner on its team: the delegation id and its first member's id."""
    with app.app_context():
        make_user(UserRole.PLANNER, EMAIL)
    seed_keller(app)  # puts the planner on the trip's team (tests.conftest.join_all_teams)
    with app.app_context():
        delegation_id = db.session.scalars(sa.select(Delegation.id)).one()
        member_id = db.session.scalars(
            sa.select(Member.id).where(Member.delegation_id == delegation_id).order_by(Member.id)
        ).first()
        assert member_id is not None
        return delegation_id, member_id


@pytest.fixture
def read_token(keller_for_api: tuple[int, int], make_token: TokenMaker) -> str:
    return make_token(EMAIL)


@pytest.fixture
def api_schema(app: Flask, keller_for_api: tuple[int, int]) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_generated_requests_get_documented_answers(api_schema: schemathesis.BaseSchema, read_token: str) -> None:
    # Hypothesis driven by hand, operation by operation: schemathesis.pytest.from_fixture does not run on pytest 9.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers=bearer(read_token))
            if case.method.upper() != "GET":
                assert not 200 <= response.status_code < 300, "a read token never writes"

        check()


@pytest.fixture
def throwaway(app: Flask, keller_for_api: tuple[int, int]) -> tuple[int, int]:
    """A second trip of the planner's, with one appointment, for generated writes to land on (not the Keller trip)."""
    with app.app_context():
        keller = db.session.get(Delegation, keller_for_api[0])
        assert keller is not None
        planner = db.session.scalars(sa.select(User).where(User.email == EMAIL)).one()
        delegation = make_delegation(home=keller.home_city, title="Wegwerfreise")
        join_team(planner, delegation)
        appointment = make_appointment(delegation, datetime(2024, 10, 15, 10, 0), zone="Europe/Berlin")
        db.session.commit()
        return delegation.id, appointment.id


def test_generated_writes_with_a_write_token(
    app: Flask, api_schema: schemathesis.BaseSchema, throwaway: tuple[int, int], make_token: TokenMaker, read_token: str
) -> None:
    """Writes with a write token, aimed at the throwaway trip half the time (with the current ETag): no 5xx,
    every answer documented and in its schema; the same request with a read token is never a 2xx."""
    write_token = make_token(EMAIL, TokenScope.WRITE)
    delegation_id, appointment_id = throwaway
    client = app.test_client()
    writes = [op for op in (r.ok() for r in api_schema.get_all_operations()) if op.method.upper() != "GET"]
    assert {op.method.upper() for op in writes} == {"POST", "PUT", "PATCH", "DELETE"}
    statuses: set[int] = set()
    for operation in writes:

        @given(case=operation.as_strategy(), aim=st.booleans())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case: schemathesis.Case, aim: bool) -> None:
            if aim:
                case.path_parameters = {**(case.path_parameters or {}), "delegation_id": delegation_id}
                if "appointment_id" in case.path_parameters:
                    case.path_parameters["appointment_id"] = appointment_id
                    url = f"/api/v1/delegations/{delegation_id}/appointments/{appointment_id}"
                    current = client.get(url, headers=bearer(read_token))
                    if current.status_code == 200:
                        case.headers = {**(case.headers or {}), "If-Match": current.headers["ETag"]}
            refused = case.call(headers=bearer(read_token))
            assert not 200 <= refused.status_code < 300, "a read token never writes"
            # A body the schema allows may still break a rule of the form (a DST gap, an end before the
            # start, a city that does not exist): those 422s are the API's contract, not a schema fault.
            response = case.call_and_validate(headers=bearer(write_token), excluded_checks=[positive_data_acceptance])
            statuses.add(response.status_code)

        check()
    assert statuses & {200, 201, 204}, f"no generated write succeeded: {sorted(statuses)}"


def _two_versions(app: Flask, delegation_id: int) -> None:
    """Versions 1 and 2 of the trip, approved by an admin, with a moved appointment between them."""
    with app.test_request_context():
        admin = make_user(UserRole.ADMIN, "admin@example.org")
        planner = db.session.scalars(sa.select(User).where(User.email == EMAIL)).one()
        for step in range(2):
            if step:
                trip = delegation_with_programme(delegation_id)
                assert trip is not None
                first = trip.appointments[0]
                moved = dataclasses.replace(AppointmentInput.of(first), start_at=first.start_at + timedelta(minutes=30))
                operations.save_appointment(trip, dataclasses.replace(moved, end_at=first.end_at + timedelta(minutes=30)), first)
                db.session.commit()
            trip = delegation_with_programme(delegation_id)
            assert trip is not None
            release = prepare_release(trip, PrepareInput(), planner)
            approve_release(release, ApprovalInput(version=release.version), admin)
            db.session.commit()


def test_the_real_trips_answers_match_the_schema(
    app: Flask, keller_for_api: tuple[int, int], read_token: str, api_schema: schemathesis.BaseSchema
) -> None:
    delegation_id, member_id = keller_for_api
    _two_versions(app, delegation_id)
    calls = [("/api/v1/delegations", {}, {})]
    for suffix in ("", "/members", "/legs", "/appointments", "/journeys"):
        calls.append((f"/api/v1/delegations/{{delegation_id}}{suffix}", {"delegation_id": delegation_id}, {}))
    for suffix in ("/appointments", "/journeys"):
        calls.append((f"/api/v1/delegations/{{delegation_id}}{suffix}", {"delegation_id": delegation_id}, {"member": member_id}))
    for path in ("/api/v1/organizations", "/api/v1/people", "/api/v1/cities", "/api/v1/partnerships"):
        calls.append((path, {}, {}))
    for path, name in (
        ("/api/v1/organizations/{organization_id}", "organization_id"),
        ("/api/v1/people/{person_id}", "person_id"),
        ("/api/v1/cities/{city_id}", "city_id"),
        ("/api/v1/partnerships/{partnership_id}", "partnership_id"),
    ):
        calls.append((path, {name: 1}, {}))
    calls.append(("/api/v1/delegations/{delegation_id}/releases", {"delegation_id": delegation_id}, {}))
    for query in ({}, {"member": member_id}, {"audience": "press", "lang": "en"}):
        calls.append(
            (
                "/api/v1/delegations/{delegation_id}/releases/{number}/changes",
                {"delegation_id": delegation_id, "number": 2},
                query,
            )
        )
    for suffix in ("/programme.csv", "/places.kml"):
        for query in ({}, {"member": member_id, "lang": "en"}):
            calls.append((f"/api/v1/delegations/{{delegation_id}}{suffix}", {"delegation_id": delegation_id}, query))
    for path, path_parameters, query in calls:
        case = api_schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        response = case.call_and_validate(headers=bearer(read_token))
        assert response.status_code == 200, (path, query)
        if response.headers["content-type"][0].startswith(("text/csv", "application/vnd.google-earth.kml+xml")):
            assert response.content, path
            continue
        body = response.json()
        if "items" in body:
            assert body["items"], f"{path} {query}: the Keller trip has some"
