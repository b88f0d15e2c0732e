"""No log carries a feed's secret token: not the planner's, not Flask's, werkzeug's or gunicorn's.

The planner's own JSON request line is checked in test_security.py; here the
lines other code writes: every logger in the process (the redaction sits in
the record factory), Flask's ``Exception on …`` when a feed request fails,
the real ``flask run`` of ``make run``, and a real gunicorn with the
production settings (``planner.gunicorn_conf``).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask, request

from planner import log_redaction
from planner.extensions import db
from planner.models import FeedToken
from tests.conftest import make_app, make_delegation

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness import free_port  # noqa: E402

# The shape of a real token (secrets.token_urlsafe(32)); planted where a log could pick it up.
TOKEN = "PlAnTeDtOkEn_0123456789-abcdefghijklmnopqrs"


def issue_feed(app: Flask) -> str:
    with app.app_context():
        feed = FeedToken.issue(make_delegation())
        db.session.add(feed)
        db.session.commit()
        return feed.token


def test_redact_keeps_what_surrounds_the_token() -> None:
    line = f'127.0.0.1 - - "GET /feeds/{TOKEN}.ics?x=1 HTTP/1.1" 200; webcal://host/feeds/{TOKEN}.ics, /feeds/'
    assert log_redaction.redact(line) == '127.0.0.1 - - "GET /feeds/***?x=1 HTTP/1.1" 200; webcal://host/feeds/***, /feeds/'
    # The member's personal page opens at the same token.
    page = f'"GET /p/{TOKEN}/contacts/3.vcf HTTP/1.1" 200; http://host/p/{TOKEN}/'
    assert log_redaction.redact(page) == '"GET /p/***/contacts/3.vcf HTTP/1.1" 200; http://host/p/***/'


@pytest.mark.parametrize(
    "name", ["", "flask.app", "planner", "werkzeug", "gunicorn.error", "gunicorn.access", "sqlalchemy.engine"]
)
def test_every_logger_redacts_messages_arguments_and_tracebacks(app: Flask, name: str, caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger(name)
    with caplog.at_level(logging.INFO, logger=name):
        logger.info("request %s", f"/feeds/{TOKEN}.ics")
        try:
            raise RuntimeError(f"could not serve http://planner.example/feeds/{TOKEN}.ics")
        except RuntimeError:
            logger.exception("Error handling request /feeds/%s.ics", TOKEN)
        logger.warning(f"literal /feeds/{TOKEN}.ics with a % sign", stack_info=True)
    assert len(caplog.records) == 3
    assert TOKEN not in caplog.text
    assert "request /feeds/***" in caplog.text and "could not serve http://planner.example/feeds/***" in caplog.text
    assert "Error handling request /feeds/***" in caplog.text and "literal /feeds/*** with a % sign" in caplog.text


def test_a_failing_feed_request_logs_no_token(
    build_app_without_propagation: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_app_without_propagation
    token = issue_feed(app)

    def broken_builder(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"builder broke for {request.url}")

    monkeypatch.setattr("planner.calendar.feed_cache.export_calendar", broken_builder)
    with caplog.at_level(logging.INFO):
        response = app.test_client().get(f"/feeds/{token}.ics")
    assert response.status_code == 500
    assert "Ein interner Fehler ist aufgetreten." in response.get_data(as_text=True)
    assert "Exception on /feeds/*** [GET]" in caplog.text and "builder broke for http://localhost/feeds/***" in caplog.text
    assert token not in caplog.text


@pytest.fixture
def build_app_without_propagation(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    # Flask logs an exception only when it does not hand it to the test; tables come from the `app` fixture.
    application = make_app(database_url, tmp_path / "instance-np", PROPAGATE_EXCEPTIONS=False)
    yield application
    with application.app_context():
        db.engine.dispose()


# -- real servers ---------------------------------------------------------------------------


@contextmanager
def server(command: list[str], env: dict[str, str], output: Path) -> Iterator[str]:
    """Run ``command`` (a server on ``env['PORT']``) until the block ends; its stdout and stderr go to ``output``."""
    base_url = f"http://127.0.0.1:{env['PORT']}"
    with output.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, output.read_text(errors="replace")
                try:
                    with urllib.request.urlopen(base_url + "/healthz", timeout=2):
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    assert time.monotonic() < deadline, "the server did not start: " + output.read_text(errors="replace")
                    time.sleep(0.2)
            yield base_url
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_make_run_prints_no_feed_token(app: Flask, database_url: str, tmp_path: Path) -> None:
    """``make run`` serves with ``flask run``, whose werkzeug request line used to print the feed URL."""
    token = issue_feed(app)
    env = {
        "DATABASE_URL": database_url,
        "PLANNER_INSTANCE_PATH": str(tmp_path / "run-instance"),
        "SECRET_KEY": "log-test",
        "PORT": str(free_port()),
        "PYTHONUNBUFFERED": "1",
    }
    output = tmp_path / "flask-run.log"
    command = [sys.executable, "-m", "flask", "--app", "planner", "run", "--host", "127.0.0.1", "--port", env["PORT"]]
    with server(command, env, output) as base_url:
        assert fetch(f"{base_url}/feeds/{token}.ics")[0] == 200
        assert fetch(f"{base_url}/feeds/{TOKEN}.ics")[0] == 404
    printed = re.sub(r"\x1b\[[0-9;]*m", "", output.read_text(errors="replace"))  # werkzeug colours the request line
    assert '"GET /feeds/*** HTTP/1.1" 200' in printed and '"GET /feeds/*** HTTP/1.1" 404' in printed
    assert token not in printed and TOKEN not in printed


def test_gunicorn_logs_no_token_when_a_feed_fails_and_answers_with_the_planners_page(tmp_path: Path) -> None:
    """A feed request on a database without tables fails: Flask logs the exception, gunicorn writes it out."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'no-tables.sqlite3'}",
        "PLANNER_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "log-test",
        "PORT": str(free_port()),
    }
    output = tmp_path / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:planner.gunicorn_conf",
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{env['PORT']}",
        "planner:create_app()",
    ]
    with server(command, env, output) as base_url:
        status, body = fetch(f"{base_url}/feeds/{TOKEN}.ics")
    assert status == 500 and "Ein interner Fehler ist aufgetreten." in body  # the planner's page, not gunicorn's
    printed = output.read_text(errors="replace")
    assert "Exception on /feeds/*** [GET]" in printed and "no such table" in printed
    assert TOKEN not in printed
    assert "Error handling request" not in printed  # nothing escaped the planner to gunicorn
