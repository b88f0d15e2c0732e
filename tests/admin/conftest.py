"""Fixtures for the user management tests.

Until ``planner/__init__.py`` registers the admin blueprint, ``admin_app``
does it, right after the app is created and before its first request (Flask
refuses later registrations). ``client`` is overridden to use that app.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.admin.routes import bp as admin_bp
from planner.extensions import db
from planner.models import User


@pytest.fixture
def admin_app(app: Flask) -> Flask:
    if "admin" not in app.blueprints:
        app.register_blueprint(admin_bp)
    return app


@pytest.fixture
def client(admin_app: Flask) -> FlaskClient:
    return admin_app.test_client()


# -- helpers -----------------------------------------------------------------

_ONE_TIME_PASSWORD = re.compile(r'id="one-time-password"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')


def stored(app: Flask, user_id: int) -> User:
    """The account as saved now, detached so tests can read it outside the app context."""
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def one_time_password(response) -> str:
    match = _ONE_TIME_PASSWORD.search(response.get_data(as_text=True))
    assert match, "no one-time password on the page"
    return unescape(match.group(1))


def form_version(client: FlaskClient, path: str) -> int:
    match = _VERSION.search(client.get(path).get_data(as_text=True))
    assert match, f"no version field on {path}"
    return int(match.group(1) or match.group(2))
