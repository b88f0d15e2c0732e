"""Several rows in one form (issue "Planning without detours"): a new trip with its stops, several journeys at once.

Düsseldorf → Tokyo → Osaka: the new-trip form takes the stops as rows, the
trip page's "Verbindungen hinzufügen" takes several journeys in one POST.
Blank rows are ignored; a bad row is shown at that row (422) and nothing is
saved, not even the good rows; every row converts its own local times
(DST gap refused, a repeated hour asked per row).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.delegations.forms import NewDelegationForm
from planner.editing import Rejected, Row, save_rows
from planner.extensions import db
from planner.models import City, Delegation, Journey, JourneyMode, Leg
from planner.web.forms import field_named
from tests.conftest import csrf_token, login, make_city
from tests.html_forms import form_values


@pytest.fixture
def keller(app: Flask, keller: int) -> int:
    """The shared Keller trip (with its members, a planner and a viewer), plus Tokyo and Osaka as cities."""
    with app.app_context():
        make_city("Tokyo", "Asia/Tokyo", "JP")
        make_city("Osaka", "Asia/Tokyo", "JP")
        db.session.commit()
    return keller


def city_id(app: Flask, name: str) -> str:
    with app.app_context():
        return str(db.session.scalars(sa.select(City.id).where(City.name == name)).one())


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def submitted(client: FlaskClient, url: str, **fields: str) -> dict[str, str]:
    """What a browser sends for the page at ``url`` with ``fields`` typed in (keys with "-" as "__")."""
    values = dict(form_values(client.get(url).get_data(as_text=True)).values)
    values.update({name.replace("__", "-"): value for name, value in fields.items()})
    return values


def row_html(page: str, legend: str) -> str:
    """The markup of the row titled ``legend`` (up to the next row)."""
    start = page.index(f"<legend>{legend}</legend>")
    end = page.find('<fieldset class="rows__row', start)
    return page[start : end if end != -1 else len(page)]


def trip_fields(app: Flask, title: str = "Japanreise 2026") -> dict[str, str]:
    return {
        "title": title,
        "home_city_id": city_id(app, "Düsseldorf"),
        "start_date": "2026-04-05",
        "end_date": "2026-04-12",
    }


# -- a new trip with its stops ---------------------------------------------------------


def test_a_new_trip_takes_two_stops_in_one_post(app: Flask, planner: FlaskClient) -> None:
    tokyo, osaka = city_id(app, "Tokyo"), city_id(app, "Osaka")
    data = submitted(
        planner,
        "/delegations/new",
        **trip_fields(app),
        legs__0__city_id=tokyo,
        legs__0__arrives="2026-04-06T16:00",
        legs__0__departs="2026-04-09T10:00",
        legs__0__hotel_name="Hotel Okura",
        legs__1__city_id=osaka,
        legs__1__arrives="2026-04-09T13:00",
        legs__1__departs="2026-04-11T11:00",
    )
    # Rows 3 and 4 are sent as shown (no city, no times): ignored.
    assert data["legs-3-city_id"] == "0" and data["legs-3-arrives"] == ""
    response = planner.post("/delegations/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        trip = db.session.scalars(sa.select(Delegation).where(Delegation.title == "Japanreise 2026")).one()
        assert [(leg.city.name, leg.arrive_at, leg.depart_at, leg.hotel_name) for leg in trip.legs] == [
            ("Tokyo", datetime(2026, 4, 6, 7, 0, tzinfo=UTC), datetime(2026, 4, 9, 1, 0, tzinfo=UTC), "Hotel Okura"),
            ("Osaka", datetime(2026, 4, 9, 4, 0, tzinfo=UTC), datetime(2026, 4, 11, 2, 0, tzinfo=UTC), None),
        ]
        assert all(leg.timezone == "Asia/Tokyo" for leg in trip.legs)


def test_a_bad_second_stop_saves_nothing_and_is_shown_at_its_row(app: Flask, planner: FlaskClient) -> None:
    before = count(app, Delegation), count(app, Leg)
    data = submitted(
        planner,
        "/delegations/new",
        **trip_fields(app),
        legs__0__city_id=city_id(app, "Tokyo"),
        legs__0__arrives="2026-04-06T16:00",
        legs__0__departs="2026-04-09T10:00",
        legs__1__city_id=city_id(app, "Osaka"),
        legs__1__arrives="2026-04-11T13:00",
        legs__1__departs="2026-04-10T11:00",
    )
    response = planner.post("/delegations/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Die Abreise muss nach der Ankunft liegen." in row_html(page, "Station 2")
    assert "Die Abreise muss nach der Ankunft liegen." not in row_html(page, "Station 1")
    assert re.search(r'id="legs-1-departs"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="legs-1-departs"', page)
    assert (count(app, Delegation), count(app, Leg)) == before
    # What was typed is still there, in both rows.
    assert 'value="2026-04-06T16:00"' in page and 'value="2026-04-11T13:00"' in page


def test_a_stop_without_a_city_is_asked_for_at_its_row(app: Flask, planner: FlaskClient) -> None:
    data = submitted(planner, "/delegations/new", **trip_fields(app), legs__2__arrives="2026-04-06T16:00")
    response = planner.post("/delegations/new", data=data)
    assert response.status_code == 422
    assert "Bitte eine Stadt wählen." in row_html(response.get_data(as_text=True), "Station 3")
    assert count(app, Delegation) == 1


def test_blank_rows_are_ignored(app: Flask, planner: FlaskClient) -> None:
    # No stop at all: the trip alone, as before.
    response = planner.post("/delegations/new", data=submitted(planner, "/delegations/new", **trip_fields(app, "Ohne Stationen")))
    assert response.status_code == 302
    # Only the third row filled: one stop.
    data = submitted(
        planner,
        "/delegations/new",
        **trip_fields(app, "Eine Station"),
        legs__2__city_id=city_id(app, "Osaka"),
        legs__2__arrives="2026-04-09T13:00",
        legs__2__departs="2026-04-11T11:00",
    )
    assert planner.post("/delegations/new", data=data).status_code == 302
    with app.app_context():
        trips = {d.title: [leg.city.name for leg in d.legs] for d in db.session.scalars(sa.select(Delegation))}
        assert trips["Ohne Stationen"] == [] and trips["Eine Station"] == ["Osaka"]


def test_the_leg_warnings_apply_to_the_new_stops(app: Flask, planner: FlaskClient) -> None:
    """The stops are checked by check_legs as any saved leg: outside the trip's dates, overlapping."""
    data = submitted(
        planner,
        "/delegations/new",
        **trip_fields(app),
        legs__0__city_id=city_id(app, "Tokyo"),
        legs__0__arrives="2026-04-06T16:00",
        legs__0__departs="2026-04-10T10:00",
        legs__1__city_id=city_id(app, "Osaka"),
        legs__1__arrives="2026-04-09T13:00",
        legs__1__departs="2026-04-14T11:00",
    )
    response = planner.post("/delegations/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Station Osaka (Do., 9. Apr. 2026 – Di., 14. Apr. 2026) liegt außerhalb der Reisedaten" in page
    assert page.count("Die Stationen Tokyo und Osaka überschneiden sich zeitlich.") >= 1


def test_editing_a_trip_edits_only_its_own_fields(planner: FlaskClient, keller: int) -> None:
    page = planner.get(f"/delegations/{keller}/edit").get_data(as_text=True)
    assert 'name="title"' in page and "legs-0-city_id" not in page
    assert "legs-0-city_id" in planner.get("/delegations/new").get_data(as_text=True)


# -- several journeys at once ----------------------------------------------------------


def test_three_journeys_in_one_post(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/journeys/new"
    dus, tokyo, osaka = city_id(app, "Düsseldorf"), city_id(app, "Tokyo"), city_id(app, "Osaka")
    before = count(app, Journey)
    data = submitted(
        planner,
        url,
        # Overnight and across zones: 13:40 in Düsseldorf, 08:55 in Tokyo the next morning.
        journeys__0__carrier="Lufthansa",
        journeys__0__number="LH 710",
        journeys__0__departure_city_id=dus,
        journeys__0__departure_place="Düsseldorf (DUS)",
        journeys__0__departs="2024-10-12T13:40",
        journeys__0__arrival_city_id=tokyo,
        journeys__0__arrival_place="Tokyo Haneda (HND)",
        journeys__0__arrives="2024-10-13T08:55",
        journeys__1__mode="train",
        journeys__1__number="Nozomi 21",
        journeys__1__departure_city_id=tokyo,
        journeys__1__departure_place="Tokyo Station",
        journeys__1__departs="2024-10-15T09:00",
        journeys__1__arrival_city_id=osaka,
        journeys__1__arrival_place="Shin-Osaka",
        journeys__1__arrives="2024-10-15T11:30",
        journeys__2__departure_city_id=osaka,
        journeys__2__departure_place="Osaka Kansai (KIX)",
        journeys__2__departs="2024-10-18T10:00",
        journeys__2__arrival_city_id=dus,
        journeys__2__arrival_place="Düsseldorf (DUS)",
        journeys__2__arrives="2024-10-18T18:30",
    )
    response = planner.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(app, Journey) == before + 3
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        members = [m.id for m in delegation.members]
        new = db.session.scalars(
            sa.select(Journey).where(Journey.delegation_id == keller).order_by(Journey.id.desc()).limit(3)
        ).all()[::-1]
        assert [(j.depart_at, j.arrive_at) for j in new] == [
            (datetime(2024, 10, 12, 11, 40, tzinfo=UTC), datetime(2024, 10, 12, 23, 55, tzinfo=UTC)),
            (datetime(2024, 10, 15, 0, 0, tzinfo=UTC), datetime(2024, 10, 15, 2, 30, tzinfo=UTC)),
            (datetime(2024, 10, 18, 1, 0, tzinfo=UTC), datetime(2024, 10, 18, 16, 30, tzinfo=UTC)),
        ]
        assert [(j.departure_timezone, j.arrival_timezone) for j in new] == [
            ("Europe/Berlin", "Asia/Tokyo"),
            ("Asia/Tokyo", "Asia/Tokyo"),
            ("Asia/Tokyo", "Europe/Berlin"),
        ]
        assert [j.mode for j in new] == [JourneyMode.FLIGHT, JourneyMode.TRAIN, JourneyMode.FLIGHT]
        assert (new[0].carrier, new[0].number, new[1].number) == ("Lufthansa", "LH 710", "Nozomi 21")
        # The whole delegation travels, as the single form preselects.
        assert all([m.id for m in j.travellers] == members for j in new) and members


def _one_journey(app: Flask, row: int, departs: str, **more: str) -> dict[str, str]:
    dus, tokyo = city_id(app, "Düsseldorf"), city_id(app, "Tokyo")
    prefix = f"journeys__{row}__"
    fields = {
        "departure_city_id": dus,
        "departure_place": "DUS",
        "departs": departs,
        "arrival_city_id": tokyo,
        "arrival_place": "HND",
        "arrives": "2025-03-31T12:00",
        **more,
    }
    return {prefix + name: value for name, value in fields.items()}


def test_a_dst_gap_in_one_row_refuses_all_rows(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/journeys/new"
    before = count(app, Journey)
    data = submitted(
        planner,
        url,
        **_one_journey(app, 0, "2025-03-29T12:00"),
        **_one_journey(app, 1, "2025-03-30T02:30"),  # the clocks jump from 02:00 to 03:00 in Düsseldorf
    )
    response = planner.post(url, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = "02:30 gibt es am 30. März 2025 in Europe/Berlin nicht"
    assert message in row_html(page, "Verbindung 2") and message not in row_html(page, "Verbindung 1")
    assert count(app, Journey) == before


def test_a_repeated_hour_is_asked_in_its_row(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/journeys/new"
    data = submitted(planner, url, **_one_journey(app, 1, "2024-10-27T02:30", journeys__1__arrives="2024-10-28T12:00"))
    response = planner.post(url, data=data)
    assert response.status_code == 422
    row = row_html(response.get_data(as_text=True), "Verbindung 2")
    assert "zweimal" in row and 'name="journeys-1-departs-fold"' in row
    response = planner.post(url, data={**data, "journeys-1-departs-fold": "1"})
    assert response.status_code == 302
    with app.app_context():
        journey = db.session.scalars(sa.select(Journey).where(Journey.departure_place == "DUS")).one()
        assert journey.depart_at == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)  # the second 02:30, in winter time


def test_an_empty_journey_form_says_what_is_missing(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/journeys/new"
    before = count(app, Journey)
    response = planner.post(url, data=submitted(planner, url))
    assert response.status_code == 422
    assert "Bitte mindestens eine Verbindung eintragen." in response.get_data(as_text=True)
    assert count(app, Journey) == before


def test_the_trip_page_offers_the_rows_and_editing_stays_single(planner: FlaskClient, keller: int) -> None:
    page = planner.get(f"/delegations/{keller}").get_data(as_text=True)
    assert f'href="/delegations/{keller}/journeys/new">Verbindungen hinzufügen</a>' in page
    journey_id = re.search(rf"/delegations/{keller}/journeys/(\d+)/edit", page)
    assert journey_id
    edit = planner.get(f"/delegations/{keller}/journeys/{journey_id.group(1)}/edit").get_data(as_text=True)
    assert 'name="departure_place"' in edit and "journeys-0-" not in edit


def test_viewers_get_403(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "viewer@example.org")
    token = csrf_token(client, f"/delegations/{keller}")  # a valid token: the refusal is the role's, not CSRF's
    journeys = count(app, Journey)
    for url in ("/delegations/new", f"/delegations/{keller}/journeys/new"):
        assert client.get(url).status_code == 403
        data = {"csrf_token": token, "title": "X", "journeys-0-departure_place": "DUS", "legs-0-hotel_name": "X"}
        assert client.post(url, data=data).status_code == 403
    assert (count(app, Delegation), count(app, Journey)) == (1, journeys)


def test_the_rows_forms_in_english(planner: FlaskClient, keller: int) -> None:
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', planner.get("/").get_data(as_text=True))
    assert token
    planner.post("/language", data={"csrf_token": token.group(1), "locale": "en", "next": "/"})
    trip = planner.get("/delegations/new")
    journeys = planner.get(f"/delegations/{keller}/journeys/new")
    assert trip.status_code == journeys.status_code == 200
    # The rows' labels are the single forms' ones, already in the English catalogue.
    assert "Stops" in trip.get_data(as_text=True) and "Arrival (local time)" in trip.get_data(as_text=True)
    assert "Mode of transport" in journeys.get_data(as_text=True) and "Departure: place" in journeys.get_data(as_text=True)


# -- the pieces ------------------------------------------------------------------------


def test_a_refusal_names_the_field_in_its_row(app: Flask) -> None:
    """save_rows re-raises an operation's Rejected with the row's field name; field_named finds that field."""

    def save(value: int) -> int:
        if value < 0:
            raise Rejected("city_id", "negativ")
        return value

    assert save_rows("legs", [Row(0, 1), Row(2, 3)], save) == [1, 3]
    with pytest.raises(Rejected) as refused:
        save_rows("legs", [Row(0, 1), Row(3, -1)], save)
    assert refused.value.field == "legs-3-city_id"
    typed = {f"legs-{row}-hotel_name": "X" if row == 3 else "" for row in range(4)}  # as a browser sends the rows
    with app.test_request_context(method="POST", data=typed):
        form = NewDelegationForm(meta={"csrf": False})
        assert field_named(form, "legs-3-city_id") is form.legs.entries[3].form.city_id
        assert field_named(form, "title") is form.title
        # Blank means left as shown: a select at its "—", nothing typed; a hotel called "None" is typed.
        assert [row.is_blank() for row in form.legs.row_forms()] == [True, True, True, False]
    with app.test_request_context(method="POST", data={"legs-0-hotel_name": "None", "legs-1-city_id": "0"}):
        rows = NewDelegationForm(meta={"csrf": False}).legs
        assert [index for index, _row in rows.filled()] == [0]
