"""The planning pages at a laptop's and a phone's width, in Chromium: a screenshot of each, none wider than the screen.

The screenshots (test-artifacts/screenshots/layout-*.png) are for people to look at; the
assertion is the part a machine can check: at 390 px nothing makes the page scroll sideways
(the timeline's grid may scroll inside its own box, never the page).
"""

from __future__ import annotations

import pytest

from planner.models import UserRole
from tests.browser.fixtures import LiveServer, screenshot, sign_in
from tests.conftest import make_user

PAGES = [
    ("programme", "/delegations/1"),
    ("timeline", "/delegations/1/timeline"),
    ("appointment-form", "/delegations/1/appointments/1/edit"),
    # Forms with rows (a new trip's stops, several journeys): the rows stack on a phone.
    ("new-trip-form", "/delegations/new"),
    ("journeys-form", "/delegations/1/journeys/new"),
    # New people as rows, and a person select whose options are long ("Family, Given (Title) – Organization").
    ("members-form", "/delegations/1/members/new"),
    ("people", "/directory/people"),
    ("history", "/delegations/1/history"),
    ("member", "/delegations/1/members/1"),
]


@pytest.mark.parametrize("viewport", [(1366, 900), (390, 844)], ids=["laptop", "phone"])
def test_planning_pages_fit_the_screen(live_server: LiveServer, browser, viewport: tuple[int, int]) -> None:
    width, height = viewport
    with live_server.app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    page = context.new_page()
    sign_in(page, live_server, "admin@example.org")
    too_wide = {}
    for name, path in PAGES:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        screenshot(page, f"layout-{name}-{width}x{height}")
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll_width > inner_width:
            too_wide[path] = scroll_width
        # Signing out is always within reach: the header's last control is on the screen.
        sign_out = page.get_by_role("button", name="Abmelden").bounding_box()
        assert sign_out is not None and sign_out["x"] + sign_out["width"] <= inner_width, path
    assert not too_wide, f"wider than the {width}px screen: {too_wide}"
    context.close()


def test_the_timeline_scrolls_inside_its_box_to_every_day(live_server: LiveServer, browser) -> None:
    """At 1366 px the last day column can be scrolled into view within the grid, and no title is lost."""
    with live_server.app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    page = context.new_page()
    sign_in(page, live_server, "admin@example.org")
    page.goto(live_server.url + "/delegations/1/timeline")
    grid = page.locator(".timeline")
    last = page.locator(".timeline__day").last
    last.scroll_into_view_if_needed()
    grid_box, last_box = grid.bounding_box(), last.bounding_box()
    assert grid_box is not None and last_box is not None
    assert last_box["x"] >= grid_box["x"] and last_box["x"] + last_box["width"] <= grid_box["x"] + grid_box["width"] + 1
    # A short block shows only the start of its title: the whole of it is in the link's tooltip.
    names = page.locator("a.block .block__time").evaluate_all(
        "times => times.map((time) => [time.parentElement.title, time.parentElement.textContent.replace(/\\s+/g, ' ').trim()])"
    )
    assert names and all(text.startswith(title) for title, text in names), names
    context.close()
