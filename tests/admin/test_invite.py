"""Inviting an account: a one-time password shown once that really signs in; bad addresses create nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.auth.operations import MIN_PASSWORD_LENGTH
from planner.extensions import db
from planner.models import ChangeRecord, User, UserRole
from tests.admin.conftest import one_time_password, text
from tests.conftest import add_user, csrf_token, login


@pytest.fixture
def admin(admin_app: Flask, client: FlaskClient) -> FlaskClient:
    add_user(admin_app, UserRole.ADMIN, "admin@example.org")
    login(client, "admin@example.org")
    return client


def _invite(client: FlaskClient, email: str, role: str = "planner"):
    token = csrf_token(client, "/admin/users/new")
    return client.post("/admin/users/new", data={"csrf_token": token, "email": email, "role": role})


def _emails(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(User.email).order_by(User.email)))


def test_invite_form_labels_every_input(admin: FlaskClient) -> None:
    page = text(admin.get("/admin/users/new"))
    assert '<label for="email">E-Mail-Adresse</label>' in page
    assert '<label for="role">Rolle</label>' in page
    assert '<option selected value="viewer">Lesezugriff</option>' in page  # least privilege by default


def test_invited_account_signs_in_with_the_password_shown_once(admin_app: Flask, admin: FlaskClient) -> None:
    response = _invite(admin, "  New.Person@Example.ORG ", "planner")
    assert response.status_code == 200
    page = text(response)
    assert "Konto angelegt" in page
    assert "new.person@example.org (Planung)" in page
    assert "Dieses Passwort wird nur jetzt angezeigt." in page
    assert response.headers["Cache-Control"] == "private, no-store"
    password = one_time_password(response)
    assert len(password) >= MIN_PASSWORD_LENGTH

    with admin_app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email="new.person@example.org"))
        assert user is not None and user.role == UserRole.PLANNER and user.active
        assert password not in user.password_hash
        history = db.session.scalars(sa.select(ChangeRecord).filter_by(entity="users", entity_id=user.id)).all()
        assert [record.action for record in history] == ["create"]
        assert history[0].user_email == "admin@example.org"
        assert password not in str(history[0].changes)

    # Shown once: no page the admin can come back to shows it again.
    for path in ("/admin/users", "/admin/users/new", f"/admin/users/{user.id}"):
        assert password not in admin.get(path).get_data(as_text=True), path

    # The new colleague signs in through the real sign-in form (with its CSRF token) and must
    # first replace the one-time password: every page leads to the password page until then.
    colleague = admin_app.test_client()
    login(colleague, "new.person@example.org", password)
    assert colleague.get("/").headers["Location"].endswith("/auth/password")
    own = "Mein eigenes langes Passwort"
    response = colleague.post(
        "/auth/password",
        data={
            "csrf_token": csrf_token(colleague, "/auth/password"),
            "current_password": password,
            "new_password": own,
            "confirm_password": own,
        },
    )
    assert response.status_code == 302
    assert colleague.get("/").status_code == 200
    assert colleague.get("/admin/users").status_code == 403  # a planner, not an admin


def test_each_invitation_gets_its_own_password(admin: FlaskClient) -> None:
    first = one_time_password(_invite(admin, "one@example.org"))
    second = one_time_password(_invite(admin, "two@example.org"))
    assert first != second


@pytest.mark.parametrize("existing", ["planner@example.org", "PLANNER@Example.org", " planner@example.org "])
def test_duplicate_address_is_refused_and_creates_nothing(admin_app: Flask, admin: FlaskClient, existing: str) -> None:
    add_user(admin_app, UserRole.PLANNER, "planner@example.org")
    before = _emails(admin_app)
    response = _invite(admin, existing, "admin")
    assert response.status_code == 422
    page = text(response)
    assert "Ein Konto für planner@example.org gibt es bereits." in page
    assert 'aria-describedby="email-errors"' in page and 'id="email-errors"' in page
    assert 'id="one-time-password"' not in page
    assert _emails(admin_app) == before
    with admin_app.app_context():
        assert db.session.scalar(sa.select(User.role).filter_by(email="planner@example.org")) == UserRole.PLANNER


@pytest.mark.parametrize(
    "address, message",
    [
        ("not-an-address", "„not-an-address“ ist keine gültige E-Mail-Adresse"),
        ("two@@example.org", "„two@@example.org“ ist keine gültige E-Mail-Adresse"),
        ("someone@", "„someone@“ ist keine gültige E-Mail-Adresse"),
        ("", "Bitte geben Sie eine E-Mail-Adresse an."),
        ("   ", "Bitte geben Sie eine E-Mail-Adresse an."),
    ],
)
def test_invalid_address_is_refused_and_creates_nothing(admin_app: Flask, admin: FlaskClient, address: str, message: str) -> None:
    before = _emails(admin_app)
    response = _invite(admin, address)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert 'id="one-time-password"' not in page
    assert _emails(admin_app) == before


def test_unknown_role_is_refused_and_creates_nothing(admin_app: Flask, admin: FlaskClient) -> None:
    before = _emails(admin_app)
    response = _invite(admin, "someone@example.org", "superuser")
    assert response.status_code == 422
    assert 'id="role-errors"' in response.get_data(as_text=True)
    assert _emails(admin_app) == before
