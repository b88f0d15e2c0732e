"""Security hardening: headers and CSP, cookies and session expiry, error pages, /healthz,
login rate limiting (memory and Redis), request logs, and a Chromium walk that finds no CSP violation."""

from __future__ import annotations

import io
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from planner.admin.inputs import AccountInput
from planner.admin.operations import change_account, reset_password
from planner.auth.operations import change_password
from planner.extensions import db
from planner.models import Delegation, FeedToken, User, UserRole, UserSession
from planner.timezones import utc_now
from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.test_planning import sign_in
from tests.conftest import (
    PASSWORD,
    KellerSeeder,
    add_user,
    csrf_token,
    login,
    make_app,
    make_appointment,
    make_delegation,
    make_user,
    post_password_change,
)

VIEWER = "viewer@example.org"
REDIS_URL = "redis://127.0.0.1:6379/0"
# Everything the planner serves must come with these, whatever the page.
EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SECURITY_ENV = ("PLANNER_HTTPS", "PLANNER_PROXY_FIX", "REDIS_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in SECURITY_ENV:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def build_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Apps with their own configuration, on this test's (empty) database."""
    apps: list[Flask] = []

    def build(**overrides: object) -> Flask:
        application = make_app(database_url, tmp_path / f"instance-{len(apps)}", **overrides)
        apps.append(application)
        return application

    yield build
    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def post_login(client: FlaskClient, email: str, password: str, **extra: str):
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"csrf_token": token, "email": email, "password": password, **extra})


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in policy.split(";")) if part}


def assert_security_headers(response) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    assert "camera=()" in response.headers["Permissions-Policy"]
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = csp_directives(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"].startswith("'self'")
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"


def set_cookies(response) -> dict[str, dict[str, str]]:
    """Set-Cookie headers as {name: {"value": ..., lower-cased attribute: value}}."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        parsed = {"value": value}
        for attribute in attributes:
            key, _, val = attribute.partition("=")
            parsed[key.lower()] = val
        cookies[name] = parsed
    return cookies


def expires_in(cookie: dict[str, str]) -> timedelta:
    return parsedate_to_datetime(cookie["expires"]) - datetime.now(UTC)


# -- 1. headers on every kind of response --------------------------------------------------


def test_security_headers_on_the_login_page(client: FlaskClient) -> None:
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP by default


def test_security_headers_on_a_signed_in_html_page(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    login(client, VIEWER)
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert_security_headers(response)


def seed_with_feed(app: Flask, seed_keller: KellerSeeder) -> tuple[int, str]:
    """The Keller trip with one whole-trip feed: its delegation id and the feed's secret token."""
    seed_keller(app)
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        feed = FeedToken.issue(delegation)
        db.session.add(feed)
        db.session.commit()
        return delegation.id, feed.token


def test_security_headers_on_a_feed_and_no_referrer_leaves_the_site(
    app: Flask, client: FlaskClient, seed_keller: KellerSeeder
) -> None:
    _delegation_id, token = seed_with_feed(app, seed_keller)
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert_security_headers(response)
    # Feed URLs carry their secret: a page may never send its address to another site.
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_every_response_to_a_signed_in_user_is_private_and_not_stored(
    app: Flask, client: FlaskClient, seed_keller: KellerSeeder
) -> None:
    delegation_id, token = seed_with_feed(app, seed_keller)
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
    # Before signing in, the sign-in page and the feed are not made for anyone in particular.
    assert "no-store" not in client.get("/auth/login").headers.get("Cache-Control", "")
    login(client, "admin@example.org")
    pages = [
        "/",
        f"/delegations/{delegation_id}",
        f"/delegations/{delegation_id}/subscriptions",
        f"/delegations/{delegation_id}/calendar.ics",
        f"/delegations/{delegation_id}/brief",
        f"/delegations/{delegation_id}/history",
        "/admin/users",
        "/auth/password",
        "/does-not-exist",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        directives = {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, (path, response.headers.get("Cache-Control"))
        assert "Cookie" in response.headers.get("Vary", ""), path
    # The subscriptions page really shows the secret the header protects.
    assert token in client.get(f"/delegations/{delegation_id}/subscriptions").get_data(as_text=True)
    # The public feed keeps its own rules, signed in or not: private, revalidated with its ETag.
    for reader in (client, app.test_client()):
        response = reader.get(f"/feeds/{token}.ics")
        assert response.status_code == 200 and response.headers.get("ETag")
        assert {part.strip() for part in response.headers["Cache-Control"].split(",")} == {"private", "no-cache"}
        assert reader.get(f"/feeds/{token}.ics", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    # Static files stay cacheable for everyone.
    assert "no-store" not in client.get("/static/css/planner.css").headers.get("Cache-Control", "")


def test_security_headers_on_error_pages_static_files_and_healthz(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    for response in (client.get("/does-not-exist"), client.get("/static/css/planner.css"), client.get("/healthz")):
        assert_security_headers(response)
    login(client, VIEWER)
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert_security_headers(response)


def test_hsts_and_https_urls_when_served_over_https(build_app: Callable[..., Flask]) -> None:
    app = build_app(PLANNER_HTTPS=True)
    response = app.test_client().get("/auth/login", base_url="https://planner.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "includeSubDomains" not in response.headers["Strict-Transport-Security"]
    assert app.config["PREFERRED_URL_SCHEME"] == "https"


def test_the_brief_gets_a_fresh_nonce_for_its_one_style_element(
    app: Flask, client: FlaskClient, seed_keller: KellerSeeder
) -> None:
    add_user(app)
    seed_keller(app)
    with app.app_context():
        delegation_id = db.session.scalars(sa.select(Delegation.id)).first()
    login(client, VIEWER)
    nonces = []
    for _ in range(2):
        response = client.get(f"/delegations/{delegation_id}/brief")
        assert response.status_code == 200
        assert_security_headers(response)
        nonce = re.search(r"'nonce-([^']+)'", csp_directives(response)["style-src"]).group(1)
        assert f'<style nonce="{nonce}">' in response.get_data(as_text=True)
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22
    # Pages without such an element get no nonce at all.
    assert "nonce" not in client.get("/").headers["Content-Security-Policy"]


def test_no_template_has_inline_styles_or_scripts() -> None:
    templates = Path(__file__).resolve().parents[1] / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        if (
            re.search(r"\sstyle\s*=", source)
            or re.search(r"<script(?![^>]*\ssrc=)[^>]*>", source)
            or re.search(r"\son[a-z]+\s*=", source)
        ):
            offenders.append(str(path.relative_to(templates)))
        for style in re.findall(r"<style[^>]*>", source):
            if "nonce=" not in style:
                offenders.append(f"{path.relative_to(templates)}: {style}")
    assert offenders == []


# -- 2. cookies and session expiry ---------------------------------------------------------


def test_session_and_remember_cookies_are_httponly_and_samesite(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    response = post_login(client, VIEWER, PASSWORD, remember="y")
    assert response.status_code == 302
    cookies = set_cookies(response)
    for name in ("session", "remember_token"):
        assert "httponly" in cookies[name], name
        assert cookies[name]["samesite"] == "Lax", name
        assert "secure" not in cookies[name], name  # plain HTTP: a Secure cookie would never come back
    # A signed-in session lasts 12 hours without a request; "stay signed in" two weeks, not a year.
    assert timedelta(hours=11) < expires_in(cookies["session"]) <= timedelta(hours=12)
    assert timedelta(days=13) < expires_in(cookies["remember_token"]) <= timedelta(days=14)


def test_cookies_are_secure_with_planner_https(build_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_HTTPS", "1")
    app = build_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    add_user(app)
    client = app.test_client()
    page = client.get("/auth/login", base_url="https://planner.example")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(
        "/auth/login",
        base_url="https://planner.example",
        headers={"Referer": "https://planner.example/auth/login"},
        data={"csrf_token": token, "email": VIEWER, "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    cookies = set_cookies(response)
    for name in ("session", "remember_token"):
        assert "secure" in cookies[name] and "httponly" in cookies[name] and cookies[name]["samesite"] == "Lax", name
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_an_idle_session_expires_on_the_server(build_app: Callable[..., Flask]) -> None:
    app = build_app(PERMANENT_SESSION_LIFETIME=timedelta(seconds=2))
    add_user(app)
    client = app.test_client()
    response = post_login(client, VIEWER, PASSWORD)
    session_cookie = set_cookies(response)["session"]["value"]
    # The same cookie, replayed by a client that ignores its expiry date.
    replay = app.test_client()
    replay.set_cookie("session", session_cookie)
    assert replay.get("/").status_code == 200
    time.sleep(3.1)
    replay.set_cookie("session", session_cookie)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def signed_in_cookies(app: Flask, email: str = VIEWER) -> tuple[FlaskClient, dict[str, str]]:
    """A browser signed in with "stay signed in", and copies of its two cookies as they are now."""
    browser = app.test_client()
    response = post_login(browser, email, PASSWORD, remember="y")
    assert response.status_code == 302
    cookies = set_cookies(response)
    return browser, {name: cookies[name]["value"] for name in ("session", "remember_token")}


def replay(app: Flask, cookies: dict[str, str]) -> int:
    """The status of the start page for a fresh client (another browser) with exactly these cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    response = other.get("/")
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/auth/login"
    return response.status_code


def test_cookies_copied_before_signing_out_are_dead_after_it(app: Flask) -> None:
    add_user(app)
    browser, copied = signed_in_cookies(app)
    _other_browser, other_copied = signed_in_cookies(app)
    assert replay(app, copied) == 200 and replay(app, {"remember_token": copied["remember_token"]}) == 200
    assert browser.post("/auth/logout", data={"csrf_token": csrf_token(browser, "/")}).status_code == 302
    assert browser.get("/").status_code == 302
    # Neither the session cookie nor the "stay signed in" token opens anything any more, alone or together.
    assert replay(app, {"session": copied["session"]}) == 302
    assert replay(app, {"remember_token": copied["remember_token"]}) == 302
    assert replay(app, copied) == 302
    # Signing out ends this browser's session only: the same account's other sign-in goes on.
    assert replay(app, other_copied) == 200
    with app.app_context():
        rows = db.session.execute(sa.select(UserSession.revoked_at)).scalars().all()
    assert len(rows) == 2 and sum(revoked is not None for revoked in rows) == 1


@pytest.mark.parametrize("how", ["password change", "admin reset", "disabled"])
def test_every_session_of_the_account_ends_with_a_new_password_or_when_disabled(app: Flask, how: str) -> None:
    add_user(app)
    _browser, copied = signed_in_cookies(app)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == VIEWER))
        if how == "password change":
            change_password(user, PASSWORD, "ein ganz neues Passwort")
        elif how == "admin reset":
            reset_password(user)
        else:
            change_account(user, AccountInput(user.role, False), version=user.version, actor=None)
        db.session.commit()  # operations flush, the caller commits
        assert db.session.scalar(sa.select(sa.func.count()).where(UserSession.revoked_at.is_(None))) == 0
    assert replay(app, {"session": copied["session"]}) == 302
    assert replay(app, {"remember_token": copied["remember_token"]}) == 302


def test_a_session_idle_longer_than_the_server_allows_is_refused(build_app: Callable[..., Flask]) -> None:
    app = build_app(PERMANENT_SESSION_LIFETIME=timedelta(hours=1), REMEMBER_COOKIE_DURATION=timedelta(days=1))
    add_user(app)
    _browser, copied = signed_in_cookies(app)
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(last_seen_at=utc_now() - timedelta(hours=23)))
        db.session.commit()
    # Used within the limit: allowed, and the use is recorded (the idle clock starts again).
    assert replay(app, {"remember_token": copied["remember_token"]}) == 200
    with app.app_context():
        last_seen = db.session.scalar(sa.select(UserSession.last_seen_at))
        assert utc_now() - last_seen < timedelta(minutes=1)
        db.session.execute(sa.update(UserSession).values(last_seen_at=utc_now() - timedelta(days=1, minutes=1)))
        db.session.commit()
    assert replay(app, {"remember_token": copied["remember_token"]}) == 302


def test_a_session_from_before_server_side_sessions_is_signed_out(app: Flask) -> None:
    add_user(app)
    browser = app.test_client()
    with app.app_context():
        reference = db.session.scalar(sa.select(User).where(User.email == VIEWER)).get_id()
    with browser.session_transaction() as session:
        session["_user_id"] = reference  # "<id>:<fingerprint>", as a cookie signed before this change holds it
        session["_fresh"] = True
    assert browser.get("/").status_code == 302


def test_the_csrf_secret_is_renewed_at_sign_in_and_sign_out(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    before = csrf_token(client, "/auth/login")
    assert client.post("/auth/login", data={"csrf_token": before, "email": VIEWER, "password": PASSWORD}).status_code == 302
    # A token read before signing in (by someone at the same desk, say) is worthless once signed in.
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
    signed_in = csrf_token(client, "/auth/password")
    assert signed_in != before
    assert client.post("/auth/logout", data={"csrf_token": signed_in}).status_code == 302
    refused = client.post("/auth/login", data={"csrf_token": signed_in, "email": VIEWER, "password": PASSWORD})
    assert refused.status_code == 400 and "Das Formular ist abgelaufen." in text(refused)
    assert post_login(client, VIEWER, PASSWORD).status_code == 302


# -- 3. error pages --------------------------------------------------------------------------


def test_too_large_upload_gets_a_clear_413_page(app: Flask, client: FlaskClient, seed_keller: KellerSeeder) -> None:
    add_user(app, UserRole.PLANNER, "planner@example.org")
    seed_keller(app)
    with app.app_context():
        delegation_id = db.session.scalars(sa.select(Delegation.id)).first()
    login(client, "planner@example.org")
    token = csrf_token(client, f"/delegations/{delegation_id}/import")
    big = io.BytesIO(b"X" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    response = client.post(
        f"/delegations/{delegation_id}/import",
        data={"csrf_token": token, "file": (big, "huge.ics")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    body = text(response)
    assert "Die gesendeten Daten sind zu groß." in body
    assert "Fehler 413" in body and "site-header" in body  # the app's own page, not Werkzeug's
    assert "Traceback" not in body and "RequestEntityTooLarge" not in body
    assert_security_headers(response)


def test_a_crash_shows_the_apps_500_page_without_traceback(build_app: Callable[..., Flask]) -> None:
    app = build_app(PROPAGATE_EXCEPTIONS=False)
    from planner.auth.access import public

    @public
    def explode() -> str:
        raise RuntimeError("secret internals: password=hunter2")

    app.add_url_rule("/explode-for-test", "explode_for_test", explode)
    response = app.test_client().get("/explode-for-test")
    assert response.status_code == 500
    body = text(response)
    assert "Ein interner Fehler ist aufgetreten." in body
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret internals", 'File "'):
        assert leak not in body
    assert_security_headers(response)


# -- 4. no user enumeration -------------------------------------------------------------------


def _comparable(body: str, email: str) -> str:
    body = re.sub(r'value="[^"]*"', 'value=""', body)  # CSRF tokens and the typed address differ
    return body.replace(email, "EMAIL")


def test_unknown_address_and_wrong_password_get_identical_answers(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    wrong_password = post_login(client, VIEWER, "wrong password, long enough")
    unknown = post_login(client, "nobody-here@example.org", "wrong password, long enough")
    assert wrong_password.status_code == unknown.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in text(unknown)
    assert _comparable(text(wrong_password), VIEWER) == _comparable(text(unknown), "nobody-here@example.org")
    assert set(set_cookies(wrong_password)) == set(set_cookies(unknown))


# -- 5. /healthz ------------------------------------------------------------------------------


def test_healthz_reports_a_working_database_without_login(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_reports_an_unreachable_database_without_detail(tmp_path: Path) -> None:
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/x", tmp_path / "instance")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}
    body = response.get_data(as_text=True)
    for leak in ("127.0.0.1", "psycopg", "nobody", "Traceback", "connection"):
        assert leak not in body


# -- 6. login rate limiting -------------------------------------------------------------------


def fail(client: FlaskClient, email: str, times: int) -> list[int]:
    return [post_login(client, email, "not the password at all").status_code for _ in range(times)]


def client_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def check_account_limit(app: Flask) -> None:
    """Ten failures for one account from one client; then that pair is locked whatever the password."""
    add_user(app)
    add_user(app, email="other@example.org")
    attacker = client_from(app, "192.0.2.10")
    assert fail(attacker, VIEWER, 10) == [200] * 10
    refused = post_login(attacker, VIEWER, "not the password at all")
    assert refused.status_code == 429
    body = text(refused)
    assert "Zu viele Versuche in kurzer Zeit." in body and "Fehler 429" in body and "site-header" in body
    assert "Traceback" not in body
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert_security_headers(refused)
    # The right password does not get through the lock either.
    assert post_login(attacker, VIEWER, PASSWORD).status_code == 429
    # The lock is the attacker's, not the account holder's: from their own address they sign in as usual.
    assert post_login(client_from(app, "192.0.2.99"), VIEWER, PASSWORD).status_code == 302
    # Another account is not affected, from the same client or another one.
    assert post_login(attacker, "other@example.org", PASSWORD).status_code == 302
    assert post_login(client_from(app, "192.0.2.11"), "other@example.org", PASSWORD).status_code == 302
    # Showing the sign-in page is never limited.
    assert client_from(app, "192.0.2.10").get("/auth/login").status_code == 200


def test_login_is_rate_limited_per_account(app: Flask) -> None:
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    check_account_limit(app)


def test_the_limit_is_the_same_for_unknown_addresses(app: Flask) -> None:
    client = client_from(app, "192.0.2.20")
    assert fail(client, "nobody@example.org", 10) == [200] * 10
    assert post_login(client, "nobody@example.org", "again").status_code == 429
    assert post_login(client, " NOBODY@example.org ", "again").status_code == 429  # the address as authenticate() reads it


def test_login_is_rate_limited_per_client_address(build_app: Callable[..., Flask]) -> None:
    app = build_app(LOGIN_RATE_LIMIT_CLIENT="4 per 15 minutes")
    add_user(app)
    attacker = client_from(app, "192.0.2.30")
    # Spraying: a different address each time, all from one client.
    assert [post_login(attacker, f"guess{i}@example.org", "x-password").status_code for i in range(4)] == [200] * 4
    assert post_login(attacker, "guess9@example.org", "x-password").status_code == 429
    assert post_login(attacker, VIEWER, PASSWORD).status_code == 429
    # Other clients sign in as usual.
    assert post_login(client_from(app, "192.0.2.31"), VIEWER, PASSWORD).status_code == 302


def test_forwarded_for_is_ignored_unless_a_proxy_is_configured(build_app: Callable[..., Flask]) -> None:
    direct = build_app(LOGIN_RATE_LIMIT_CLIENT="2 per 15 minutes")
    client = client_from(direct, "192.0.2.40")
    statuses = [post_login(client, f"g{i}@example.org", "x-password").status_code for i in range(2)]
    token = csrf_token(client, "/auth/login")
    spoofed = client.post(
        "/auth/login",
        data={"csrf_token": token, "email": "g3@example.org", "password": "x"},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    assert statuses == [200, 200] and spoofed.status_code == 429


def test_behind_a_proxy_the_forwarded_client_counts(build_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_PROXY_FIX", "1")
    app = build_app(LOGIN_RATE_LIMIT_CLIENT="2 per 15 minutes")
    proxy = client_from(app, "127.0.0.1")

    def attempt(client_address: str, email: str):
        token = csrf_token(proxy, "/auth/login")
        return proxy.post(
            "/auth/login",
            data={"csrf_token": token, "email": email, "password": "x-password"},
            headers={"X-Forwarded-For": client_address, "X-Forwarded-Proto": "https", "Referer": "https://localhost/auth/login"},
        )

    assert [attempt("203.0.113.1", f"a{i}@example.org").status_code for i in range(2)] == [200, 200]
    assert attempt("203.0.113.1", "a3@example.org").status_code == 429
    assert attempt("203.0.113.2", "a4@example.org").status_code == 200  # same proxy, another client


def test_successful_sign_ins_do_not_count(app: Flask) -> None:
    add_user(app)
    for _ in range(12):
        assert post_login(client_from(app, "192.0.2.50"), VIEWER, PASSWORD).status_code == 302


def test_the_lock_ends_when_the_window_has_passed(build_app: Callable[..., Flask]) -> None:
    app = build_app(LOGIN_RATE_LIMIT_ACCOUNT="2 per 2 seconds")
    add_user(app)
    client = client_from(app, "192.0.2.60")
    assert fail(client, VIEWER, 2) == [200, 200]
    assert post_login(client, VIEWER, PASSWORD).status_code == 429
    time.sleep(2.2)
    assert post_login(client, VIEWER, PASSWORD).status_code == 302


def test_each_app_counts_on_its_own(build_app: Callable[..., Flask]) -> None:
    first = build_app(LOGIN_RATE_LIMIT_ACCOUNT="1 per 15 minutes")
    second = build_app(LOGIN_RATE_LIMIT_ACCOUNT="1 per 15 minutes")
    add_user(first)
    assert fail(first.test_client(), VIEWER, 2) == [200, 429]
    assert post_login(second.test_client(), VIEWER, PASSWORD).status_code == 302


def redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001  (whatever fails, there is no Redis to test against)
        return False


@pytest.mark.skipif(not redis_reachable(), reason=f"no Redis server answers at {REDIS_URL}; the memory storage is tested above")
def test_login_rate_limit_with_redis(build_app: Callable[..., Flask]) -> None:
    import redis

    prefix = f"planner-test-{uuid.uuid4().hex}"  # parallel test runs on one Redis never meet
    app = build_app(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    server = redis.Redis.from_url(REDIS_URL)
    try:
        check_account_limit(app)
        # The counters really are in Redis (not in the in-memory fallback), so every worker shares them.
        keys = [key.decode() for key in server.scan_iter(f"*{prefix}*")]
        assert any("account:viewer@example.org" in key for key in keys), keys
        # A second app (another worker) on the same Redis sees the same lock.
        worker = build_app(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
        assert post_login(client_from(worker, "192.0.2.10"), VIEWER, PASSWORD).status_code == 429
        # /healthz reports the shared storage as working.
        assert worker.test_client().get("/healthz").get_json() == {"status": "ok", "database": "ok", "rate_limit_storage": "ok"}
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)


def test_an_unreachable_redis_is_logged_and_reported_and_the_limit_still_holds(
    build_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        app = build_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", LOGIN_RATE_LIMIT_ACCOUNT="3 per 15 minutes")
    # Said at start, before anyone signs in, in words an operator understands.
    assert any(
        "rate-limit storage" in record.getMessage() and "unreachable" in record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR
    )
    add_user(app)
    add_user(app, email="other@example.org")
    client = client_from(app, "192.0.2.70")
    assert post_login(client, "other@example.org", PASSWORD).status_code == 302  # signing in still works
    assert fail(client_from(app, "192.0.2.71"), VIEWER, 4) == [200, 200, 200, 429]  # and the limit still holds
    # The health check says so (without the address of the Redis), but keeps the worker in service.
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok", "rate_limit_storage": "unavailable"}
    assert "127.0.0.1:1" not in response.get_data(as_text=True)
    assert any("rate-limit storage" in record.getMessage() for record in caplog.records)


def test_memory_counters_are_not_reported_as_a_part_of_health(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_failures_back_off_over_longer_windows(build_app: Callable[..., Flask]) -> None:
    app = build_app(LOGIN_RATE_LIMIT_ACCOUNT="2 per 2 seconds; 3 per hour")
    add_user(app)
    client = client_from(app, "192.0.2.80")
    assert fail(client, VIEWER, 2) == [200, 200]
    assert post_login(client, VIEWER, PASSWORD).status_code == 429
    time.sleep(2.2)
    assert fail(client, VIEWER, 1) == [200]  # the short window has passed: one more try
    time.sleep(2.2)
    assert post_login(client, VIEWER, PASSWORD).status_code == 429  # now the hour counts
    # The defaults step up the same way: the documented 10 in 15 minutes, then longer waits.
    from itertools import pairwise

    from limits import parse_many

    defaults = build_app().config
    for name in ("LOGIN_RATE_LIMIT_ACCOUNT", "PASSWORD_CHECK_RATE_LIMIT"):
        steps = [(item.amount, item.get_expiry()) for item in parse_many(defaults[name])]
        assert steps[0] == (10, 15 * 60) and len(steps) > 1, (name, steps)
        assert all(a < b and s < t for (a, s), (b, t) in pairwise(steps)), (name, steps)


def test_the_current_password_check_is_limited_per_account(app: Flask) -> None:
    add_user(app)
    add_user(app, email="other@example.org")
    thief = client_from(app, "192.0.2.90")  # holds the viewer's session and guesses the password
    login(thief, VIEWER)
    with app.app_context():
        stored_hash = db.session.scalar(sa.select(User.password_hash).where(User.email == VIEWER))

    def guess(client: FlaskClient, current: str, new: str = "ein ganz neues Passwort") -> TestResponse:
        return post_password_change(client, current, new)

    # Refusals that check no password (a new password too short) do not count.
    assert [guess(thief, PASSWORD, "kurz").status_code for _ in range(3)] == [200] * 3
    assert [guess(thief, f"guess {i}").status_code for i in range(10)] == [200] * 10
    refused = guess(thief, PASSWORD)
    assert refused.status_code == 429 and "Zu viele Versuche" in text(refused)
    # Another address does not give new attempts on this account's page...
    thief.environ_base["REMOTE_ADDR"] = "192.0.2.91"
    assert guess(thief, PASSWORD).status_code == 429
    with app.app_context():
        assert db.session.scalar(sa.select(User.password_hash).where(User.email == VIEWER)) == stored_hash
    # ... while other accounts change their passwords as usual.
    other = client_from(app, "192.0.2.90")
    login(other, "other@example.org")
    assert guess(other, PASSWORD).status_code == 302


def test_rate_limit_storage_comes_from_redis_url() -> None:
    from planner.config import from_environment

    assert (
        from_environment({"REDIS_URL": "redis://cache.internal:6379/3"})["RATELIMIT_STORAGE_URI"]
        == "redis://cache.internal:6379/3"
    )
    assert "RATELIMIT_STORAGE_URI" not in from_environment({})
    assert from_environment({"PLANNER_HTTPS": "1", "PLANNER_PROXY_FIX": "2"}) == {"PLANNER_HTTPS": True, "PLANNER_PROXY_FIX": 2}
    assert from_environment({"PLANNER_HTTPS": "0"}) == {"PLANNER_HTTPS": False}


# -- 7. request logs --------------------------------------------------------------------------


def test_one_json_line_per_request_without_secrets(app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    add_user(app)
    with app.app_context():
        user_id = db.session.scalar(sa.text("SELECT id FROM users WHERE email = :e"), {"e": VIEWER})
    login(client, VIEWER)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="planner.requests"):
        client.get("/search?q=Geheimes+Projekt")
        client.get("/feeds/SeCrEtToKeN1234567890abcdefghijklmnopqrstuv.ics?x=1")
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "planner.requests"]
    assert len(lines) == 2
    search, feed = lines
    assert search["method"] == "GET" and search["path"] == "/search" and search["status"] == 200
    assert search["user_id"] == user_id
    assert isinstance(search["duration_ms"], float) and search["duration_ms"] >= 0
    assert datetime.fromisoformat(search["time"]).tzinfo is not None
    assert feed["path"] == "/feeds/***" and feed["status"] == 404
    everything = caplog.text
    assert "Geheimes" not in everything and "SeCrEtToKeN" not in everything


# -- 8. the timeline without inline styles -----------------------------------------------------

_PLACED = re.compile(
    r'<foreignObject x="([\d.]+)%" y="([\d.]+)%" width="([\d.]+)%" height="([\d.]+)%">'
    # An appointment's block shares a wrapper with its "Verschieben" link (for editors).
    r'\s*(?:<div class="block-slot"[^>]*>\s*)?<a class="([^"]+)" href="([^"]+)"[^>]*>(.*?)</a>',
    re.S,
)


def test_timeline_geometry_is_in_svg_attributes_and_overlaps_share_the_width(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    with app.app_context():
        delegation = make_delegation()
        first = make_appointment(delegation, datetime(2024, 10, 15, 9, 0), 90, zone="Europe/Berlin", title="Erster Termin")
        second = make_appointment(delegation, datetime(2024, 10, 15, 10, 0), 60, zone="Europe/Berlin", title="Zweiter Termin")
        make_appointment(delegation, datetime(2024, 10, 15, 14, 0), 60, zone="Europe/Berlin", title="Dritter Termin")
        db.session.commit()
        delegation_id, first_id, second_id = delegation.id, first.id, second.id
    login(client, VIEWER)
    html = client.get(f"/delegations/{delegation_id}/timeline").get_data(as_text=True)
    assert "style=" not in html
    placed = {
        " ".join(re.sub(r"<[^>]+>", " ", label).split()): (float(x), float(y), float(w), float(h), cls, href)
        for x, y, w, h, cls, href, label in _PLACED.findall(html)
    }
    assert len(placed) == 3, placed
    by_title = {next(t for t in ("Erster", "Zweiter", "Dritter") if t in label): value for label, value in placed.items()}
    # 09:00-10:30 and 10:00-11:00 overlap: two lanes, side by side; 14:00 has the day's width to itself.
    assert by_title["Erster"][:4] == (0.0, 37.5, 50.0, 6.25)
    assert by_title["Zweiter"][0] == 50.0 and by_title["Zweiter"][2] == 50.0 and round(by_title["Zweiter"][1], 2) == 41.67
    assert by_title["Dritter"][0] == 0.0 and by_title["Dritter"][2] == 100.0
    assert by_title["Erster"][5] == f"/delegations/{delegation_id}#appointment-{first_id}"
    assert by_title["Zweiter"][5] == f"/delegations/{delegation_id}#appointment-{second_id}"
    # Status in words and outline, not colour alone.
    label = next(label for label in placed if "Erster" in label)
    assert "09:00" in label and "(Vorläufig)" in label and "block--tentative" in by_title["Erster"][4]


# -- 9. the pages in Chromium: no Content-Security-Policy violation ---------------------------

CSP_WALK = [
    "/",
    "/delegations/1",
    "/delegations/1/timeline",
    "/delegations/1/brief",
    "/delegations/1/brief/options",
    "/delegations/1/subscriptions",
    "/delegations/1/import",
    "/delegations/1/history",
    "/delegations/1/members/1",
    "/delegations/1/appointments/1",
    "/delegations/1/appointments/1/edit",
    "/directory/organizations",
    "/search?q=x",
    "/search?q=Doosan",
    "/admin/users",
    "/does-not-exist",
]
# Records violations in the page itself, in addition to the console messages Chromium prints.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def test_no_page_violates_the_content_security_policy(live_server: LiveServer, browser) -> None:
    with live_server.app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        delegation = db.session.get(Delegation, 1)
        db.session.add(FeedToken.issue(delegation))  # so the subscriptions page shows a QR code
        db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="de-DE")
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))

    def violations() -> list[str]:
        page.wait_for_timeout(50)  # the violation events are queued as tasks
        return page.evaluate("window.__cspViolations") + [
            m for m in console if "Content Security Policy" in m or "Refused to" in m
        ]

    response = page.goto(live_server.url + "/auth/login")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert violations() == [], "/auth/login"
    sign_in(page, live_server, "admin@example.org")
    for path in CSP_WALK:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status in (200, 404), path
        assert response.headers["content-security-policy"], path
        page.wait_for_load_state("load")
        assert violations() == [], path
        if path.endswith("/subscriptions"):
            assert page.locator("svg.qr").count() >= 1
        if path.endswith("/brief"):
            # The print view's script is a static file and runs: it reveals the print button.
            assert page.locator("[data-print]").is_visible()

    # The check itself works: an inline style attribute is reported.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">inline</p>')")
    assert any("style-src" in v for v in violations())
    context.close()


def test_timeline_places_blocks_by_local_time_without_inline_styles(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        make_user(UserRole.VIEWER, VIEWER)
    sign_in(page, live_server, VIEWER)
    response = page.goto(live_server.url + "/delegations/1/timeline")
    assert response.status == 200
    assert "style=" not in response.text()
    days = page.locator(".timeline__day")
    assert days.count() >= 5
    blocks = page.locator("a.block")
    assert blocks.count() >= 10
    geometry = page.evaluate(
        """() => [...document.querySelectorAll('.timeline__day')].map((day) => {
             const body = day.querySelector('.timeline__body').getBoundingClientRect();
             return {body: {x: body.x, y: body.y, w: body.width, h: body.height},
                     blocks: [...day.querySelectorAll('a.block')].map((a) => {
                       const r = a.getBoundingClientRect();
                       const time = a.querySelector('.block__time');
                       return {x: r.x, y: r.y, w: r.width, h: r.height, href: a.getAttribute('href'),
                               time: time ? time.textContent.trim() : null, name: a.textContent.trim()};
                     })};
           })"""
    )
    checked = 0
    for day in geometry:
        body = day["body"]
        for block in day["blocks"]:
            assert block["name"], block
            assert re.search(r"/delegations/1#(appointment|journey)-\d+$", block["href"]), block
            # Inside its day, and with a real size (not collapsed to nothing).
            assert body["x"] - 1 <= block["x"] and block["x"] + block["w"] <= body["x"] + body["w"] + 1, block
            assert block["w"] > 10 and block["h"] > 5, block
            if block["time"] and block["y"] > body["y"] + 1:
                hours, minutes = map(int, block["time"].split(":"))
                expected = body["y"] + 1 + (hours * 60 + minutes) / 1440 * (body["h"] - 2)  # 1px border
                assert abs(block["y"] - expected) < 2, (block, expected)
                checked += 1
        # Overlapping blocks stand side by side, never on top of each other.
        for i, a in enumerate(day["blocks"]):
            for b in day["blocks"][i + 1 :]:
                vertical = a["y"] < b["y"] + b["h"] - 1 and b["y"] < a["y"] + a["h"] - 1
                horizontal = a["x"] < b["x"] + b["w"] - 1 and b["x"] < a["x"] + a["w"] - 1
                assert not (vertical and horizontal), (a, b)
    assert checked >= 10

    # Status is visible without colour: a tentative block has a dashed outline and says so.
    tentative = page.locator("a.block--tentative").first
    assert tentative.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
    assert "(Vorläufig)" in tentative.text_content()
    # Reachable by keyboard, and the blocks are links with names for screen readers.
    page.locator(".breadcrumb a").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('block')")
    first_name = geometry[0]["blocks"][0]["name"] if geometry[0]["blocks"] else None
    if first_name:
        assert page.get_by_role("link", name=first_name.split("\n")[0].strip()).count() >= 1
    screenshot(page, "30-timeline-svg")
