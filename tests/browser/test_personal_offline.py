"""The personal programme on a phone keeps working when the server is gone (issue 14, item 5).

Offline emulation alone does not cover what a service worker fetches, so the
test serves the app from a real server process on loopback and stops that
process: every connection to it dies, as in flight mode. The phone-sized
Chromium reloads and must still show the programme with its version and age
and say that it is offline. The server then starts again on the same port; a
change made meanwhile gives a new version, and a reload shows it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from planner.extensions import db
from planner.models import Audience, Delegation, FeedToken, MemberRole

ROOT = Path(__file__).parents[2]
# A second interpreter serving the test's app (same database file, same instance folder).
SERVE = """
import sys
from werkzeug.serving import make_server
from tests.conftest import make_app
from pathlib import Path
app = make_app(sys.argv[1], Path(sys.argv[2]))
make_server("127.0.0.1", int(sys.argv[3]), app, threaded=True).serve_forever()
"""


class ServerProcess:
    """The app served by a process of its own on a fixed port, which can be stopped and started again."""

    def __init__(self, database_url: str, instance_path: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._args = [sys.executable, "-c", SERVE, database_url, instance_path, str(self.port)]
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._process = subprocess.Popen(self._args, cwd=ROOT, env=env)
        for _ in range(300):  # waits for the port to answer, not for a time
            if self._process.poll() is not None:
                pytest.fail(f"the server process ended with {self._process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail("the server process did not start listening")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=20)
        self._process = None


@pytest.fixture
def server(app: Flask, seed_keller: Callable[[Flask], None]) -> Iterator[ServerProcess]:
    seed_keller(app)
    process = ServerProcess(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    process.start()
    yield process
    process.stop()


def _leader_link(app: Flask) -> str:
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        leader = next(m for m in delegation.members if m.role is MemberRole.LEADER)
        feed = FeedToken.issue(delegation, leader, locale="de", audience=Audience.MEMBER)
        db.session.add(feed)
        db.session.commit()
        return feed.token


def _change_the_programme(app: Flask) -> int:
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        leader = next(m for m in delegation.members if m.role is MemberRole.LEADER)
        appointment = next(a for a in delegation.appointments if leader in a.attendees)
        appointment.title = appointment.title + " (geändert)"
        db.session.commit()
        return delegation.revision


def test_personal_link_works_offline_and_picks_up_a_new_version(app: Flask, server: ServerProcess, browser) -> None:
    token = _leader_link(app)
    link = f"{server.url}/p/{token}/"
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE", service_workers="allow")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(link)
        page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
        version = page.locator("#version").inner_text()
        assert re.search(r"Programmstand: Arbeitsstand \d+", version)
        first_label = re.search(r"Arbeitsstand \d+", version).group(0)  # type: ignore[union-attr]
        assert page.locator("#offline-notice").is_hidden()
        # Phone first: nothing wider than the screen.
        assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")

        server.stop()
        page.reload()
        assert page.locator("html").get_attribute("data-served") == "cache"
        assert page.locator("#offline-notice").is_visible()
        assert "Keine Verbindung" in page.locator("#offline-notice").inner_text()
        assert first_label in page.locator("#version").inner_text()
        assert re.search(
            r"Diese Ansicht wurde (vor \d+ (Sekunden|Sekunde|Minuten|Minute)|jetzt) geladen\.", page.locator("#age").inner_text()
        )
        assert page.locator("li.pentry").count() > 0  # the programme itself, not just its header
        assert (
            page.evaluate("() => getComputedStyle(document.querySelector('.offline-notice')).borderTopWidth") != "0px"
        )  # its CSS came from the cache

        revision = _change_the_programme(app)
        server.start()
        page.reload()
        assert page.locator("html").get_attribute("data-served") == "network"
        assert page.locator("#offline-notice").is_hidden()
        assert f"Arbeitsstand {revision}" in page.locator("#version").inner_text()
        assert f"Arbeitsstand {revision}" != first_label
        assert "(geändert)" in page.content()
    finally:
        context.close()


def test_personal_page_without_javascript_at_360_px_and_accessible(app: Flask, server: ServerProcess, browser) -> None:
    from tests.browser.fixtures import screenshot
    from tests.browser.test_accessibility import axe_violations, describe

    token = _leader_link(app)
    link = f"{server.url}/p/{token}/"
    plain = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE", java_script_enabled=False)
    try:
        page = plain.new_page()
        page.goto(link)
        # Online without JavaScript: the whole programme, its version and when it was loaded, in words.
        assert page.locator("li.pentry").count() > 0
        assert "Programmstand: Arbeitsstand" in page.locator("#version").inner_text()
        assert page.locator("#age").inner_text().startswith("Geladen am ")
        assert page.locator("#offline-notice").is_hidden()
        assert page.get_by_role("heading", name="Jetzt", exact=True).is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        screenshot(page, "personal-page-360")
    finally:
        plain.close()
    scripted = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
    try:
        page = scripted.new_page()
        page.goto(link)
        violations = axe_violations(page)
        assert not violations, describe(link, violations)
    finally:
        scripted.close()
