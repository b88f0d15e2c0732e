"""A new user signs in through the real page in Chromium and finds the Keller trip."""

from __future__ import annotations

import re

from planner.models import UserRole
from tests.browser.fixtures import LiveServer, screenshot, sign_in
from tests.conftest import PASSWORD, join_all_teams, make_user


def test_sign_in_and_see_the_keller_trip(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        user = make_user(UserRole.PLANNER, "planerin@example.org")
        join_all_teams(user.email)  # a planner sees the trips whose team lists them
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


def test_cookies_copied_before_signing_out_do_not_open_the_planner_in_another_browser(
    live_server: LiveServer, page, browser
) -> None:
    with live_server.app.app_context():
        email = make_user(UserRole.PLANNER, "reisende@example.org").email

    sign_in(page, live_server, email, remember=True)
    # What malware or a shared PC could take: every cookie of the signed-in browser.
    copied = page.context.cookies()
    assert {"session", "remember_token"} <= {cookie["name"] for cookie in copied}

    def other_browser_lands_on() -> str:
        context = browser.new_context(locale="de-DE")
        try:
            context.add_cookies(copied)
            tab = context.new_page()
            tab.goto(live_server.url + "/")
            return tab.url
        finally:
            context.close()

    assert other_browser_lands_on() == live_server.url + "/"  # the copy works while the session lives
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(re.compile(r".*/auth/login$"))
    assert other_browser_lands_on().startswith(live_server.url + "/auth/login")
