"""A tour of the main pages as an administrator, in Chromium: each renders, and a screenshot is kept."""

from __future__ import annotations

import pytest

from planner.models import UserRole
from tests.browser.fixtures import LiveServer, screenshot, sign_in
from tests.conftest import make_user

PAGES = [
    ("10-delegations", "/", "Delegationen"),
    ("11-keller-trip", "/delegations/1", "Delegationsreise nach Seoul und Chongqing"),
    ("12-timeline", "/delegations/1/timeline", "Zeitleiste"),
    ("13-subscriptions", "/delegations/1/subscriptions", "Kalender-Abonnements"),
    ("14-import", "/delegations/1/import", ".ics importieren"),
    ("15-edit-appointment", "/delegations/1/appointments/1/edit", "Termin bearbeiten"),
    ("16-organizations", "/directory/organizations", None),
    ("17-search", "/search?q=doosan", None),
    ("18-users", "/admin/users", None),
]


@pytest.mark.parametrize("viewport", [(1280, 860), (820, 1180)], ids=["laptop", "tablet"])
def test_main_pages(live_server: LiveServer, browser, viewport: tuple[int, int]) -> None:
    with live_server.app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="de-DE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, "admin@example.org")
    for name, path, heading in PAGES:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        h1 = page.get_by_role("heading", level=1)
        assert h1.count() == 1, path
        if heading:
            assert h1.inner_text() == heading
        # Nothing wider than the screen, so a tablet needs no sideways scrolling (the timeline scrolls inside itself).
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than the {viewport[0]}px screen"
        suffix = "" if viewport[0] > 1000 else "-tablet"
        screenshot(page, name + suffix)
    assert not errors, errors
    context.close()
