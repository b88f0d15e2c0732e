"""The personal programme on a phone keeps working when the server is gone (issue 14, item 5).

Offline emulation alone does not cover what a service worker fetches, so the
test serves the app from a real server process on loopback and stops that
process: every connection to it dies, as in flight mode. The phone-sized
Chromium reloads and must still show the programme with its version and age
and say that it is offline. The server then starts again on the same port; a
change made and approved meanwhile is a new released version, and a reload
shows its number. The worker (Workbox from the app's own /static/vendor) is
scoped to the link alone, and nothing is fetched from another host.
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

from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import Audience, Delegation, FeedToken, MemberRole, UserRole
from planner.releases.inputs import ApprovalInput, PrepareInput
from planner.releases.operations import approve_release, prepare_release
from tests.conftest import join_team, make_user

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


def _change_and_release_the_programme(app: Flask) -> int:
    """A draft edit to the leader's programme, then a new release of it (prepared by one planner, approved by another)."""
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        leader = next(m for m in delegation.members if m.role is MemberRole.LEADER)
        appointment = next(a for a in delegation.appointments if leader in a.attendees)
        appointment.title = appointment.title + " (geändert)"
        db.session.commit()
        delegation = delegation_with_programme(delegation.id)
        assert delegation is not None
        preparer, approver = (make_user(UserRole.PLANNER, f"{name}@example.org") for name in ("anna", "ben"))
        for user in (preparer, approver):
            join_team(user, delegation, may_approve=True)
        prepared = prepare_release(delegation, PrepareInput(note=None), preparer)
        approved = approve_release(prepared, ApprovalInput(version=prepared.version), approver)
        db.session.commit()
        return approved.number


def test_personal_link_works_offline_and_picks_up_a_new_version(app: Flask, server: ServerProcess, browser) -> None:
    token = _leader_link(app)
    link = f"{server.url}/p/{token}/"
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE", service_workers="allow")
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(link)
        page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
        # The worker's scope is the link, nothing wider; it runs Workbox's network-first strategy.
        assert page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).scope") == link
        (worker,) = context.service_workers
        assert worker.evaluate("() => typeof workbox.routing.registerRoute + ' ' + typeof workbox.strategies.NetworkFirst") == (
            "function function"
        )
        # Before the trip's first release the link (released-following) shows the draft, as of the page's making.
        first_label = page.locator("#version").inner_text()
        assert re.fullmatch(r"Programmstand: Entwurf, Stand \d\d\.\d\d\.\d{4} \d\d:\d\d", first_label.strip())
        assert page.locator("#offline-notice").is_hidden()
        # Phone first: nothing wider than the screen.
        assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")

        server.stop()
        page.reload()
        assert page.locator("html").get_attribute("data-served") == "cache"
        assert page.locator("#offline-notice").is_visible()
        assert "Keine Verbindung" in page.locator("#offline-notice").inner_text()
        assert page.locator("#version").inner_text() == first_label
        assert re.search(
            r"Diese Ansicht wurde (vor \d+ (Sekunden|Sekunde|Minuten|Minute)|jetzt) geladen\.", page.locator("#age").inner_text()
        )
        assert page.locator("li.pentry").count() > 0  # the programme itself, not just its header
        assert (
            page.evaluate("() => getComputedStyle(document.querySelector('.offline-notice')).borderTopWidth") != "0px"
        )  # its CSS came from the cache

        number = _change_and_release_the_programme(app)
        server.start()
        page.reload()
        assert page.locator("html").get_attribute("data-served") == "network"
        assert page.locator("#offline-notice").is_hidden()
        released = page.locator("#version").inner_text().strip()
        assert re.fullmatch(rf"Programmstand: Version {number} vom \d\d\.\d\d\.\d{{4}}", released)
        assert "(geändert)" in page.content()

        # A page outside the link is not under the worker.
        other = context.new_page()
        other.goto(f"{server.url}/")
        assert other.evaluate("() => navigator.serviceWorker.controller === null")
        other.close()
        assert requested and all(url.startswith(server.url + "/") for url in requested), "nothing from another host"
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
        assert "Programmstand: Entwurf, Stand " in page.locator("#version").inner_text()
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
