"""The contact & emergency sheet and the emergency numbers it (and the brief) print: every country, from the data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import unescape

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.contacts.countries import trip_countries
from planner.contacts.queries import trip_for_sheet
from planner.directory.inputs import CityInput
from planner.directory.operations import create_city
from planner.extensions import db
from planner.models import (
    ChangeRecord,
    City,
    Country,
    Delegation,
    EmergencyNumber,
    EmergencyService,
    ItemStatus,
    Journey,
    JourneyMode,
    Organization,
    OrganizationKind,
    UserRole,
)
from planner.timezones import today_in
from tests.conftest import ADMIN_EMAIL, PLANNER_EMAIL, VIEWER_EMAIL, csrf_token, login, make_user
from tests.html_forms import form_values


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.get_data(as_text=True))


def _row(html: str, country: str) -> str:
    """The sheet's table rows from ``country``'s row header up to the next country's (or the table's end)."""
    start = html.index(f">{country}</th>")
    end = html.find("rowgroup", start + 1)
    stop = html.find("</table>", start)
    return html[start : min(end, stop) if end != -1 else stop]


def _through_helsinki(delegation_id: int) -> None:
    """A return flight with a stopover in Helsinki: Finland is a country of the trip, and nobody entered its numbers."""
    chongqing = db.session.scalars(sa.select(City).where(City.name == "Chongqing")).one()
    helsinki = create_city(CityInput(name="Helsinki", country_iso="FI", timezone="Europe/Helsinki"))
    db.session.add(
        Journey(
            delegation_id=delegation_id,
            mode=JourneyMode.FLIGHT,
            status=ItemStatus.TENTATIVE,
            departure_city=chongqing,
            departure_place="Chongqing (CKG)",
            depart_at=datetime(2024, 10, 19, 17, 0, tzinfo=UTC),
            departure_timezone="Asia/Shanghai",
            arrival_city=helsinki,
            arrival_place="Helsinki (HEL)",
            arrive_at=datetime(2024, 10, 20, 2, 0, tzinfo=UTC),
            arrival_timezone="Europe/Helsinki",
        )
    )
    db.session.commit()


def test_every_country_of_the_trip_is_on_the_sheet_with_numbers_or_to_be_verified(
    app: Flask, client: FlaskClient, keller: int
) -> None:
    with app.app_context():
        _through_helsinki(keller)
        delegation = trip_for_sheet(keller)
        # Home first, then in the order the trip reaches them; the stopover counts.
        assert [c.iso_code for c in trip_countries(delegation)] == ["DE", "KR", "CN", "FI"]
    login(client, VIEWER_EMAIL)
    for path in (f"/delegations/{keller}/contacts", f"/delegations/{keller}/contacts/print"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = text(response)
        germany, korea, china, finland = (_row(html, name) for name in ("Deutschland", "Südkorea", "China", "Finnland"))
        assert "110" in germany and "112" in germany and "mainz.de" in germany
        assert "112" in korea and "119" in korea and "1330" in korea and "zu prüfen" not in korea
        # Seeded without an official source: printed, but as "to be verified".
        assert "120" in china and "zu prüfen" in china
        assert "Keine Notrufnummern erfasst – zu prüfen." in finland
        assert "+44 20 7946 0999" in html  # the seeded duty phone (fictional range)
        assert "Generalkonsulat der Bundesrepublik Deutschland" in html  # the mission the programme meets


def test_the_sheet_lists_missions_by_their_city_and_says_which_countries_have_none(
    app: Flask, client: FlaskClient, keller: int
) -> None:
    with app.app_context():
        seoul = db.session.scalars(sa.select(City).where(City.name == "Seoul")).one()
        db.session.add_all(
            [
                Organization(name="Botschaft der Bundesrepublik Deutschland Seoul", kind=OrganizationKind.MISSION, city=seoul),
                Organization(name="Testfirma Seoul", kind=OrganizationKind.COMPANY, city=seoul),
            ]
        )
        db.session.commit()
    login(client, VIEWER_EMAIL)
    html = text(client.get(f"/delegations/{keller}/contacts"))
    assert "Botschaft der Bundesrepublik Deutschland Seoul" in html
    assert "Testfirma Seoul" not in html
    # The consulate general of the seed has no seat recorded: China is named as still open, Korea is not.
    assert "Ohne erfasste Auslandsvertretung mit Sitz im Land (vor der Reise klären): China" in html


def test_the_sheet_holds_no_personal_data(app: Flask, client: FlaskClient, keller: int) -> None:
    with app.app_context():
        # Every phone number and address of the delegation's own people: none belongs on the sheet.
        delegation = db.session.get(Delegation, keller)
        assert delegation is not None
        own = [m.person for m in delegation.members]
        planted = [p.phone for p in own if p.phone] + [p.email for p in own if p.email]
        assert planted
    login(client, VIEWER_EMAIL)
    html = text(client.get(f"/delegations/{keller}/contacts"))
    for value in planted:
        assert value not in html


def test_the_brief_prints_the_numbers_from_the_data_for_every_country(app: Flask, client: FlaskClient, keller: int) -> None:
    with app.app_context():
        _through_helsinki(keller)
        korea_police = db.session.scalars(
            sa.select(EmergencyNumber)
            .join(EmergencyNumber.country)
            .where(EmergencyNumber.service == EmergencyService.POLICE)
            .where(Country.iso_code == "KR")
        ).one()
        korea_police.number = "+82 112"  # a value no template or code could have printed from memory
        china = db.session.scalars(sa.select(EmergencyNumber).join(EmergencyNumber.country).where(Country.iso_code == "CN"))
        for number in china:
            db.session.delete(number)
        db.session.commit()
    login(client, VIEWER_EMAIL)
    html = text(client.get(f"/delegations/{keller}/brief?edition=draft"))
    contacts = html[html.index('id="section-contacts"') :]
    assert "+82 112" in _row(contacts, "Südkorea")
    assert "Keine Notrufnummern erfasst – zu prüfen." in _row(contacts, "China")
    assert "Keine Notrufnummern erfasst – zu prüfen." in _row(contacts, "Finnland")
    assert "Bereitschaftstelefon der Delegation" in html and "+44 20 7946 0999" in html
    press = text(client.get(f"/delegations/{keller}/brief?edition=draft&audience=press"))
    assert "+44 20 7946 0999" not in press


# -- the admin page --------------------------------------------------------------------------


def _number_form(client: FlaskClient, url: str, **fields: str) -> MultiDict[str, str]:
    values = MultiDict(form_values(text(client.get(url))).values)
    for key, value in fields.items():
        values.setlist(key, [value] if value is not None else [])
    return values


def test_only_admins_reach_the_numbers(app: Flask, client: FlaskClient, keller: int) -> None:
    for email in (PLANNER_EMAIL, VIEWER_EMAIL):
        client = app.test_client()
        login(client, email)
        assert client.get("/admin/emergency-numbers").status_code == 403
        token = csrf_token(client, "/")
        response = client.post(
            "/admin/emergency-numbers/new", data={"csrf_token": token, "country_iso": "FI", "service": "general", "number": "112"}
        )
        assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(EmergencyNumber.id))) == 8


def test_an_admin_adds_a_number_with_source_and_the_history_records_it(app: Flask, client: FlaskClient, keller: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN_EMAIL)
    login(client, ADMIN_EMAIL)
    url = "/admin/emergency-numbers/new"
    data = _number_form(
        client,
        url,
        country_iso="FI",
        service="general",
        number="112",
        source="https://example.org/112",
        checked_on="2026-11-30",
    )
    data.setlist("to_be_verified", [])  # checked: with a source and a date
    response = client.post(url, data=data)
    assert response.status_code == 302
    with app.app_context():
        number = db.session.scalars(
            sa.select(EmergencyNumber)
            .where(EmergencyNumber.number == "112")
            .join(EmergencyNumber.country)
            .where(Country.iso_code == "FI")
        ).one()
        assert not number.to_be_verified and number.source == "https://example.org/112"
        record = db.session.scalars(
            sa.select(ChangeRecord).where(ChangeRecord.entity == "emergency_numbers", ChangeRecord.entity_id == number.id)
        ).one()
        assert record.action == "create" and record.user_email == ADMIN_EMAIL
    listing = text(client.get("/admin/emergency-numbers"))
    assert "Finnland" in listing and "https://example.org/112" in listing


def test_bad_input_is_refused_with_a_message_and_changes_nothing(app: Flask, client: FlaskClient, keller: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN_EMAIL)
    login(client, ADMIN_EMAIL)
    url = "/admin/emergency-numbers/new"
    with app.app_context():
        tomorrow = (today_in(app.config["HOME_TIMEZONE"]) + timedelta(days=1)).isoformat()
    cases = [
        ({"country_iso": "FI", "service": "general", "number": "Notruf"}, "Bitte nur Ziffern eingeben"),
        ({"country_iso": "FI", "service": "general", "number": "112", "to_be_verified": None}, "braucht eine Quelle"),
        (
            {"country_iso": "FI", "service": "general", "number": "112", "source": "Merkblatt", "to_be_verified": None},
            "braucht das Datum der Prüfung",
        ),
        (
            {"country_iso": "FI", "service": "general", "number": "112", "checked_on": "2999-01-01"},
            "Bitte ein Datum zwischen 1900 und 2200 angeben.",
        ),
        (
            {"country_iso": "FI", "service": "general", "number": "112", "checked_on": "gestern"},
            "Bitte ein gültiges Datum angeben.",
        ),
        ({"country_iso": "FI", "service": "general", "number": "112", "checked_on": tomorrow}, "nicht in der Zukunft"),
        ({"country_iso": "DE", "service": "police", "number": "110"}, "schon eingetragen"),
        ({"country_iso": "XX", "service": "police", "number": "110"}, "Bitte ein Land aus der Liste wählen."),
        ({"country_iso": "FI", "service": "police", "number": "110", "source": "https://"}, "vollständige Webadresse"),
        ({"country_iso": "FI", "service": "nonsense", "number": "110"}, ""),
    ]
    for fields, message in cases:
        data = _number_form(client, url, **fields)  # type: ignore[arg-type]
        response = client.post(url, data=data)
        assert response.status_code == 422, fields
        assert message in text(response), (fields, message)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(EmergencyNumber.id))) == 8


def test_a_stale_edit_is_a_conflict_and_saves_nothing(app: Flask, client: FlaskClient, keller: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN_EMAIL)
        number_id = db.session.scalars(sa.select(EmergencyNumber.id).order_by(EmergencyNumber.id)).first()
    login(client, ADMIN_EMAIL)
    url = f"/admin/emergency-numbers/{number_id}/edit"
    first = _number_form(client, url, note="Erste Änderung")
    second = _number_form(client, url, note="Zweite Änderung")
    assert client.post(url, data=first).status_code == 302
    response = client.post(url, data=second)
    assert response.status_code == 409
    with app.app_context():
        number = db.session.get(EmergencyNumber, number_id)
        assert number is not None and number.note == "Erste Änderung"
    assert client.get("/admin/emergency-numbers/999999/edit").status_code == 404


# -- the duty phone ---------------------------------------------------------------------------------


def test_the_duty_phone_is_edited_with_the_trip_and_refuses_words(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, PLANNER_EMAIL)
    url = f"/delegations/{keller}/edit"
    data = MultiDict(form_values(text(client.get(url))).values)
    data.setlist("duty_phone", ["bitte anrufen"])
    response = client.post(url, data=data)
    assert response.status_code == 422 and "Bitte nur eine Telefonnummer eingeben" in text(response)
    data = MultiDict(form_values(text(client.get(url))).values)
    data.setlist("duty_phone", ["+44 20 7946 0998"])
    assert client.post(url, data=data).status_code == 302
    assert "+44 20 7946 0998" in text(client.get(f"/delegations/{keller}/contacts"))
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation is not None and delegation.duty_phone == "+44 20 7946 0998"
