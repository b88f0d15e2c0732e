"""The web interface through the test client: access control, sign-in, language, error pages.

Expected texts are the words a user reads (German by default, English after
switching), not values copied from the code under test.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from planner.auth.access import is_public, takes_tokens
from planner.extensions import db
from planner.models import Delegation, User, UserRole
from tests.conftest import PASSWORD, KellerSeeder, add_user, csrf_token, login, make_user

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = PROJECT_ROOT / "planner" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
SEED_FILE = PROJECT_ROOT / "planner" / "seed" / "keller-2024.toml"


# -- helpers ----------------------------------------------------------------


def load_user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def redirects_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/auth/login"


def is_signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def post_login(client: FlaskClient, email: str, password: str = PASSWORD, **query: str):
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", query_string=query, data={"csrf_token": token, "email": email, "password": password})


def switch_language(client: FlaskClient, locale: str, page: str = "/"):
    token = csrf_token(client, page)
    return client.post("/language", data={"csrf_token": token, "locale": locale, "next": page})


@pytest.fixture
def viewer(app: Flask) -> int:
    return add_user(app)


@pytest.fixture
def signed_in(client: FlaskClient, viewer: int) -> FlaskClient:
    login(client, "viewer@example.org")
    return client


@pytest.fixture
def seeded(app: Flask, seed_keller: KellerSeeder) -> None:
    seed_keller(app)


# -- 1. anonymous access ------------------------------------------------------

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_SAMPLE = {"int": 1, "float": 1.0, "uuid": "00000000-0000-0000-0000-000000000001"}


def _sample_values(rule) -> dict[str, object]:
    return {name: _SAMPLE.get(converter or "default", "x") for converter, name in _ARGUMENT.findall(rule.rule)}


def test_every_route_not_marked_public_sends_anonymous_users_to_login(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/auth/login")  # so POSTs are turned away for lack of a login, not of a token
    adapter = app.url_map.bind("localhost")
    checked = set()
    for rule in app.url_map.iter_rules():
        with app.app_context():
            if is_public(rule.endpoint):
                continue
        for method in sorted({"GET", "POST"} & (rule.methods or set())):
            url = adapter.build(rule.endpoint, _sample_values(rule), method=method)
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            if takes_tokens(rule.endpoint):  # the JSON API: no sign-in page, a 401 problem asking for a token
                assert response.status_code == 401, f"{method} {url} answered {response.status_code} to an anonymous user"
                assert response.mimetype == "application/problem+json", url
                checked.add((method, rule.endpoint))
                continue
            assert redirects_to_login(response), f"{method} {url} answered {response.status_code} to an anonymous user"
            assert "next" in parse_qs(urlsplit(response.headers["Location"]).query), f"{method} {url}: no next="
            checked.add((method, rule.endpoint))
    assert {("GET", "delegations.index"), ("POST", "auth.logout"), ("GET", "api.list_delegations")} <= checked


def test_public_pages_are_reachable_without_signing_in(client: FlaskClient) -> None:
    assert client.get("/auth/login").status_code == 200
    assert client.get("/static/css/planner.css").status_code == 200
    response = switch_language(client, "en", "/auth/login")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"


# -- 2. sign-in --------------------------------------------------------------


def test_login_page_shows_german_labels(client: FlaskClient) -> None:
    page = text(client.get("/auth/login"))
    assert "E-Mail-Adresse" in page
    assert "Passwort" in page
    assert '<html lang="de">' in page


def test_login_without_csrf_token_is_refused_with_german_message(client: FlaskClient, viewer: int) -> None:
    response = client.post("/auth/login", data={"email": "viewer@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in text(response)
    assert not is_signed_in(client)


def test_wrong_password_is_refused(client: FlaskClient, viewer: int) -> None:
    response = post_login(client, "viewer@example.org", "not the password at all")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in text(response)
    assert not is_signed_in(client)


def test_unknown_email_gets_the_same_message(client: FlaskClient, viewer: int) -> None:
    response = post_login(client, "nobody@example.org")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in text(response)
    assert not is_signed_in(client)


def test_correct_password_signs_in_whatever_the_email_case(client: FlaskClient, viewer: int) -> None:
    response = post_login(client, "  VIEWER@Example.ORG ")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_disabled_user_cannot_sign_in(app: Flask, client: FlaskClient) -> None:
    add_user(app, email="gone@example.org", active=False)
    response = post_login(client, "gone@example.org")
    assert "E-Mail-Adresse oder Passwort ist falsch." in text(response)
    assert not is_signed_in(client)


def test_disabling_a_signed_in_user_ends_the_session(app: Flask, signed_in: FlaskClient, viewer: int) -> None:
    with app.app_context():
        db.session.get(User, viewer).active = False
        db.session.commit()
    assert not is_signed_in(signed_in)


def test_sign_in_records_last_login(app: Flask, client: FlaskClient, viewer: int) -> None:
    assert load_user(app, viewer).last_login_at is None
    login(client, "viewer@example.org")
    last = load_user(app, viewer).last_login_at
    assert last is not None and abs(datetime.now(UTC) - last) < timedelta(minutes=1)


# -- 3. where sign-in leads ----------------------------------------------------


def test_login_redirects_to_a_local_next_path(client: FlaskClient, viewer: int) -> None:
    response = post_login(client, "viewer@example.org", next="/some/path?x=1")
    assert response.headers["Location"] == "/some/path?x=1"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil", "evil.example", ""])
def test_login_never_redirects_off_site(client: FlaskClient, viewer: int, target: str) -> None:
    response = post_login(client, "viewer@example.org", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example"])
def test_login_never_redirects_off_site_via_control_characters(client: FlaskClient, viewer: int, target: str) -> None:
    response = post_login(client, "viewer@example.org", next=target)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).netloc == ""
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example/x", "/\t/evil.example", "/\\evil"])
def test_language_switch_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    token = csrf_token(client, "/auth/login")
    response = client.post("/language", data={"csrf_token": token, "locale": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# -- 4. sign-out -----------------------------------------------------------------


def test_logout_is_not_possible_by_get(signed_in: FlaskClient) -> None:
    assert signed_in.get("/auth/logout").status_code == 405
    assert is_signed_in(signed_in)


def test_logout_by_post_signs_out(signed_in: FlaskClient) -> None:
    response = signed_in.post("/auth/logout", data={"csrf_token": csrf_token(signed_in, "/")})
    assert redirects_to_login(response)
    assert "Sie sind abgemeldet." in text(signed_in.get("/auth/login"))
    assert not is_signed_in(signed_in)


def test_logout_without_csrf_token_is_refused(signed_in: FlaskClient) -> None:
    assert signed_in.post("/auth/logout").status_code == 400
    assert is_signed_in(signed_in)


# -- 5. landing page with the Keller trip --------------------------------------------


def seed_title() -> str:
    with SEED_FILE.open("rb") as handle:
        return tomllib.load(handle)["delegation"]["title"]


def test_landing_page_lists_the_keller_trip_in_german(seeded: None, signed_in: FlaskClient) -> None:
    response = signed_in.get("/")
    page = text(response)
    assert response.status_code == 200
    assert seed_title() in page
    assert "Delegationsreise" in page
    assert "Seoul" in page and "Chongqing" in page
    assert "Dr. Stephan Keller" in page
    assert "So., 13. Okt. 2024" in page and "So., 20. Okt. 2024" in page
    assert "Vergangene Reisen" in page
    assert "Noch keine Delegationen." not in page


def test_landing_page_without_trips_says_so(signed_in: FlaskClient) -> None:
    # A planner sees the trips of their teams only; the page says how one gets onto a team.
    page = text(signed_in.get("/"))
    assert "Noch keine Delegationen in Ihren Reiseteams." in page
    assert "nimmt Sie ein Administrator oder ein Mitglied ihres Teams auf" in page


def test_landing_page_for_an_admin_without_trips_says_so(app: Flask) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, "leer@example.org")
    client = app.test_client()
    login(client, "leer@example.org")
    page = text(client.get("/"))
    assert "Noch keine Delegationen." in page and "Reiseteams" not in page


def test_language_switch_shows_english_and_is_kept_per_user(
    app: Flask, seeded: None, signed_in: FlaskClient, viewer: int
) -> None:
    assert switch_language(signed_in, "en").status_code == 302
    page = text(signed_in.get("/"))
    assert '<html lang="en">' in page
    assert "Past trips" in page and "Vergangene Reisen" not in page
    assert "Sun, 13 Oct 2024" in page
    assert load_user(app, viewer).locale == "en"

    fresh = app.test_client()
    login(fresh, "viewer@example.org")
    assert "Past trips" in text(fresh.get("/"))


def test_trip_page_names_the_countries_in_the_users_language(app: Flask, seeded: None, signed_in: FlaskClient) -> None:
    # The stored country name is English ("South Korea"); pages name it in the user's language (CLDR).
    with app.app_context():
        trip = db.session.scalars(sa.select(Delegation.id)).one()
    german = text(signed_in.get(f"/delegations/{trip}"))
    assert "Seoul</strong> (Südkorea)" in german and "Chongqing</strong> (China)" in german
    assert "South Korea" not in german
    switch_language(signed_in, "en")
    english = text(signed_in.get(f"/delegations/{trip}"))
    assert "Seoul</strong> (South Korea)" in english and "Chongqing</strong> (China)" in english


# -- 6. language switch without an account ------------------------------------------


def test_anonymous_language_switch_translates_the_login_page(client: FlaskClient) -> None:
    switch_language(client, "en", "/auth/login")
    page = text(client.get("/auth/login"))
    assert "Sign in" in page and "E-mail address" in page
    assert "Anmelden" not in page


@pytest.mark.parametrize("locale", ["xx", "../de", "", "EN", "en\n"])
def test_invalid_locale_changes_nothing(client: FlaskClient, locale: str) -> None:
    response = switch_language(client, locale, "/auth/login")
    assert response.status_code == 302
    page = text(client.get("/auth/login"))
    assert '<html lang="de">' in page and "Anmelden" in page


def test_invalid_locale_is_not_stored_for_the_user(app: Flask, signed_in: FlaskClient, viewer: int) -> None:
    assert switch_language(signed_in, "../de").status_code == 302
    assert load_user(app, viewer).locale is None


# -- 7. error pages -----------------------------------------------------------------


def test_unknown_page_shows_german_404_without_traceback(signed_in: FlaskClient) -> None:
    response = signed_in.get("/does-not-exist")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht." in text(response)
    assert "Traceback" not in text(response)


def test_unknown_page_in_english(signed_in: FlaskClient) -> None:
    switch_language(signed_in, "en")
    response = signed_in.get("/does-not-exist")
    assert response.status_code == 404
    assert "This page does not exist." in text(response)


def test_oversized_request_body_is_refused_with_413(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/auth/login")
    body = "a" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/auth/login", data={"csrf_token": token, "email": body, "password": "x"})
    assert response.status_code == 413
    assert "Die gesendeten Daten sind zu groß." in text(response)


# -- 8. every form field has a label ---------------------------------------------------


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str | None] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"])
        elif tag in ("select", "textarea") or (
            tag == "input" and a.get("type", "text") not in ("hidden", "submit", "button", "reset", "image")
        ):
            self.fields.append(a.get("id"))


def unlabelled_fields(html: str) -> list[str | None]:
    parser = _Fields()
    parser.feed(html)
    return [field for field in parser.fields if field is None or field not in parser.labelled]


def test_every_form_field_has_a_label(seeded: None, client: FlaskClient, viewer: int) -> None:
    pages = {
        "login": client.get("/auth/login"),
        "login with error": post_login(client, "viewer@example.org", "wrong password here"),
    }
    login(client, "viewer@example.org")
    pages["landing"] = client.get("/")
    pages["404"] = client.get("/does-not-exist")
    for name, response in pages.items():
        assert unlabelled_fields(response.get_data(as_text=True)) == [], name
    assert len(_fields_of(pages["login"])) >= 3  # the check above looked at real fields


def _fields_of(response) -> list[str | None]:
    parser = _Fields()
    parser.feed(response.get_data(as_text=True))
    return parser.fields


# -- 9. the English catalogue ---------------------------------------------------------


def read_catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_english_catalogue_translates_every_message() -> None:
    messages = [m for m in read_catalogue(CATALOGUE) if m.id]
    assert messages
    untranslated = [m.id for m in messages if not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


def test_english_catalogue_matches_the_source(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "planner/translations/babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(template),
            ".",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    extracted = {m.id for m in read_catalogue(template) if m.id}
    translated = {m.id for m in read_catalogue(CATALOGUE) if m.id}
    assert "Anmelden" in extracted  # the extraction really read the source
    missing = sorted(map(str, extracted - translated))
    stale = sorted(map(str, translated - extracted))
    assert not missing, f"in the code but not in {CATALOGUE.name} (run `make translations-extract`): {missing}"
    assert not stale, f"in {CATALOGUE.name} but no longer in the code: {stale}"
