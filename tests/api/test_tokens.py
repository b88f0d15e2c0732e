"""Personal API tokens: made on the account page and shown once, stored as a digest, revocable; what a bad token gets."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import ApiToken, TokenScope, User, UserRole
from planner.timezones import utc_now
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import PASSWORD, csrf_token, make_delegation, make_user, post_password_change, signed_in_as

_SHOWN = re.compile(r'<code id="new-token">([^<]+)</code>')


def _create(client: FlaskClient, **fields: str) -> tuple[int, str]:
    data = {"csrf_token": csrf_token(client, "/auth/api-tokens"), "name": "Intranet", "scope": "read"}
    data["expires_on"] = (date.today() + timedelta(days=30)).isoformat()
    data.update(fields)
    response = client.post("/auth/api-tokens", data=data)
    return response.status_code, response.get_data(as_text=True)


def test_a_token_is_shown_once_and_stored_only_as_its_digest(app: Flask, client: FlaskClient) -> None:
    signed_in_as(client, UserRole.PLANNER, "planner@example.org")
    status, page = _create(client, name="Intranet-Export")
    assert status == 200
    secret = _SHOWN.search(page).group(1)  # type: ignore[union-attr]
    assert secret.startswith("dpt_") and len(secret) > 40
    with app.app_context():
        row = db.session.scalars(sa.select(ApiToken)).one()
        assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
        stored = " ".join(str(value) for value in db.session.execute(sa.select(ApiToken.__table__)).one())
        assert secret not in stored
        assert row.scopes == "read" and row.name == "Intranet-Export"
    # Never again: the list shows the name, not the token.
    later = client.get("/auth/api-tokens").get_data(as_text=True)
    assert "Intranet-Export" in later and secret not in later
    # And it works.
    assert client.get("/api/v1/delegations", headers=bearer(secret)).status_code == 200


def test_a_viewer_cannot_make_a_write_token(app: Flask, client: FlaskClient) -> None:
    signed_in_as(client, UserRole.VIEWER, "viewer@example.org")
    status, page = _create(client, scope="write")
    assert status == 422 and "nur lesen" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
    status, _page = _create(client, scope="read")
    assert status == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_on": (date.today() - timedelta(days=1)).isoformat()}, "in der Zukunft"),
        ({"expires_on": (date.today() + timedelta(days=400)).isoformat()}, "höchstens ein Jahr"),
        ({"expires_on": "9999-12-31"}, "höchstens ein Jahr"),
        ({"expires_on": "morgen"}, "gültiges Datum"),
        ({"name": ""}, "wofür das Token ist"),
        ({"scope": "admin"}, "Keine gültige Auswahl"),
    ],
)
def test_bad_token_input_changes_nothing(app: Flask, client: FlaskClient, fields: dict[str, str], message: str) -> None:
    signed_in_as(client, UserRole.PLANNER, "planner@example.org")
    status, page = _create(client, **fields)
    assert status == 422
    assert message in page, re.findall(r"<li>([^<]*)</li>", page)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_a_revoked_token_stops_at_once_and_only_the_owner_revokes(
    app: Flask, client: FlaskClient, make_token: TokenMaker
) -> None:
    signed_in_as(client, UserRole.PLANNER, "planner@example.org")
    with app.app_context():
        make_user(UserRole.PLANNER, "other@example.org")
    mine, theirs = make_token("planner@example.org"), make_token("other@example.org")
    with app.app_context():
        ids = {email: token_id for email, token_id in db.session.execute(sa.select(User.email, ApiToken.id).join(ApiToken.user))}
    token = csrf_token(client, "/auth/api-tokens")
    # Someone else's token: as if there were none.
    assert client.post(f"/auth/api-tokens/{ids['other@example.org']}/revoke", data={"csrf_token": token}).status_code == 404
    assert client.get("/api/v1/delegations", headers=bearer(theirs)).status_code == 200
    response = client.post(f"/auth/api-tokens/{ids['planner@example.org']}/revoke", data={"csrf_token": token})
    assert response.status_code == 303
    refused = client.get("/api/v1/delegations", headers=bearer(mine))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert "zurückgezogen" in client.get("/auth/api-tokens").get_data(as_text=True)


@pytest.mark.parametrize("case", ["expired", "disabled account", "unknown", "no header", "basic scheme", "empty bearer"])
def test_a_token_that_does_not_count_gets_401_problem(app: Flask, client: FlaskClient, make_token: TokenMaker, case: str) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        make_delegation()
        db.session.commit()
    secret = make_token("admin@example.org")
    headers = bearer(secret)
    with app.app_context():
        token = db.session.scalars(sa.select(ApiToken)).one()
        if case == "expired":
            token.expires_at = utc_now() - timedelta(seconds=1)
        elif case == "disabled account":
            token.user.active = False
        db.session.commit()
    if case == "unknown":
        headers = bearer(secret[:-2] + "xx")
    elif case == "no header":
        headers = {}
    elif case == "basic scheme":
        headers = {"Authorization": f"Basic {secret}"}
    elif case == "empty bearer":
        headers = {"Authorization": "Bearer "}
    response = client.get("/api/v1/delegations", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem = response.get_json(force=True)
    assert problem["status"] == 401 and problem["type"] == "about:blank" and problem["detail"]
    assert "Testreise" not in response.get_data(as_text=True)


def test_a_session_cookie_is_no_token(client: FlaskClient) -> None:
    signed_in_as(client, UserRole.ADMIN, "admin@example.org")
    response = client.get("/api/v1/delegations")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_the_token_pages_need_an_account(client: FlaskClient) -> None:
    response = client.get("/auth/api-tokens")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# -- a new password revokes the account's tokens ---------------------------------------------------

NEW_PASSWORD = "ein ganz neues Passwort"


def _answers(client: FlaskClient, *secrets: str) -> list[int]:
    return [client.get("/api/v1/delegations", headers=bearer(secret)).status_code for secret in secrets]


def test_changing_ones_password_revokes_ones_tokens(app: Flask, client: FlaskClient, make_token: TokenMaker) -> None:
    signed_in_as(client, UserRole.PLANNER, "planner@example.org")
    with app.app_context():
        make_user(UserRole.PLANNER, "other@example.org")
    mine = [make_token("planner@example.org"), make_token("planner@example.org", TokenScope.WRITE)]
    theirs = make_token("other@example.org")
    assert _answers(client, *mine, theirs) == [200, 200, 200]
    refused = post_password_change(client, "wrong password", NEW_PASSWORD)
    assert "Das bisherige Passwort stimmt nicht." in refused.get_data(as_text=True)
    assert _answers(client, *mine) == [200, 200]  # a refused change revokes nothing
    assert post_password_change(client, PASSWORD, NEW_PASSWORD).status_code in (302, 303)
    assert _answers(client, *mine, theirs) == [401, 401, 200]
    with app.app_context():
        rows = db.session.execute(sa.select(User.email, ApiToken.revoked_at).join(ApiToken.user)).all()
    assert {email for email, revoked in rows if revoked is not None} == {"planner@example.org"}
    # A token made after the change works again.
    assert _answers(client, make_token("planner@example.org")) == [200]


def test_an_admins_password_reset_revokes_the_accounts_tokens(app: Flask, client: FlaskClient, make_token: TokenMaker) -> None:
    signed_in_as(client, UserRole.ADMIN, "admin@example.org")
    with app.app_context():
        planner_id = make_user(UserRole.PLANNER, "planner@example.org").id
    theirs, own = make_token("planner@example.org", TokenScope.WRITE), make_token("admin@example.org")
    token = csrf_token(client, "/admin/users")
    response = client.post(f"/admin/users/{planner_id}/password", data={"csrf_token": token})
    assert response.status_code == 200
    assert _answers(client, theirs, own) == [401, 200]


def test_setting_a_password_on_the_command_line_revokes_the_accounts_tokens(app: Flask, make_token: TokenMaker) -> None:
    with app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
    secret = make_token("planner@example.org")
    client = app.test_client()
    assert _answers(client, secret) == [200]
    result = app.test_cli_runner().invoke(args=["users", "set-password", "planner@example.org"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "API tokens are revoked" in result.output
    assert _answers(client, secret) == [401]
