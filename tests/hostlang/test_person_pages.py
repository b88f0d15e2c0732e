"""Forms of address in the directory: edited through the person form, shown on the person page, appointment page and brief."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from planner.extensions import db
from planner.models import Appointment, Person
from tests.conftest import csrf_token
from tests.directory.conftest import form_values, submit


def _text(response: TestResponse) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def _person_id(app: Flask, family_name: str) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(Person.id).where(Person.family_name == family_name)).one()


def test_the_person_form_keeps_salutation_romanisation_and_english_function(
    app: Flask, planner: FlaskClient, keller: int
) -> None:
    hu = _person_id(app, "Hu")
    path = f"/directory/people/{hu}/edit"
    response = submit(
        planner, path, romanized_name="Hú Hénghuá", salutation="Herr Bürgermeister", salutation_en="Mayor Hu", title_en=""
    )
    assert response.status_code == 302, response.status_code
    page = _text(planner.get(f"/directory/people/{hu}"))
    # Family name first, the native script with its romanisation beside it, and the formal address.
    assert "Hu Henghua (胡衡华 (Hú Hénghuá))" in page and "Anrede: Herr Bürgermeister" in page
    assert '<span lang="zh" class="native-name">' in planner.get(f"/directory/people/{hu}").get_data(as_text=True)

    # Too long: a message, nothing changed.
    refused = submit(planner, path, salutation="x" * 101)
    assert refused.status_code == 422 and "Bitte höchstens 100 Zeichen eingeben (jetzt 101)." in _text(refused)
    with app.app_context():
        person = db.session.get(Person, hu)
        assert person is not None and (person.salutation, person.romanized_name) == ("Herr Bürgermeister", "Hú Hénghuá")

    # The brief's counterparts: Hu Henghua in Chinese script, with the romanisation, and how to address him.
    brief = _text(planner.get(f"/delegations/{keller}/brief"))
    assert "Hu Henghua 胡衡华 (Hú Hénghuá)" in brief and "(Anrede: Herr Bürgermeister)" in brief


def test_the_seeded_lord_mayor_is_addressed_in_german_and_english(app: Flask, planner: FlaskClient, keller: int) -> None:
    keller_id = _person_id(app, "Keller")
    german = _text(planner.get(f"/directory/people/{keller_id}"))
    assert "Dr. Stephan Keller" in german and "Anrede: Herr Oberbürgermeister" in german
    assert "Oberbürgermeister der Landeshauptstadt Düsseldorf" in german
    values = form_values(planner, f"/directory/people/{keller_id}/edit")
    assert (values["salutation"], values["salutation_en"]) == ("Herr Oberbürgermeister", "Lord Mayor")

    planner.post("/language", data={"csrf_token": csrf_token(planner, "/"), "locale": "en", "next": "/"})
    english = _text(planner.get(f"/directory/people/{keller_id}"))
    assert "Lord Mayor of the Landeshauptstadt Düsseldorf" in english and ": Lord Mayor" in english
    assert "Herr Oberbürgermeister" not in english
    # The appointment page names the participants as the reader's language writes them.
    with app.app_context():
        visit = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Unternehmensbesuch Seegene")).one()
    participants = _text(planner.get(f"/delegations/{keller}/appointments/{visit.id}"))
    assert "Dr. Stephan Keller" in participants
