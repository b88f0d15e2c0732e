"""Only admins reach user management: anonymous visitors are sent to sign in, other roles get 403.

Every URL of the blueprint is checked for every role, the POSTs with a valid
CSRF token (so it is the role that is refused, not the token), and a refused
POST must change nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import User, UserRole
from tests.admin.conftest import stored
from tests.conftest import add_user, csrf_token, login


@pytest.fixture
def accounts(admin_app: Flask) -> dict[str, int]:
    return {
        "admin": add_user(admin_app, UserRole.ADMIN, "admin@example.org"),
        "planner": add_user(admin_app, UserRole.PLANNER, "planner@example.org"),
        "viewer": add_user(admin_app, UserRole.VIEWER, "viewer@example.org"),
        "target": add_user(admin_app, UserRole.VIEWER, "target@example.org"),
    }


def _requests(target: int) -> list[tuple[str, str, dict[str, str], int]]:
    """Every URL of the blueprint: method, path, form data, and what an admin gets."""
    return [
        ("GET", "/admin/users", {}, 200),
        ("GET", "/admin/users/new", {}, 200),
        ("POST", "/admin/users/new", {"email": "invited@example.org", "role": "admin"}, 200),
        ("GET", f"/admin/users/{target}", {}, 200),
        ("POST", f"/admin/users/{target}", {"role": "admin", "status": "active", "version": "1"}, 302),
        ("POST", f"/admin/users/{target}/password", {}, 200),
    ]


def _signed_in_client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        login(client, f"{role}@example.org")
    return client


def _send(client: FlaskClient, method: str, path: str, data: dict[str, str], token_page: str):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(client, token_page), **data})


def _snapshot(app: Flask) -> list[tuple]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                sa.select(User.email, User.role, User.active, User.version, User.password_hash).order_by(User.email)
            )
        ]


@pytest.mark.parametrize("role", ["anonymous", "viewer", "planner"])
def test_only_admins_reach_user_management(admin_app: Flask, accounts: dict[str, int], role: str) -> None:
    client = _signed_in_client(admin_app, role)
    token_page = "/auth/login" if role == "anonymous" else "/"
    before = _snapshot(admin_app)
    for method, path, data, _admin_status in _requests(accounts["target"]):
        response = _send(client, method, path, data, token_page)
        if role == "anonymous":
            assert response.status_code == 302, (method, path)
            assert urlsplit(response.headers["Location"]).path == "/auth/login", (method, path)
        else:
            assert response.status_code == 403, (method, path, response.status_code)
            assert "Dafür fehlt Ihnen die Berechtigung." in response.get_data(as_text=True)
    assert _snapshot(admin_app) == before


def test_admins_reach_every_page(admin_app: Flask, accounts: dict[str, int]) -> None:
    client = _signed_in_client(admin_app, "admin")
    for method, path, data, admin_status in _requests(accounts["target"]):
        response = _send(client, method, path, data, "/admin/users")
        assert response.status_code == admin_status, (method, path, response.status_code)
    assert stored(admin_app, accounts["target"]).role == UserRole.ADMIN
    with admin_app.app_context():
        assert db.session.scalar(sa.select(User).filter_by(email="invited@example.org")).role == UserRole.ADMIN


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/admin/users/999999"), ("POST", "/admin/users/999999"), ("POST", "/admin/users/999999/password")],
)
def test_unknown_accounts_are_404(admin_app: Flask, accounts: dict[str, int], method: str, path: str) -> None:
    client = _signed_in_client(admin_app, "admin")
    data = {"role": "viewer", "status": "active", "version": "1"}
    response = _send(client, method, path, data, "/admin/users")
    assert response.status_code == 404


def test_posts_without_csrf_token_are_refused_and_change_nothing(admin_app: Flask, accounts: dict[str, int]) -> None:
    client = _signed_in_client(admin_app, "admin")
    before = _snapshot(admin_app)
    target = accounts["target"]
    for path, data in [
        ("/admin/users/new", {"email": "invited@example.org", "role": "viewer"}),
        (f"/admin/users/{target}", {"role": "admin", "status": "active", "version": "1"}),
        (f"/admin/users/{target}/password", {}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)
    assert _snapshot(admin_app) == before
