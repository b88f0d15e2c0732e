"""Browser fixtures: the app served on a free local port, driven by Debian's Chromium via Playwright.

Playwright cannot download its own browser here, so it launches
/usr/bin/chromium (installed by `make test`). Screenshots go to
``test-artifacts/screenshots`` and the run reports where.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
# Without these, Chromium keeps trying to reach Google's services, which this
# closed network refuses, slowing every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # The loop looks for shutdown() every 50 ms, not every 0.5 s: each test's teardown waited for it.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture
def seeded_app(app: Flask, seed_keller: Callable[[Flask], None]) -> Flask:
    seed_keller(app)
    return app


@pytest.fixture
def live_server(seeded_app: Flask) -> Iterator[LiveServer]:
    with LiveServer(seeded_app) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="de-DE")  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def sign_in(page, server: LiveServer, email: str, *, remember: bool = False) -> None:
    """Sign in through the real form, as a person would (optionally ticking "stay signed in")."""
    # Imported here: this module is loaded as a plugin by tests/conftest.py itself.
    from tests.conftest import PASSWORD, join_all_teams, totp_code

    with server.app.app_context():  # on every trip's team, as tests.conftest.login does it
        join_all_teams(email)
    page.goto(server.url + "/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    if remember:
        page.get_by_label("Angemeldet bleiben").check()
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(re.escape(server.url) + r"/(auth/code)?$"))
    if page.url.endswith("/auth/code"):  # an account with a second factor: the code its phone shows
        with server.app.app_context():
            code = totp_code(email)
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Bestätigen").click()
        page.wait_for_url(server.url + "/")


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"Screenshots of the main pages: {SCREENSHOTS}")
