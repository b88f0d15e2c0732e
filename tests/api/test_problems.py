"""Every error under /api is application/problem+json (RFC 9457): routing, scope, rate limit, our own faults."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.api import tokens
from planner.auth.access import public
from planner.extensions import db
from planner.models import TokenScope, UserRole
from planner.timezones import utc_now
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import make_app, make_user


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "<html" not in response.get_data(as_text=True).lower()
    problem = response.get_json(force=True)
    assert problem["status"] == status and problem["type"] == "about:blank" and problem["title"] and problem["detail"]
    return problem


@pytest.fixture
def token(app: Flask, make_token: TokenMaker) -> str:
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
    return make_token("admin@example.org")


def test_unknown_paths_and_ids_are_404_problems(client: FlaskClient, token: str) -> None:
    _problem(client.get("/api/v1/no-such-thing", headers=bearer(token)), 404)
    _problem(client.get("/api/v1/delegations/999", headers=bearer(token)), 404)
    _problem(client.get("/api/v1/delegations/0", headers=bearer(token)), 404)  # no record id: no route
    _problem(client.get("/api/v2/delegations", headers=bearer(token)), 404)
    # Outside /api the pages keep their HTML error page.
    assert client.get("/no-such-page").mimetype == "text/html"


def test_a_wrong_method_is_a_405_problem(client: FlaskClient, token: str) -> None:
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)("/api/v1/delegations", headers=bearer(token), json={})
        _problem(response, 405)
        assert "GET" in response.headers["Allow"]


@pytest.fixture
def limited_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = make_app(database_url, tmp_path / "instance", API_RATE_LIMIT="3 per minute")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_rate_limit_counts_per_token_and_answers_429_problem(limited_app: Flask) -> None:
    with limited_app.app_context():
        secrets = []
        for email in ("one@example.org", "two@example.org"):
            user = make_user(UserRole.PLANNER, email)
            now = utc_now()
            secrets.append(
                tokens.issue(user, tokens.NewToken("t", frozenset({TokenScope.READ}), now + timedelta(days=1)), now)[1]
            )
        db.session.commit()
    client = limited_app.test_client()
    first, second = secrets
    for _ in range(3):
        assert client.get("/api/v1/delegations", headers=bearer(first)).status_code == 200
    refused = client.get("/api/v1/delegations", headers=bearer(first))
    _problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1
    # Another token has its own count.
    assert client.get("/api/v1/delegations", headers=bearer(second)).status_code == 200


def test_a_fault_of_ours_is_a_500_problem_without_a_traceback(database_url: str, tmp_path: Path) -> None:
    application = make_app(database_url, tmp_path / "instance", PROPAGATE_EXCEPTIONS=False)

    @public
    def broken() -> str:
        raise RuntimeError("MARK-TRACEBACK")

    application.add_url_rule("/api/v1/broken", "broken", broken)
    response = application.test_client().get("/api/v1/broken")
    _problem(response, 500)
    assert "MARK-TRACEBACK" not in response.get_data(as_text=True)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_problems_speak_the_language_the_client_asks_for(client: FlaskClient, token: str) -> None:
    german = _problem(client.get("/api/v1/delegations/999", headers=bearer(token)), 404)["detail"]
    english = _problem(
        client.get("/api/v1/delegations/999", headers={**bearer(token), "Accept-Language": "en-GB,en;q=0.8"}), 404
    )["detail"]
    unknown = _problem(client.get("/api/v1/delegations/999", headers={**bearer(token), "Accept-Language": "fr"}), 404)
    assert "Objekt" in german and "Objekt" not in english and english.isascii()
    assert unknown["detail"] == german  # a language we do not speak: German, the default
    # The header chooses for the API only; the pages keep the account's or session's language.
    page = client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="de"' in page
