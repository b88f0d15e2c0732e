"""A new planner plans a trip in Chromium, end to end, as the product issue describes it."""

from __future__ import annotations

import re

from planner.models import UserRole
from tests.browser.fixtures import LiveServer, screenshot, sign_in
from tests.browser.record_select import choose
from tests.conftest import make_user


def entry(page, title: str):
    """The programme entry whose title is ``title`` (warnings in other entries may mention it too)."""
    return page.locator("li.entry").filter(has=page.locator(".entry__title", has_text=title))


def save(page) -> None:
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()


def test_plan_a_trip_end_to_end(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        make_user(UserRole.PLANNER, "planerin@example.org")
    sign_in(page, live_server, "planerin@example.org")

    # A new delegation.
    page.get_by_role("link", name="Neue Reise").click()
    page.get_by_label("Titel").fill("Wirtschaftsreise Seoul und Chongqing 2025")
    choose(page, "Heimatstadt", "Düsseldorf")
    page.get_by_label("Abreise (Datum)").fill("2025-10-12")
    page.get_by_label("Rückkehr (Datum)").fill("2025-10-19")
    save(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Wirtschaftsreise Seoul und Chongqing 2025"
    trip_url = page.url.split("#")[0]

    # Members: one from the directory and a new person, in one submission.
    page.get_by_role("link", name="Mitglieder hinzufügen").click()
    choose(page, "Person aus dem Verzeichnis", "Keller, Stephan (Dr.) – Landeshauptstadt Düsseldorf", typed="Keller")
    first_row = page.get_by_role("group", name="Neue Person 1")
    first_row.get_by_label("Vorname").fill("Petra")
    first_row.get_by_label("Familienname").fill("Probst")
    page.get_by_role("button", name="Mitglieder hinzufügen").click()
    page.wait_for_load_state()
    members = page.get_by_role("region", name="Teilnehmende").inner_text()
    assert "Dr. Stephan Keller" in members and "Petra Probst" in members
    page.get_by_role("link", name="Mitglieder hinzufügen").click()
    choose(page, "Person aus dem Verzeichnis", "Diener, Wolfram – Messe Düsseldorf", typed="Diener")
    page.get_by_role("button", name="Mitglieder hinzufügen").click()
    page.wait_for_load_state()
    assert "Wolfram Diener" in page.get_by_role("region", name="Teilnehmende").inner_text()

    # Two legs in different zones.
    for city, arrives, departs in (
        ("Seoul", "2025-10-13T09:00", "2025-10-15T14:00"),
        ("Chongqing", "2025-10-15T17:00", "2025-10-18T10:00"),
    ):
        page.get_by_role("link", name="Station hinzufügen").click()
        choose(page, "Stadt", city)
        page.get_by_label("Ankunft (Ortszeit)").fill(arrives)
        page.get_by_label("Abreise (Ortszeit)").fill(departs)
        save(page)
    legs = page.get_by_role("region", name="Stationen").inner_text()
    assert "Seoul" in legs and "Asia/Seoul" in legs and "+7 h zur Heimatzeit" in legs
    assert "Chongqing" in legs and "Asia/Shanghai" in legs and "+6 h zur Heimatzeit" in legs

    # A flight over midnight and across zones: Düsseldorf 13:40 -> Seoul 08:55 the next morning.
    # New journeys are rows of one form; the first row is enough, the others stay blank.
    page.get_by_role("link", name="Verbindungen hinzufügen", exact=True).click()
    row = page.get_by_role("group", name="Verbindung 1", exact=True)
    choose(row, "Abfahrt/Abflug: Stadt", "Düsseldorf")
    row.get_by_label("Abfahrt/Abflug: Ort").fill("Düsseldorf Airport (DUS)")
    row.get_by_label("Abfahrt/Abflug (Ortszeit)").fill("2025-10-12T13:40")
    choose(row, "Ankunft: Stadt", "Seoul")
    row.get_by_label("Ankunft: Ort").fill("Seoul Incheon (ICN)")
    row.get_by_label("Ankunft (Ortszeit)").fill("2025-10-13T08:55")
    save(page)
    journey = page.locator("li.entry--journey").first.inner_text()
    assert "13:40 Düsseldorf" in journey and "08:55 Seoul" in journey and "01:55 Düsseldorf" in journey

    # Two appointments for the same people at the same time: a double booking.
    for title, start, end in (
        ("Besuch bei Doosan Robotics", "2025-10-14T10:00", "2025-10-14T11:30"),
        ("Gespräch im Handelsministerium", "2025-10-14T11:00", "2025-10-14T12:00"),
    ):
        page.goto(trip_url + "/appointments/new?day=2025-10-14")
        page.get_by_label("Titel").fill(title)
        choose(page, "Stadt", "Seoul")
        page.get_by_label("Beginn (Ortszeit)").fill(start)
        page.get_by_label("Ende (Ortszeit)").fill(end)
        save(page)
    warning = page.locator(".flash--warning").first.inner_text()
    assert "Doppelbuchung" in warning and "Stephan Keller" in warning
    doosan = entry(page, "Besuch bei Doosan Robotics")
    assert "10:00 Seoul" in doosan.inner_text() and "03:00 Düsseldorf" in doosan.inner_text()
    assert "Doppelbuchung" in doosan.inner_text()
    screenshot(page, "03-programme-with-warning")

    # Quick add under a day: a line typed and Enter pressed (a second line would go in with Shift+Enter).
    box = page.get_by_label(re.compile("^Titel, Uhrzeit, Ort – Do., 16. Okt. 2025"))
    box.fill("18:00–19:30 Empfang des Generalkonsulats, Residenz")
    box.press("Enter")
    page.wait_for_load_state()
    assert "1 Termin angelegt." in page.locator(".flashes").inner_text()
    reception = entry(page, "Empfang des Generalkonsulats").inner_text()
    assert "18:00 Chongqing" in reception and "12:00 Düsseldorf" in reception and "Residenz" in reception

    # Cancel one: it stays, struck through and labelled.
    ministry = entry(page, "Gespräch im Handelsministerium")
    ministry.locator(".menu__toggle").click()
    ministry.get_by_role("button", name=re.compile("^Absagen")).click()
    page.wait_for_load_state()
    ministry = entry(page, "Gespräch im Handelsministerium")
    assert "entry--cancelled" in ministry.get_attribute("class")
    assert "Abgesagt" in ministry.inner_text()
    title_style = ministry.locator(".entry__title").evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in title_style

    # Delete the other (the menu's link asks first, the flash offers to undo) and restore it from the trash.
    doosan = entry(page, "Besuch bei Doosan Robotics")
    doosan.locator(".menu__toggle").click()
    doosan.get_by_role("link", name=re.compile("^Löschen")).click()
    page.wait_for_load_state()
    assert "Besuch bei Doosan Robotics" in page.locator("h1").inner_text()
    screenshot(page, "04-delete-question")
    page.get_by_role("button", name="Termin löschen").click()
    page.wait_for_load_state()
    assert entry(page, "Besuch bei Doosan Robotics").count() == 0
    assert page.locator(".flash--undo").get_by_role("button", name="Rückgängig").count() == 1
    screenshot(page, "04-deleted-with-undo")
    page.get_by_role("link", name="Papierkorb").click()
    screenshot(page, "04-trash")
    page.get_by_role("button", name=re.compile("Wiederherstellen")).click()
    page.wait_for_load_state()
    assert entry(page, "Besuch bei Doosan Robotics").count() == 1

    # The timeline shows the days as columns, the travel day to Chongqing as two (one per city).
    page.get_by_role("link", name="Zeitleiste").click()
    headings = page.locator(".timeline__day .timeline__heading").all_inner_texts()
    assert len(headings) == 9, headings
    travel_day = [heading for heading in headings if "15. Okt. 2025" in heading]
    assert len(travel_day) == 2 and "Seoul" in travel_day[0] and "Chongqing" in travel_day[1], travel_day
    screenshot(page, "05-timeline")

    # History records who changed what.
    page.goto(trip_url + "/history")
    history = page.locator(".history").inner_text()
    assert "planerin@example.org" in history and "Gespräch im Handelsministerium" in history
    screenshot(page, "06-history")

    # And everything in English.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.goto(trip_url)
    assert page.get_by_role("heading", name="Programme").is_visible()
    assert "Cancelled" in entry(page, "Gespräch im Handelsministerium").inner_text()
    assert re.search(r"Tue, 14 Oct 2025", page.content())
    screenshot(page, "07-programme-english")


def test_two_planners_edit_the_same_appointment(live_server: LiveServer, browser) -> None:
    with live_server.app.app_context():
        make_user(UserRole.PLANNER, "anna@example.org")
        make_user(UserRole.PLANNER, "ben@example.org")
    pages = []
    for email in ("anna@example.org", "ben@example.org"):
        context = browser.new_context(locale="de-DE")
        tab = context.new_page()
        sign_in(tab, live_server, email)
        tab.goto(live_server.url + "/delegations/1")
        aimmo = entry(tab, "AIMMO")
        aimmo.locator(".menu__toggle").click()
        aimmo.get_by_role("link", name=re.compile("^Bearbeiten")).click()
        pages.append(tab)
    anna, ben = pages
    anna.get_by_label("Titel").fill("AIMMO – Besuch mit Vorstand")
    save(anna)
    assert "AIMMO – Besuch mit Vorstand" in anna.content()

    ben.get_by_label("Ort / Gebäude").fill("Konferenzraum 3")
    ben.get_by_role("button", name="Speichern").click()
    ben.wait_for_load_state()
    assert "inzwischen geändert" in ben.get_by_role("heading", level=1).inner_text()
    table = ben.locator(".conflict-table").inner_text()
    assert "AIMMO – Besuch mit Vorstand" in table and "Konferenzraum 3" in table
    screenshot(ben, "08-conflict")
    # Nothing was overwritten: Anna's title stands, Ben's venue was not saved.
    ben.goto(live_server.url + "/delegations/1")
    saved = entry(ben, "AIMMO – Besuch mit Vorstand").inner_text()
    assert "Konferenzraum 3" not in saved
    for tab in pages:
        tab.context.close()
