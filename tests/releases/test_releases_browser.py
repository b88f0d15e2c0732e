"""The release workflow in Chromium: one planner prepares from the trip page, a second approves; axe on every page of it."""

from __future__ import annotations

import sqlalchemy as sa

from planner.extensions import db
from planner.models import Delegation, UserRole
from tests.browser.fixtures import LiveServer, screenshot, sign_in
from tests.browser.test_accessibility import Audit
from tests.conftest import join_team, make_user


def test_prepare_and_approve_by_two_planners_in_the_browser(live_server: LiveServer, browser, page) -> None:
    with live_server.app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        join_team(make_user(UserRole.PLANNER, "anna@example.org"), delegation)
        join_team(make_user(UserRole.PLANNER, "ben@example.org"), delegation, may_approve=True)
        db.session.commit()
        trip = delegation.id
    trip_url = f"{live_server.url}/delegations/{trip}"

    sign_in(page, live_server, "anna@example.org")
    audit = Audit(page, live_server)
    page.goto(trip_url)
    page.get_by_role("link", name="Fassung zur Freigabe vorbereiten").click()
    audit.check("prepare a release")
    page.get_by_label("Notiz zur Fassung").fill("Stand nach Abstimmung mit Seoul")
    page.get_by_role("button", name="Fassung vorbereiten").click()
    page.get_by_text("Version 1 ist zur Freigabe vorbereitet.").wait_for()
    section = page.locator("section[aria-labelledby=releases-heading]")
    assert "Version 1 wartet auf Freigabe (vorbereitet von anna@example.org" in section.inner_text()
    audit.check("trip page with a pending release")

    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="de-DE")
    try:
        second = context.new_page()
        sign_in(second, live_server, "ben@example.org")
        second.goto(trip_url)
        second.locator("section[aria-labelledby=releases-heading]").get_by_role("link", name="Freigeben").click()
        other = Audit(second, live_server)
        other.check("approve a release")
        second.get_by_role("button", name="Freigeben").click()
        second.get_by_text("Version 1 ist freigegeben.").wait_for()
        box = second.locator("section[aria-labelledby=releases-heading]").inner_text()
        assert "Freigegebene Fassung: Version 1 vom" in box and "freigegeben von ben@example.org" in box
        assert "Der Entwurf ist unverändert seit dieser Fassung." in box
        other.check("trip page with a released version")
        screenshot(second, "trip-released-version")
        second.get_by_role("link", name="Alle Fassungen").click()
        other.check("releases page")
        screenshot(second, "releases")
        other.assert_clean()
    finally:
        context.close()
    audit.assert_clean()
