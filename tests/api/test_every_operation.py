"""Every operation of the API's own OpenAPI document, for every kind of token: who succeeds, what everyone else gets.

The outcomes come from one table, :data:`OPERATIONS` (which rule each operation
follows) with :data:`EXPECTED` (what each rule answers to each kind of token),
written from the rules of the README's "API" section, not read from the code.
An operation in the document that the table does not know fails the test, and
so does one the table names that the document lacks: a new endpoint cannot
arrive without its rights being stated here.

Each operation is asked by every token of :data:`EXPECTED` on the trip of a
small world: the trip's team (a planner with the edit right, a planner without
it, a viewer whose team row still says "may edit" from when the account was a
planner, a disabled planner), an admin, and a planner on another trip's team
only. A write that may not happen must leave every row as it was; one that may
must change something. Every error is ``application/problem+json``, and every
status is one the document names for the operation.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.api import tokens
from planner.api.tokens import NewToken
from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import (
    ApiToken,
    Appointment,
    Delegation,
    FollowUp,
    Journey,
    Member,
    MemberRole,
    Organization,
    OrganizationKind,
    Partnership,
    Person,
    TokenScope,
    User,
    UserRole,
)
from planner.models.trash import include_trashed
from planner.releases.inputs import ApprovalInput, PrepareInput
from planner.releases.operations import approve_release, prepare_release
from planner.timezones import utc_now
from tests.conftest import AUTO_TEAMS, BACKEND, DatabaseFactory, join_team, make_app, make_appointment, make_city, make_user

SPEC = "/api/v1/openapi.json"
PROBLEM = "application/problem+json"

# -- the table ---------------------------------------------------------------------------------------------------------

# The rules. ANY_TOKEN: any valid token, whatever its scope and team (the trip list, filtered to the owner's trips,
# and the directory, which every account reads). TRIP_READ: the trip's team and admins, either scope; outside the
# team the trip does not exist (404). PRESS: as TRIP_READ for a trip that does not publish its press programme
# (the world's does not), without a token 401 as everywhere. TRIP_WRITE: a write token *and* the edit right; the
# scope is checked first (a read token gets 403 even outside the team), then the team (outside: 404), then the
# edit right (403: a team member without it, and a viewer whatever their team row says).
ANY_TOKEN, TRIP_READ, PRESS, TRIP_WRITE = "any token", "trip read", "press", "trip write"
RULES = (ANY_TOKEN, TRIP_READ, PRESS, TRIP_WRITE)
OK = 0  # the operation's own success status (200, 201 or 204), from OPERATIONS

# Who asks -> what each rule answers them: (any token, trip read, press, trip write). Who is who: "editor" a planner
# on the trip's team with the edit right, "reader" one without it, "viewer" a viewer on the team (whose write token
# dates from when the account was a planner), "outsider" a planner on another trip's team only; "expired" and
# "revoked" are the editor's write tokens, "disabled account" a write token of a team planner whose account is off.
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    "no token": (401, 401, 401, 401),
    "unknown token": (401, 401, 401, 401),
    "expired": (401, 401, 401, 401),
    "revoked": (401, 401, 401, 401),
    "disabled account": (401, 401, 401, 401),
    "admin read": (OK, OK, OK, 403),
    "admin write": (OK, OK, OK, OK),
    "editor read": (OK, OK, OK, 403),
    "editor write": (OK, OK, OK, OK),
    "reader read": (OK, OK, OK, 403),
    "reader write": (OK, OK, OK, 403),
    "viewer read": (OK, OK, OK, 403),
    "viewer write": (OK, OK, OK, 403),
    "outsider read": (OK, 404, 404, 403),
    "outsider write": (OK, 404, 404, 404),
}

D = "/api/v1/delegations/{delegation_id}"
Body = Callable[["World"], dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    """What the table says of one operation: its rule, its success status, and (writes) how to build a valid body."""

    rule: str
    success: int
    body: Body | None = None


def _appointment(world: World) -> dict[str, Any]:
    return {
        "title": f"Empfang {world.tick()}",
        "city_id": world.ids["city_id"],
        "start": "2024-10-16T18:00",
        "end": "2024-10-16T19:30",
    }


def _journey(world: World) -> dict[str, Any]:
    return {
        "departure_city_id": world.ids["city_id"],
        "departure_place": "DUS",
        "depart": "2024-10-20T13:40",
        "arrival_city_id": world.seoul_id,
        "arrival_place": "ICN",
        "arrive": "2024-10-21T08:55",
        "number": f"KE {world.tick()}",
    }


def _new_member(world: World) -> dict[str, Any]:
    return {"person_id": world.newcomer(), "role": "staff"}


def _member(world: World) -> dict[str, Any]:
    return {"person_id": world.person_of_member(), "role": "interpreter", "function": f"Dolmetscher {world.tick()}"}


def _member_change(world: World) -> dict[str, Any]:
    return {"function": f"Protokoll {world.tick()}"}


def _follow_up(world: World) -> dict[str, Any]:
    return {"title": f"Dankesbrief {world.tick()}"}


def _appointment_change(world: World) -> dict[str, Any]:
    return {"title": f"Besuch {world.tick()}"}


def _journey_change(world: World) -> dict[str, Any]:
    return {"number": f"OZ {world.tick()}"}


def _no_body(_world: World) -> dict[str, Any]:
    return {}


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/delegations"): Operation(ANY_TOKEN, 200),
    ("GET", D): Operation(TRIP_READ, 200),
    ("GET", D + "/members"): Operation(TRIP_READ, 200),
    ("GET", D + "/legs"): Operation(TRIP_READ, 200),
    ("GET", D + "/appointments"): Operation(TRIP_READ, 200),
    ("GET", D + "/journeys"): Operation(TRIP_READ, 200),
    ("GET", D + "/follow-ups"): Operation(TRIP_READ, 200),
    ("GET", D + "/releases"): Operation(TRIP_READ, 200),
    ("GET", D + "/releases/{number}/changes"): Operation(TRIP_READ, 200),
    ("GET", D + "/programme.csv"): Operation(TRIP_READ, 200),
    ("GET", D + "/places.kml"): Operation(TRIP_READ, 200),
    ("GET", D + "/press"): Operation(PRESS, 200),
    ("GET", D + "/members/{member_id}"): Operation(TRIP_READ, 200),
    ("POST", D + "/members"): Operation(TRIP_WRITE, 201, _new_member),
    ("PUT", D + "/members/{member_id}"): Operation(TRIP_WRITE, 200, _member),
    ("PATCH", D + "/members/{member_id}"): Operation(TRIP_WRITE, 200, _member_change),
    ("DELETE", D + "/members/{member_id}"): Operation(TRIP_WRITE, 204, _no_body),
    ("GET", D + "/appointments/{appointment_id}"): Operation(TRIP_READ, 200),
    ("POST", D + "/appointments"): Operation(TRIP_WRITE, 201, _appointment),
    ("PUT", D + "/appointments/{appointment_id}"): Operation(TRIP_WRITE, 200, _appointment),
    ("PATCH", D + "/appointments/{appointment_id}"): Operation(TRIP_WRITE, 200, _appointment_change),
    ("DELETE", D + "/appointments/{appointment_id}"): Operation(TRIP_WRITE, 204, _no_body),
    ("GET", D + "/journeys/{journey_id}"): Operation(TRIP_READ, 200),
    ("POST", D + "/journeys"): Operation(TRIP_WRITE, 201, _journey),
    ("PUT", D + "/journeys/{journey_id}"): Operation(TRIP_WRITE, 200, _journey),
    ("PATCH", D + "/journeys/{journey_id}"): Operation(TRIP_WRITE, 200, _journey_change),
    ("DELETE", D + "/journeys/{journey_id}"): Operation(TRIP_WRITE, 204, _no_body),
    ("GET", D + "/follow-ups/{follow_up_id}"): Operation(TRIP_READ, 200),
    ("POST", D + "/follow-ups"): Operation(TRIP_WRITE, 201, _follow_up),
    ("PUT", D + "/follow-ups/{follow_up_id}"): Operation(TRIP_WRITE, 200, _follow_up),
    ("PATCH", D + "/follow-ups/{follow_up_id}"): Operation(TRIP_WRITE, 200, _follow_up),
    ("DELETE", D + "/follow-ups/{follow_up_id}"): Operation(TRIP_WRITE, 204, _no_body),
    ("GET", "/api/v1/organizations"): Operation(ANY_TOKEN, 200),
    ("GET", "/api/v1/organizations/{organization_id}"): Operation(ANY_TOKEN, 200),
    ("GET", "/api/v1/people"): Operation(ANY_TOKEN, 200),
    ("GET", "/api/v1/people/{person_id}"): Operation(ANY_TOKEN, 200),
    ("GET", "/api/v1/cities"): Operation(ANY_TOKEN, 200),
    ("GET", "/api/v1/cities/{city_id}"): Operation(ANY_TOKEN, 200),
    ("GET", "/api/v1/partnerships"): Operation(ANY_TOKEN, 200),
    ("GET", "/api/v1/partnerships/{partnership_id}"): Operation(ANY_TOKEN, 200),
}

# -- the world ----------------------------------------------------------------------------------------------------------

# The path parameter of each record a successful trash removes, and its model (a fresh one replaces it).
RENEWED: dict[str, type[Any]] = {
    "appointment_id": Appointment,
    "journey_id": Journey,
    "member_id": Member,
    "follow_up_id": FollowUp,
}


@dataclass
class World:
    """The module's app and the ids every path template takes; the tokens by who holds them."""

    app: Flask
    ids: dict[str, int]
    seoul_id: int
    other_id: int  # a trip whose team only the outsider is on
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    counter: int = 0

    def tick(self) -> int:
        """A new number, so that every successful write really changes something."""
        self.counter += 1
        return self.counter

    def newcomer(self) -> int:
        """A person of the directory who is not in the delegation yet (committed)."""
        person = Person(given_name="Nora", family_name=f"Neu {self.tick()}")
        db.session.add(person)
        db.session.commit()
        return person.id

    def person_of_member(self) -> int:
        return db.session.scalars(sa.select(Member.person_id).where(Member.id == self.ids["member_id"])).one()

    def version(self, parameter: str) -> int:
        record = db.session.get(RENEWED[parameter], self.ids[parameter])
        assert record is not None, parameter
        return int(record.version)

    def renew(self, parameter: str) -> None:
        """After a successful trash: a fresh record of that kind on the trip, for the next writer."""
        delegation = db.session.get(Delegation, self.ids["delegation_id"])
        assert delegation is not None
        self.ids[parameter] = _add(parameter, delegation, self.ids["city_id"], self.seoul_id, self.tick())
        db.session.commit()


def _add(parameter: str, delegation: Delegation, city_id: int, seoul_id: int, n: int) -> int:
    """A new appointment, journey, member or follow-up of ``delegation``, flushed; its id."""
    record: Any
    if parameter == "appointment_id":
        record = make_appointment(delegation, datetime(2024, 10, 15, 10, 0), zone="Europe/Berlin", title=f"Rathaus {n}")
        record.city_id = city_id
    elif parameter == "journey_id":
        depart = datetime(2024, 10, 13, 11, 40, tzinfo=UTC)
        record = Journey(
            delegation=delegation,
            departure_city_id=city_id,
            departure_place="Düsseldorf Flughafen",
            departure_timezone="Europe/Berlin",
            depart_at=depart,
            arrival_city_id=seoul_id,
            arrival_place="Incheon",
            arrival_timezone="Asia/Seoul",
            arrive_at=depart + timedelta(hours=12),
        )
    elif parameter == "member_id":
        person = Person(given_name="Bert", family_name=f"Zweiter {n}")
        record = Member(delegation=delegation, person=person, role=MemberRole.MEMBER, sort_order=n)
    else:
        record = FollowUp(delegation=delegation, title=f"Fotos schicken {n}", due_on=date(2024, 11, 1))
    db.session.add(record)
    db.session.flush()
    return int(record.id)


def _secret(user: User, scope: TokenScope) -> str:
    _token, secret = tokens.issue(user, NewToken("Matrix", frozenset({scope}), utc_now() + timedelta(days=30)), utc_now())
    return secret


def _tokens(users: dict[str, User]) -> dict[str, dict[str, str]]:
    """A bearer header per row of EXPECTED, the tokens made as the account page makes them (then aged or revoked)."""
    headers: dict[str, dict[str, str]] = {"no token": {}, "unknown token": {"Authorization": "Bearer dpt_" + "x" * 43}}
    for role in ("admin", "editor", "reader", "outsider"):
        for scope in TokenScope:
            headers[f"{role} {scope.value}"] = {"Authorization": f"Bearer {_secret(users[role], scope)}"}
    # A viewer's write token: made while the account was a planner; the demotion keeps it (and the team row's edit
    # right), and the role's cap must still refuse every write.
    viewer = users["viewer"]
    viewer.role = UserRole.PLANNER
    viewer_write = _secret(viewer, TokenScope.WRITE)
    viewer.role = UserRole.VIEWER
    headers["viewer read"] = {"Authorization": f"Bearer {_secret(viewer, TokenScope.READ)}"}
    headers["viewer write"] = {"Authorization": f"Bearer {viewer_write}"}
    expired, revoked = _secret(users["editor"], TokenScope.WRITE), _secret(users["editor"], TokenScope.WRITE)
    headers["expired"] = {"Authorization": f"Bearer {expired}"}
    headers["revoked"] = {"Authorization": f"Bearer {revoked}"}
    headers["disabled account"] = {"Authorization": f"Bearer {_secret(users['disabled'], TokenScope.WRITE)}"}
    db.session.flush()
    rows = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)).all()
    rows[-3].expires_at = utc_now() - timedelta(minutes=1)
    tokens.revoke(users["editor"], rows[-2].id, utc_now())
    users["disabled"].active = False
    db.session.commit()
    return headers


def _build(app: Flask) -> World:
    with app.test_request_context():
        users = {
            "admin": make_user(UserRole.ADMIN, "admin@example.org"),
            "editor": make_user(UserRole.PLANNER, "editor@example.org"),
            "reader": make_user(UserRole.PLANNER, "reader@example.org"),
            "viewer": make_user(UserRole.VIEWER, "viewer@example.org"),
            "outsider": make_user(UserRole.PLANNER, "outsider@example.org"),
            "disabled": make_user(UserRole.PLANNER, "disabled@example.org"),
        }
        dus = make_city("Düsseldorf", "Europe/Berlin", "DE")
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        db.session.add(Partnership(home_city=dus, partner_city=seoul, since=date(1990, 5, 1)))
        organization = Organization(name="Samsung", kind=OrganizationKind.COMPANY)
        db.session.add(organization)
        trip = Delegation(title="Reise mit Team", home_city=dus, start_date=date(2024, 10, 13), end_date=date(2024, 10, 20))
        other = Delegation(title="Fremde Reise", home_city=dus, start_date=date(2024, 10, 13), end_date=date(2024, 10, 20))
        db.session.add_all([trip, other])
        db.session.flush()
        join_team(users["editor"], trip)
        join_team(users["reader"], trip, may_edit=False)
        join_team(users["viewer"], trip, may_edit=True)  # left from when the account was a planner
        join_team(users["disabled"], trip)
        join_team(users["outsider"], other)
        mia = Member(delegation=trip, person=Person(given_name="Mia", family_name="Mitglied"), role=MemberRole.LEADER)
        db.session.add(mia)
        db.session.flush()
        ids = {
            "delegation_id": trip.id,
            "city_id": dus.id,
            "organization_id": organization.id,
            "person_id": mia.person_id,
            "partnership_id": db.session.scalars(sa.select(Partnership.id)).one(),
        }
        for parameter in RENEWED:
            ids[parameter] = _add(parameter, trip, dus.id, seoul.id, 0)
        db.session.commit()
        live = delegation_with_programme(trip.id)
        assert live is not None
        release = prepare_release(live, PrepareInput(note="Stand"), users["editor"])
        db.session.flush()
        approve_release(release, ApprovalInput(version=release.version), users["admin"])
        db.session.commit()
        ids["number"] = release.number
        world = World(app, ids, seoul.id, other.id)
        world.headers = _tokens(users)
        return world


@pytest.fixture(scope="module")
def world(databases: DatabaseFactory, schema_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One app and world for the whole module: every request below reads it, and every refused write leaves it alone."""
    if BACKEND == "sqlite":
        template = sa.make_url(schema_database).database
        assert template is not None
        copy = databases.tmp_root / (uuid.uuid4().hex + ".sqlite3")
        shutil.copyfile(template, copy)
        url = f"sqlite:///{copy}"
    else:  # pragma: no cover - the module is no engine test; on PostgreSQL a database of its own
        url = databases.new()
    app = make_app(url, Path(tmp_path_factory.mktemp("matrix")) / "instance")
    AUTO_TEAMS["on"] = False  # only the teams the world names
    try:
        with app.app_context():
            if BACKEND != "sqlite":  # pragma: no cover
                db.create_all()
        built = _build(app)
    finally:
        AUTO_TEAMS["on"] = True
    yield built
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def document(world: World) -> dict[str, Any]:
    response = world.app.test_client().get(SPEC)
    assert response.status_code == 200
    spec: dict[str, Any] = response.get_json()
    return spec


def _operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item if method in methods}


def _digest() -> str:
    """Every row of every table but the tokens' (whose ``last_used_at`` a request may touch): what a write changes."""
    digest = hashlib.sha256()
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name == ApiToken.__tablename__:
                continue
            for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


# -- the tests ----------------------------------------------------------------------------------------------------------


def test_the_table_knows_every_operation_of_the_document_and_no_other(document: dict[str, Any]) -> None:
    documented = _operations(document)
    unknown = sorted(documented - OPERATIONS.keys())
    assert not unknown, f"operations without a row in OPERATIONS (state who may call them): {unknown}"
    gone = sorted(OPERATIONS.keys() - documented)
    assert not gone, f"rows of OPERATIONS the document no longer has: {gone}"


def test_the_table_names_every_rule_for_every_token() -> None:
    assert {operation.rule for operation in OPERATIONS.values()} == set(RULES)
    assert all(len(outcomes) == len(RULES) for outcomes in EXPECTED.values())
    # A write needs a body builder; a read sends none.
    assert all((operation.body is not None) == (method != "GET") for (method, _), operation in OPERATIONS.items())


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS), ids=[f"{m} {p}" for m, p in sorted(OPERATIONS)])
def test_every_token_gets_what_the_table_says(world: World, document: dict[str, Any], method: str, path: str) -> None:
    operation = OPERATIONS[(method, path)]
    documented = document["paths"].get(path, {}).get(method.lower())
    assert documented is not None, f"{method} {path} is not in the document"
    client: FlaskClient = world.app.test_client()
    problems: list[str] = []
    for who, outcomes in EXPECTED.items():
        expected = outcomes[RULES.index(operation.rule)] or operation.success
        with world.app.app_context():
            headers = dict(world.headers[who])
            body = operation.body(world) if operation.body is not None else None
            locked = method in {"PUT", "PATCH", "DELETE"}
            item = path.rsplit("{", 1)[-1].rstrip("}") if locked else None
            if item is not None:  # the current version: a refusal must be about the token, not a stale ETag
                headers["If-Match"] = f'"{world.version(item)}"'
            before = _digest() if method != "GET" else None
        url = path.format(**world.ids)
        response = client.open(url, method=method, json=body if method in {"POST", "PUT", "PATCH"} else None, headers=headers)
        status = response.status_code
        if status != expected:
            problems.append(f"{who}: {status}, expected {expected} ({response.get_data(as_text=True)[:200]})")
        if status >= 400 and response.mimetype != PROBLEM:
            problems.append(f"{who}: a {status} as {response.mimetype}, not {PROBLEM}")
        if str(status) not in documented["responses"]:
            problems.append(f"{who}: {status} is not among the documented answers {sorted(documented['responses'])}")
        elif status < 300 and status != 204:
            media = documented["responses"][str(status)].get("content", {})
            if response.mimetype not in media:
                problems.append(f"{who}: {status} as {response.mimetype}, documented {sorted(media)}")
        if before is not None:
            with world.app.app_context():
                changed = _digest() != before
                if status >= 400 and changed:
                    problems.append(f"{who}: a refused {method} changed the database")
                if status < 300 and not changed:
                    problems.append(f"{who}: a successful {method} changed nothing")
                if status == 204 and item is not None:
                    trashed = db.session.get(RENEWED[item], world.ids[item], execution_options=include_trashed())
                    if trashed is None or trashed.deleted_at is None:
                        problems.append(f"{who}: the DELETE answered 204 but {item} {world.ids[item]} is not in the trash")
                    world.renew(item)
    assert not problems, f"{method} {path}:\n" + "\n".join(problems)


# The operations on one record of a trip (its id after the trip's): appointments, journeys, members, follow-ups.
ITEM_OPERATIONS = sorted(key for key in OPERATIONS if key[1].startswith(D + "/") and key[1].endswith("_id}"))


@pytest.mark.parametrize(("method", "path"), ITEM_OPERATIONS, ids=[f"{m} {p}" for m, p in ITEM_OPERATIONS])
def test_a_trips_records_are_not_found_through_another_trip(world: World, method: str, path: str) -> None:
    """Even for an admin, who sees both trips: a record is only ever reached through its own trip's URL."""
    operation = OPERATIONS[(method, path)]
    headers = dict(world.headers["admin write"])
    with world.app.app_context():
        body = operation.body(world) if operation.body is not None else None
        if method in {"PUT", "PATCH", "DELETE"}:
            headers["If-Match"] = "*"
        before = _digest()
    url = path.format(**{**world.ids, "delegation_id": world.other_id})
    response = world.app.test_client().open(url, method=method, json=body if method != "DELETE" else None, headers=headers)
    assert (response.status_code, response.mimetype) == (404, PROBLEM)
    with world.app.app_context():
        assert _digest() == before
