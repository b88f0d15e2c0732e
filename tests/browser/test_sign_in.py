"""A new user signs in through the real page in Chromium and finds the Keller trip."""

from __future__ import annotations

import re

from planner.models import UserRole
from tests.browser.fixtures import LiveServer, screenshot
from tests.conftest import PASSWORD, make_user


def test_sign_in_and_see_the_keller_trip(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        user = make_user(UserRole.PLANNER, "planerin@example.org")
        email = user.email

    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/auth/login")
    screenshot(page, "01-login")

    # By keyboard and labels only, as a screen-reader user would.
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_label("Passwort").press("Enter")

    page.wait_for_url(live_server.url + "/")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Delegationen"
    row = page.get_by_role("row").filter(has_text="Seoul")
    assert "Chongqing" in row.inner_text()
    assert "Dr. Stephan Keller" in row.inner_text()
    assert re.search(r"So\., 13\. Okt\. 2024", row.inner_text())
    screenshot(page, "02-delegations")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Delegations"
    assert "Sun, 13 Oct 2024" in page.get_by_role("row").filter(has_text="Seoul").inner_text()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/auth/login$"))
    assert "You have been signed out." in page.content()
