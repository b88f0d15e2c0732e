"""A participant's language: chosen in the member forms, the default language of their calendar feeds."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import FeedToken, Member
from tests.conftest import csrf_token
from tests.html_forms import form_values


def _first_member(app: Flask, keller: int) -> Member:
    with app.app_context():
        member = db.session.scalars(sa.select(Member).where(Member.delegation_id == keller).order_by(Member.id)).first()
        assert member is not None
        db.session.expunge(member)
        return member


def _edit(client: FlaskClient, keller: int, member_id: int, **changes: str):
    url = f"/delegations/{keller}/members/{member_id}/edit"
    page = client.get(url)
    assert page.status_code == 200
    data = dict(form_values(page.get_data(as_text=True)).values)
    data.update(changes)
    return client.post(url, data=data)


def test_members_speak_german_until_a_planner_chooses_english(app: Flask, planner: FlaskClient, keller: int) -> None:
    member = _first_member(app, keller)
    assert member.language == "de"
    page = planner.get(f"/delegations/{keller}/members/{member.id}/edit").get_data(as_text=True)
    assert 'name="language"' in page and ">Deutsch<" in page and ">Englisch<" in page
    response = _edit(planner, keller, member.id, language="en")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _first_member(app, keller).language == "en"


def test_a_language_the_app_does_not_speak_is_refused_and_nothing_changes(app: Flask, planner: FlaskClient, keller: int) -> None:
    member = _first_member(app, keller)
    response = _edit(planner, keller, member.id, language="fr", function="Neue Funktion")
    assert response.status_code in (200, 400, 422)
    assert "Not a valid choice" in response.get_data(as_text=True) or "gültige" in response.get_data(as_text=True)
    after = _first_member(app, keller)
    assert after.language == "de" and after.function == member.function


def test_new_people_in_the_rows_form_bring_their_language(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/members/new"
    data = dict(form_values(planner.get(url).get_data(as_text=True)).values)
    assert "people-0-language" in data
    data.update({"people-0-family_name": "Park", "people-0-language": "en", "people-1-family_name": "Schulte"})
    assert planner.post(url, data=data).status_code == 302
    with app.app_context():
        newest = sa.select(Member.person_id, Member.language).where(Member.delegation_id == keller)
        languages = dict(db.session.execute(newest.order_by(Member.id.desc()).limit(2)).all())
    assert sorted(languages.values()) == ["de", "en"]


def test_a_members_feed_speaks_the_members_language_unless_chosen_otherwise(
    app: Flask, planner: FlaskClient, keller: int
) -> None:
    member = _first_member(app, keller)
    assert _edit(planner, keller, member.id, language="en").status_code == 302
    url = f"/delegations/{keller}/subscriptions"
    page = planner.get(url).get_data(as_text=True)
    assert "Sprache des Mitglieds" in page
    for member_id, locale in ((member.id, ""), (0, ""), (member.id, "de")):
        response = planner.post(url, data={"csrf_token": csrf_token(planner, url), "member_id": member_id, "locale": locale})
        assert response.status_code == 302
    with app.app_context():
        feeds = db.session.scalars(sa.select(FeedToken).order_by(FeedToken.id)).all()
        assert [(feed.member_id, feed.locale) for feed in feeds] == [(member.id, "en"), (None, "de"), (member.id, "de")]
