"""Fixtures: an app on a real database, its test client and CLI runner, and factories.

The suite runs on SQLite by default. With ``PLANNER_TEST_DATABASE=postgresql``
it runs against the PostgreSQL server on 127.0.0.1:5432 (override with
``PLANNER_TEST_POSTGRES_URL``): each test run creates its own databases and
drops them afterwards.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from planner import create_app
from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    City,
    Country,
    Delegation,
    ItemStatus,
    User,
    UserRole,
)
from planner.timezones import to_utc

# Browser fixtures (one Chromium for the whole run) are shared by several test folders.
pytest_plugins = ["tests.browser.fixtures"]

BACKEND = os.environ.get("PLANNER_TEST_DATABASE", "sqlite")
POSTGRES_SERVER = os.environ.get("PLANNER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct horse battery staple"


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


@pytest.fixture(scope="session")
def schema_database(databases: DatabaseFactory) -> str:
    """One database per test session whose tables each test creates and drops (PostgreSQL)."""
    return databases.new()


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
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def database_url(databases: DatabaseFactory, schema_database: str) -> str:
    # SQLite: a new file per test is cheapest. PostgreSQL: reuse the session's
    # database and rebuild the tables, much faster than CREATE DATABASE per test.
    return databases.new() if BACKEND == "sqlite" else schema_database


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = make_app(database_url, tmp_path / "instance")
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
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
    user = User(email=email or f"{role.value}-{uuid.uuid4().hex[:6]}@example.org", role=role)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


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


def make_appointment(delegation: Delegation, start_wall: datetime, minutes: int = 60, zone: str = "Asia/Seoul", **kw: object) -> Appointment:
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


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
