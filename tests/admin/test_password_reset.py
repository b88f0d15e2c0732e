"""Resetting a password: a new one-time password, shown once; the old one stops working at once."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import ChangeRecord, UserRole
from tests.admin.conftest import one_time_password, text
from tests.conftest import PASSWORD, add_user, csrf_token, login


def _reset(client: FlaskClient, user_id: int):
    token = csrf_token(client, f"/admin/users/{user_id}")
    return client.post(f"/admin/users/{user_id}/password", data={"csrf_token": token})


def _sign_in(app: Flask, email: str, password: str) -> int:
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"csrf_token": token, "email": email, "password": password}).status_code


def test_reset_shows_a_new_password_once_and_only_it_signs_in(admin_app: Flask, client: FlaskClient) -> None:
    add_user(admin_app, UserRole.ADMIN, "admin@example.org")
    planner_id = add_user(admin_app, UserRole.PLANNER, "planner@example.org")
    login(client, "admin@example.org")

    page = text(client.get(f"/admin/users/{planner_id}"))
    assert "Passwort zurücksetzen" in page and "Neues Passwort erzeugen" in page

    response = _reset(client, planner_id)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Passwort zurückgesetzt" in text(response)
    assert "Dieses Passwort wird nur jetzt angezeigt." in text(response)
    password = one_time_password(response)
    for path in ("/admin/users", f"/admin/users/{planner_id}"):
        assert password not in client.get(path).get_data(as_text=True), path

    assert _sign_in(admin_app, "planner@example.org", PASSWORD) == 200  # refused: the form again
    assert _sign_in(admin_app, "planner@example.org", password) == 302

    second = one_time_password(_reset(client, planner_id))
    assert second != password
    assert _sign_in(admin_app, "planner@example.org", password) == 200
    assert _sign_in(admin_app, "planner@example.org", second) == 302

    with admin_app.app_context():
        changes = db.session.scalars(
            sa.select(ChangeRecord.changes).filter_by(entity="users", entity_id=planner_id, action="update")
        ).all()
    assert any(c.get("password") == ["***", "***"] for c in changes)
    assert not any(password in str(c) or second in str(c) for c in changes)


def test_reset_for_a_disabled_account_says_it_stays_disabled(admin_app: Flask, client: FlaskClient) -> None:
    add_user(admin_app, UserRole.ADMIN, "admin@example.org")
    gone_id = add_user(admin_app, UserRole.VIEWER, "gone@example.org", active=False)
    login(client, "admin@example.org")
    response = _reset(client, gone_id)
    assert response.status_code == 200
    assert "Das Konto ist deaktiviert" in text(response)
    assert _sign_in(admin_app, "gone@example.org", one_time_password(response)) == 200
