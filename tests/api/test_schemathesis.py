"""Schemathesis against the API's own OpenAPI document, through the WSGI app (no network).

Every operation gets a bounded number of generated requests (valid and invalid
parameters): reads with a read token, writes with a write token (half of them
aimed at a throwaway trip's records) and, each time,
with a wrong credential that must never write (a read token, or the write token
of an account without the trip's edit right). Every answer must be no 5xx, have
a documented status and content type, and match its schema (problem documents
included). A stateful run follows the document's links (create, read, change
with the ETag, trash). The real trip's answers are checked against the schema
as well, since generated ids mostly miss it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.generation.modes import GenerationMode
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.specs.openapi.checks import positive_data_acceptance

from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import Delegation, FollowUp, Journey, Member, Person, TokenScope, User, UserRole
from planner.program import operations
from planner.program.inputs import AppointmentInput
from planner.releases.inputs import ApprovalInput, PrepareInput
from planner.releases.operations import approve_release, prepare_release
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import KellerSeeder, join_team, make_appointment, make_delegation, make_user

EMAIL = "planner@example.org"
READER = "reader@example.org"  # on the throwaway trip's team, without the edit right
OUTSIDER = "outsider@example.org"  # on no team of the throwaway trip


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


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def test_generated_requests_get_documented_answers(api_schema: schemathesis.BaseSchema, read_token: str) -> None:
    """Every read with generated parameters; the writes with a read token are in the write test below."""
    # Hypothesis driven by hand, operation by operation: schemathesis.pytest.from_fixture does not run on pytest 9.
    operations = [op for op in (result.ok() for result in api_schema.get_all_operations()) if op.method.upper() == "GET"]
    assert len(operations) >= 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @_settings(15)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=bearer(read_token))

        check()


@dataclass(frozen=True)
class Throwaway:
    """A second trip of the planner's with one record of each written kind, for generated writes to land on."""

    delegation_id: int
    ids: dict[str, int]  # path parameter -> the record's id
    people: list[int]  # in the directory, not yet members: each generated create of a member takes the next
    city_id: int


# The throwaway trip's records by path parameter, and their collection (one stateful run each).
_RECORDS = {
    "appointment_id": "appointments",
    "journey_id": "journeys",
    "member_id": "members",
    "follow_up_id": "follow-ups",
}


@pytest.fixture
def throwaway(app: Flask, keller_for_api: tuple[int, int]) -> Throwaway:
    """A second trip of the planner's, with one record of each kind, for generated writes to land on (not the Keller trip).

    On its team also a planner without the edit right and, off it, an outsider: their write tokens must fail.
    """
    with app.app_context():
        keller = db.session.get(Delegation, keller_for_api[0])
        assert keller is not None
        planner = db.session.scalars(sa.select(User).where(User.email == EMAIL)).one()
        delegation = make_delegation(home=keller.home_city, title="Wegwerfreise")
        join_team(planner, delegation)
        join_team(make_user(UserRole.PLANNER, READER), delegation, may_edit=False)
        make_user(UserRole.PLANNER, OUTSIDER)
        appointment = make_appointment(delegation, datetime(2024, 10, 15, 10, 0), zone="Europe/Berlin")
        member = Member(delegation=delegation, person=Person(given_name="Wim", family_name="Wegwerf"))
        spare = [Person(given_name="Ella", family_name=f"Ersatz {number}") for number in range(40)]
        start = datetime(2024, 10, 15, 8, 0, tzinfo=UTC)
        journey = Journey(
            delegation=delegation,
            departure_place="DUS",
            departure_timezone="Europe/Berlin",
            depart_at=start,
            arrival_place="MUC",
            arrival_timezone="Europe/Berlin",
            arrive_at=start + timedelta(hours=1),
        )
        follow_up = FollowUp(delegation=delegation, title="Dankesbrief")
        db.session.add_all([member, *spare, journey, follow_up])
        db.session.commit()
        ids = {"appointment_id": appointment.id, "journey_id": journey.id, "member_id": member.id, "follow_up_id": follow_up.id}
        return Throwaway(delegation.id, ids, [person.id for person in spare], keller.home_city_id)


def _aim(case: schemathesis.Case, trip: Throwaway) -> None:
    """Point ``case`` at the throwaway trip's record, with ``If-Match: *``, so a generated write can succeed.

    Any version, knowingly: the ETags themselves are the stateful run's (it follows the links that carry them).
    """
    case.path_parameters = {**(case.path_parameters or {}), "delegation_id": trip.delegation_id}
    for name in _RECORDS:
        if name in case.path_parameters:
            case.path_parameters[name] = trip.ids[name]
            case.headers = {**(case.headers or {}), "If-Match": "*"}
    _real_references(case, trip)


def _real_references(case: schemathesis.Case, trip: Throwaway, *, valid_times: bool = False) -> None:
    """Generated ids of other records almost never exist: real ones in the body, so the form's rules let writes through.

    ``valid_times``: also times in order and in a plausible year (the generated ones mostly are not).
    """
    if isinstance(case.body, dict):
        person = trip.people[0] if case.operation.method.upper() != "POST" or len(trip.people) == 1 else trip.people.pop()
        real: dict[str, Any] = {"person_id": person, "appointment_id": trip.ids["appointment_id"]}
        real |= dict.fromkeys(("city_id", "departure_city_id", "arrival_city_id"), trip.city_id)
        real |= dict.fromkeys(("organization_id", "contact_person_id", "owner_id"))
        real |= {name: [trip.ids["member_id"]] for name in ("attendees", "briefed", "travellers")}
        if valid_times:
            real |= {"start": "2024-10-16T10:00", "end": "2024-10-16T11:00", "due_on": "2024-11-15"}
            real |= {"depart": "2024-10-16T10:00", "arrive": "2024-10-16T12:00"}
            real |= dict.fromkeys(("timezone", "departure_timezone", "arrival_timezone"))
        case.body.update({name: value for name, value in real.items() if name in case.body})


def test_generated_writes_with_a_write_token(
    app: Flask, api_schema: schemathesis.BaseSchema, throwaway: Throwaway, make_token: TokenMaker, read_token: str
) -> None:
    """Writes with a write token, aimed at the throwaway trip's records half the time: no 5xx,
    every answer documented and in its schema. The same request with a wrong credential is never a 2xx:
    a read token (scope), the write token of a team member without the edit right, or of an outsider (role)."""
    write_token = make_token(EMAIL, TokenScope.WRITE)
    wrong = {"read": read_token}
    wrong.update(reader=make_token(READER, TokenScope.WRITE), outsider=make_token(OUTSIDER, TokenScope.WRITE))
    order = ["POST", "PUT", "PATCH", "DELETE"]  # the trash last: a trashed record takes no more changes
    writes = [op for op in (r.ok() for r in api_schema.get_all_operations()) if op.method.upper() != "GET"]
    writes.sort(key=lambda op: order.index(op.method.upper()))
    assert {op.method.upper() for op in writes} == set(order)
    assert len(writes) >= 16
    statuses: dict[str, set[int]] = {}
    for operation in writes:

        @given(case=operation.as_strategy(), aim=st.booleans(), credential=st.sampled_from(sorted(wrong)))
        @_settings(10)
        def check(case: schemathesis.Case, aim: bool, credential: str) -> None:
            if aim:
                _aim(case, throwaway)
            refused = case.call(headers=bearer(wrong[credential]))
            assert not 200 <= refused.status_code < 300, f"{credential} wrote: {case.method} {case.formatted_path}"
            # A body the schema allows may still break a rule of the form (a DST gap, an end before the
            # start, a city that does not exist): those 422s are the API's contract, not a schema fault.
            response = case.call_and_validate(headers=bearer(write_token), excluded_checks=[positive_data_acceptance])
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        check()
    succeeded = {label for label, seen in statuses.items() if seen & {200, 201, 204}}
    assert {label.split()[0] for label in succeeded} == set(order), f"too few generated writes succeeded: {statuses}"


@pytest.mark.parametrize("collection", list(_RECORDS.values()))
def test_stateful_links_create_read_change_trash(
    app: Flask, api_schema: schemathesis.BaseSchema, throwaway: Throwaway, make_token: TokenMaker, collection: str
) -> None:
    """Schemathesis' state machine follows the document's links for one kind of record on the throwaway trip
    (create -> read -> change or replace with the ETag -> trash): every step answers as documented, its stateful
    checks hold (what was created can be read; what was trashed is gone), and the links lead to successful calls."""
    write_token = make_token(EMAIL, TokenScope.WRITE)
    # Valid requests only: the negative cases are the other tests' (unknown query parameters are ignored, not refused).
    api_schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    # Only the links the document declares (not those Schemathesis would guess from names): they are the contract.
    api_schema.config.phases.stateful.inference.algorithms = []
    # One kind at a time: Schemathesis starts only from creates whose referenced records some operation creates,
    # which among all operations leaves just the members; on its own, each create is a start.
    base = api_schema.include(path_regex=f"/{collection}(/|$)").as_state_machine()
    linked: list[tuple[str, int]] = []  # the operation and status of each step a declared link led to

    class Workflow(base):  # type: ignore[valid-type, misc]
        def step(self, input: StepInput) -> StepOutput:
            output = super().step(input)
            if input.transition is not None:
                linked.append((input.case.operation.label, output.response.status_code))
            return output

        def before_call(self, case: schemathesis.Case) -> None:
            if case.path_parameters and "delegation_id" in case.path_parameters:
                case.path_parameters["delegation_id"] = throwaway.delegation_id
            _real_references(case, throwaway, valid_times=True)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": bearer(write_token)}

        def validate_response(self, response: Any, case: schemathesis.Case, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(
                response,
                excluded_checks=[positive_data_acceptance],
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs,
                recorder=self.recorder,
            )

    # Derandomized: with a handful of runs a random draw could now and then follow no link at all (seen once in CI
    # for the members, where every create must name a person not yet on the trip); the fixed draw does, every time.
    run_state_machine_as_test(
        Workflow,
        settings=settings(_settings(8), stateful_step_count=5, suppress_health_check=list(HealthCheck), derandomize=True),
    )
    assert any(200 <= status < 300 for _label, status in linked), f"no link led to a successful call: {linked}"


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
