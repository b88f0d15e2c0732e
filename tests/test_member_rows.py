"""Adding members: a directory person and several new people in ONE submission, all or nothing."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import ChangeRecord, Delegation, Member, MemberRole, Person, PersonSide
from tests.conftest import login
from tests.html_forms import form_values


def url(keller: int) -> str:
    return f"/delegations/{keller}/members/new"


def post_rows(client: FlaskClient, keller: int, rows: dict[int, dict[str, str]], **fields: str):
    """Open the form as a browser does, fill some rows (numbered from 1) and fields, submit once."""
    page = client.get(url(keller))
    assert page.status_code == 200
    data = dict(form_values(page.get_data(as_text=True)).values)
    for number, row in rows.items():
        for name, value in row.items():
            key = f"people-{number - 1}-{name}"
            assert key in data, key  # the page really has this row and field
            data[key] = value
    data.update(fields)
    return client.post(url(keller), data=data)


def snapshot(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        return count(Person), count(Member), count(ChangeRecord)


def fieldset(page: str, number: int) -> str:
    """The HTML of the fieldset of new person ``number``, with its opening tag."""
    match = re.search(rf'<fieldset class="rows__row[^"]*">\s*<legend>Neue Person {number}</legend>.*?</fieldset>', page, re.S)
    assert match, number
    return unescape(match[0])


def test_the_form_has_five_empty_rows_and_the_directory_select(planner: FlaskClient, keller: int) -> None:
    page = planner.get(url(keller)).get_data(as_text=True)
    for number in range(1, 6):
        rows = fieldset(page, number)
        assert f"Neue Person {number}" in rows
        for field in ("title", "given_name", "family_name", "function", "role"):
            assert f'name="people-{number - 1}-{field}"' in rows
    assert 'name="people-5-family_name"' not in page
    assert re.search(r'<select[^>]*name="person_id"', page)


def test_several_new_people_are_saved_with_one_post(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        before = len(db.session.get(Delegation, keller).members)
    response = post_rows(
        planner,
        keller,
        {
            1: {"title": "Dr.", "given_name": "Anna", "family_name": "Albrecht", "function": "Stadtdirektorin", "role": "staff"},
            3: {"given_name": "Bruno", "family_name": "Berger", "role": "press"},
            5: {"family_name": "Çelik"},
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("#members-heading")
    with app.app_context():
        members = db.session.get(Delegation, keller).members
        assert len(members) == before + 3
        added = {m.person.family_name: m for m in members[before:]}
        anna = added["Albrecht"].person
        assert (anna.title, anna.given_name, anna.function, anna.side) == ("Dr.", "Anna", "Stadtdirektorin", PersonSide.OWN)
        assert added["Albrecht"].role == MemberRole.STAFF
        assert added["Berger"].role == MemberRole.PRESS and added["Berger"].person.name == "Bruno Berger"
        assert added["Çelik"].role == MemberRole.MEMBER and added["Çelik"].person.given_name is None
        # In the order typed, after the members there were.
        assert [m.person.family_name for m in members[before:]] == ["Albrecht", "Berger", "Çelik"]
    page = planner.get(f"/delegations/{keller}").get_data(as_text=True)
    assert "3 Mitglieder hinzugefügt." in page and "Dr. Anna Albrecht" in page


def test_a_directory_person_and_new_people_together(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        outsider = db.session.scalars(sa.select(Person).where(Person.family_name == "Langerock")).one().id
    response = post_rows(planner, keller, {2: {"family_name": "Neumann"}}, person_id=str(outsider), role="member")
    assert response.status_code == 302
    with app.app_context():
        people = {m.person_id for m in db.session.get(Delegation, keller).members}
        assert outsider in people
        assert db.session.scalars(sa.select(Person.id).where(Person.family_name == "Neumann")).one() in people


def test_an_error_in_row_3_saves_nothing_and_names_row_3(app: Flask, planner: FlaskClient, keller: int) -> None:
    before = snapshot(app)
    response = post_rows(
        planner,
        keller,
        {
            1: {"given_name": "Anna", "family_name": "Albrecht"},
            2: {"given_name": "Bruno", "family_name": "Berger"},
            3: {"given_name": "Carla", "function": "Referentin"},  # no family name
            4: {"family_name": "Dietz", "title": "x" * 51},
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Bitte ausfüllen." in fieldset(page, 3)
    assert "Bitte höchstens 50 Zeichen eingeben (jetzt 51)." in fieldset(page, 4)
    assert "Bitte ausfüllen." not in fieldset(page, 1) and "Bitte ausfüllen." not in fieldset(page, 2)
    # The rows in error are marked as a whole, the good ones are not.
    marked = [n for n in range(1, 6) if "rows__row--error" in fieldset(page, n).split(">", 1)[0]]
    assert marked == [3, 4]
    # What was typed is still there, to correct and send again.
    assert 'value="Albrecht"' in page and 'value="Carla"' in page
    assert snapshot(app) == before


def test_a_refused_directory_person_undoes_the_new_rows(app: Flask, planner: FlaskClient, keller: int) -> None:
    # The operation's own refusal (a person already travelling) comes after the rows were checked: still nothing saved.
    with app.app_context():
        already = db.session.get(Delegation, keller).members[0].person_id
    before = snapshot(app)
    response = post_rows(planner, keller, {1: {"family_name": "Albrecht"}}, person_id=str(already))
    assert response.status_code == 422
    assert "Diese Person ist bereits Teil der Delegation." in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_blank_rows_are_ignored_but_an_empty_form_is_refused(app: Flask, planner: FlaskClient, keller: int) -> None:
    before = snapshot(app)
    # Blanks typed into a row do not make it count.
    response = post_rows(planner, keller, {2: {"given_name": "  ", "family_name": "   "}})
    assert response.status_code == 422
    assert "Bitte eine Person wählen oder mindestens eine neue Person eintragen." in unescape(response.get_data(as_text=True))
    assert snapshot(app) == before


def test_viewers_cannot_add_members(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "viewer@example.org")
    before = snapshot(app)
    assert client.get(url(keller)).status_code == 403
    assert client.post(url(keller), data={"people-0-family_name": "Eindringling"}).status_code in (400, 403)
    assert snapshot(app) == before
