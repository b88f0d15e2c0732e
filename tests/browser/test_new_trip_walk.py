"""A new planner enters a whole trip in the browser, as the issue's walk did, in at most 12 submissions.

The trip: Düsseldorf → Tokyo → Osaka in April 2025, 4 members who are new people,
2 stops in 2 cities the directory does not know yet, 3 journeys and 6 appointments,
2 of them with organizations that are new too. Everything is entered from the trip's
own pages: a city or an organization that is missing is created in the form's dialog,
never on a directory page. Every request that is not a GET counts as a submission
(dialogs and partial updates included); at the end the database holds exactly what
was entered, in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa

from planner.extensions import db
from planner.models import Delegation, UserRole
from tests.browser.fixtures import LiveServer, screenshot, sign_in
from tests.browser.record_select import choose
from tests.conftest import make_user

TITLE = "Wirtschaftsreise Tokio und Osaka"
MEMBERS = [
    # title, given name, family name, function
    ("", "Anna", "Berger", "Bürgermeisterin"),
    ("Dr.", "Jonas", "Winter", "Leiter Wirtschaftsförderung"),
    ("", "Mia", "Hoffmann", "Protokoll"),
    ("Prof. Dr.", "Lukas", "Schäfer", "Präsident der IHK"),
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def new_city_in_row(page, row, name: str) -> None:
    """Create a city from the stop's row: the dialog, then back in the form with it chosen."""
    row.get_by_role("link", name="Neue Stadt").click()
    dialog = page.get_by_role("dialog", name="Neue Stadt")
    dialog.wait_for()
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Land", exact=True).select_option("JP")
    dialog.get_by_label("Zeitzone (IANA)").select_option("Asia/Tokyo")
    dialog.get_by_role("button", name="Anlegen").click()
    dialog.wait_for(state="hidden")


def new_organization(page, name: str) -> None:
    page.get_by_role("link", name="Neue Organisation").click()
    dialog = page.get_by_role("dialog", name="Neue Organisation")
    dialog.wait_for()
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_role("button", name="Anlegen").click()
    dialog.wait_for(state="hidden")


def saved(page, message: str) -> None:
    page.wait_for_load_state()
    assert message in page.locator(".flash").first.inner_text()


def test_a_new_planner_enters_the_tokyo_osaka_trip_in_at_most_12_submissions(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        make_user(UserRole.PLANNER, "neu@example.org")
    sign_in(page, live_server, "neu@example.org")
    submissions: list[str] = []
    visited: list[str] = []
    page.on(
        "request",
        lambda request: submissions.append(f"{request.method} {urlsplit(request.url).path}") if request.method != "GET" else None,
    )
    page.on("framenavigated", lambda frame: visited.append(urlsplit(frame.url).path) if frame == page.main_frame else None)

    # 1–3: the trip with its two stops, both cities created from their rows.
    page.get_by_role("link", name="Neue Reise").click()
    page.get_by_label("Titel", exact=True).fill(TITLE)
    page.get_by_label("Abreise (Datum)").fill("2025-04-07")
    page.get_by_label("Rückkehr (Datum)").fill("2025-04-12")
    tokyo = page.get_by_role("group", name="Station 1", exact=True)
    new_city_in_row(page, tokyo, "Tokio")
    tokyo.get_by_label("Ankunft (Ortszeit)").fill("2025-04-08T17:05")
    tokyo.get_by_label("Abreise (Ortszeit)").fill("2025-04-10T10:00")
    tokyo.get_by_label("Hotel").fill("Hotel Okura Tokyo")
    osaka = page.get_by_role("group", name="Station 2", exact=True)
    new_city_in_row(page, osaka, "Osaka")
    osaka.get_by_label("Ankunft (Ortszeit)").fill("2025-04-10T12:30")
    osaka.get_by_label("Abreise (Ortszeit)").fill("2025-04-12T09:00")
    osaka.get_by_label("Hotel").fill("Hotel New Otani Osaka")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    with live_server.app.app_context():
        trip = db.session.scalars(sa.select(Delegation).where(Delegation.title == TITLE)).one()
        trip_id = trip.id
    trip_path = f"/delegations/{trip_id}"
    assert urlsplit(page.url).path == trip_path

    # 4: the four members, all new people, in one submission.
    page.get_by_role("link", name="Mitglieder hinzufügen").click()
    for number, (title, given, family, function) in enumerate(MEMBERS, start=1):
        row = page.get_by_role("group", name=f"Neue Person {number}", exact=True)
        row.get_by_label("Titel").fill(title)
        row.get_by_label("Vorname").fill(given)
        row.get_by_label("Familienname").fill(family)
        row.get_by_label("Funktion").fill(function)
        if number == 1:
            row.get_by_label("Rolle").select_option("leader")
    page.get_by_role("button", name="Mitglieder hinzufügen").click()
    saved(page, "4 Mitglieder hinzugefügt.")

    # 5: the three journeys in one submission.
    page.get_by_role("link", name="Verbindungen hinzufügen", exact=True).click()
    rows = [page.get_by_role("group", name=f"Verbindung {n}", exact=True) for n in (1, 2, 3)]
    journeys = [
        (
            "flight",
            "NH",
            "210",
            "Düsseldorf",
            "Flughafen Düsseldorf",
            "2025-04-07T21:00",
            "Tokio",
            "Tokio-Haneda",
            "2025-04-08T16:05",
        ),
        ("train", "JR", "Nozomi 15", "Tokio", "Tokio Hbf", "2025-04-10T10:00", "Osaka", "Shin-Osaka", "2025-04-10T12:27"),
        (
            "flight",
            "LH",
            "741",
            "Osaka",
            "Kansai International",
            "2025-04-12T11:05",
            "Düsseldorf",
            "Flughafen Düsseldorf",
            "2025-04-12T18:40",
        ),
    ]
    for row, (mode, carrier, number, origin, departure, departs, destination, arrival, arrives) in zip(
        rows, journeys, strict=True
    ):
        row.get_by_label("Verkehrsmittel").select_option(mode)
        row.get_by_label("Gesellschaft").fill(carrier)
        row.get_by_label("Flug-/Zugnummer").fill(number)
        choose(row, "Abfahrt/Abflug: Stadt", origin)
        row.get_by_label("Abfahrt/Abflug: Ort").fill(departure)
        row.get_by_label("Abfahrt/Abflug (Ortszeit)").fill(departs)
        choose(row, "Ankunft: Stadt", destination)
        row.get_by_label("Ankunft: Ort").fill(arrival)
        row.get_by_label("Ankunft (Ortszeit)").fill(arrives)
    page.get_by_role("button", name="Speichern").click()
    saved(page, "3 Verbindungen angelegt.")

    # 6–9: two appointments with organizations that are new, each made in the form's dialog.
    for day, title, organization, starts, ends in [
        ("2025-04-08", "Besuch bei Toyota Tsusho", "Toyota Tsusho Corporation", "2025-04-09T10:00", "2025-04-09T12:00"),
        (
            "2025-04-10",
            "Gespräch mit der Kansai Economic Federation",
            "Kansai Economic Federation",
            "2025-04-11T14:00",
            "2025-04-11T15:30",
        ),
    ]:
        page.locator(f'a[href$="/appointments/new?day={day}"]').click()
        page.get_by_label("Titel").fill(title)
        choose(page, "Stadt", "Tokio" if day == "2025-04-08" else "Osaka")
        page.get_by_label("Beginn (Ortszeit)").fill(starts)
        page.get_by_label("Ende (Ortszeit)").fill(ends)
        new_organization(page, organization)
        page.get_by_role("button", name="Speichern").click()
        page.wait_for_load_state()

    # 10: four more appointments typed as lines under their day, in one submission.
    page.locator("#quick-add-2025-04-09").fill(
        "08:00–09:00 Frühstück mit der AHK Japan, Hotel Okura\n"
        "13:00–14:30 Besuch Tokyo Big Sight, Tokio\n"
        "15:30 Empfang in der Deutschen Botschaft\n"
        "19:00–21:00 Abendessen mit der Gouverneurin von Tokio"
    )
    page.get_by_role("button", name="Hinzufügen – ").and_(page.locator("form:has(#quick-add-2025-04-09) button")).click()
    saved(page, "4 Termine angelegt.")

    screenshot(page, "walk-tokyo-osaka-programme")
    assert len(submissions) <= 12, submissions
    assert not [path for path in visited if path.startswith("/directory")], visited

    with live_server.app.app_context():
        trip = db.session.get(Delegation, trip_id)
        assert trip is not None
        cities = {leg.city.name: leg.city for leg in trip.legs}
        assert set(cities) == {"Tokio", "Osaka"}
        assert {(city.timezone, city.country.iso_code) for city in cities.values()} == {("Asia/Tokyo", "JP")}
        assert [leg.arrive_at for leg in sorted(trip.legs, key=lambda leg: leg.arrive_at)] == [
            utc("2025-04-08T08:05"),  # 17:05 in Tokyo (UTC+9)
            utc("2025-04-10T03:30"),
        ]
        people = sorted(
            (m.person.title or "", m.person.given_name, m.person.family_name, m.person.function) for m in trip.members
        )
        assert people == sorted(MEMBERS)
        assert {m.person.side.value for m in trip.members} == {"own"}
        assert [m.role.value for m in trip.members if m.person.family_name == "Berger"] == ["leader"]
        flights = sorted(trip.journeys, key=lambda journey: journey.depart_at)
        assert [(j.number, j.depart_at, j.arrive_at) for j in flights] == [
            ("210", utc("2025-04-07T19:00"), utc("2025-04-08T07:05")),  # 21:00 Düsseldorf (CEST) → 16:05 Tokyo
            ("Nozomi 15", utc("2025-04-10T01:00"), utc("2025-04-10T03:27")),
            ("741", utc("2025-04-12T02:05"), utc("2025-04-12T16:40")),  # 11:05 Osaka → 18:40 Düsseldorf
        ]
        assert all(len(j.travellers) == 4 for j in flights)
        appointments = {a.title: a for a in trip.appointments}
        assert len(appointments) == 6
        assert appointments["Besuch bei Toyota Tsusho"].organization.name == "Toyota Tsusho Corporation"
        assert appointments["Besuch bei Toyota Tsusho"].start_at == utc("2025-04-09T01:00")
        talk = appointments["Gespräch mit der Kansai Economic Federation"]
        assert talk.organization.name == "Kansai Economic Federation" and talk.city.name == "Osaka"
        breakfast = appointments["Frühstück mit der AHK Japan"]
        assert (breakfast.start_at, breakfast.end_at, breakfast.city.name) == (
            utc("2025-04-08T23:00"),
            utc("2025-04-09T00:00"),
            "Tokio",
        )
        assert all(len(a.attendees) == 4 for a in appointments.values())
