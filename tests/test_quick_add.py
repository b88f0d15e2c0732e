"""Quick add under a programme day, and the compact rows of the trip page.

The parser is tested with lines as planners type them; the web flow against the Keller
trip's database rows (Seoul is UTC+9, Chongqing keeps China's UTC+8, Düsseldorf was on
summer time until 27 October 2024).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.delegations.itinerary import Itinerary
from planner.extensions import db
from planner.models import Appointment, AppointmentKind, City, Delegation, ItemStatus, Leg, Visibility
from planner.program.quick_add import LineRefused, QuickLine, parse_line, where
from tests.conftest import csrf_token, login, make_delegation

# -- the parser ----------------------------------------------------------------------


@pytest.fixture
def request_ctx(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("10:30–12:00 Besuch Toyota, Toyota City", QuickLine(time(10, 30), time(12), "Besuch Toyota", "Toyota City")),
        ("14:00 Empfang Rathaus", QuickLine(time(14), None, "Empfang Rathaus", None)),
        ("9.30 Frühstück mit KOTRA", QuickLine(time(9, 30), None, "Frühstück mit KOTRA", None)),
        ("09:30 Uhr Pressegespräch, Lotte Hotel", QuickLine(time(9, 30), None, "Pressegespräch", "Lotte Hotel")),
        ("14 Uhr Empfang", QuickLine(time(14), None, "Empfang", None)),
        ("10 bis 12 Uhr Seminar, KOTRA, Saal 3", QuickLine(time(10), time(12), "Seminar, KOTRA", "Saal 3")),
        ("10:30 - 12:00 Besuch", QuickLine(time(10, 30), time(12), "Besuch", None)),
        ("8:00—8:45   Transfer  zum Flughafen", QuickLine(time(8), time(8, 45), "Transfer zum Flughafen", None)),
        # "Titel, Uhrzeit, Ort": the time as a part of its own.
        ("Empfang Rathaus, 14:00, Rathaus Chongqing", QuickLine(time(14), None, "Empfang Rathaus", "Rathaus Chongqing")),
        ("Besuch Doosan, 10:00–11:30", QuickLine(time(10), time(11, 30), "Besuch Doosan", None)),
        # Digits that run into a word are part of the title.
        ("2024er Bilanz, 16:00", QuickLine(time(16), None, "2024er Bilanz", None)),
    ],
)
def test_lines_as_planners_type_them(request_ctx: None, line: str, expected: QuickLine) -> None:
    assert parse_line(line) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Mittagessen mit dem Generalkonsul", "Keine Uhrzeit gefunden"),
        ("2 Runden Gespräche", "Keine Uhrzeit gefunden"),
        ("25:00 Nachtessen", "„25:00“ ist keine Uhrzeit"),
        ("12:75 Pause", "„12:75“ ist keine Uhrzeit"),
        ("14:00", "Der Titel fehlt."),
        ("Empfang, 10:00, 11:00", "Mehr als eine Uhrzeit"),
        ("14:00 " + "x" * 201, "länger als 200 Zeichen"),
        # The day is the row's day: an end before the start is refused, not read as the next morning.
        ("22:00–01:00 Abendessen", "Das Ende (01:00) liegt nicht nach dem Beginn (22:00)"),
        ("10:00–10:00 Fototermin", "Das Ende (10:00) liegt nicht nach dem Beginn (10:00)"),
    ],
)
def test_lines_that_are_no_appointment_are_refused_with_the_reason(request_ctx: None, line: str, message: str) -> None:
    with pytest.raises(LineRefused) as refused:
        parse_line(line)
    assert message in refused.value.message


# -- the page --------------------------------------------------------------------------


def quick_add(client: FlaskClient, keller: int, day: str, lines: str):
    token = csrf_token(client, f"/delegations/{keller}")
    return client.post(f"/delegations/{keller}/days/{day}/quick-add", data={"csrf_token": token, "version": "1", "lines": lines})


def saved(app: Flask, *titles: str) -> dict[str, Appointment]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Appointment).where(Appointment.title.in_(titles)).options(sa.orm.selectinload(Appointment.attendees))
        ).all()
        for row in rows:
            db.session.expunge(row)
        return {row.title: row for row in rows}


def count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Appointment.id)))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_several_lines_in_seoul_are_saved_in_utc(app: Flask, planner: FlaskClient, keller: int) -> None:
    response = quick_add(
        planner,
        keller,
        "2024-10-15",
        "10:30–12:00 Besuch Toyota, Toyota City\r\n\r\n14:00 Empfang Rathaus\r\nPressegespräch, 16.45 Uhr, Lotte Hotel",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/delegations/{keller}#day-2024-10-15")
    rows = saved(app, "Besuch Toyota", "Empfang Rathaus", "Pressegespräch")
    toyota, reception, press = rows["Besuch Toyota"], rows["Empfang Rathaus"], rows["Pressegespräch"]
    # Seoul is UTC+9: 10:30 there is 01:30 UTC.
    assert (toyota.start_at, toyota.end_at) == (utc(2024, 10, 15, 1, 30), utc(2024, 10, 15, 3, 0))
    assert toyota.venue == "Toyota City" and toyota.timezone == "Asia/Seoul"
    # Without an end: an hour, as the full form proposes.
    assert (reception.start_at, reception.end_at) == (utc(2024, 10, 15, 5, 0), utc(2024, 10, 15, 6, 0))
    assert reception.venue is None
    assert press.start_at == utc(2024, 10, 15, 7, 45) and press.venue == "Lotte Hotel"
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        seoul = next(leg.city_id for leg in delegation.legs if leg.city.name == "Seoul")
        everyone = {m.id for m in delegation.members}
    for row in rows.values():
        # The full form's defaults.
        assert row.city_id == seoul
        assert (row.status, row.kind, row.visibility) == (ItemStatus.TENTATIVE, AppointmentKind.OTHER, Visibility.DELEGATION)
        assert {m.id for m in row.attendees} == everyone
    page = html.unescape(planner.get(f"/delegations/{keller}").get_data(as_text=True))
    assert "3 Termine angelegt." in page
    assert "10:30 Seoul · 03:30 Düsseldorf" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_lines_in_chongqing_and_on_the_travel_day(app: Flask, planner: FlaskClient, keller: int) -> None:
    assert quick_add(planner, keller, "2024-10-17", "9.30 Frühstück WCICO, Hotel\n15:00–17:30 Fotoausstellung").status_code == 302
    # The travel day: in Seoul until 14:00 (KST), in Chongqing from 16:40 (CST).
    assert quick_add(planner, keller, "2024-10-16", "08:00 Abschied Seoul\n19:00 Abendessen Chongqing").status_code == 302
    rows = saved(app, "Frühstück WCICO", "Fotoausstellung", "Abschied Seoul", "Abendessen Chongqing")
    # China keeps UTC+8 (Asia/Shanghai), whatever the city is called.
    assert rows["Frühstück WCICO"].start_at == utc(2024, 10, 17, 1, 30)
    assert rows["Fotoausstellung"].end_at == utc(2024, 10, 17, 9, 30)
    assert rows["Abschied Seoul"].start_at == utc(2024, 10, 15, 23, 0) and rows["Abschied Seoul"].timezone == "Asia/Seoul"
    assert rows["Abendessen Chongqing"].start_at == utc(2024, 10, 16, 11, 0)
    with app.app_context():
        cities = {leg.city_id: leg.city.name for leg in db.session.get(Delegation, keller).legs}
    assert {title: (cities[row.city_id], row.timezone) for title, row in rows.items()} == {
        "Frühstück WCICO": ("Chongqing", "Asia/Shanghai"),
        "Fotoausstellung": ("Chongqing", "Asia/Shanghai"),
        "Abschied Seoul": ("Seoul", "Asia/Seoul"),
        "Abendessen Chongqing": ("Chongqing", "Asia/Shanghai"),
    }


def test_a_bad_line_saves_nothing_and_names_the_line(app: Flask, planner: FlaskClient, keller: int) -> None:
    before = count(app)
    typed = "10:00 Besuch Doosan\nMittagessen ohne Uhrzeit\n22:00–01:00 Bar"
    response = quick_add(planner, keller, "2024-10-15", typed)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Zeile 2: Keine Uhrzeit gefunden" in page
    assert "Zeile 3: Das Ende (01:00) liegt nicht nach dem Beginn (22:00)" in page
    # What was typed comes back in that day's box, marked invalid.
    assert re.search(r'<textarea id="quick-add-2024-10-15"[^>]*aria-invalid="true"[^>]*>' + re.escape(typed), page)
    assert count(app) == before
    assert not saved(app, "Besuch Doosan")


def test_on_the_way_between_cities_is_refused_not_guessed(app: Flask, planner: FlaskClient, keller: int) -> None:
    before = count(app)
    response = quick_add(planner, keller, "2024-10-16", "10:00 Frühstück\n15:00 Kaffee")
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Zeile 2: Um 15:00 ist die Delegation an diesem Reisetag unterwegs (Seoul / Chongqing)" in page
    assert count(app) == before


@pytest.mark.parametrize(
    ("first_day", "message"),
    [
        # A day at home in Düsseldorf (no leg): the full form's messages for the two DST traps.
        (date(2024, 10, 27), "02:30 gibt es am 27. Oktober 2024 in Europe/Berlin zweimal (Zeitumstellung)."),
        (date(2024, 3, 31), "02:30 gibt es am 31. März 2024 in Europe/Berlin nicht: Die Uhren springen"),
    ],
)
def test_dst_traps_at_home_get_the_full_forms_message(
    app: Flask, planner: FlaskClient, keller: int, first_day: date, message: str
) -> None:
    with app.app_context():
        trip = make_delegation(db.session.get(Delegation, keller).home_city, title="Kurzreise")
        trip.start_date = trip.end_date = first_day
        db.session.commit()
        trip_id = trip.id
    before = count(app)
    response = quick_add(planner, trip_id, first_day.isoformat(), "02:30 Abfahrt zum Flughafen")
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert count(app) == before


def test_viewers_may_not_quick_add(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "viewer@example.org")
    before = count(app)
    page = client.get(f"/delegations/{keller}").get_data(as_text=True)
    assert "quick-add" not in page
    token = csrf_token(client, f"/delegations/{keller}")
    response = client.post(
        f"/delegations/{keller}/days/2024-10-15/quick-add", data={"csrf_token": token, "version": "1", "lines": "10:00 X"}
    )
    assert response.status_code == 403
    assert count(app) == before


@pytest.mark.parametrize("day", ["2024-13-01", "gestern", "0001-01-01", "2024-10-21", "2024-10-12"])
def test_a_day_outside_the_trip_is_a_404(planner: FlaskClient, keller: int, day: str) -> None:
    token = csrf_token(planner, f"/delegations/{keller}")
    response = planner.post(
        f"/delegations/{keller}/days/{day}/quick-add", data={"csrf_token": token, "version": "1", "lines": "10:00 X"}
    )
    assert response.status_code == 404


def test_empty_input_is_refused(planner: FlaskClient, keller: int) -> None:
    response = quick_add(planner, keller, "2024-10-15", "  \n ")
    assert response.status_code == 422
    assert "Bitte mindestens eine Zeile eingeben." in html.unescape(response.get_data(as_text=True))


# -- the compact rows -----------------------------------------------------------------------


def row(page: str, appointment_id: int) -> str:
    """The markup of one appointment's row (up to the next row or the end of the day)."""
    start = page.index(f'<li id="appointment-{appointment_id}"')
    ends = [page.find(mark, start + 1) for mark in ('<li id="appointment-', '<li id="journey-', "</ol>")]
    return page[start : min(e for e in ends if e != -1)]


def test_rows_say_whole_delegation_or_count_the_people(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        members = {m.id for m in delegation.members}
        everyone = next(a for a in delegation.appointments if {m.id for m in a.attendees} == members)
        some = next(a for a in delegation.appointments if 1 < len(a.attendees) < len(members))
        everyone_id, some_id = everyone.id, some.id
        some_names = [m.person.display_name for m in some.attendees]
    page = html.unescape(planner.get(f"/delegations/{keller}").get_data(as_text=True))
    whole = row(page, everyone_id)
    assert "ganze Delegation" in whole and '<details class="entry__people"' not in whole
    partial = row(page, some_id)
    assert "ganze Delegation" not in partial
    people = re.search(r'<details class="entry__people">\s*<summary>(.*?)</summary>\s*<p>(.*?)</p>', partial, re.S)
    assert people is not None
    assert people.group(1) == f"{len(some_names)} Teilnehmende"
    assert people.group(2) == ", ".join(some_names)


def test_every_action_of_a_row_is_in_its_menu(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        item = db.session.scalars(sa.select(Appointment).where(Appointment.title.contains("AIMMO"))).one()
        item_id = item.id
    page = html.unescape(planner.get(f"/delegations/{keller}").get_data(as_text=True))
    menu = re.search(r'<details class="menu">(.*?)</details>', row(page, item_id), re.S)
    assert menu is not None
    for action in (
        "/calendar.ics",
        f"/appointments/{item_id}/edit",
        f"/appointments/{item_id}/cancel",
        f"/appointments/{item_id}/delete",
    ):
        assert action in menu.group(1), action
    assert 'Aktionen<span class="visually-hidden"> – ' in menu.group(1)


def test_day_headings_name_the_day_and_where_the_delegation_is(planner: FlaskClient, keller: int) -> None:
    page = html.unescape(planner.get(f"/delegations/{keller}").get_data(as_text=True))
    headings = {
        day: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
        for day, text in re.findall(r'<h3 id="day-([\d-]+)" class="day__heading">(.*?)</h3>', page, re.S)
    }
    assert headings["2024-10-16"].startswith("Mi., 16. Okt. 2024 Seoul → Chongqing")
    assert headings["2024-10-15"].startswith("Di., 15. Okt. 2024 Seoul ")
    assert headings["2024-10-13"].startswith("So., 13. Okt. 2024 Düsseldorf ")
    # Every day of the trip, so a planner can add to an empty one.
    assert list(headings) == [f"2024-10-{d}" for d in range(13, 21)]


def test_a_westbound_hop_that_repeats_an_hour_is_refused(request_ctx: None) -> None:
    """Seoul until 14:00 (KST) is 13:00 in China; arriving in Chongqing at 13:30 (CST), 13:45 happens in both cities."""
    seoul, chongqing = City(name="Seoul", timezone="Asia/Seoul"), City(name="Chongqing", timezone="Asia/Shanghai")
    legs = [
        Leg(city=seoul, arrive_at=utc(2024, 10, 14, 0), depart_at=utc(2024, 10, 16, 5), status=ItemStatus.CONFIRMED),
        Leg(city=chongqing, arrive_at=utc(2024, 10, 16, 5, 30), depart_at=utc(2024, 10, 19, 2), status=ItemStatus.CONFIRMED),
    ]
    itinerary = Itinerary(legs, "Europe/Berlin")
    with pytest.raises(LineRefused) as refused:
        where(itinerary, None, datetime(2024, 10, 16, 13, 45))
    assert "nicht eindeutig, wo die Delegation ist (Seoul / Chongqing)" in refused.value.message
    assert where(itinerary, None, datetime(2024, 10, 16, 11, 0))[0] == "Asia/Seoul"
    assert where(itinerary, None, datetime(2024, 10, 16, 15, 0))[0] == "Asia/Shanghai"
    # A day with no leg is a day at home.
    assert where(itinerary, 7, datetime(2024, 10, 20, 9, 0)) == ("Europe/Berlin", 7)
