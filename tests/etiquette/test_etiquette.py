"""Etiquette notes: the house rule on facts, the maintenance pages, and the notes in the brief's print view."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.editing import Rejected
from planner.etiquette.inputs import EtiquetteNoteInput
from planner.etiquette.operations import create_note
from planner.extensions import db
from planner.models import EtiquetteNote, EtiquetteTopic
from tests.conftest import VIEWER_EMAIL, csrf_token, new_browser


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.get_data(as_text=True))


def _section(html: str) -> str:
    start = html.index('id="etiquette-title"')
    return html[start : html.index("</section>", start)]


def test_the_brief_prints_the_seeded_notes_with_their_state(app: Flask, planner: FlaskClient, keller: int) -> None:
    html = _section(text(planner.get(f"/delegations/{keller}/brief?edition=draft")))
    # Korea and China are there, the home country is not.
    assert "Südkorea" in html and "China" in html and "Deutschland" not in html
    # A sourced note: its check date and source; the clock note (a newspaper, no official guide): "zu prüfen".
    assert "Keine Uhren verschenken" in html
    clock = html[html.index("Keine Uhren verschenken") :]
    clock = clock[: clock.index("</dd>")]
    assert "zu prüfen" in clock and "China Daily" in clock
    cards = html[html.index("zwischen Daumen und Zeigefinger") :]
    cards = cards[: cards.index("</dd>")]
    assert "geprüft am" in cards and "zu prüfen" not in cards and "Austrade" in cards


def test_the_english_brief_prints_the_english_text(app: Flask, planner: FlaskClient, keller: int) -> None:
    html = _section(text(planner.get(f"/delegations/{keller}/brief?edition=draft&lang=en")))
    clock = html[html.index("Do not give clocks") :]
    assert "to be verified" in clock[: clock.index("</dd>")]
    assert "Keine Uhren verschenken" not in html


def test_an_unreviewed_translation_is_marked_and_a_country_without_notes_is_to_be_verified(
    app: Flask, planner: FlaskClient, keller: int
) -> None:
    with app.app_context():
        create_note(
            EtiquetteNoteInput(
                country_iso="KR",
                topic=EtiquetteTopic.DINING,
                text_de="Platzhalter-Hinweis zum Essen",
                native_language="ko",
                text_native="식사 예절 (초안)",
            ),
            today=date(2026, 12, 1),
        )
        db.session.execute(sa.delete(EtiquetteNote).where(EtiquetteNote.text_de.like("%Uhren%")))
        db.session.execute(
            sa.delete(EtiquetteNote).where(
                EtiquetteNote.country_id.in_(sa.select(EtiquetteNote.country_id).where(EtiquetteNote.text_de.like("%Daumen%")))
            )
        )
        db.session.commit()
    html = _section(text(planner.get(f"/delegations/{keller}/brief?edition=draft")))
    dining = html[html.index("Platzhalter-Hinweis zum Essen") :]
    dining = dining[: dining.index("</dd>")]
    assert '<p lang="ko">식사 예절 (초안) <span class="placeholder">Übersetzung, nicht geprüft</span>' in dining
    assert "zu prüfen" in dining  # no source
    assert "Keine Etikette-Hinweise erfasst – zu prüfen." in html  # China has none left


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"to_be_verified": False}, "source"),
        ({"to_be_verified": False, "source": "Austrade"}, "checked_on"),
        ({"native_reviewed": True}, "native_reviewed"),
        ({"text_native": "禮物"}, "native_language"),
        ({"checked_on": date(2027, 1, 1)}, "checked_on"),
        ({"text_de": "   "}, "text_de"),
    ],
)
def test_notes_break_no_house_rule(app: Flask, keller_trip: int, changes: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"country_iso": "CN", "topic": EtiquetteTopic.GIFTS, "text_de": "Hinweis"}
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(EtiquetteNote.id)))
        with pytest.raises(Rejected) as refused:
            create_note(EtiquetteNoteInput(**{**base, **changes}), today=date(2026, 12, 1))  # type: ignore[arg-type]
        assert refused.value.field == field
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(EtiquetteNote.id))) == before


def test_planners_maintain_the_notes_and_viewers_do_not(app: Flask, planner: FlaskClient, keller: int) -> None:
    assert "Keine Uhren verschenken" in text(planner.get("/etiquette"))
    path = "/etiquette/new"
    data = {
        "csrf_token": csrf_token(planner, path),
        "version": "1",
        "country_iso": "CN",
        "topic": "dining",
        "text_de": "Neuer Hinweis",
    }
    # The box left unticked says "checked": without a source that is refused, nothing saved.
    refused = planner.post(path, data=data)
    assert refused.status_code == 422
    assert "Ein geprüfter Hinweis braucht eine Quelle." in text(refused)
    saved = planner.post(path, data={**data, "to_be_verified": "y", "csrf_token": csrf_token(planner, path)})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(EtiquetteNote.id)).where(EtiquetteNote.text_de == "Neuer Hinweis")) == 1
    viewer = new_browser(app, VIEWER_EMAIL)
    assert viewer.get("/etiquette").status_code == 403
    assert viewer.get("/etiquette/new").status_code == 403
