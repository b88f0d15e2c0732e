"""The carers' pages: who reaches them, what they show, the read log, and the edit flow's answers."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import ChangeRecord, PersonalDataRead, TravelProfile, UserRole
from tests.care.conftest import (
    CARER_EMAIL,
    DIET_NOTE,
    EXPIRY_SHOWN,
    MEDICAL,
    PASSPORT,
    PHONE,
    PLANTED,
    make_carer,
)
from tests.conftest import PLANNER_EMAIL, csrf_token, login

Planted = tuple[int, int, int]


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def reads(app: Flask) -> list[tuple[str, int | None, int | None, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                PersonalDataRead.user_email, PersonalDataRead.person_id, PersonalDataRead.delegation_id, PersonalDataRead.what
            ).order_by(PersonalDataRead.id)
        ).all()
        return [tuple(row) for row in rows]


def stored(app: Flask, person_id: int) -> tuple:
    """The profile's raw row (tokens, version): equal before and after means nothing was written."""
    with app.app_context():
        table = TravelProfile.__table__
        columns = [sa.type_coerce(c, sa.Text) if c.name not in ("id", "person_id", "version") else c for c in table.columns]
        return tuple(db.session.execute(sa.select(*columns).where(table.c.person_id == person_id)).one())


def test_the_member_page_shows_the_values_to_a_carer_and_records_the_read(
    app: Flask, carer: FlaskClient, planted: Planted
) -> None:
    delegation_id, member_id, person_id = planted
    page = carer.get(f"/delegations/{delegation_id}/care/members/{member_id}")
    assert page.status_code == 200
    body = text(page)
    for value in (
        PASSPORT,
        MEDICAL,
        DIET_NOTE,
        PHONE,
        EXPIRY_SHOWN,
        "Dienst- oder Diplomatenpass",
        "vegetarisch",
        "kein Alkohol",
    ):
        assert value in body, value
    assert reads(app) == [(CARER_EMAIL, person_id, delegation_id, "profile")]


def test_the_overview_shows_states_not_values(app: Flask, carer: FlaskClient, planted: Planted) -> None:
    delegation_id, member_id, person_id = planted
    page = carer.get(f"/delegations/{delegation_id}/care/")
    assert page.status_code == 200
    body = text(page)
    assert not [value for value in PLANTED if value in body]
    # The planted member is complete, with a passport valid far beyond the trip; the others have nothing yet.
    row = re.search(rf'care/members/{member_id}".*?</tr>', body, re.S)
    assert row and "vollständig" in row.group(0) and "gültig" in row.group(0)
    assert "Medizinisches" in row.group(0) and "nicht bestätigt" in row.group(0)
    assert "noch keine Angaben" in body
    # Whether the passport is valid came from its value: the overview's look is logged, for that person only.
    assert reads(app) == [(CARER_EMAIL, person_id, delegation_id, "status")]


def test_an_expiring_passport_is_flagged_on_the_overview(app: Flask, carer: FlaskClient, planted: Planted) -> None:
    delegation_id, _member_id, person_id = planted
    with app.app_context():
        from datetime import date

        profile = db.session.scalars(sa.select(TravelProfile).filter_by(person_id=person_id)).one()
        profile.passport_expires_on = date(2024, 12, 1)  # the Keller trip ends in October 2024
        db.session.commit()
    body = text(carer.get(f"/delegations/{delegation_id}/care/"))
    assert "läuft weniger als 6 Monate nach Reiseende ab" in body


def test_planners_without_the_care_right_get_403_and_leave_no_trace(app: Flask, planner: FlaskClient, planted: Planted) -> None:
    delegation_id, member_id, _person_id = planted
    for url in ("/care/", f"/care/members/{member_id}", f"/care/members/{member_id}/edit", "/care/reads"):
        response = planner.get(f"/delegations/{delegation_id}{url}")
        assert response.status_code == 403, url
        assert not [value for value in PLANTED if value in text(response)]
    assert planner.post(f"/delegations/{delegation_id}/care/members/{member_id}/edit", data={}).status_code in (400, 403)
    assert reads(app) == []
    # The trip page offers the carers' pages to carers only.
    assert "/care/" not in planner.get(f"/delegations/{delegation_id}").get_data(as_text=True)


def test_the_trip_page_links_carers_to_their_pages(carer: FlaskClient, planted: Planted) -> None:
    delegation_id = planted[0]
    assert f"/delegations/{delegation_id}/care/" in carer.get(f"/delegations/{delegation_id}").get_data(as_text=True)


def test_a_viewer_with_the_care_right_reads_but_does_not_edit(app: Flask, planted: Planted) -> None:
    delegation_id, member_id, _person_id = planted
    with app.app_context():
        make_carer(delegation_id, "viewing-carer@example.org", UserRole.VIEWER)
    client = app.test_client()
    login(client, "viewing-carer@example.org", teams=False)
    page = client.get(f"/delegations/{delegation_id}/care/members/{member_id}")
    assert page.status_code == 200 and PASSPORT in text(page) and "Reisedaten bearbeiten" not in text(page)
    assert client.get(f"/delegations/{delegation_id}/care/members/{member_id}/edit").status_code == 403


def test_outside_the_team_the_pages_do_not_exist(app: Flask, planted: Planted) -> None:
    delegation_id, member_id, _ = planted
    with app.app_context():
        from tests.conftest import make_user

        make_user(UserRole.PLANNER, "stranger@example.org")
    client = app.test_client()
    login(client, "stranger@example.org", teams=False)
    assert client.get(f"/delegations/{delegation_id}/care/members/{member_id}").status_code == 404


def _form(client: FlaskClient, url: str) -> dict[str, object]:
    """The edit form's fields as the page fills them (what a browser would send back unchanged)."""
    page = client.get(url).get_data(as_text=True)
    data: dict[str, object] = {"csrf_token": csrf_token(client, url)}
    for attrs in re.findall(r"<input([^>]*)>", page):
        name = re.search(r'name="([^"]+)"', attrs)
        if not name or name.group(1) in ("csrf_token", "q", "next", "locale"):
            continue
        value = re.search(r'value="([^"]*)"', attrs)
        if 'type="checkbox"' in attrs:
            if "checked" in attrs:
                data.setdefault(name.group(1), [])
                data[name.group(1)].append(unescape(value.group(1)))  # type: ignore[union-attr]
            continue
        data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = unescape(body).lstrip("\n")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', options)
        data[name] = (chosen.group(1) or chosen.group(2) or "") if chosen else ""
    return data


def test_saving_the_edit_form_stores_encrypted_values_and_logs_the_change_not_in_the_history(
    app: Flask, carer: FlaskClient, planted: Planted
) -> None:
    delegation_id, member_id, person_id = planted
    url = f"/delegations/{delegation_id}/care/members/{member_id}/edit"
    data = _form(carer, url)
    assert (
        data["passport_number"] == PASSPORT
        and data["passport_country"] == "DE"
        and data["dietary_needs"] == ["vegetarian", "no_alcohol"]
    )
    data.update(medical_notes="Pollenallergie\nNotfallspray im Handgepäck", mobile_phone="+82 10 5550 0101", nationality="AT")
    data["dietary_needs"] = ["vegan"]
    response = carer.post(url, data=data)
    assert response.status_code == 302, text(response)[:3000]
    with app.app_context():
        profile = db.session.scalars(sa.select(TravelProfile).filter_by(person_id=person_id)).one()
        assert profile.medical_notes == "Pollenallergie\nNotfallspray im Handgepäck"
        assert (profile.mobile_phone, profile.nationality, profile.dietary_needs) == ("+82 10 5550 0101", "AT", "vegan")
        assert profile.passport_number == PASSPORT and profile.version == 2
        history = db.session.scalars(sa.select(ChangeRecord)).all()
        assert not [r for r in history if r.entity == "travel_profiles"]
        assert not [r for r in history if any(v in repr(r.changes) for v in (*PLANTED, "Pollenallergie"))]
    # The edit page's look (GET, twice: the form helper reads the page for its token too) and the save.
    assert reads(app)[-1] == (CARER_EMAIL, person_id, delegation_id, "profile_edit")
    assert {row[3] for row in reads(app)} == {"profile", "profile_edit"}
    log = text(carer.get(f"/delegations/{delegation_id}/care/reads"))
    assert "Reisedaten geändert" in log and "Reisedaten angesehen" in log and CARER_EMAIL in log
    assert not [value for value in (*PLANTED, "Pollenallergie") if value in log]


def test_a_person_without_data_gets_a_first_profile(app: Flask, carer: FlaskClient, planted: Planted) -> None:
    delegation_id = planted[0]
    with app.app_context():
        from planner.models import Member

        other = db.session.scalars(
            sa.select(Member).where(Member.delegation_id == delegation_id).order_by(Member.id.desc())
        ).first()
        member_id, person_id = other.id, other.person_id
    url = f"/delegations/{delegation_id}/care/members/{member_id}/edit"
    assert carer.get(f"/delegations/{delegation_id}/care/members/{member_id}").status_code == 200
    assert reads(app) == []  # nothing stored, nothing read
    data = _form(carer, url)
    assert data["version"] == "0"
    data.update(passport_number="x12 345 67", passport_type="ordinary", passport_expires_on="2030-01-31")
    assert carer.post(url, data=data).status_code == 302
    with app.app_context():
        profile = db.session.scalars(sa.select(TravelProfile).filter_by(person_id=person_id)).one()
        assert (profile.passport_number, profile.passport_type, profile.version) == ("X1234567", "ordinary", 1)
    # A second form opened before that save (version 0) is now stale: the conflict page, nothing changed.
    before = stored(app, person_id)
    stale = {**data, "csrf_token": csrf_token(carer, url), "version": "0", "passport_number": "Z999"}
    response = carer.post(url, data=stale)
    assert response.status_code == 409 and "X1234567" in text(response)
    assert stored(app, person_id) == before


def test_a_choice_of_only_whitespace_is_no_choice(app: Flask, carer: FlaskClient, planted: Planted) -> None:
    # Found by the hostile-input test: "\r" as passport type was a 500, a blank country was stored as one.
    delegation_id, member_id, person_id = planted
    url = f"/delegations/{delegation_id}/care/members/{member_id}/edit"
    data = {**_form(carer, url), "passport_type": "\r", "passport_country": " ", "nationality": "\t\n"}
    response = carer.post(url, data=data)
    assert response.status_code == 302, text(response)[:3000]
    with app.app_context():
        profile = db.session.scalars(sa.select(TravelProfile).filter_by(person_id=person_id)).one()
        assert (profile.passport_type, profile.passport_country, profile.nationality) == (None, None, None)
        assert profile.passport_number == PASSPORT and profile.version == 2


BAD_INPUT = [
    ({"passport_country": "XX"}, "Bitte ein Land aus der Liste wählen."),
    ({"nationality": "EU"}, "Bitte ein Land aus der Liste wählen."),
    ({"passport_type": "diplomatic"}, "Bitte eine Passart aus der Liste wählen."),
    ({"passport_expires_on": "2031-02-30"}, "Bitte ein gültiges Datum angeben."),
    ({"passport_expires_on": "29.07.2031"}, "Bitte ein gültiges Datum angeben."),
    ({"passport_expires_on": "9999-12-31"}, "Bitte ein Datum zwischen"),
    ({"dietary_needs": ["vegetarian", "pizza"]}, "Bitte nur Angaben aus der Liste wählen."),
    ({"mobile_phone": "call me"}, "Bitte eine Telefonnummer aus Ziffern eingeben"),
    ({"mobile_phone": "+49 " + "1" * 60}, "Bitte höchstens 50 Zeichen eingeben"),
    ({"passport_number": "C01X-00T47!"}, "Eine Passnummer besteht aus Buchstaben (A–Z) und Ziffern."),
    ({"emergency_contact": "Erika\nMustermann"}, "Bitte ohne Zeilenumbruch eingeben"),
    ({"room_preference": "Nichtraucher\r\nruhig"}, "Bitte ohne Zeilenumbruch eingeben"),
    ({"medical_notes": "x" * 2001}, "Bitte höchstens 2000 Zeichen eingeben"),
]


def test_bad_input_is_refused_with_a_message_and_changes_nothing(app: Flask, carer: FlaskClient, planted: Planted) -> None:
    delegation_id, member_id, person_id = planted
    url = f"/delegations/{delegation_id}/care/members/{member_id}/edit"
    good = _form(carer, url)
    before, logged = stored(app, person_id), len(reads(app))
    for change, message in BAD_INPUT:
        response = carer.post(url, data={**good, **change})
        assert response.status_code == 422, change
        assert message in text(response), (change, text(response)[:3000])
    assert stored(app, person_id) == before
    assert len(reads(app)) == logged  # a refused form shows what was typed, nothing read from the store


def test_a_stale_version_gets_the_conflict_page_and_changes_nothing(app: Flask, carer: FlaskClient, planted: Planted) -> None:
    delegation_id, member_id, person_id = planted
    url = f"/delegations/{delegation_id}/care/members/{member_id}/edit"
    first = _form(carer, url)
    second = {**first, "room_preference": "Erstes Speichern"}
    assert carer.post(url, data=second).status_code == 302
    before, logged = stored(app, person_id), len(reads(app))
    response = carer.post(url, data={**first, "csrf_token": csrf_token(carer, url), "room_preference": "Zweites Speichern"})
    assert response.status_code == 409
    assert "Erstes Speichern" in text(response) and "Zweites Speichern" in text(response)
    assert stored(app, person_id) == before
    # The conflict page showed the saved data (and the csrf_token helper's GET looked at the form): both logged.
    assert [row[3] for row in reads(app)[logged - 0 :]] == ["profile"] * (len(reads(app)) - logged)
    assert len(reads(app)) == logged + 2


def test_the_read_log_lists_who_read_whose_data(app: Flask, planted: Planted) -> None:
    delegation_id, member_id, _ = planted
    with app.app_context():
        from tests.conftest import make_user

        make_user(UserRole.ADMIN, "admin@example.org")
    admin = app.test_client()
    login(admin, "admin@example.org")
    assert admin.get(f"/delegations/{delegation_id}/care/members/{member_id}").status_code == 200
    carer = app.test_client()
    login(carer, CARER_EMAIL, teams=False)
    log = text(carer.get(f"/delegations/{delegation_id}/care/reads"))
    assert "admin@example.org" in log and "Reisedaten angesehen" in log
    with app.app_context():
        from planner.models import Member

        name = db.session.get(Member, member_id).person.display_name
    assert name in log
    assert not [value for value in PLANTED if value in log]
    assert PLANNER_EMAIL not in log


def _entry_check(html: str) -> str:
    """The text of the member page's entry-check section."""
    section = re.search(r'<section aria-labelledby="entry-check">(.*?)</section>', html, re.S)
    assert section is not None, "no entry check on the member page"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", section.group(1))))


def test_the_member_page_checks_the_passport_against_the_entry_rules(app: Flask, carer: FlaskClient, planted: Planted) -> None:
    """The seeded rules: China wants a visa for an official passport, and six months of validity from entry."""
    delegation_id, member_id, person_id = planted
    url = f"/delegations/{delegation_id}/care/members/{member_id}"

    check = _entry_check(carer.get(url).get_data(as_text=True))  # the planted profile: an official German passport
    assert "China: Mit Dienst- oder Diplomatenpass ist ein Visum erforderlich." in check
    assert "Problem:" in check

    with app.app_context():
        profile = db.session.scalars(sa.select(TravelProfile).where(TravelProfile.person_id == person_id)).one()
        profile.passport_type = "ordinary"
        profile.passport_expires_on = date(2025, 2, 1)  # valid for the trip, not six months beyond entering China
        db.session.commit()
    check = _entry_check(carer.get(url).get_data(as_text=True))
    assert "Visum erforderlich" not in check
    assert "China:" in check and "Problem:" in check

    with app.app_context():
        profile = db.session.scalars(sa.select(TravelProfile).where(TravelProfile.person_id == person_id)).one()
        profile.passport_expires_on = None
        db.session.commit()
    check = _entry_check(carer.get(url).get_data(as_text=True))
    assert "fehlen" in check and "Problem:" not in check
