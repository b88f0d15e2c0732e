"""Weekend and public-holiday warnings, and the time-zone select grouped by the city's country.

Dates are those of the Keller trip (October 2024): 3 October is German Unity
Day in Germany, 9 October Hangul Day in South Korea, 1–7 October China's
National Day week (with Saturday 12 October a declared working day to make up
for it). Every seeded appointment lies on a weekday without a holiday.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Appointment, City, Delegation, ItemStatus
from planner.program import calendar_days
from planner.program.conflicts import check_programme
from planner.timezones import to_local, zones_of_country
from tests.conftest import csrf_token, make_appointment, make_city, make_delegation
from tests.html_forms import form_values


def city_id(app: Flask, name: str) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(City.id).where(City.name == name)).one()


def text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def save_appointment(app: Flask, client: FlaskClient, delegation_id: int, city: str, starts: str, title: str) -> str:
    """Save a one-hour appointment through the form; the page the planner lands on (programme with flashes)."""
    url = f"/delegations/{delegation_id}/appointments/new"
    end = (datetime.fromisoformat(starts) + timedelta(hours=1)).isoformat(timespec="minutes")
    data = {
        "csrf_token": csrf_token(client, url),
        "version": "1",
        "title": title,
        "kind": "other",
        "status": "tentative",
        "city_id": city_id(app, city),
        "timezone": "",
        "starts": starts,
        "ends": end,
        "organization_id": "0",
        "contact_person_id": "0",
    }
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def row_warnings(page: str, title: str) -> list[str]:
    """The warnings beside the programme row of the appointment called ``title``."""
    for row in re.split(r'(?=<li id="(?:appointment|journey)-\d+")', page)[1:]:
        if f">{html.escape(title)}</a>" in row:
            block = re.search(r'<ul class="entry__warnings".*?</ul>', row, re.S)
            return [html.unescape(w).strip() for w in re.findall(r"<li>⚠ (.*?)</li>", block.group(0))] if block else []
    raise AssertionError(f"no row for {title}")


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash--warning"[^>]*>(.*?)</p>', page, re.S)]


# -- the warnings on the programme ------------------------------------------------------------


def test_hangul_day_in_seoul_warns_after_saving_and_on_the_row(app: Flask, planner: FlaskClient, keller: int) -> None:
    page = save_appointment(app, planner, keller, "Seoul", "2024-10-09T10:00", "Vorgespräch KOTRA")
    message = "9. Oktober: Hangul Day (Feiertag in Südkorea)"
    assert message in flashes(page)
    assert message in row_warnings(page, "Vorgespräch KOTRA")
    # Wednesday: a holiday, not a weekend.
    assert not any("Wochenende" in w for w in row_warnings(page, "Vorgespräch KOTRA"))


def test_saturday_in_chongqing_warns_weekend(app: Flask, planner: FlaskClient, keller: int) -> None:
    page = save_appointment(app, planner, keller, "Chongqing", "2024-10-19T10:00", "Stadtrundgang")
    assert "Samstag — in China Wochenende" in flashes(page)
    assert "Samstag — in China Wochenende" in row_warnings(page, "Stadtrundgang")


def test_chinas_bridging_saturday_is_a_working_day_there_but_not_in_seoul(app: Flask, planner: FlaskClient, keller: int) -> None:
    """Saturday 12 October 2024 was a declared working day in China (after the National Day week), not in Korea."""
    page = save_appointment(app, planner, keller, "Chongqing", "2024-10-12T10:00", "Arbeitssamstag")
    assert not [w for w in row_warnings(page, "Arbeitssamstag") if "Wochenende" in w or "Feiertag" in w]
    page = save_appointment(app, planner, keller, "Seoul", "2024-10-12T10:00", "Samstag in Seoul")
    assert "Samstag — in Südkorea Wochenende" in row_warnings(page, "Samstag in Seoul")


def test_an_ordinary_wednesday_in_seoul_warns_of_neither(app: Flask, planner: FlaskClient, keller: int) -> None:
    page = save_appointment(app, planner, keller, "Seoul", "2024-10-16T11:00", "Nachgespräch")
    assert not [w for w in row_warnings(page, "Nachgespräch") if "Wochenende" in w or "Feiertag" in w]
    assert not [f for f in flashes(page) if "Wochenende" in f or "Feiertag" in f]


def test_the_local_date_decides_not_utc(app: Flask, planner: FlaskClient, keller: int) -> None:
    """01:00 on Sunday in Seoul is still Saturday 16:00 in UTC: a Sunday it is."""
    page = save_appointment(app, planner, keller, "Seoul", "2024-10-13T01:00", "Nachtankunft")
    assert "Sonntag — in Südkorea Wochenende" in row_warnings(page, "Nachtankunft")
    assert "Samstag — in Südkorea Wochenende" not in row_warnings(page, "Nachtankunft")


def test_german_unity_day_in_german_and_in_english(app: Flask, planner: FlaskClient, keller: int) -> None:
    page = save_appointment(app, planner, keller, "Düsseldorf", "2024-10-03T10:00", "Vorbereitungstreffen")
    assert "3. Oktober: Tag der Deutschen Einheit (Feiertag in Deutschland)" in row_warnings(page, "Vorbereitungstreffen")

    planner.post("/language", data={"csrf_token": csrf_token(planner, "/"), "locale": "en", "next": "/"})
    english = planner.get(f"/delegations/{keller}").get_data(as_text=True)
    warnings = " ".join(row_warnings(english, "Vorbereitungstreffen"))
    assert "German Unity Day" in warnings and "Tag der Deutschen Einheit" not in warnings
    assert "October 3" in warnings


def test_the_appointment_page_lists_the_holiday(app: Flask, planner: FlaskClient, keller: int) -> None:
    save_appointment(app, planner, keller, "Seoul", "2024-10-09T15:00", "Hangul-Museum")
    with app.app_context():
        appointment_id = db.session.scalars(sa.select(Appointment.id).where(Appointment.title == "Hangul-Museum")).one()
    page = text(planner.get(f"/delegations/{keller}/appointments/{appointment_id}").get_data(as_text=True))
    assert "9. Oktober: Hangul Day (Feiertag in Südkorea)" in page


def test_the_seeded_keller_programme_has_no_weekend_or_holiday(app: Flask, keller: int) -> None:
    """Monday 14 to Friday 18 October 2024: no weekend; no holiday in Korea or China on those days."""
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation is not None
        kinds = {w.kind for w in check_programme(delegation, timedelta(minutes=30))}
        assert not kinds & {"weekend", "holiday"}


def test_weekend_per_country(app: Flask) -> None:
    """Saudi Arabia rests on Friday and Saturday (the package's weekend), so Sunday is a working day there."""
    with app.app_context():
        riyadh = make_city("Riad", "Asia/Riyadh", "SA")
        delegation = make_delegation()
        friday = make_appointment(delegation, datetime(2024, 10, 18, 10, 0), zone="Asia/Riyadh", city=riyadh, title="Fr")
        sunday = make_appointment(delegation, datetime(2024, 10, 20, 10, 0), zone="Asia/Riyadh", city=riyadh, title="So")
        assert [n.kind for n in calendar_days.appointment_notes(friday, "de")] == ["weekend"]
        assert calendar_days.appointment_notes(sunday, "de") == []


def test_holiday_tables_are_built_once_per_country_year_and_language(app: Flask) -> None:
    with app.app_context():
        first = calendar_days.calendar_table("KR", 2024, "de")
        assert calendar_days.calendar_table("KR", 2024, "de") is first
        assert calendar_days.calendar_table("KR", 2024, "en") is first  # no German names for Korea: English either way
        assert calendar_days.calendar_table("DE", 2024, "de") is not calendar_days.calendar_table("DE", 2024, "en")


def test_an_appointment_over_midnight_counts_both_local_days(app: Flask) -> None:
    with app.app_context():
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        delegation = make_delegation()
        night = make_appointment(delegation, datetime(2024, 10, 11, 22, 0), minutes=180, city=seoul, title="Nacht")
        ends_at_midnight = make_appointment(delegation, datetime(2024, 10, 11, 22, 0), minutes=120, city=seoul, title="Bis 0")
        assert [n.message() for n in calendar_days.appointment_notes(night, "de")] == ["Samstag — in Südkorea Wochenende"]
        assert calendar_days.appointment_notes(ends_at_midnight, "de") == []


# -- cloning -------------------------------------------------------------------------------------


def clone(client: FlaskClient, delegation_id: int, start: str, title: str) -> str:
    url = f"/delegations/{delegation_id}/clone"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "title": title, "start_date": start})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_cloning_three_days_later_names_the_appointments_now_on_a_weekend(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        source = db.session.get(Delegation, keller)
        assert source is not None
        now_weekend = [
            a.title
            for a in source.appointments
            if a.status != ItemStatus.CANCELLED and (to_local(a.start_at, a.timezone) + timedelta(days=3)).weekday() >= 5
        ]
    assert len(now_weekend) >= 2  # Wednesday 16 and Thursday 17 October become Saturday and Sunday
    page = clone(planner, keller, "2024-10-16", "Drei Tage später")
    [weekend] = [f for f in flashes(page) if "Wochenende" in f]
    assert weekend.startswith(f"{len(now_weekend)} Termine fallen jetzt auf ein Wochenende: ")
    for title in now_weekend:
        assert f"„{title}“" in weekend
    assert "„Unternehmensbesuch AIMMO“" not in weekend  # Monday becomes Thursday


def test_cloning_a_week_earlier_names_hangul_day(app: Flask, planner: FlaskClient, keller: int) -> None:
    """Wednesday 16 October (Seegene, Seoul) becomes Wednesday 9 October: Hangul Day; China's 9 October is a workday."""
    page = clone(planner, keller, "2024-10-06", "Eine Woche früher")
    [holiday] = [f for f in flashes(page) if "Feiertag" in f]
    assert holiday.startswith("1 Termin fällt jetzt auf einen Feiertag: ")
    assert "„Unternehmensbesuch Seegene“" in holiday and "Hangul Day" in holiday
    assert not [f for f in flashes(page) if "Wochenende" in f]


def test_cloning_a_year_later_on_the_same_weekdays_warns_of_nothing(app: Flask, planner: FlaskClient, keller: int) -> None:
    page = clone(planner, keller, "2025-10-12", "Ein Jahr später")  # Sunday again
    assert not [f for f in flashes(page) if "Wochenende" in f or "Feiertag" in f]


def chosen(client: FlaskClient, url: str, name: str) -> str:
    """What the browser would send for the select ``name`` of the page at ``url``, untouched."""
    return dict(form_values(client.get(url).get_data(as_text=True)).values)[name]


# -- the time-zone select ------------------------------------------------------------------------


def zone_groups(page: str, name: str) -> list[tuple[str, list[str]]]:
    """The select ``name``'s option groups: (label, values), in order; ungrouped options under ''."""
    select = page[page.index(f'name="{name}"') :]
    select = select[: select.index("</select>")]
    groups: list[tuple[str, list[str]]] = [("", re.findall(r'<option[^>]*value="([^"]*)"', select.split("<optgroup")[0]))]
    for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S):
        groups.append((html.unescape(label), re.findall(r'<option[^>]*value="([^"]*)"', body)))
    return groups


def test_appointment_form_offers_the_citys_country_first(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        appointment_id = db.session.scalars(
            sa.select(Appointment.id).where(Appointment.title == "Unternehmensbesuch Seegene")
        ).one()
    page = planner.get(f"/delegations/{keller}/appointments/{appointment_id}/edit").get_data(as_text=True)
    groups = zone_groups(page, "timezone")
    assert groups[0] == ("", [""])  # "the city's zone" stays the first choice
    assert groups[1] == ("Zeitzonen in Südkorea", list(zones_of_country("KR")))
    assert groups[2][0] == "Alle anderen Zeitzonen" and "Europe/Berlin" in groups[2][1]
    assert chosen(planner, f"/delegations/{keller}/appointments/{appointment_id}/edit", "timezone") == "Asia/Seoul"


def test_new_appointment_form_groups_by_the_proposed_city_and_keeps_the_citys_zone(
    app: Flask, planner: FlaskClient, keller: int
) -> None:
    url = f"/delegations/{keller}/appointments/new?day=2024-10-17"  # a Chongqing day
    groups = zone_groups(planner.get(url).get_data(as_text=True), "timezone")
    assert groups[1] == ("Zeitzonen in China", list(zones_of_country("CN")))
    assert chosen(planner, url, "timezone") == ""  # empty: the zone of the chosen city


def test_appointment_form_with_errors_groups_by_the_city_chosen(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/appointments/new"
    data = {
        "csrf_token": csrf_token(planner, url),
        "version": "1",
        "title": "",
        "kind": "other",
        "status": "tentative",
        "city_id": city_id(app, "Düsseldorf"),
        "timezone": "",
        "starts": "2024-10-14T10:00",
        "ends": "2024-10-14T11:00",
        "organization_id": "0",
        "contact_person_id": "0",
    }
    response = planner.post(url, data=data)
    assert response.status_code == 422
    groups = zone_groups(response.get_data(as_text=True), "timezone")
    assert groups[1] == ("Zeitzonen in Deutschland", list(zones_of_country("DE")))
    assert "Europe/Busingen" in groups[1][1] and "Europe/Berlin" in groups[1][1]


def test_journey_form_groups_each_end_by_its_own_city(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation is not None
        outbound = min(delegation.journeys, key=lambda j: j.depart_at)
        journey_id = outbound.id
    page = planner.get(f"/delegations/{keller}/journeys/{journey_id}/edit").get_data(as_text=True)
    assert zone_groups(page, "departure_timezone")[1] == ("Zeitzonen in Deutschland", list(zones_of_country("DE")))
    assert zone_groups(page, "arrival_timezone")[1] == ("Zeitzonen in Südkorea", list(zones_of_country("KR")))


def test_city_form_names_the_group_after_the_country(app: Flask, planner: FlaskClient, keller: int) -> None:
    page = planner.get(f"/directory/cities/{city_id(app, 'Düsseldorf')}/edit").get_data(as_text=True)
    groups = zone_groups(page, "timezone")
    assert groups[1] == ("Zeitzonen in Deutschland", list(zones_of_country("DE")))
    assert chosen(planner, f"/directory/cities/{city_id(app, 'Düsseldorf')}/edit", "timezone") == "Europe/Berlin"
