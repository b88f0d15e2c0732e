"""The travellers' one-time link: a carer sends it, the traveller enters their own data once, then it is gone."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.extensions import db
from planner.log_redaction import redact
from planner.mail.sending import send_message
from planner.models import Delegation, Member, OutgoingMessage, TravelDataLink, TravelProfile, User
from tests.conftest import PLANNER_EMAIL, csrf_token, join_team, login, make_app

LINK = re.compile(r"/travel-data/([A-Za-z0-9_-]+)")
PLANTED_PASSPORT = "C01X00T47"


def _member(app: Flask, delegation_id: int, *, language: str = "de", email: str | None = "kim.traveller@example.org") -> int:
    with app.app_context():
        member = db.session.scalars(sa.select(Member).where(Member.delegation_id == delegation_id).order_by(Member.id)).first()
        assert member is not None
        member.language = language
        member.person.email = email
        db.session.commit()
        return member.id


@pytest.fixture
def carer(client: FlaskClient, keller: int, app: Flask) -> FlaskClient:
    """The test client as the planner, with the care right on the Keller trip."""
    login(client, PLANNER_EMAIL)
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == PLANNER_EMAIL)).one()
        join_team(user, db.session.get(Delegation, keller), may_care=True)
        db.session.commit()
    return client


def _send(client: FlaskClient, delegation_id: int, member_id: int) -> str:
    """Send the member a link as ``client``; the token the e-mail carries."""
    page = f"/delegations/{delegation_id}/care/links"
    response = client.post(f"{page}/{member_id}/send", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 303
    with client.application.app_context():
        message = db.session.scalars(
            sa.select(OutgoingMessage).where(OutgoingMessage.member_id == member_id).order_by(OutgoingMessage.id.desc())
        ).first()
        assert message is not None and message.kind == "travel_data_link"
        match = LINK.search(message.body)
        assert match
        return match.group(1)


def _form_data(client: FlaskClient, token: str, **values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": csrf_token(client, f"/travel-data/{token}"),
        "version": "1",
        "passport_type": "official",
        "passport_country": "DE",
        "passport_number": PLANTED_PASSPORT,
        "passport_expires_on": "2031-05-31",
        "nationality": "DE",
        "mobile_phone": "+49 170 0000001",
        "emergency_contact": "Alex Example, partner, +49 211 000000",
        "dietary_needs": ["vegetarian", "no_pork"],
        "dietary_notes": "",
        "medical_notes": "",
        "mobility_needs": "",
        "room_preference": "quiet room",
    }
    data.update(values)
    return data


def test_a_carer_sends_a_link_and_the_traveller_saves_their_data_once(app: Flask, carer: FlaskClient, keller: int) -> None:
    member_id = _member(app, keller, language="en")
    token = _send(carer, keller, member_id)
    with app.app_context():
        link = db.session.scalars(sa.select(TravelDataLink).where(TravelDataLink.member_id == member_id)).one()
        # Stored as its digest only.
        assert link.digest == hashlib.sha256(token.encode()).hexdigest()
        message = db.session.scalars(sa.select(OutgoingMessage).where(OutgoingMessage.member_id == member_id)).one()
        assert message.recipient == "kim.traveller@example.org"
        # In the member's language (the greeting's English is in the catalogue already).
        assert message.body.startswith("Hello ") and "Guten Tag" not in message.body

    traveller = app.test_client()
    page = traveller.get(f"/travel-data/{token}")
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html  # the member's language

    response = traveller.post(f"/travel-data/{token}", data=_form_data(traveller, token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Der Link ist damit verbraucht" in response.get_data(as_text=True) or "used up" in response.get_data(as_text=True)
    with app.app_context():
        person_id = db.session.get(Member, member_id).person_id
        profile = db.session.scalars(sa.select(TravelProfile).where(TravelProfile.person_id == person_id)).one()
        assert profile.passport_number == PLANTED_PASSPORT
        assert profile.passport_type == "official" and profile.passport_expires_on == date(2031, 5, 31)
        assert profile.dietary_needs == "vegetarian,no_pork"
        assert profile.confirmed_at is not None
        assert db.session.get(TravelDataLink, link.id).used_at is not None

    # Used up: the same page as for a link that never existed.
    again = traveller.get(f"/travel-data/{token}")
    unknown = traveller.get("/travel-data/" + "A" * 43)
    assert again.status_code == unknown.status_code == 404

    # Word for word (the language switch names the page's own path and carries a fresh CSRF token).
    def plain(html: str, path_token: str) -> str:
        return re.sub(r'name="csrf_token" value="[^"]+"', "", html.replace(path_token, "T"))

    assert plain(again.get_data(as_text=True), token) == plain(unknown.get_data(as_text=True), "A" * 43)
    assert PLANTED_PASSPORT not in again.get_data(as_text=True)


def test_the_form_is_prefilled_with_what_is_stored(app: Flask, carer: FlaskClient, keller: int) -> None:
    member_id = _member(app, keller)
    with app.app_context():
        person_id = db.session.get(Member, member_id).person_id
        db.session.add(TravelProfile(person_id=person_id, passport_number=PLANTED_PASSPORT, dietary_needs="vegan"))
        db.session.commit()
    token = _send(carer, keller, member_id)
    html = app.test_client().get(f"/travel-data/{token}").get_data(as_text=True)
    assert f'value="{PLANTED_PASSPORT}"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="vegan"|<input[^>]*value="vegan"[^>]*checked', html)
    assert "Ihre Reisedaten" in html  # German by default


def test_bad_input_changes_nothing_and_keeps_the_link(app: Flask, carer: FlaskClient, keller: int) -> None:
    member_id = _member(app, keller)
    token = _send(carer, keller, member_id)
    traveller = app.test_client()
    for bad in (
        {"passport_country": "XX"},
        {"dietary_needs": ["cannibal"]},
        {"passport_number": "9" * 31},
        {"passport_expires_on": "31.02.2030"},
    ):
        response = traveller.post(f"/travel-data/{token}", data=_form_data(traveller, token, **bad))
        assert response.status_code == 422, bad
        assert "Bitte prüfen Sie die markierten Angaben." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TravelProfile.id))) == 0
        assert db.session.scalars(sa.select(TravelDataLink)).one().used_at is None


def test_expired_and_revoked_links_do_not_open(app: Flask, carer: FlaskClient, keller: int) -> None:
    member_id = _member(app, keller)
    token = _send(carer, keller, member_id)
    with app.app_context():
        link = db.session.scalars(sa.select(TravelDataLink)).one()
        link.expires_at = link.created_at - timedelta(seconds=1)
        db.session.commit()
    assert app.test_client().get(f"/travel-data/{token}").status_code == 404
    page = carer.get(f"/delegations/{keller}/care/links").get_data(as_text=True)
    assert "abgelaufen" in page

    second = _send(carer, keller, member_id)
    assert app.test_client().get(f"/travel-data/{second}").status_code == 200
    links = f"/delegations/{keller}/care/links"
    assert carer.post(f"{links}/{member_id}/revoke", data={"csrf_token": csrf_token(carer, links)}).status_code == 303
    assert app.test_client().get(f"/travel-data/{second}").status_code == 404
    # A new link closes the open one.
    third = _send(carer, keller, member_id)
    fourth = _send(carer, keller, member_id)
    assert app.test_client().get(f"/travel-data/{third}").status_code == 404
    assert app.test_client().get(f"/travel-data/{fourth}").status_code == 200


def test_no_email_address_is_a_clear_message(app: Flask, carer: FlaskClient, keller: int) -> None:
    member_id = _member(app, keller, email=None)
    links = f"/delegations/{keller}/care/links"
    response = carer.post(f"{links}/{member_id}/send", data={"csrf_token": csrf_token(carer, links)}, follow_redirects=True)
    assert "keine E-Mail-Adresse eingetragen" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TravelDataLink.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(OutgoingMessage.id))) == 0


def test_only_carers_reach_the_links_page(app: Flask, planner: FlaskClient, keller: int) -> None:
    member_id = _member(app, keller)
    links = f"/delegations/{keller}/care/links"
    assert planner.get(links).status_code == 403
    token = csrf_token(planner, "/")
    assert planner.post(f"{links}/{member_id}/send", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TravelDataLink.id))) == 0


def test_the_links_page_shows_no_personal_data(app: Flask, carer: FlaskClient, keller: int) -> None:
    member_id = _member(app, keller)
    with app.app_context():
        person_id = db.session.get(Member, member_id).person_id
        db.session.add(TravelProfile(person_id=person_id, passport_number=PLANTED_PASSPORT, mobile_phone="+49 170 4711"))
        db.session.commit()
    html = carer.get(f"/delegations/{keller}/care/links").get_data(as_text=True)
    assert "kein Link" in html
    assert PLANTED_PASSPORT not in html and "4711" not in html


def test_the_delivered_message_keeps_no_link(app: Flask, carer: FlaskClient, keller: int) -> None:
    member_id = _member(app, keller)
    token = _send(carer, keller, member_id)
    with app.app_context():
        message_id = db.session.scalars(sa.select(OutgoingMessage.id)).one()
        send_message(message_id)  # no mail server: the outbox file is the delivery
        message = db.session.get(OutgoingMessage, message_id)
        assert message.state.value == "outbox"
        assert token not in message.body and "/travel-data/***" in message.body
        delivered = (Path(app.instance_path) / "outbox" / f"message-{message_id:06d}.eml").read_text()
        assert token in delivered.replace("=\n", "")


def test_log_lines_never_carry_the_token() -> None:
    assert redact("GET /travel-data/abc_DEF-123 200") == "GET /travel-data/*** 200"


def test_the_public_route_is_rate_limited(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path / "limited", TRAVEL_DATA_LINK_FAILURE_LIMIT="3 per hour")
    client = app.test_client()
    statuses = [client.get(f"/travel-data/guess{n}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "<script>alert(1)</script>", "\u202e", "x" * 5000, "2030-02-31", "DE", "official", "-1", "\x00"]),
)
FIELDS = [
    "version",
    "passport_type",
    "passport_country",
    "passport_number",
    "passport_expires_on",
    "nationality",
    "mobile_phone",
    "emergency_contact",
    "dietary_needs",
    "dietary_notes",
    "medical_notes",
    "mobility_needs",
    "room_preference",
]


def test_the_public_form_survives_hostile_input(app: Flask, carer: FlaskClient, keller: int) -> None:
    """Arbitrary values in every field: never a 5xx, markup never served, a refusal says why and saves nothing."""
    member_id = _member(app, keller)
    token = _send(carer, keller, member_id)
    traveller = app.test_client()
    csrf = csrf_token(traveller, f"/travel-data/{token}")

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.fixed_dictionaries({}, optional={name: NASTY for name in FIELDS}))
    def submit(data: dict[str, str]) -> None:
        response = traveller.post(f"/travel-data/{token}", data={"csrf_token": csrf, **data})
        assert response.status_code in (200, 404, 409, 422), response.status_code
        body = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body
        if response.status_code == 422:
            assert "flash--error" in body
            with app.app_context():
                assert db.session.scalars(sa.select(TravelDataLink)).one().used_at is None

    submit()


def test_the_trip_page_links_the_carers_page_for_carers_only(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, PLANNER_EMAIL)
    links = f"/delegations/{keller}/care/links"
    assert links not in client.get(f"/delegations/{keller}").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == PLANNER_EMAIL)).one()
        join_team(user, db.session.get(Delegation, keller), may_care=True)
        db.session.commit()
    assert links in client.get(f"/delegations/{keller}").get_data(as_text=True)
