"""Searchable selects and "Neu …" dialogs in Chromium: a planner finds records and creates missing ones in place.

The appointment form: search the selects (accents ignored, family names found),
open "Neue Organisation", send it empty (the dialog shows the messages), then
filled in: the dialog closes, the new organization is chosen, nothing typed in
the appointment form is lost and the page never navigated. Saving the
appointment stores that organization. The same for a new city from the leg
form. The dialog is labelled, takes the focus, closes with Escape and gives the
focus back; axe finds nothing with it open; it fits a phone's screen
(screenshots in test-artifacts/screenshots/dialog-*.png).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from planner.extensions import db
from planner.models import Appointment, City, Leg, Organization, Person, UserRole
from tests.browser.fixtures import SCREENSHOTS, LiveServer, sign_in
from tests.browser.record_select import choose, combobox, options, search
from tests.browser.test_accessibility import axe_violations, describe
from tests.conftest import make_user

TRIP = "/delegations/1"
IN_FOCUS_DIALOG = "document.getElementById('create-dialog').contains(document.activeElement)"


@pytest.fixture
def planner_page(live_server: LiveServer, page):
    with live_server.app.app_context():
        make_user(UserRole.PLANNER, "planerin@example.org")
    sign_in(page, live_server, "planerin@example.org")
    return page


def count(server: LiveServer, model: type) -> int:
    with server.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def navigations(page) -> list[str]:
    """Every full page load of the tab from now on (an htmx request is none)."""
    loads: list[str] = []
    page.on("framenavigated", lambda frame: loads.append(frame.url) if frame == page.main_frame else None)
    return loads


def test_new_organization_from_the_appointment_form(live_server: LiveServer, planner_page) -> None:
    page = planner_page
    with live_server.app.app_context():
        keller = db.session.scalar(sa.select(Person.id).where(Person.name == "Stephan Keller"))
    page.goto(f"{live_server.url}{TRIP}/appointments/new")
    loads = navigations(page)
    page.get_by_label("Titel").fill("Werftbesuch Hanwha")
    page.get_by_label("Beginn (Ortszeit)").fill("2024-10-15T15:00")
    page.get_by_label("Ende (Ortszeit)").fill("2024-10-15T16:30")

    # Searching: without the accent, and by family name.
    search(page, "Stadt", "Dusseldorf")
    expect(options(page, "Stadt").get_by_role("option")).to_have_text(["Düsseldorf"])
    page.keyboard.press("Escape")
    choose(page, "Stadt", "Seoul")
    search(page, "Ansprechperson vor Ort", "Keller")
    expect(options(page, "Ansprechperson vor Ort").get_by_role("option")).to_have_text(
        ["Keller, Stephan (Dr.) – Landeshauptstadt Düsseldorf"]
    )
    page.keyboard.press("Enter")  # by keyboard: the one match is chosen
    expect(page.locator("#contact_person_id")).to_have_value(str(keller))
    search(page, "Besuchte Organisation", "Hanwha")
    expect(options(page, "Besuchte Organisation")).to_have_text("Keine Treffer")
    page.keyboard.press("Escape")

    # It does not exist yet: create it in the dialog.
    before = count(live_server, Organization)
    page.get_by_role("link", name="Neue Organisation").click()
    dialog = page.get_by_role("dialog", name="Neue Organisation")
    dialog.wait_for()
    assert page.evaluate(IN_FOCUS_DIALOG), "the focus did not move into the dialog"

    dialog.get_by_role("button", name="Anlegen").click()
    dialog.get_by_text("Bitte ausfüllen.").wait_for()
    assert dialog.is_visible() and count(live_server, Organization) == before
    assert page.evaluate(IN_FOCUS_DIALOG)

    dialog.get_by_label("Name", exact=True).fill("Hanwha Ocean")
    dialog.get_by_role("button", name="Anlegen").click()
    dialog.wait_for(state="hidden")
    with live_server.app.app_context():
        created = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Hanwha Ocean"))
    assert created is not None
    assert page.locator("#organization_id").input_value() == str(created)
    assert page.locator(".ts-wrapper:has(#organization_id-ts-control) .item").inner_text() == "Hanwha Ocean"
    # Nothing typed in the appointment form was lost, and the page never reloaded.
    assert page.get_by_label("Titel").input_value() == "Werftbesuch Hanwha"
    assert page.locator("#city_id").evaluate("s => s.selectedOptions[0].text") == "Seoul"
    assert loads == [], f"the dialog navigated the page: {loads}"

    # By keyboard: Enter on the link opens the dialog with the focus in it; Escape closes it and
    # gives the focus back to the link.
    page.get_by_role("link", name="Neue Person").focus()
    page.keyboard.press("Enter")
    page.get_by_role("dialog", name="Neue Person").wait_for()
    assert page.evaluate(IN_FOCUS_DIALOG)
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.textContent") == "Neue Person"
    assert loads == []

    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    with live_server.app.app_context():
        appointment = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Werftbesuch Hanwha")).one()
        assert appointment.organization is not None and appointment.organization.name == "Hanwha Ocean"
        assert appointment.city is not None and appointment.city.name == "Seoul"
        assert appointment.contact_person_id == keller


def test_new_city_from_the_leg_form(live_server: LiveServer, planner_page) -> None:
    page = planner_page
    page.goto(f"{live_server.url}{TRIP}/legs/new")
    loads = navigations(page)
    page.get_by_label("Ankunft (Ortszeit)").fill("2024-10-16T20:00")
    page.get_by_label("Abreise (Ortszeit)").fill("2024-10-17T09:00")
    page.get_by_label("Hotel", exact=True).fill("Paradise Hotel Busan")

    before = count(live_server, City)
    page.get_by_role("link", name="Neue Stadt").click()
    dialog = page.get_by_role("dialog", name="Neue Stadt")
    dialog.wait_for()
    dialog.get_by_label("Name", exact=True).fill("Busan")
    dialog.get_by_role("button", name="Anlegen").click()  # no country, no zone
    dialog.locator("[aria-invalid=true]").first.wait_for()
    assert count(live_server, City) == before

    dialog.get_by_label("Land", exact=True).select_option("KR")
    dialog.get_by_label("Zeitzone (IANA)").select_option("Asia/Seoul")
    dialog.get_by_role("button", name="Anlegen").click()
    dialog.wait_for(state="hidden")
    assert combobox(page, "Stadt").locator("xpath=..").locator(".item").inner_text() == "Busan"
    assert page.get_by_label("Hotel", exact=True).input_value() == "Paradise Hotel Busan"
    assert loads == []

    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    with live_server.app.app_context():
        leg = db.session.scalars(sa.select(Leg).where(Leg.hotel_name == "Paradise Hotel Busan")).one()
        assert leg.city.name == "Busan" and leg.city.timezone == "Asia/Seoul" and leg.city.country.iso_code == "KR"


@pytest.mark.parametrize("viewport", [(1366, 900), (390, 844)], ids=["laptop", "phone"])
def test_dialog_is_accessible_and_fits_the_screen(live_server: LiveServer, browser, viewport: tuple[int, int]) -> None:
    width, height = viewport
    with live_server.app.app_context():
        make_user(UserRole.PLANNER, "planerin@example.org")
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "planerin@example.org")
    page.goto(f"{live_server.url}{TRIP}/appointments/1/edit")
    violations = axe_violations(page)
    assert not violations, describe("appointment form with searchable selects", violations)

    page.get_by_role("link", name="Neue Organisation").click()
    dialog = page.get_by_role("dialog", name="Neue Organisation")
    dialog.wait_for()
    dialog.get_by_role("button", name="Anlegen").click()
    dialog.get_by_text("Bitte ausfüllen.").wait_for()
    # The screen as the planner sees it (a full-page picture would stretch the modal's backdrop).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dialog-appointment-form-{width}x{height}.png"))
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"wider than the {width}px screen with the dialog open: {scroll_width}px"
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner_width
    violations = axe_violations(page)
    assert not violations, describe("appointment form with the create dialog open", violations)
    context.close()


def test_an_ended_session_is_said_in_the_dialog_and_the_form_stays(live_server: LiveServer, planner_page) -> None:
    page = planner_page
    page.goto(f"{live_server.url}{TRIP}/appointments/new")
    loads = navigations(page)
    page.get_by_label("Titel").fill("Empfang im Rathaus")
    page.get_by_role("link", name="Neue Organisation").click()
    dialog = page.get_by_role("dialog", name="Neue Organisation")
    dialog.wait_for()
    dialog.get_by_label("Name", exact=True).fill("Busan Metropolitan City")

    # Signed out meanwhile: the answer is the sign-in page (a redirect), which must not fill the dialog.
    before = count(live_server, Organization)
    page.context.clear_cookies()
    dialog.get_by_role("button", name="Anlegen").click()
    dialog.get_by_role("alert").filter(has_text="Sitzung ist abgelaufen").wait_for()
    assert dialog.get_by_label("Name", exact=True).input_value() == "Busan Metropolitan City"
    assert count(live_server, Organization) == before
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    # Opening another dialog fails the same way: it says so, with a button to close it.
    page.get_by_role("link", name="Neue Stadt").click()
    failed = page.get_by_role("dialog", name="Neue Stadt")
    failed.get_by_role("alert").filter(has_text="Sitzung ist abgelaufen").wait_for()
    failed.get_by_role("button", name="Schließen").click()
    failed.wait_for(state="hidden")
    assert page.get_by_label("Titel").input_value() == "Empfang im Rathaus"
    assert loads == [], f"the page navigated: {loads}"
