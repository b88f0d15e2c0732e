"""Accessibility in Chromium: axe-core on every main page, and the keyboard path through the trip page.

DESIGN.md asks for WCAG 2.1 AA contrast, a label on every input and a UI that
works by keyboard. axe-core (npm, pinned in ``tests/browser/package.json``,
installed on first use by ``tests.npm``) checks the rendered pages for the
WCAG 2.0/2.1 A and AA rules and axe's best practices; every page must have
zero violations.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner.extensions import db
from planner.mail.inputs import MessageInput
from planner.mail.operations import queue_message
from planner.models import Appointment, City, Delegation, Journey, Member, Organization, OutgoingMessage, Person, User, UserRole
from planner.program.operations import trash_appointment
from tests.browser.fixtures import LiveServer, sign_in
from tests.conftest import make_user
from tests.npm import ensure_npm_package

HERE = Path(__file__).resolve().parent
# WCAG 2.0 and 2.1, levels A and AA (DESIGN.md: "contrast meets WCAG 2.1 AA"), plus
# axe's best practices (one <main>, headings without skipped levels, distinct
# landmarks), which the pages meet too and should keep meeting.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# The app's Content-Security-Policy allows scripts only from /static, so
# page.add_script_tag (an inline <script>) would be refused. page.evaluate runs
# through the DevTools protocol, which CSP does not govern: axe gets in while the
# page keeps its real policy (no bypass_csp context, which would hide CSP faults).
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary})),
  }));
}"""


@lru_cache(maxsize=1)
def axe_source() -> str:
    return (ensure_npm_package(HERE, "axe-core") / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN_AXE, AXE_TAGS)


def describe(where: str, violations: list[dict]) -> str:
    lines = [f"{where}: {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['id']}] impact={violation['impact']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:300]}")
            if node["summary"]:
                lines.extend("      " + line for line in node["summary"].splitlines())
    return "\n".join(lines)


class Audit:
    """Collects the violations of many pages so one run reports them all."""

    def __init__(self, page, server: LiveServer) -> None:
        self.page = page
        self.server = server
        self.reports: list[str] = []
        self.checked: list[str] = []

    def check(self, label: str) -> None:
        where = f"{label} ({self.page.url.removeprefix(self.server.url)})"
        self.checked.append(where)
        violations = axe_violations(self.page)
        if violations:
            self.reports.append(describe(where, violations))

    def visit(self, label: str, path: str, status: int = 200) -> None:
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.status == status, f"{label}: {path} answered {response and response.status}"
        self.check(label)

    def assert_clean(self) -> None:
        assert not self.reports, f"axe found faults on {len(self.reports)} of {len(self.checked)} pages:\n\n" + "\n\n".join(
            self.reports
        )


@pytest.fixture
def admin_page(live_server: LiveServer, page):
    with live_server.app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
    sign_in(page, live_server, "admin@example.org")
    return page


def seeded_ids(server: LiveServer) -> dict[str, int]:
    """Ids of the Keller trip's records; its last appointment is put in the trash so the trash page has a row."""
    with server.app.app_context():
        delegation = db.session.scalars(sa.select(Delegation).order_by(Delegation.id)).first()
        last = db.session.scalars(
            sa.select(Appointment).where(Appointment.delegation_id == delegation.id).order_by(Appointment.id.desc())
        ).first()
        if last.deleted_at is None:
            trash_appointment(last, last.version)

        def first(model, *where):
            return db.session.scalar(sa.select(model.id).where(*where).order_by(model.id).limit(1))

        if first(OutgoingMessage) is None:  # one message for the outbox pages (no worker runs: it stays queued)
            queue_message(MessageInput("kim@example.org", "Programm, Version 1", "Guten Tag", "release", delegation.id))
            db.session.commit()

        return {
            "delegation": delegation.id,
            "appointment": first(Appointment, Appointment.delegation_id == delegation.id),
            "journey": first(Journey, Journey.delegation_id == delegation.id),
            "member": first(Member, Member.delegation_id == delegation.id),
            "organization": first(Organization),
            "person": first(Person),
            "city": first(City),
            "user": first(User, User.email == "admin@example.org"),
            "message": first(OutgoingMessage),
        }


def main_pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    trip = f"/delegations/{ids['delegation']}"
    pages = [
        ("delegation list", "/"),
        ("delegation page (programme)", trip),
        ("timeline", f"{trip}/timeline"),
        ("appointment", f"{trip}/appointments/{ids['appointment']}"),
        ("appointment edit form", f"{trip}/appointments/{ids['appointment']}/edit"),
        ("new appointment form", f"{trip}/appointments/new"),
        ("new journey form", f"{trip}/journeys/new"),
        ("member page", f"{trip}/members/{ids['member']}"),
        ("trip edit form", f"{trip}/edit"),
        ("clone form", f"{trip}/clone"),
        ("new member form", f"{trip}/members/new"),
        ("new leg form", f"{trip}/legs/new"),
        ("new follow-up form", f"{trip}/follow-ups/new"),
        ("new trip form", "/delegations/new"),
        ("history", f"{trip}/history"),
        ("trash", f"{trip}/trash"),
        ("member remove question", f"{trip}/members/{ids['member']}/remove"),
        ("appointment delete question", f"{trip}/appointments/{ids['appointment']}/delete"),
        ("trip cancel question", f"{trip}/cancel"),
        ("subscriptions", f"{trip}/subscriptions"),
        ("import upload", f"{trip}/import"),
        ("brief options", f"{trip}/brief/options"),
        ("brief (HTML)", f"{trip}/brief"),
        ("rooms and nights", f"{trip}/rooms"),
        ("new room form", f"{trip}/rooms/new?night=2024-10-14"),
        ("night form", f"{trip}/rooms/nights/2024-10-13"),
        ("rooming list (HTML)", f"{trip}/rooms/2024-10-14/list"),
        ("vehicle plan of a day", f"{trip}/transport/2024-10-15"),
        ("vehicle plan (HTML)", f"{trip}/transport/2024-10-15/print"),
        ("contact sheet", f"{trip}/contacts"),
        ("contact sheet (HTML)", f"{trip}/contacts/print"),
        ("organizations", "/directory/organizations"),
        ("organization", f"/directory/organizations/{ids['organization']}"),
        ("people", "/directory/people"),
        ("person", f"/directory/people/{ids['person']}"),
        ("cities", "/directory/cities"),
        ("city", f"/directory/cities/{ids['city']}"),
        ("partnerships", "/directory/partnerships"),
        ("organization edit form", f"/directory/organizations/{ids['organization']}/edit"),
        ("person edit form", f"/directory/people/{ids['person']}/edit"),
        ("city edit form", f"/directory/cities/{ids['city']}/edit"),
        ("new partnership form", "/directory/partnerships/new"),
        ("search results", "/search?q=Seoul"),
        ("users", "/admin/users"),
        ("user", f"/admin/users/{ids['user']}"),
        ("invite form", "/admin/users/new"),
        ("own password", "/auth/password"),
        ("outbox", "/admin/outbox"),
        ("outbox message", f"/admin/outbox/{ids['message']}"),
        ("trip's e-mails", f"{trip}/messages"),
    ]
    if ids["journey"] is not None:
        pages.insert(7, ("journey edit form", f"{trip}/journeys/{ids['journey']}/edit"))
    return pages


def test_main_pages_have_no_axe_violations(live_server: LiveServer, admin_page) -> None:
    page = admin_page
    audit = Audit(page, live_server)
    ids = seeded_ids(live_server)
    for label, path in main_pages(ids):
        audit.visit(label, path)
    audit.visit("not found", "/delegations/999999", status=404)

    # A form re-rendered with its validation errors.
    page.goto(f"{live_server.url}/delegations/{ids['delegation']}/appointments/new")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() > 0, "the empty form was not refused"
    audit.check("new appointment form with errors")

    # English, switched with the header's button.
    page.goto(f"{live_server.url}/delegations/{ids['delegation']}")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    audit.check("delegation page in English")
    audit.visit("timeline in English", f"/delegations/{ids['delegation']}/timeline")
    audit.visit("appointment edit form in English", f"/delegations/{ids['delegation']}/appointments/{ids['appointment']}/edit")
    audit.assert_clean()


def test_signed_out_pages_have_no_axe_violations(live_server: LiveServer, page) -> None:
    audit = Audit(page, live_server)
    audit.visit("sign-in", "/auth/login")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    audit.check("sign-in with errors")
    audit.visit("not found, signed out", "/no-such-page", status=404)
    audit.assert_clean()


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    href: el.getAttribute('href'), outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none', visible: el.getClientRects().length > 0,
  };
}"""


def test_keyboard_path_through_the_trip_page(live_server: LiveServer, admin_page) -> None:
    page = admin_page
    ids = seeded_ids(live_server)
    page.goto(f"{live_server.url}/delegations/{ids['delegation']}")

    # The skip link is the first stop and takes focus into <main>.
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_STYLE)
    assert first is not None and first["href"] == "#main", f"first focusable element is {first}"
    assert first["outline"] or first["shadow"], "the skip link shows no focus"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    inside = page.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert inside, "after the skip link, Tab does not continue inside <main>"

    # Every link and button reached by Tab shows where the focus is.
    page.goto(f"{live_server.url}/delegations/{ids['delegation']}")
    unmarked: list[dict] = []
    seen = 0
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STYLE)
        if focused is None:  # wrapped round to the browser's own UI
            break
        if focused["tag"] in {"a", "button"}:
            seen += 1
            if not (focused["outline"] or focused["shadow"]):
                unmarked.append(focused)
    assert seen > 20, f"only {seen} links and buttons reachable by Tab"
    assert not unmarked, f"{len(unmarked)} links/buttons show no focus: {unmarked[:10]}"
