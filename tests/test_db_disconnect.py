"""A database connection the server drops mid-request: readers get their page, nobody gunicorn's 500.

On real PostgreSQL (``make test-postgres``) with a real connection pool, as
in production: the backend of the request's own connection is terminated
(``pg_terminate_backend``) at the moment that used to fail the request. On
either database: when even the error page cannot ask the database about the
signed-in user, it is still the planner's page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, Response

from planner.extensions import db
from planner.models import Delegation, FeedToken, UserRole
from planner.seed import load_seed
from tests.conftest import BACKEND, POSTGRES_SERVER, login, make_app, make_user

needs_server = pytest.mark.skipif(BACKEND != "postgresql", reason="needs a database server that can drop connections")


@pytest.fixture
def pooled_app(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The planner with production engine options (a pool, pre-ping) on the tables of the ``app`` fixture."""
    with app.app_context():
        load_seed(db.session)
        make_user(UserRole.VIEWER, "viewer@example.org")
        db.session.commit()
    application = make_app(database_url, tmp_path / "pooled", SQLALCHEMY_ENGINE_OPTIONS={}, PROPAGATE_EXCEPTIONS=False)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def terminate(dbapi_connection: Any) -> None:
    """Have the server drop ``dbapi_connection`` as an administrator or a failover would, and wait until it is gone."""
    pid = dbapi_connection.info.backend_pid
    admin = sa.create_engine(POSTGRES_SERVER, poolclass=sa.NullPool)
    with admin.connect() as connection:
        assert connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        for _ in range(100):
            if not connection.execute(sa.text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).first():
                break
            time.sleep(0.05)
    admin.dispose()


def drop_connection_at_statement(app: Flask, number: int) -> Callable[[], int]:
    """Terminate the backend just before the ``number``-th statement from now (once); returns a counter of statements."""
    seen = [0]
    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _drop(connection: sa.Connection, *_args: object) -> None:
        seen[0] += 1
        if seen[0] == number:
            terminate(connection.connection.dbapi_connection)

    return lambda: seen[0]


def keller_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.text("SELECT min(id) FROM delegations"))


@needs_server
def test_a_page_whose_connection_drops_midway_is_read_again(pooled_app: Flask) -> None:
    client = pooled_app.test_client()
    login(client, "viewer@example.org")
    delegation = keller_id(pooled_app)
    assert client.get(f"/delegations/{delegation}").status_code == 200  # the pool now holds a used connection
    statements = drop_connection_at_statement(pooled_app, 3)  # after the user is loaded, amid the page's queries
    response = client.get(f"/delegations/{delegation}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "Seoul" in response.get_data(as_text=True)
    assert statements() > 3  # the page really ran past the dropped statement, on a new connection


@needs_server
def test_a_connection_dropped_after_the_answer_was_made_does_not_fail_the_request(pooled_app: Flask) -> None:
    with pooled_app.app_context():
        feed = FeedToken.issue(db.session.get_one(Delegation, keller_id(pooled_app)))
        db.session.add(feed)
        db.session.commit()
        token = feed.token

    dropped: list[bool] = []

    @pooled_app.after_request
    def _drop_before_teardown(response: Response) -> Response:
        # The feed is built; the request's transaction is still open, and ending it needs the server.
        if not dropped:
            terminate(db.session.connection().connection.dbapi_connection)
            dropped.append(True)
        return response

    response = pooled_app.test_client().get(f"/feeds/{token}.ics")
    assert dropped and response.status_code == 200
    assert response.get_data(as_text=True).startswith("BEGIN:VCALENDAR")
    assert pooled_app.test_client().get(f"/feeds/{token}.ics").status_code == 200  # and the worker goes on


def test_the_error_page_is_the_planners_even_when_the_user_cannot_be_loaded(pooled_app: Flask) -> None:
    client = pooled_app.test_client()
    login(client, "viewer@example.org")
    with pooled_app.app_context():
        db.session.execute(sa.text("ALTER TABLE users RENAME TO users_unreachable"))
        db.session.commit()
    try:
        response = client.get("/")
    finally:
        with pooled_app.app_context():
            db.session.execute(sa.text("ALTER TABLE users_unreachable RENAME TO users"))
            db.session.commit()
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Ein interner Fehler ist aufgetreten." in body
    assert "viewer@example.org" not in body and "Traceback" not in body
