"""The second factor: TOTP codes computed here with pyotp from the stored secret, recovery codes, the gates.

Admins and carers (``may_care`` on any trip) need a second factor; plain
planners and viewers are not asked. The codes are real: each test reads the
account's secret from the database, as the phone that scanned it would hold it.
"""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import urlsplit

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from planner.auth.access import is_public, takes_tokens
from planner.backup.export import export_database
from planner.extensions import db
from planner.models import ChangeRecord, Delegation, RecoveryCode, TeamMember, User, UserRole
from tests.conftest import PASSWORD, csrf_token, enrol_through_page, login, make_user, totp_code

ADMIN = "admin@example.org"
CARER = "carer@example.org"
PLAIN = "plain@example.org"


def _text(response: TestResponse) -> str:
    return unescape(response.get_data(as_text=True))


def _account(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        db.session.expunge(user)
        return user


def _admin_without_factor(app: Flask, email: str = ADMIN) -> int:
    """An admin account as `flask users create --role admin` leaves it: no second factor yet."""
    with app.app_context():
        user = make_user(UserRole.ADMIN, email)
        user.totp_secret = user.second_factor_since = None
        db.session.commit()
        return user.id


def _password_step(client: FlaskClient, email: str) -> str:
    """Post the right password; assert the code is asked next; return the CSRF token (good for the code form)."""
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/code"
    return token


def _current_code(app: Flask, email: str) -> str:
    return pyotp.TOTP(_account(app, email).totp_secret).now()


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def _location(response: TestResponse) -> str:
    return urlsplit(response.headers.get("Location", "")).path


# -- enrolment ----------------------------------------------------------------------------


def test_enrolment_shows_the_secret_as_qr_and_text_and_confirms_with_a_code(app: Flask, keller_trip: int) -> None:
    _admin_without_factor(app)
    client = app.test_client()
    login(client, ADMIN)  # no factor yet: the password signs in, and the gate sends to enrolment
    assert _location(client.get("/")) == "/auth/second-factor"

    page = client.get("/auth/second-factor")
    secret = _account(app, ADMIN).totp_secret
    assert page.status_code == 200 and secret
    assert "<svg" in page.get_data(as_text=True)  # the QR code for the phone's camera
    assert f'value="{secret}"' in page.get_data(as_text=True)  # and the key to type in
    assert client.get("/auth/second-factor").get_data(as_text=True).count(secret) == 1  # a reload shows the same key
    assert _account(app, ADMIN).totp_secret == secret

    token = csrf_token(client, "/auth/second-factor")
    wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
    refused = client.post("/auth/second-factor", data={"csrf_token": token, "code": wrong})
    assert refused.status_code == 422
    assert "Der Code stimmt nicht" in _text(refused)
    assert _account(app, ADMIN).second_factor_since is None

    confirmed = client.post("/auth/second-factor", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200
    shown = re.findall(r"<code>([a-z0-9-]+)</code>", _text(confirmed))
    assert len(shown) == 10 and len(set(shown)) == 10
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == ADMIN)).one()
        assert user.second_factor_since is not None
        digests = set(db.session.scalars(sa.select(RecoveryCode.digest).where(RecoveryCode.user_id == user.id)))
        assert len(digests) == 10 and not digests & set(shown)  # only digests are kept
        # The history says the factor was set up, never its secret.
        records = db.session.scalars(sa.select(ChangeRecord).where(ChangeRecord.entity == "users")).all()
        assert any("second_factor_since" in r.changes for r in records)
        assert not any(secret in str(r.changes) for r in records)

    assert _signed_in(client)
    status = _text(client.get("/auth/second-factor"))
    assert "Noch 10 unbenutzte Wiederherstellungscodes." in status
    assert not any(code in status for code in shown)  # shown once only


def test_forced_enrolment_blocks_every_other_page(app: Flask, keller_trip: int) -> None:
    _admin_without_factor(app)
    client = app.test_client()
    login(client, ADMIN)
    token = csrf_token(client, "/auth/second-factor")
    allowed = {"auth.second_factor_page", "auth.logout", "i18n.set_language"}
    reached = []
    for rule in app.url_map.iter_rules():
        with app.app_context():
            # The JSON API ignores the session (its tokens are made on a page behind this gate).
            if rule.endpoint in allowed or is_public(rule.endpoint) or takes_tokens(rule.endpoint):
                continue
        url = rule.rule.replace("<int:delegation_id>", str(keller_trip))
        for name in rule.arguments - {"delegation_id"}:
            url = url.replace(f"<int:{name}>", "1").replace(f"<{name}>", "x").replace(f"<path:{name}>", "x")
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        if not (response.status_code == 303 and _location(response) == "/auth/second-factor"):
            reached.append(f"{method} {url}: {response.status_code}")
    assert not reached, "\n".join(reached)
    assert client.get("/auth/second-factor").status_code == 200
    # The way out stays open.
    assert _location(client.post("/auth/logout", data={"csrf_token": token})) == "/auth/login"


def test_the_bootstrap_admin_replaces_the_password_first_then_sets_up_the_factor(app: Flask, runner) -> None:
    result = runner.invoke(args=["users", "bootstrap-admin", "--email", ADMIN])
    assert result.exit_code == 0, result.output
    printed = next(line.split()[-1] for line in result.output.splitlines() if "Password:" in line)
    client = app.test_client()
    login(client, ADMIN, printed)
    assert _location(client.get("/")) == "/auth/password"
    assert _location(client.get("/auth/second-factor")) == "/auth/password"  # one thing at a time
    new = "ein eigenes langes Passwort"
    token = csrf_token(client, "/auth/password")
    form = {"csrf_token": token, "current_password": printed, "new_password": new, "confirm_password": new}
    assert client.post("/auth/password", data=form).status_code == 302
    assert _location(client.get("/")) == "/auth/second-factor"
    enrol_through_page(client, ADMIN)
    assert _signed_in(client)


# -- signing in with a code ----------------------------------------------------------------


def test_an_admin_signs_in_with_the_code_and_the_password_alone_reaches_nothing(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN)
    client = app.test_client()
    token = _password_step(client, ADMIN)
    # Half signed in: no page, not the admin pages either.
    assert _location(client.get("/")) == "/auth/login"
    assert _location(client.get("/admin/users")) == "/auth/login"

    refused = client.post(
        "/auth/code", data={"csrf_token": token, "code": "000000" if _current_code(app, ADMIN) != "000000" else "111111"}
    )
    assert refused.status_code == 422
    assert "Der Code stimmt nicht" in _text(refused)
    assert _location(client.get("/")) == "/auth/login"

    response = client.post("/auth/code", data={"csrf_token": token, "code": _current_code(app, ADMIN)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client) and client.get("/admin/users").status_code == 200


def test_the_code_step_keeps_where_the_user_was_going(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN)
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", query_string={"next": "/admin/users"}, data={"csrf_token": token, "email": ADMIN, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/auth/code"
    answered = client.post("/auth/code", data={"csrf_token": token, "code": _current_code(app, ADMIN)})
    assert answered.headers["Location"] == "/admin/users"


def test_a_code_is_good_once(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN)
    code = _current_code(app, ADMIN)
    first, second = app.test_client(), app.test_client()
    first_token, second_token = _password_step(first, ADMIN), _password_step(second, ADMIN)
    assert first.post("/auth/code", data={"csrf_token": first_token, "code": code}).status_code == 302
    # Someone who saw the code over the admin's shoulder, with the password, in another browser:
    replayed = second.post("/auth/code", data={"csrf_token": second_token, "code": code})
    assert replayed.status_code == 422
    assert "schon verwendet" in _text(replayed)
    assert not _signed_in(second)


def test_a_recovery_code_signs_in_once(app: Flask, keller_trip: int) -> None:
    _admin_without_factor(app)
    client = app.test_client()
    login(client, ADMIN)
    codes = enrol_through_page(client, ADMIN)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})

    typed = "  " + codes[3].upper().replace("-", " ") + " "  # read off paper: case and blanks do not matter
    token = _password_step(client, ADMIN)
    assert client.post("/auth/code", data={"csrf_token": token, "code": typed}).status_code == 302
    assert _signed_in(client)
    assert "Noch 9 unbenutzte Wiederherstellungscodes." in _text(client.get("/auth/second-factor"))
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})

    token = _password_step(client, ADMIN)
    again = client.post("/auth/code", data={"csrf_token": token, "code": codes[3]})
    assert again.status_code == 422
    assert "Dieser Wiederherstellungscode gilt nicht" in _text(again)
    assert not _signed_in(client)
    # Another admin's codes are no key to this account: a made-up code is refused the same way.
    assert client.post("/auth/code", data={"csrf_token": token, "code": "aaaaa-bbbbb-ccccc"}).status_code == 422


def test_an_expired_code_step_starts_over(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN)
    client = app.test_client()
    token = _password_step(client, ADMIN)
    with client.session_transaction() as session:
        session["_planner_second_factor"] = {**session["_planner_second_factor"], "until": int(time.time()) - 1}
    response = client.post("/auth/code", data={"csrf_token": token, "code": _current_code(app, ADMIN)})
    assert _location(response) == "/auth/login"
    assert "Die Anmeldung ist abgelaufen" in _text(client.get("/auth/login"))
    assert not _signed_in(client)


def test_wrong_codes_count_against_the_sign_in_limit(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN)
    client = app.test_client()
    token = _password_step(client, ADMIN)
    right = _current_code(app, ADMIN)
    wrong = "000000" if right != "000000" else "111111"
    statuses = [client.post("/auth/code", data={"csrf_token": token, "code": wrong}).status_code for _ in range(10)]
    assert statuses == [422] * 10
    # The account's attempts are used up: now even the right code waits, from this browser or another.
    assert client.post("/auth/code", data={"csrf_token": token, "code": right}).status_code == 429
    other = app.test_client()
    other_token = _password_step(other, ADMIN)
    assert other.post("/auth/code", data={"csrf_token": other_token, "code": right}).status_code == 429


# -- who is asked ---------------------------------------------------------------------------


def test_carers_need_a_second_factor_plain_planners_do_not(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller_trip)
        carer, plain = make_user(UserRole.PLANNER, CARER), make_user(UserRole.PLANNER, PLAIN)
        for user, cares in ((carer, True), (plain, False)):
            db.session.add(TeamMember(delegation_id=delegation.id, user_id=user.id, may_edit=True, may_care=cares))
        db.session.commit()

    plain_client = app.test_client()
    login(plain_client, PLAIN)  # the password alone: no code step
    assert plain_client.get(f"/delegations/{keller_trip}").status_code == 200

    carer_client = app.test_client()
    login(carer_client, CARER)
    assert _location(carer_client.get(f"/delegations/{keller_trip}")) == "/auth/second-factor"
    enrol_through_page(carer_client, CARER)
    assert carer_client.get(f"/delegations/{keller_trip}").status_code == 200
    # From now on the carer's sign-in asks for the code.
    fresh = app.test_client()
    token = _password_step(fresh, CARER)
    assert fresh.post("/auth/code", data={"csrf_token": token, "code": totp_code_for(app, CARER)}).status_code == 302


def totp_code_for(app: Flask, email: str) -> str:
    with app.app_context():
        return totp_code(email)


def test_becoming_a_carer_while_signed_in_sends_to_enrolment_at_the_next_page(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        user_id = make_user(UserRole.PLANNER, PLAIN).id
        db.session.add(TeamMember(delegation_id=keller_trip, user_id=user_id, may_edit=True))
        db.session.commit()
    client = app.test_client()
    login(client, PLAIN, teams=False)
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.execute(sa.update(TeamMember).where(TeamMember.user_id == user_id).values(may_care=True))
        db.session.commit()
    assert _location(client.get("/")) == "/auth/second-factor"


# -- resetting ------------------------------------------------------------------------------


def test_an_admin_resets_a_lost_factor_and_the_user_enrols_again(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        target = make_user(UserRole.ADMIN, "lost-phone@example.org")
        target_id = target.id
    lost = app.test_client()
    login(lost, "lost-phone@example.org")
    assert _signed_in(lost)

    page = _text(admin.get(f"/admin/users/{target_id}"))
    assert "Eingerichtet am" in page
    response = admin.post(f"/admin/users/{target_id}/second-factor", data={"csrf_token": csrf_token(admin, "/")})
    assert _location(response) == f"/admin/users/{target_id}"
    assert "ist zurückgesetzt" in _text(admin.get(f"/admin/users/{target_id}"))

    with app.app_context():
        user = db.session.get(User, target_id)
        assert user is not None and user.totp_secret is None and user.second_factor_since is None
        assert not db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == target_id)).all()
        record = db.session.scalars(
            sa.select(ChangeRecord)
            .where(ChangeRecord.entity == "users", ChangeRecord.entity_id == target_id)
            .order_by(ChangeRecord.id.desc())
        ).first()
        assert record is not None and record.user_email == ADMIN
        assert record.changes["second_factor_since"][1] is None

    assert _location(lost.get("/")) == "/auth/login"  # the sessions of the account ended
    login(lost, "lost-phone@example.org")  # no code asked: there is no factor
    assert _location(lost.get("/")) == "/auth/second-factor"
    enrol_through_page(lost, "lost-phone@example.org")
    assert _signed_in(lost)


def test_the_command_line_resets_a_locked_out_admin(app: Flask, runner, keller_trip: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN)
    result = runner.invoke(args=["users", "reset-second-factor", "ADMIN@example.org"])
    assert result.exit_code == 0, result.output
    assert "removed" in result.output
    assert _account(app, ADMIN).totp_secret is None
    again = runner.invoke(args=["users", "reset-second-factor", ADMIN])
    assert again.exit_code == 0 and "nothing changed" in again.output
    missing = runner.invoke(args=["users", "reset-second-factor", "nobody@example.org"])
    assert missing.exit_code != 0 and "no account" in missing.output


def test_a_backup_holds_no_second_factor_secret(app: Flask, keller_trip: int) -> None:
    _admin_without_factor(app)
    client = app.test_client()
    login(client, ADMIN)
    enrol_through_page(client, ADMIN)
    with app.app_context():
        document = export_database(db.session)
    assert "recovery_codes" not in document["tables"]
    assert all(row["totp_secret"] is None for row in document["tables"]["users"])


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "x" * 65, "١٢٣٤٥٦"])
def test_odd_codes_are_refused_with_a_message(app: Flask, keller_trip: int, typed: str) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN)
    client = app.test_client()
    token = _password_step(client, ADMIN)
    response = client.post("/auth/code", data={"csrf_token": token, "code": typed})
    assert response.status_code == 422
    assert 'class="field-errors"' in response.get_data(as_text=True)
    assert not _signed_in(client)
