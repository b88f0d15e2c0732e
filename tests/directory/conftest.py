"""Fixtures for the directory and search tests.

Until the blueprints are wired in ``planner/__init__.py`` the fixture below
registers them on each test app (before its first request); once wired, it
does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import ChangeRecord, UserRole
from tests.conftest import KellerSeeder, login, make_user


@pytest.fixture(autouse=True)
def directory_blueprints(app: Flask) -> Flask:
    from planner.directory.routes import bp as directory_bp
    from planner.search.routes import bp as search_bp

    for blueprint in (directory_bp, search_bp):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    return app


@pytest.fixture
def seeded(app: Flask, seed_keller: KellerSeeder) -> None:
    seed_keller(app)


def _signed_in(app: Flask, role: UserRole) -> FlaskClient:
    client = app.test_client()
    with app.app_context():
        email = make_user(role).email
    login(client, email)
    return client


@pytest.fixture
def viewer(app: Flask) -> FlaskClient:
    return _signed_in(app, UserRole.VIEWER)


@pytest.fixture
def planner(app: Flask) -> FlaskClient:
    return _signed_in(app, UserRole.PLANNER)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app sends while the block runs."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def find_id(app: Flask, stmt: sa.Select) -> int:
    with app.app_context():
        value = db.session.scalar(stmt)
        assert value is not None, str(stmt)
        return value


class _FormReader(HTMLParser):
    """The fields of the page's edit form (the one with ``novalidate``), as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_form = "novalidate" in a
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "y")
            else:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._select_first = a["name"], None
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
                self.values.setdefault(self._select, self._select_first)
            if "selected" in a:
                self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(client: FlaskClient, path: str) -> dict[str, str]:
    """GET the form page and return what submitting it unchanged would send."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    assert "csrf_token" in reader.values, path
    return reader.values


def submit(client: FlaskClient, path: str, **changes: str | None):
    """Open the form at ``path``, change some fields (None removes one), send it."""
    values = form_values(client, path)
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
    return client.post(path, data=values)


def rows(app: Flask, model: type) -> list[tuple]:
    """Every row of ``model``'s table, to compare before and after a refused write."""
    with app.app_context():
        table = model.__table__
        return [tuple(r) for r in db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()]


def history_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord)) or 0
