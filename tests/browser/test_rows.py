"""Forms with rows on a phone, without JavaScript: a refused row keeps its question in reach and the page its width.

The journeys form (planner.program.forms.JourneyRowsForm) at 390 px: a flight in
the repeated hour of the autumn clock change is refused at its row with the
"which one?" choice; choosing the second one saves it. JavaScript is off, so
the plain form is what is tested.
"""

from __future__ import annotations

from planner.models import UserRole
from tests.browser.fixtures import LiveServer, screenshot, sign_in
from tests.conftest import make_user


def test_a_refused_row_on_a_phone_without_javascript(live_server: LiveServer, browser) -> None:
    with live_server.app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "planner@example.org")
    page.goto(live_server.url + "/delegations/1")
    page.get_by_role("link", name="Verbindungen hinzufügen", exact=True).click()
    row = page.get_by_role("group", name="Verbindung 2", exact=True)
    row.get_by_label("Abfahrt/Abflug: Stadt").select_option(label="Düsseldorf")
    row.get_by_label("Abfahrt/Abflug: Ort").fill("Düsseldorf Hbf")
    row.get_by_label("Abfahrt/Abflug (Ortszeit)").fill("2024-10-27T02:30")
    row.get_by_label("Ankunft: Stadt").select_option(label="Düsseldorf")
    row.get_by_label("Ankunft: Ort").fill("Köln Hbf")
    row.get_by_label("Ankunft (Ortszeit)").fill("2024-10-27T04:00")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()

    row = page.get_by_role("group", name="Verbindung 2", exact=True)
    assert "zweimal" in row.inner_text()
    screenshot(page, "rows-refused-390x844")
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width
    row.get_by_label("die zweite (schon Winterzeit)").check()
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    assert "1 Verbindung angelegt." in page.locator(".flash").first.inner_text()
    journey = page.locator("li.entry--journey", has_text="Köln Hbf").inner_text()
    assert "02:30 Düsseldorf" in journey
    context.close()
