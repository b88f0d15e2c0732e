"""The change history reads like a German office wrote it, in German and in English.

Edits go through the pages (a leg's times, the trip cancelled, a member
removed, a journey edited, an appointment trashed); the rendered history must
name fields, values, instants and records the way people do, never the way
the database stores them.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.extensions import db
from planner.models import Appointment, ChangeRecord, City, Delegation, Journey, Leg, Member, UserRole
from planner.seed import load_seed
from tests.conftest import KellerSeeder, csrf_token, login, make_user
from tests.html_forms import form_values

# Database internals that must never reach the page.
INTERNALS = re.compile(
    r"arrive_at|depart_at|deleted_at|start_at|\bdraft\b|\bcancelled\b|T\d\d:\d\d:\d\d|\+00:00"
    r"|\bleg \d+|\bmember \d+|Journey \d+|\bTrue\b|\bFalse\b|\bNone\b"
)


@pytest.fixture
def edited(app: Flask, client: FlaskClient, seed_keller: KellerSeeder) -> dict[str, object]:
    """The Keller trip after one edit of each kind, made through the pages by a planner."""
    seed_keller(app)
    with app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
        trip = db.session.scalars(sa.select(Delegation)).one()
        seoul = next(leg for leg in trip.legs if leg.city.name == "Seoul")
        member = trip.members[-1]
        journey = trip.journeys[0]
        appointment = trip.appointments[0]
        ids = {"trip": trip.id, "leg": seoul.id, "member": member.id, "journey": journey.id, "appointment": appointment.id}
        facts = {
            "member_name": member.person.name,
            "appointment_title": appointment.title,
            "journey_number": journey.number,
        }
    login(client, "planner@example.org")
    base = f"/delegations/{ids['trip']}"

    def edit(url: str, **changes: str) -> None:
        values = MultiDict(form_values(client.get(url).get_data(as_text=True)).values)
        for name, value in changes.items():
            values.setlist(name, [value])
        response = client.post(url, data=values)
        assert response.status_code == 302, response.get_data(as_text=True)

    def press(url: str, model: type, row_id: object) -> None:
        with app.app_context():  # the version as it is now: an earlier edit may have changed the row
            version = db.session.scalar(sa.select(model.version).where(model.id == row_id))  # type: ignore[attr-defined]
        response = client.post(url, data={"csrf_token": csrf_token(client, base), "version": str(version)})
        assert response.status_code == 302

    edit(f"{base}/legs/{ids['leg']}/edit", arrives="2024-10-14T15:00")
    edit(f"{base}/journeys/{ids['journey']}/edit", number="LH 999")
    press(f"{base}/members/{ids['member']}/remove", Member, ids["member"])
    press(f"{base}/appointments/{ids['appointment']}/delete", Appointment, ids["appointment"])
    press(f"{base}/cancel", Delegation, ids["trip"])
    with app.app_context():  # the edits happened (the test is about their history, not about them)
        assert db.session.get(Member, ids["member"]) is None
        assert db.session.get(Leg, ids["leg"]).arrive_at.hour == 6  # type: ignore[union-attr]
        assert db.session.get(Journey, ids["journey"]).number == "LH 999"  # type: ignore[union-attr]
        assert (
            db.session.scalar(
                sa.select(Appointment.deleted_at)
                .where(Appointment.id == ids["appointment"])
                .execution_options(include_trashed=True)
            )
            is not None
        )
    return {**ids, **facts, "url": f"{base}/history"}


def _page(client: FlaskClient, url: str, locale: str) -> str:
    client.post("/language", data={"csrf_token": csrf_token(client, url), "locale": locale, "next": url})
    response = client.get(url)
    assert response.status_code == 200
    # The page's text, without markup (attributes and scripts may name things as they like).
    body = response.get_data(as_text=True).split("<main", 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_history_reads_like_an_office_wrote_it_in_german(client: FlaskClient, edited: dict[str, object]) -> None:
    text = _page(client, str(edited["url"]), "de")
    assert not INTERNALS.findall(text), INTERNALS.findall(text)
    assert "Ankunft" in text
    assert "Mo., 14. Okt. 2024, 15:00 Seoul · 08:00 Düsseldorf" in text
    assert "Status Abgeschlossen Abgesagt" in text  # the seed trip is completed, then cancelled
    assert "Flug-/Zugnummer TBD LH 999" in text
    assert f"Mitglied „{edited['member_name']}“ in den Papierkorb gelegt" in text
    assert "DUS → ICN" in text or re.search(r"„[^“]+ → [^“]+“", text)
    assert f"Termin „{edited['appointment_title']}“" in text
    assert "LH 999" in text
    assert re.search(r"\w\w\., \d\d?\. \w+\.? \d{4}, \d\d:\d\d ·", text)  # when: home time, German day


def test_history_reads_like_an_office_wrote_it_in_english(client: FlaskClient, edited: dict[str, object]) -> None:
    text = _page(client, str(edited["url"]), "en")
    assert not INTERNALS.findall(text), INTERNALS.findall(text)
    assert "Mon, 14 Oct 2024, 15:00 Seoul · 08:00 Düsseldorf" in text
    assert "Status Completed Cancelled" in text
    assert f"„{edited['member_name']}“" in text
    assert f"„{edited['appointment_title']}“" in text


def test_yes_no_references_and_records_deleted_since_are_named(app: Flask, client: FlaskClient) -> None:
    """Booleans read Ja/Nein, a city id its name, a gone record what the history recorded, never its id."""
    with app.app_context():
        load_seed(db.session)
        make_user(UserRole.PLANNER, "planner@example.org")
        trip = db.session.scalars(sa.select(Delegation)).one()
        appointment = trip.appointments[0]
        seoul = db.session.scalars(sa.select(City.id).where(City.name == "Seoul")).one()
        db.session.add_all(
            [
                ChangeRecord(
                    delegation_id=trip.id,
                    entity="appointments",
                    entity_id=appointment.id,
                    action="update",
                    label=appointment.title,
                    changes={"all_day": [False, True], "city_id": [None, seoul]},
                ),
                ChangeRecord(delegation_id=trip.id, entity="members", entity_id=9999, action="delete", label="member 11"),
                ChangeRecord(
                    delegation_id=trip.id,
                    entity="journeys",
                    entity_id=9998,
                    action="delete",
                    label="Düsseldorf Airport (DUS) → Incheon (ICN)",
                ),
            ]
        )
        db.session.commit()
        url = f"/delegations/{trip.id}/history"
    login(client, "planner@example.org")
    text = _page(client, url, "de")
    assert "Ganztägig Nein Ja" in text
    assert "Stadt — Seoul" in text
    assert "gelöscht: Verbindung „DUS → ICN“" in text
    assert "gelöscht: Mitglied „—“" in text
    assert not INTERNALS.findall(text), INTERNALS.findall(text)
    # In English (the new labels' translations come with the merged catalogue): names, no internals.
    english = _page(client, url, "en")
    assert "„DUS → ICN“" in english and "Seoul" in english
    assert not INTERNALS.findall(english), INTERNALS.findall(english)
