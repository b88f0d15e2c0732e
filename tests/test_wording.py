"""Wording a user reads: English choices, and one unambiguous name per thing (issue #13).

A delegation is a "Reise" (trip); a flight, train or car ride is a "Verbindung"
(journey). Expected texts are the words a user reads, not values copied from the code.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Appointment, City, Delegation, Journey, Member, Organization, Partnership, Person
from tests.conftest import csrf_token

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = PROJECT_ROOT / "planner" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# Where the German labels of choices are written: the enum labels and the forms' own strings.
LABEL_SOURCES = [PROJECT_ROOT / "planner" / "labels.py", *sorted((PROJECT_ROOT / "planner").glob("*/forms.py"))]
LABEL_SOURCES += [PROJECT_ROOT / "planner" / "briefs" / "options.py"]
_LAZY = re.compile(r'_l\(\s*"([^"]+)"')
_OPTION = re.compile(r"<option\b[^>]*>(.*?)</option>", re.S)
# Radio buttons and checkboxes are choices too (the brief's variants, a form's attendees).
_CHOICE = re.compile(r'<input\b[^>]*type="(?:radio|checkbox)"[^>]*>\s*(?:<label\b[^>]*>)?([^<]+)', re.S)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def german_labels_that_differ_in_english() -> set[str]:
    """Every German label of a choice whose English translation is a different word."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    german = {m for path in LABEL_SOURCES for m in _LAZY.findall(path.read_text(encoding="utf-8"))}
    differing = set()
    for msgid in german:
        message = catalogue.get(msgid)
        if message is not None and message.string and message.string != msgid:
            differing.add(msgid)
    return differing


def switch_to_english(client: FlaskClient) -> None:
    token = csrf_token(client, "/")
    assert client.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"}).status_code == 302


def form_pages(app: Flask) -> list[str]:
    """Every page with a form that has a select, for the Keller trip's first records."""
    with app.app_context():
        first = lambda model: db.session.scalars(sa.select(model).order_by(model.id)).first()  # noqa: E731
        trip = first(Delegation)
        member = first(Member)
        appointment = first(Appointment)
        journey = first(Journey)
        leg = trip.legs[0]
        d = trip.id
        pages = [
            "/delegations/new",
            f"/delegations/{d}/edit",
            f"/delegations/{d}/members/new",
            f"/delegations/{d}/members/{member.id}/edit",
            f"/delegations/{d}/legs/new",
            f"/delegations/{d}/legs/{leg.id}/edit",
            f"/delegations/{d}/follow-ups/new",
            f"/delegations/{d}/appointments/new",
            f"/delegations/{d}/appointments/{appointment.id}/edit",
            f"/delegations/{d}/journeys/new",
            f"/delegations/{d}/journeys/{journey.id}/edit",
            f"/delegations/{d}/brief/options",
            f"/delegations/{d}/subscriptions",
            f"/delegations/{d}/import",
            "/directory/organizations/new",
            f"/directory/organizations/{first(Organization).id}/edit",
            "/directory/people/new",
            f"/directory/people/{first(Person).id}/edit",
            "/directory/cities/new",
            f"/directory/cities/{first(City).id}/edit",
            "/directory/partnerships/new",
            "/admin/users/new",
            "/admin/users/1",
        ]
        partnership = first(Partnership)
        if partnership is not None:
            pages.append(f"/directory/partnerships/{partnership.id}/edit")
        if trip.follow_ups:
            pages.append(f"/delegations/{d}/follow-ups/{trip.follow_ups[0].id}/edit")
        return pages


def test_english_pages_offer_no_german_choices(app: Flask, admin: FlaskClient) -> None:
    german = german_labels_that_differ_in_english()
    assert "Unternehmensbesuch" in german and "Lesezugriff" in german  # the check itself sees the labels
    switch_to_english(admin)
    found: dict[str, list[str]] = {}
    for page in form_pages(app):
        response = admin.get(page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        options = [unescape(re.sub(r"<[^>]+>", "", o)).strip() for o in _OPTION.findall(html) + _CHOICE.findall(html)]
        assert options or page.endswith(("/subscriptions", "/import")), f"no select on {page}"
        if page.endswith("/brief/options"):  # the pattern does see radio buttons
            assert "Full brief (planning team, with internal notes)" in options
        left = [o for o in options if o in german]
        if left:
            found[page] = left
    assert found == {}


# -- one word per thing ------------------------------------------------------------


def test_deleting_a_journey_says_a_journey_was_deleted(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        journey = db.session.scalars(sa.select(Journey).order_by(Journey.id)).first()
        d, j, version = journey.delegation_id, journey.id, journey.version
    token = csrf_token(admin, f"/delegations/{d}/journeys/{j}/edit")
    response = admin.post(
        f"/delegations/{d}/journeys/{j}/delete", data={"csrf_token": token, "version": version}, follow_redirects=True
    )
    assert response.status_code == 200
    page = text(response)
    assert "Verbindung DUS → ICN in den Papierkorb gelegt." in unescape(page)
    assert "Reise gelöscht." not in page  # "Reise" is the whole trip
    # The English words ("Journey deleted.") come with the catalogue regenerated from /work/wt/_po at the merge.


def test_the_two_new_buttons_name_different_things(app: Flask, admin: FlaskClient) -> None:
    home = text(admin.get("/"))
    with app.app_context():
        d = db.session.scalars(sa.select(Delegation.id)).first()
    trip = text(admin.get(f"/delegations/{d}"))
    assert ">Neue Reise</a>" in home  # a new delegation trip
    assert ">Verbindungen hinzufügen</a>" in trip  # flights, train or car rides of this trip (several at once)
    assert ">Neue Reise</a>" not in trip
    journey_form = text(admin.get(f"/delegations/{d}/journeys/new"))
    assert "<h1>Verbindungen hinzufügen</h1>" in journey_form

    switch_to_english(admin)
    assert ">New trip</a>" in text(admin.get("/"))


def test_history_names_a_journey_as_the_pages_do(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        journey = db.session.scalars(sa.select(Journey).order_by(Journey.id)).first()
        d, j, version = journey.delegation_id, journey.id, journey.version
    token = csrf_token(admin, f"/delegations/{d}/journeys/{j}/edit")
    admin.post(f"/delegations/{d}/journeys/{j}/delete", data={"csrf_token": token, "version": version})
    history = text(admin.get(f"/delegations/{d}/history"))
    assert "Verbindung" in history
    assert "Reise-Etappe" not in history


# -- the brief's options ------------------------------------------------------------


def test_choosing_a_member_for_the_brief_gives_their_personal_programme(app: Flask, admin: FlaskClient) -> None:
    """The form preselects the full brief; picking a person there is enough (no second control to find)."""
    with app.app_context():
        member = db.session.scalars(sa.select(Member).order_by(Member.id)).first()
        d, person, name = member.delegation_id, member.person_id, member.person.display_name
    # What the untouched form sends with one person picked: the preselected variant comes along.
    response = admin.get(f"/delegations/{d}/brief", query_string={"audience": "full", "member": person, "lang": "de"})
    assert response.status_code == 200
    page = text(response)
    assert "Persönliches Programm eines Mitglieds" in page and name in page
    assert "Gesamtbriefing" not in page


def test_a_refused_member_choice_names_the_controls_as_labelled(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        member = db.session.scalars(sa.select(Member).order_by(Member.id)).first()
        d, person = member.delegation_id, member.person_id
    response = admin.get(f"/delegations/{d}/brief", query_string={"audience": "press", "member": person})
    assert response.status_code == 400
    page = text(response)
    # Every term of the message is a label on that page: the variant and the select with its empty choice.
    assert "Zielgruppe" not in page
    assert "nur in der Fassung „Persönliches Programm eines Mitglieds“" in page
    assert "bei „Persönliches Programm für“ „– keine Auswahl (ganze Delegation) –“" in page
    for label in ("Persönliches Programm eines Mitglieds", "Persönliches Programm für", "– keine Auswahl (ganze Delegation) –"):
        assert page.count(label) >= 2  # in the message and on the control
