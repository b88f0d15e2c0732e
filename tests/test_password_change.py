"""Changing one's own password; one-time passwords must be replaced; disabled accounts stay signed out.

Everything through the real forms with their CSRF tokens, and checked by
signing in again, not by looking at flags alone.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.admin.inputs import AccountInput
from planner.admin.operations import change_account, reset_password
from planner.auth.operations import bootstrap_admin
from planner.extensions import db
from planner.models import Delegation, User, UserRole
from tests.conftest import PASSWORD, csrf_token, enrol_through_page, login, make_delegation, make_user, post_password_change

NEW = "ein ganz neues Passwort"


def sign_in_status(app: Flask, email: str, password: str) -> int:
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"csrf_token": token, "email": email, "password": password}).status_code


def password_hash(app: Flask, email: str) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(User.password_hash).where(User.email == email))


def test_the_page_is_linked_from_every_page_and_names_the_rules(planner_client: FlaskClient) -> None:
    assert 'href="/auth/password"' in planner_client.get("/").get_data(as_text=True)
    page = planner_client.get("/auth/password").get_data(as_text=True)
    assert "Mindestens 12 Zeichen" in page
    assert 'autocomplete="current-password"' in page and page.count('autocomplete="new-password"') == 2


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(app: Flask, planner_client: FlaskClient) -> None:
    other_browser = app.test_client()
    login(other_browser, "planner@example.org")
    assert other_browser.get("/").status_code == 200

    response = post_password_change(planner_client, PASSWORD, NEW)
    assert response.status_code == 302
    assert "Passwort ist geändert" in planner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert planner_client.get("/").status_code == 200  # this browser stays signed in
    assert other_browser.get("/").headers["Location"].startswith("/auth/login")  # the other one is out
    assert sign_in_status(app, "planner@example.org", PASSWORD) == 200  # refused: the form again
    assert sign_in_status(app, "planner@example.org", NEW) == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("falsch falsch falsch", NEW, None, "Das bisherige Passwort stimmt nicht."),
        (PASSWORD, "kurz", None, "mindestens 12 Zeichen"),
        (PASSWORD, "x" * 1025, None, "nicht länger als 1024 Zeichen"),
        (PASSWORD, "Planner@Example.org", None, "nicht die E-Mail-Adresse"),
        (PASSWORD, PASSWORD, None, "muss sich vom bisherigen unterscheiden"),
        (PASSWORD, NEW, NEW + "!", "stimmen nicht überein"),
        ("", NEW, None, "Dieses Feld wird benötigt."),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    app: Flask, planner_client: FlaskClient, current: str, new: str, confirm: str | None, message: str
) -> None:
    before = password_hash(app, "planner@example.org")
    response = post_password_change(planner_client, current, new, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert password_hash(app, "planner@example.org") == before
    assert sign_in_status(app, "planner@example.org", PASSWORD) == 302


def test_the_form_needs_its_csrf_token(app: Flask, planner_client: FlaskClient) -> None:
    before = password_hash(app, "planner@example.org")
    response = planner_client.post(
        "/auth/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    )
    assert response.status_code == 400
    assert password_hash(app, "planner@example.org") == before


def test_a_one_time_password_must_be_replaced_before_anything_else(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = make_user(UserRole.PLANNER, "planner@example.org")
        delegation_id = make_delegation(title="Vorher").id
        db.session.commit()
        one_time = reset_password(user)
        db.session.commit()  # operations flush, the caller commits
    login(client, "planner@example.org", one_time)

    # Pages and forms lead to the password page; nothing posted with the one-time password is saved.
    for path in ("/", f"/delegations/{delegation_id}", "/directory/organizations"):
        assert client.get(path).headers["Location"] == "/auth/password", path
    token = csrf_token(client, "/auth/password")
    response = client.post(f"/delegations/{delegation_id}/edit", data={"csrf_token": token, "title": "Nachher"})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/password"
    with app.app_context():
        assert db.session.get(Delegation, delegation_id).title == "Vorher"
    assert "Einmal-Passwort" in client.get("/auth/password").get_data(as_text=True)
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302  # the way out stays open

    login(client, "planner@example.org", one_time)
    assert post_password_change(client, one_time, NEW).status_code == 302
    assert client.get(f"/delegations/{delegation_id}").status_code == 200
    with app.app_context():
        assert not db.session.scalar(sa.select(User.must_change_password).where(User.email == "planner@example.org"))


def test_the_first_admin_replaces_the_printed_password_but_accounts_made_on_the_command_line_do_not(app: Flask, runner) -> None:
    with app.app_context():
        _, printed = bootstrap_admin("admin@example.org")
        db.session.commit()  # operations flush; the caller commits
    first = app.test_client()
    login(first, "admin@example.org", printed)
    assert first.get("/").headers["Location"] == "/auth/password"

    result = runner.invoke(args=["users", "create", "ops@example.org", "--role", "admin"], input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0, result.output
    chosen = app.test_client()
    login(chosen, "ops@example.org", NEW)
    # No password to replace; but an admin sets up the second factor before anything else.
    assert chosen.get("/").headers["Location"] == "/auth/second-factor"
    enrol_through_page(chosen, "ops@example.org")
    assert chosen.get("/").status_code == 200


def test_a_disabled_account_does_not_get_its_old_sessions_back_when_enabled_again(
    app: Flask, planner_client: FlaskClient
) -> None:
    assert planner_client.get("/").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "planner@example.org"))
        change_account(user, AccountInput(user.role, False), version=user.version, actor=None)
        db.session.commit()
    assert planner_client.get("/").headers["Location"].startswith("/auth/login")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "planner@example.org"))
        change_account(user, AccountInput(user.role, True), version=user.version, actor=None)
        db.session.commit()
    # The cookie from before is dead for good; signing in again works.
    assert planner_client.get("/").headers["Location"].startswith("/auth/login")
    assert sign_in_status(app, "planner@example.org", PASSWORD) == 302
