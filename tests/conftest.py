"""Fixtures: an app on a real database, its test client and CLI runner, and factories.

The suite runs on SQLite by default. With ``PLANNER_TEST_DATABASE=postgresql``
it runs against the PostgreSQL server on 127.0.0.1:5432 (override with
``PLANNER_TEST_POSTGRES_URL``): each test run creates its own databases and
drops them afterwards.

Every test gets its own real database with the full schema and no rows. On
SQLite the schema is built once per session (per xdist worker) into a template
file that each test copies; on PostgreSQL one database per session is emptied
after each test (``empty_tables``: the tables the test wrote to). Tests that need the Keller trip get it from
``seed_keller``: on SQLite a copy of the rows of a database seeded once per
session. Accounts are hashed with one PBKDF2 round
(``PASSWORD_HASH_METHOD``) instead of production's scrypt; test_config.py
proves production still uses scrypt.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.test import TestResponse

from planner import create_app, encryption
from planner.auth.operations import password_hash_method
from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    City,
    Country,
    Delegation,
    ItemStatus,
    TeamMember,
    User,
    UserRole,
)
from planner.seed import load_seed
from planner.timezones import to_utc

# Browser fixtures (one Chromium for the whole run) are shared by several test folders.
pytest_plugins = ["tests.browser.fixtures"]

BACKEND = os.environ.get("PLANNER_TEST_DATABASE", "sqlite")
POSTGRES_SERVER = os.environ.get("PLANNER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct horse battery staple"
SESSION_STARTED = datetime.now(UTC)  # every instant written by the tests is later
# One round: the suite signs in thousands of times, and scrypt's cost is for attackers, not for tests.
TEST_PASSWORD_HASH = "pbkdf2:sha256:1"


@sa.event.listens_for(sa.engine.Engine, "connect")
def _no_fsync_for_test_databases(dbapi_connection: Any, _record: Any) -> None:
    # Test databases are thrown away: waiting for the disk to confirm each commit buys nothing.
    # Only durability after an OS crash changes; what SQLite returns and enforces stays the same.
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


# What `make test-postgres` runs: the tests whose outcome can depend on the database engine. The whole
# suite runs on SQLite (`make test`); the rest (pages, forms, feeds, PDFs, browsers, access rules) goes
# through the same SQLAlchemy statements on either engine and would only repeat itself on PostgreSQL.
# A module path takes all its tests, "path::name" one test. PLANNER_TEST_EVERYTHING=1 runs them all.
ENGINE_TESTS = (
    "tests/test_migrations.py",  # upgrade == models, on the engine's own DDL
    "tests/test_migration_upgrade.py",  # old schemas with rows, batch mode vs. ALTER
    "tests/test_backup.py",  # export/import: types, sequences after explicit ids
    "tests/test_cli.py",  # export-data, seed, users: the same through the CLI
    "tests/test_db_disconnect.py",  # a server that drops connections (pool pre-ping)
    "tests/test_load_harness.py",  # the load harness's throwaway PostgreSQL database
    "tests/test_query_counts.py",  # eager loading: the SQL each engine is sent
    "tests/test_models.py",  # column types (aware UTC instants), constraints, versions
    "tests/test_seed.py",  # the Keller trip through the operations: every type once
    "tests/test_fixtures.py",  # the per-test emptying of the PostgreSQL database itself
    "tests/test_programme.py",  # locking (versions), conflicts, history, trash: the writes with most rules
    "tests/test_hostile_input.py",  # PostgreSQL enforces VARCHAR lengths and integer ranges, SQLite does not
    "tests/directory/test_search.py",  # accent/case folding: translate() vs. the SQLite function
    "tests/admin/test_accounts.py",  # the last-admin race: row locks on PostgreSQL
    "tests/calendar_import/test_importing.py",  # concurrent inserts of one UID, imported text lengths
    "tests/test_access.py::test_ids_beyond_the_database_integer_are_not_found",  # >= 2**31 on PostgreSQL
    "tests/test_transactions.py",  # operations flush, callers commit: savepoints and rollbacks per engine
    "tests/test_edit_flow.py",  # the version check of every edited table, as each engine reports a lost race
    "tests/test_conflict_neighbourhood.py",  # one appointment's neighbours: a windowed subquery per engine
    "tests/mail/test_sending.py",  # the worker's claim of a send attempt (UPDATE ... WHERE attempts), the Redis queue
    "tests/releases/test_notifications.py",  # one message per release and member (a unique key), the Redis queue
    "tests/care/test_at_rest.py",  # personal data as tokens: the SQLite file, pg_dump; key rotation and backup per engine
    "tests/gifts/test_gifts.py",  # Numeric values and the threshold comparison, ON DELETE SET NULL of a deleted trip
)


def is_engine_test(nodeid: str) -> bool:
    """Whether the test ``nodeid`` is listed in :data:`ENGINE_TESTS` (itself or its module)."""
    return any(nodeid == entry or nodeid.startswith((f"{entry}::", f"{entry}[")) for entry in ENGINE_TESTS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the engine tests (``-m engine`` selects them anywhere); on PostgreSQL run only those."""
    for item in items:
        if is_engine_test(item.nodeid):
            item.add_marker(pytest.mark.engine)
    if BACKEND != "postgresql" or os.environ.get("PLANNER_TEST_EVERYTHING") == "1":
        return
    keep = [item for item in items if item.get_closest_marker("engine")]
    deselected = [item for item in items if not item.get_closest_marker("engine")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = keep


def pytest_collection_finish(session: pytest.Session) -> None:
    """Tune the garbage collector for the run, once everything is imported (in each xdist worker).

    Every test makes its own app (~80 000 objects in reference cycles: blueprints, Jinja,
    SQLAlchemy), so the collector's full passes ran every few tests and went through every
    object of the process each time, the ~200 000 of the imported modules included: about a
    fifth of the suite's CPU time. Frozen, the imported objects are left out of every pass
    (they live until the end anyway); the higher thresholds make passes rarer, each freeing
    the garbage of several tests at once (a worker peaks at ~700 MB instead of ~500 MB).
    Cyclic garbage is still collected, and what the tests run is the same code.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


class DatabaseFactory:
    """Hands out empty databases of the configured backend and removes them at the end."""

    def __init__(self, tmp_root: Path) -> None:
        self.tmp_root = tmp_root
        self.created: list[str] = []
        self._server: sa.Engine | None = None

    def new(self) -> str:
        if BACKEND == "sqlite":
            return f"sqlite:///{self.tmp_root / (uuid.uuid4().hex + '.sqlite3')}"
        if BACKEND != "postgresql":
            raise pytest.UsageError(f"PLANNER_TEST_DATABASE must be sqlite or postgresql, not {BACKEND!r}")
        name = f"planner_test_{uuid.uuid4().hex[:16]}"
        with self.server.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return sa.make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)

    @property
    def server(self) -> sa.Engine:
        if self._server is None:
            self._server = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        return self._server

    def drop_all(self) -> None:
        if self._server is None:
            return
        with self._server.connect() as connection:
            for name in self.created:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._server.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


class ProcessTemplateCode(BytecodeCache):
    """Jinja's compiled templates kept in memory for every app of this process (xdist worker).

    Each test makes its own app, and each app its own Jinja environment, which compiled every
    template it rendered from source again: ~20 ms for the sign-in page alone, the brief's
    much more. Jinja's own bytecode cache hands the next app the code instead; a bucket whose
    template source changed (its checksum) is compiled afresh. Every app comes from
    ``create_app`` with the same Jinja options, so the code is the same it would compile.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = ProcessTemplateCode()


def make_app(database_url: str, instance_path: Path, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": "test-secret-key-not-used-anywhere-else",
        "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.NullPool},
        # Each app counts its own sign-in failures, whatever REDIS_URL the machine has.
        "RATELIMIT_STORAGE_URI": "memory://",
        # The job queue too: a SQLite file in the test's instance folder (tests/jobs.py runs its worker).
        "REDIS_URL": None,
        # Mail too: never a mail server of the machine's environment (tests/mail starts its own).
        "MAIL_SERVER": None,
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
    }
    config.update(overrides)
    if not config.get("PLANNER_DATA_KEYS"):
        _give_data_key(instance_path)
    application = create_app(config)
    application.jinja_env.bytecode_cache = TEMPLATE_CODE
    return application


def _give_data_key(instance_path: Path) -> None:
    """Put a fresh data key into the instance folder, as a previous start of the app would have left it.

    The app writes a missing key file and fsyncs it before use (planner.config.load_or_create_key_file):
    ~10 ms of waiting for the disk per app, and every test makes one. The file is the app's own format
    (one Fernet key, mode 0600); an instance folder that has one keeps it. Making the file is tested
    on its own (test_config.py, care/test_at_rest.py).
    """
    path = encryption.key_file(str(instance_path))
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(Fernet.generate_key().decode("ascii") + "\n")


@pytest.fixture(scope="session")
def schema_database(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database per session with every table and no rows: the template (SQLite) or the shared database (PostgreSQL)."""
    url = databases.new()
    application = make_app(url, tmp_path_factory.mktemp("schema") / "instance")
    with application.app_context():
        db.create_all()
        db.engine.dispose()  # SQLite: nothing of the file left in a connection when tests copy it
    return url


@pytest.fixture
def database_url(databases: DatabaseFactory, schema_database: str) -> Iterator[str]:
    """The test's own database, with the schema and no rows (the same one the ``app`` fixture uses)."""
    if BACKEND == "sqlite":
        # A copy of the template file: a fresh real database for a file copy instead of ~60 CREATE statements.
        template = sa.make_url(schema_database).database
        assert template is not None
        copy = databases.tmp_root / (uuid.uuid4().hex + ".sqlite3")
        shutil.copyfile(template, copy)
        yield f"sqlite:///{copy}"
        return
    # PostgreSQL: CREATE DATABASE per test costs more than emptying the session's one afterwards.
    yield schema_database
    engine = sa.create_engine(schema_database, poolclass=sa.NullPool)
    with engine.begin() as connection:
        present = set(connection.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")))
    if not present >= set(db.metadata.tables):
        db.metadata.create_all(engine)  # puts back any table a test dropped, so the next test has them all
    with engine.begin() as connection:
        empty_tables(connection)
    engine.dispose()


@pytest.fixture(scope="session")
def keller_database(databases: DatabaseFactory, schema_database: str, tmp_path_factory: pytest.TempPathFactory) -> str | None:
    """SQLite: a database with the schema and the Keller trip, loaded by ``load_seed`` once per session (per worker).

    None on PostgreSQL, where each test's database is the session's one, emptied afterwards.
    """
    if BACKEND != "sqlite":
        return None
    template = sa.make_url(schema_database).database
    assert template is not None
    path = databases.tmp_root / f"keller-{uuid.uuid4().hex}.sqlite3"
    shutil.copyfile(template, path)
    application = make_app(f"sqlite:///{path}", tmp_path_factory.mktemp("keller-template") / "instance")
    with application.app_context():
        load_seed(db.session)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return str(path)


KellerSeeder = Callable[[Flask], None]


@pytest.fixture
def seed_keller(keller_database: str | None) -> KellerSeeder:
    """Puts the Keller trip into an app's database: what ``load_seed(db.session)`` and a commit leave there.

    Loading the seed through the operations costs about half a second, and ~150 tests need the trip. On
    SQLite the rows of the session's seeded database are copied in with plain SQL instead (same ids,
    same values; the seed itself is tested in test_seed.py, the copy in test_fixtures.py). Where a copy
    could differ from loading (PostgreSQL, or rows already in one of the trip's tables other than the
    change log), the seed is loaded as usual.
    """

    def seed(app: Flask) -> None:
        with app.app_context():
            if keller_database is None or not _copy_rows(keller_database):
                load_seed(db.session)
                db.session.commit()
            if AUTO_TEAMS["on"]:
                join_all_teams()

    return seed


def _appended_log(table: sa.Table) -> bool:
    """A table only ever appended to under an integer ``id`` that no other table points at (the change log)."""
    key = list(table.primary_key.columns)
    referenced = any(fk.column.table is table for other in db.metadata.tables.values() for fk in other.foreign_keys)
    return len(key) == 1 and key[0].name == "id" and not referenced


def _copy_rows(source: str) -> bool:
    """Copy every row of the SQLite database ``source`` into the app's tables; False where loading could differ.

    The trip's tables must be empty, except a log such as ``change_records`` (making an account writes
    one): there the trip's rows come after the rows already there, with their ids moved on as the
    database would have numbered them.
    """
    with db.engine.connect() as connection:
        # Outside a transaction: SQLite refuses ATTACH inside one.
        connection.exec_driver_sql("ATTACH DATABASE ? AS keller", (source,))
        try:
            offsets: dict[str, int] = {}
            tables = []
            for table in db.metadata.sorted_tables:  # parents first, for the foreign keys
                if not connection.exec_driver_sql(f'SELECT 1 FROM keller."{table.name}" LIMIT 1').first():
                    continue
                tables.append(table)
                last = connection.exec_driver_sql(f'SELECT max(rowid) FROM main."{table.name}"').scalar()
                if last is not None:
                    if not _appended_log(table):
                        return False
                    offsets[table.name] = last
            for table in tables:
                columns = ", ".join(f'"{column.name}"' for column in table.columns)
                values = ", ".join(
                    f'"{column.name}" + {offsets[table.name]}'
                    if table.name in offsets and column.name == "id"
                    else f'"{column.name}"'
                    for column in table.columns
                )
                connection.exec_driver_sql(
                    f'INSERT INTO main."{table.name}" ({columns}) SELECT {values} FROM keller."{table.name}" ORDER BY rowid'
                )
            connection.commit()
            return True
        finally:
            connection.exec_driver_sql("DETACH DATABASE keller")


def empty_tables(connection: sa.Connection) -> None:
    """Remove every row of the app's tables (PostgreSQL), so the next test starts as on a new database.

    Only what the test used is touched: the tables that have rows are emptied with DELETE,
    children first for the foreign keys, and every sequence that handed out a number starts
    again (ids from 1, as the tests that name ids, ``/appointments/1/edit``, expect; also
    where an insert was rolled back and left its table empty). A ``TRUNCATE ... RESTART
    IDENTITY`` of all ~40 tables did the same but replaces each table's and index's files,
    ~1.5 s per test on our machines; most tests write to a handful of tables, or none.
    """
    tables = db.metadata.sorted_tables  # parents first
    probe = " UNION ALL ".join(f"(SELECT '{table.name}' FROM \"{table.name}\" LIMIT 1)" for table in tables)
    filled = set(connection.scalars(sa.text(probe)))
    for table in reversed(tables):
        if table.name in filled:
            connection.execute(sa.text(f'DELETE FROM "{table.name}"'))
    # pg_sequences shows no last value for a sequence not used since it was made or restarted.
    connection.execute(
        sa.text(
            "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass, start_value, false)"
            " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
    )


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = make_app(database_url, tmp_path / "instance")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# -- factories -------------------------------------------------------------


def make_user(role: UserRole = UserRole.PLANNER, email: str | None = None) -> User:
    """An account with :data:`PASSWORD`; an admin also with a second factor set up (as the app requires)."""
    user = User(email=email or f"{role.value}-{uuid.uuid4().hex[:6]}@example.org", role=role)
    user.set_password(PASSWORD, password_hash_method())
    if role == UserRole.ADMIN:
        enrol_second_factor(user)
    db.session.add(user)
    db.session.commit()
    return user


def enrol_second_factor(user: User) -> None:
    """Give ``user`` a confirmed TOTP secret (the test's stand-in for a phone that scanned it); not flushed."""
    user.totp_secret = pyotp.random_base32()
    user.second_factor_since = datetime.now(UTC)


def totp_code(email: str) -> str:
    """The code the account's authenticator shows now, for a step the planner has not accepted yet.

    The app refuses a code of an already used step, and the login helpers may sign the same
    account in several times a minute: so this takes the current step or the next one (both
    within the app's window, and a step ahead stays valid however slow the request), and
    only if both are used up waits for the clock to move on. Read from the database the way
    the phone would know it: the stored secret.
    """
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).one()
    assert user.totp_secret is not None, f"{email} has no second factor"
    totp = pyotp.TOTP(user.totp_secret)
    step = max(totp.timecode(time.time()), (user.totp_last_step or 0) + 1)
    while step > totp.timecode(time.time()) + 1:
        time.sleep(0.2)
    return totp.generate_otp(step)


def make_city(name: str = "Düsseldorf", zone: str = "Europe/Berlin", iso: str = "DE") -> City:
    country = db.session.scalar(sa.select(Country).filter_by(iso_code=iso))
    if country is None:
        country = Country(iso_code=iso, name=iso)
        db.session.add(country)
    city = City(name=name, timezone=zone, country=country)
    db.session.add(city)
    db.session.flush()
    return city


def make_delegation(home: City | None = None, title: str = "Testreise") -> Delegation:
    delegation = Delegation(
        title=title, home_city=home or make_city(), start_date=date(2024, 10, 13), end_date=date(2024, 10, 20)
    )
    db.session.add(delegation)
    db.session.flush()
    return delegation


# -- per-trip teams ----------------------------------------------------------
# Most tests are about something else than who is on which trip: the accounts they sign in with
# are put on every trip's team, as planners with the edit right and viewers without: at sign-in
# (``login``), after seeding, and whenever a trip is saved while planner or viewer accounts exist
# (the flush hook below). tests/test_teams.py turns all of that off (``outside_teams``).

AUTO_TEAMS = {"on": True}


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _new_trips_join_every_team(session: sa.orm.Session, _context: Any) -> None:
    new = [obj.id for obj in session.new if isinstance(obj, Delegation)]
    if not new or not AUTO_TEAMS["on"]:
        return
    users = session.execute(sa.select(User.id, User.role).where(User.role != UserRole.ADMIN)).all()
    rows = [
        {"delegation_id": d, "user_id": u, "may_edit": role == UserRole.PLANNER, "created_at": datetime.now(UTC)}
        for d in new
        for u, role in users
    ]
    if rows:
        session.connection().execute(TeamMember.__table__.insert(), rows)


@pytest.fixture
def outside_teams() -> Iterator[None]:
    """Accounts join no team by themselves: only what the test (or the app) puts on a team is there."""
    AUTO_TEAMS["on"] = False
    yield
    AUTO_TEAMS["on"] = True


def join_team(
    user: User, delegation: Delegation, *, may_edit: bool | None = None, may_approve: bool = False, may_care: bool = False
) -> TeamMember:
    """Put ``user`` on ``delegation``'s team (rights as given; edit: as the role allows unless told); flushes."""
    member = db.session.scalars(
        sa.select(TeamMember).where(TeamMember.delegation_id == delegation.id, TeamMember.user_id == user.id)
    ).one_or_none()
    if member is None:
        member = TeamMember(delegation_id=delegation.id, user_id=user.id)
        db.session.add(member)
    member.may_edit = user.role != UserRole.VIEWER if may_edit is None else may_edit
    member.may_approve, member.may_care = may_approve, may_care
    if may_care and not user.has_second_factor:
        enrol_second_factor(user)  # a carer signs in with a second factor; its phone is the test's
    db.session.flush()
    return member


def join_all_teams(email: str | None = None) -> None:
    """Put the account ``email`` (None: every planner and viewer) on the team of every trip there is, and commit."""
    users = sa.select(User).where(User.role != UserRole.ADMIN)
    if email is not None:
        users = users.where(User.email == email.strip().lower())
    for user in db.session.scalars(users).all():
        on = set(db.session.scalars(sa.select(TeamMember.delegation_id).where(TeamMember.user_id == user.id)))
        for delegation in db.session.scalars(sa.select(Delegation).where(Delegation.id.not_in(on))).all():
            join_team(user, delegation)
    db.session.commit()


def make_appointment(
    delegation: Delegation, start_wall: datetime, minutes: int = 60, zone: str = "Asia/Seoul", **kw: object
) -> Appointment:
    start = to_utc(start_wall, zone)
    appointment = Appointment(
        delegation=delegation,
        title=kw.pop("title", "Termin"),
        kind=kw.pop("kind", AppointmentKind.COMPANY_VISIT),
        status=kw.pop("status", ItemStatus.TENTATIVE),
        start_at=start,
        end_at=start + timedelta(minutes=minutes),
        timezone=zone,
        **kw,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment


# -- browser-less form helpers ---------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def post_password_change(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> TestResponse:
    """Post the signed-in account's password form (``confirm``: the repeated new password, by default ``new``)."""
    return client.post(
        "/auth/password",
        data={
            "csrf_token": csrf_token(client, "/auth/password"),
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def login(client: FlaskClient, email: str, password: str = PASSWORD, *, teams: bool = True) -> None:
    """Sign ``client`` in as ``email``; with ``teams`` the account is first put on every trip's team."""
    if teams and AUTO_TEAMS["on"]:
        with client.application.app_context():
            join_all_teams(email)
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"] == "/auth/code":
        answer_code(client, email, token)


def enrol_through_page(client: FlaskClient, email: str) -> list[str]:
    """Set up ``email``'s second factor on the enrolment page, as a person with a phone does: the recovery codes shown."""
    token = csrf_token(client, "/auth/second-factor")  # the page that also makes the secret
    with client.application.app_context():
        code = totp_code(email)
    response = client.post("/auth/second-factor", data={"csrf_token": token, "code": code})
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9-]+)</code>", response.get_data(as_text=True))
    assert codes, "no recovery codes shown"
    return codes


def answer_code(client: FlaskClient, email: str, token: str) -> None:
    """Answer the sign-in's second step with the code of ``email``'s authenticator (one request).

    ``token`` is the CSRF token of the sign-in form: the session's CSRF secret is renewed only
    once the code is right, so the same token serves the code form.
    """
    with client.application.app_context():
        code = totp_code(email)
    response = client.post("/auth/code", data={"csrf_token": token, "code": code})
    assert response.status_code == 302 and response.headers["Location"] != "/auth/login", response.get_data(as_text=True)


# -- the Keller trip and who is signed in ------------------------------------
# Most page tests want the same start: the Keller trip, a planner and a viewer account, and the
# test client signed in as the planner. A module that needs more on the trip overrides ``keller``
# with a fixture of the same name that takes this one (pytest hands it the outer fixture).

PLANNER_EMAIL = "planner@example.org"
VIEWER_EMAIL = "viewer@example.org"
ADMIN_EMAIL = "admin@example.org"


def add_user(app: Flask, role: UserRole = UserRole.VIEWER, email: str = VIEWER_EMAIL, *, active: bool = True) -> int:
    """Make an account of ``role`` with ``email`` (disabled unless ``active``) in ``app``'s database: its id."""
    with app.app_context():
        user = make_user(role, email)
        if not active:
            user.active = False
            db.session.commit()
        return user.id


def new_browser(app: Flask, email: str, role: UserRole | None = None) -> FlaskClient:
    """A new test client of ``app`` (another browser) signed in as ``email``; with ``role`` the account is made first."""
    client = app.test_client()
    if role is not None:
        return signed_in_as(client, role, email)
    login(client, email)
    return client


def signed_in_as(client: FlaskClient, role: UserRole, email: str) -> FlaskClient:
    """Make an account of ``role`` with ``email`` and sign ``client`` in with it; returns ``client``."""
    with client.application.app_context():
        make_user(role, email)
    login(client, email)
    return client


@pytest.fixture
def keller_trip(app: Flask, seed_keller: KellerSeeder) -> int:
    """The Keller trip in the test's database, and no accounts: its delegation id."""
    seed_keller(app)
    with app.app_context():
        return db.session.scalars(sa.select(Delegation.id)).one()


@pytest.fixture
def keller(app: Flask, keller_trip: int) -> int:
    """The Keller trip with a planner (:data:`PLANNER_EMAIL`) and a viewer (:data:`VIEWER_EMAIL`) account: its delegation id."""
    with app.app_context():
        make_user(UserRole.PLANNER, PLANNER_EMAIL)
        make_user(UserRole.VIEWER, VIEWER_EMAIL)
    return keller_trip


@pytest.fixture
def planner(client: FlaskClient, keller: int) -> FlaskClient:
    """The test client signed in as the planner account of ``keller``."""
    login(client, PLANNER_EMAIL)
    return client


@pytest.fixture
def planner_client(client: FlaskClient) -> FlaskClient:
    """The test client signed in as a new planner account (:data:`PLANNER_EMAIL`); no trip is made for it."""
    return signed_in_as(client, UserRole.PLANNER, PLANNER_EMAIL)


@pytest.fixture
def admin(client: FlaskClient, keller_trip: int) -> FlaskClient:
    """The test client signed in as a new admin account (:data:`ADMIN_EMAIL`), with the Keller trip in the database."""
    return signed_in_as(client, UserRole.ADMIN, ADMIN_EMAIL)
