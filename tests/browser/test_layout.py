"""The planning pages at a laptop's and a phone's width, in Chromium: a screenshot of each, none wider than the screen.

The screenshots (test-artifacts/screenshots/layout-*.png) are for people to look at; the
assertion is the part a machine can check: at 390 and 360 px nothing makes the page scroll sideways
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


@pytest.mark.parametrize("viewport", [(1366, 900), (390, 844), (360, 740)], ids=["laptop", "phone", "small-phone"])
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


def test_the_programme_on_a_small_phone(live_server: LiveServer, browser) -> None:
    """At 360 px: the row menus are thumb-sized and open within the screen; a day's heading stays on top while it scrolls."""
    with live_server.app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE", has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "planner@example.org")
    page.goto(live_server.url + "/delegations/1")
    toggles = page.locator(".menu__toggle")
    assert toggles.count() > 10
    for index in range(toggles.count()):
        box = toggles.nth(index).bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44, box

    # A menu opened by a tap shows every action inside the screen, and the page still does not scroll sideways.
    # By its title: a travel-time hint in the next entry names AIMMO too.
    row = page.locator("li.entry").filter(has=page.locator(".entry__title", has_text="AIMMO"))
    row.locator(".menu__toggle").tap()
    items = row.locator(".menu__item")
    names = [text.split("–")[0].strip() for text in items.all_inner_texts()]  # without the visually hidden title
    assert names == ["Termin als .ics", "Bearbeiten", "Absagen", "Löschen"]
    inner_width = page.evaluate("window.innerWidth")
    for index in range(items.count()):
        box = items.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner_width and box["height"] >= 44, box
    assert page.evaluate("document.documentElement.scrollWidth") <= inner_width
    screenshot(page, "layout-programme-menu-360x740")
    row.locator(".menu__toggle").tap()

    # Scrolled to the last item of Tuesday, Tuesday's heading is at the top of the screen, not Monday's.
    page.locator("#day-2024-10-15 ~ ol li.entry").last.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 200)")
    heading = page.locator("#day-2024-10-15").bounding_box()
    assert heading is not None and abs(heading["y"]) <= 1, heading
    assert "Di., 15. Okt. 2024" in page.locator("#day-2024-10-15").inner_text()
    monday = page.locator("#day-2024-10-14").bounding_box()
    assert monday is not None and monday["y"] < 0, monday
    context.close()
