"""A meal's dietary needs reach its organiser as counts; names only for carers, once a carer switched them on."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Appointment, AppointmentKind, Delegation, PersonalDataRead, TravelProfile, User
from tests.conftest import PLANNER_EMAIL, csrf_token, join_team, login, make_user

NOTE = "kein Koriander, bitte"  # a planted dietary note: only carers ever read it


@pytest.fixture
def meal(app: Flask, keller: int) -> dict[str, object]:
    """The Keller trip's breakfast, with needs planted for three of its six attendees."""
    with app.app_context():
        appointment = db.session.scalars(
            sa.select(Appointment).where(Appointment.delegation_id == keller, Appointment.kind == AppointmentKind.MEAL)
        ).first()
        assert appointment is not None
        attendees = list(appointment.attendees)
        assert len(attendees) >= 4
        planted = {0: ("vegetarian", None), 1: ("vegetarian,no_pork", None), 2: (None, NOTE)}
        for index, (needs, note) in planted.items():
            db.session.add(TravelProfile(person_id=attendees[index].person_id, dietary_needs=needs, dietary_notes=note))
        db.session.commit()
        return {
            "url": f"/delegations/{keller}/appointments/{appointment.id}",
            "id": appointment.id,
            "named": [attendees[i].person.display_name for i in planted],
            "attendees": len(attendees),
            "vegetarian_person_id": attendees[0].person_id,
        }


def _diet_block(html: str) -> str:
    match = re.search(r'<div class="meal-diet">.*?</div>', html, re.S)
    assert match, "no diet block"
    return match.group(0)


def _carer(app: Flask, client: FlaskClient, keller: int) -> FlaskClient:
    login(client, PLANNER_EMAIL)
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == PLANNER_EMAIL)).one()
        join_team(user, db.session.get(Delegation, keller), may_care=True)
        db.session.commit()
    return client


def _reads(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count(PersonalDataRead.id))) or 0)


def test_editors_see_counts_never_names(app: Flask, planner: FlaskClient, meal: dict[str, object]) -> None:
    html = planner.get(str(meal["url"])).get_data(as_text=True)
    block = _diet_block(html)
    assert "2 × vegetarisch" in block and "1 × kein Schweinefleisch" in block
    assert "1 mit weiterem Hinweis" in block and f"{int(meal['attendees']) - 3} ohne Angaben" in block  # type: ignore[call-overload]
    for name in meal["named"]:  # type: ignore[attr-defined]
        assert name not in block
    assert NOTE not in html
    assert "Namen für die Ausrichtung zeigen" not in block  # the switch is the carers'
    assert _reads(app) == 0  # counts show no one's value: no personal read


def test_the_full_brief_counts_and_the_others_do_not(
    app: Flask, planner: FlaskClient, keller: int, meal: dict[str, object]
) -> None:
    full_response = planner.get(f"/delegations/{keller}/brief?audience=full&edition=draft")
    assert full_response.status_code == 200
    full = full_response.get_data(as_text=True)
    entry = re.search(r"<dt>Ernährung</dt><dd>(.*?)</dd>", full, re.S)
    assert entry and "2 × vegetarisch" in entry.group(1) and "1 × kein Schweinefleisch" in entry.group(1)
    for name in meal["named"]:  # type: ignore[attr-defined]
        assert name not in entry.group(1)
    assert NOTE not in full
    press_response = planner.get(f"/delegations/{keller}/brief?audience=press&edition=draft")
    assert press_response.status_code == 200
    press = press_response.get_data(as_text=True)
    assert "vegetarisch" not in press and "Ernährung" not in press
    # The vegetarian's own brief does not count the meal's needs either.
    member = planner.get(f"/delegations/{keller}/brief?audience=member&member={meal['vegetarian_person_id']}&edition=draft")
    assert member.status_code == 200, re.findall(r"field-errors.*?</ul>", member.get_data(as_text=True), re.S)
    assert "vegetarisch" not in member.get_data(as_text=True)


def test_carers_see_names_only_when_switched_on(app: Flask, client: FlaskClient, keller: int, meal: dict[str, object]) -> None:
    carer = _carer(app, client, keller)
    url = str(meal["url"])
    assert not any(name in _diet_block(carer.get(url).get_data(as_text=True)) for name in meal["named"])  # type: ignore[attr-defined]
    switch = f"/delegations/{keller}/care/meals/{meal['id']}/names"
    response = carer.post(switch, data={"csrf_token": csrf_token(carer, url), "names": "on"})
    assert response.status_code == 303
    block = _diet_block(carer.get(url).get_data(as_text=True))
    first, second, third = meal["named"]  # type: ignore[misc]
    assert f"{first}: vegetarisch" in block and f"{second}: vegetarisch, kein Schweinefleisch" in block
    assert f"{third}: {NOTE}" in block
    assert _reads(app) == 3  # each person shown to the carer is a logged read

    # Another editor without the care right still sees counts only.
    other = app.test_client()
    with app.app_context():
        make_user(email="editor@example.org")
    login(other, "editor@example.org")
    block = _diet_block(other.get(url).get_data(as_text=True))
    assert not any(name in block for name in meal["named"])  # type: ignore[attr-defined]
    assert NOTE not in block
    assert other.post(switch, data={"csrf_token": csrf_token(other, url)}).status_code == 403

    # Switched back: counts only again.
    carer.post(switch, data={"csrf_token": csrf_token(carer, url)})
    assert not any(name in _diet_block(carer.get(url).get_data(as_text=True)) for name in meal["named"])  # type: ignore[attr-defined]


def test_names_are_only_for_meals(app: Flask, client: FlaskClient, keller: int) -> None:
    carer = _carer(app, client, keller)
    with app.app_context():
        other = db.session.scalars(
            sa.select(Appointment).where(Appointment.delegation_id == keller, Appointment.kind != AppointmentKind.MEAL)
        ).first()
        assert other is not None
        url = f"/delegations/{keller}/appointments/{other.id}"
    response = carer.post(
        f"/delegations/{keller}/care/meals/{other.id}/names",
        data={"csrf_token": csrf_token(carer, url), "names": "on"},
        follow_redirects=True,
    )
    assert "nur bei Terminen der Art" in response.get_data(as_text=True)
