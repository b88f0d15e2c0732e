"""Place cards of one appointment: folded tent cards, two to an A4 page, through the one render pipeline.

Each card is half an A4 page, folded along its middle: the lower face carries
the name as our papers write it (title, name, the native script beneath), the
upper face, printed upside down so that it reads from the other side of the
table, the native script first where there is one. Interpreters get no card:
they sit behind or beside their principal. The cards come in the order of the
seats (seat 1 first), so the person laying the table takes them off the pile
in the seat numbers of the plan.

The print view and the PDF are the same HTML (``protocol/place_cards.html``);
the PDF goes through the render queue as the document ``place_cards``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from planner.briefs.fonts import BRIEF_FONTS, font_face_css
from planner.briefs.rendering import Document, register_document
from planner.briefs.sheets import SHEET_LANGUAGES
from planner.editing import Rejected
from planner.extensions import db
from planner.models import Appointment, ChangeRecord, Delegation, Person
from planner.protocol import queries
from planner.protocol.names import protocol_name
from planner.protocol.views import seats_of

KIND = "place_cards"

# The card's own page rules (no running header or footer: the page is cut and folded). Constant text only.
_CARD_PAGE = (
    "@page { size: A4; margin: 0; @top-left { content: none; } @bottom-left { content: none; } @bottom-right { content: none; } }"
)


@dataclass(frozen=True)
class Card:
    seat: int
    name: str
    native: str | None
    function: str | None


@dataclass(frozen=True)
class CardChoices:
    lang: str

    def as_dict(self, appointment_id: int) -> dict[str, Any]:
        return {"appointment": appointment_id, "lang": self.lang}


def check_choices(lang: str | None) -> CardChoices:
    language = lang or "de"
    if language not in SHEET_LANGUAGES:
        raise Rejected("lang", _("Unbekannte Sprache „%(value)s“. Möglich sind: de, en.", value=language))
    return CardChoices(language)


def cards_of(appointment_id: int) -> list[Card] | None:
    """The cards in seat order; None when the appointment has no plan."""
    plan = queries.plan_for(appointment_id)
    if plan is None:
        return None
    seats = seats_of(plan)
    by_id = {p.id: p for p in plan.principals}
    cards = []
    for participant_id, seat in sorted(seats.items(), key=lambda pair: pair[1]):
        name = protocol_name(by_id[participant_id].person)
        cards.append(Card(seat, name.display, name.native, name.function))
    return cards


def cards_html(delegation_id: int, appointment_id: int, choices: CardChoices) -> str | None:
    """The place cards' HTML, or None when the appointment (in this trip) or its plan is gone."""
    appointment = db.session.scalars(
        sa.select(Appointment).where(Appointment.id == appointment_id, Appointment.delegation_id == delegation_id)
    ).one_or_none()
    if appointment is None:
        return None
    cards = cards_of(appointment_id)
    if cards is None:
        return None
    fonts = font_face_css({font.filename: url_for("briefs.font", font_file=font.filename) for font in BRIEF_FONTS})
    with force_locale(choices.lang):
        title = _("Tischkarten: %(title)s", title=appointment.title)
        return render_template(
            "protocol/place_cards.html",
            page_css=Markup(f"{fonts} {_CARD_PAGE}"),  # our font URLs and constant rules only
            sheet_title=title,
            lang=choices.lang,
            cards=cards,
            appointment=appointment,
            back_url=url_for("protocol.index", delegation_id=delegation_id, appointment_id=appointment_id),
            pdf_url=url_for(
                "protocol.place_cards_pdf", delegation_id=delegation_id, appointment_id=appointment_id, lang=choices.lang
            ),
            other_lang_url=url_for(
                "protocol.place_cards",
                delegation_id=delegation_id,
                appointment_id=appointment_id,
                lang="en" if choices.lang == "de" else "de",
            ),
        )


def cards_state(delegation_id: int, appointment_id: int) -> tuple | None:
    """What can change the cards, in one query: the trip's revision (plans are the trip's) and the newest name change."""
    newest_person = sa.select(sa.func.max(ChangeRecord.id)).where(ChangeRecord.entity == Person.__tablename__).scalar_subquery()
    row = db.session.execute(
        sa.select(Delegation.revision, Delegation.updated_at, newest_person, sa.literal(appointment_id)).where(
            Delegation.id == delegation_id
        )
    ).one_or_none()
    return None if row is None else tuple(row)


def _html(delegation_id: int, choices: dict[str, Any]) -> str | None:
    appointment_id = choices.get("appointment")
    if not isinstance(appointment_id, int):
        raise Rejected("appointment", _("Unbekannter Termin."))
    return cards_html(delegation_id, appointment_id, check_choices(choices.get("lang")))


def _filename(delegation_id: int, choices: dict[str, Any]) -> str:
    return f"tischkarten-{delegation_id}-{choices['appointment']}-{choices['lang']}.pdf"


register_document(
    Document(
        kind=KIND,
        html=_html,
        filename=_filename,
        producing=_l("Tischkarten werden erstellt"),
        failed=_l("Tischkarten konnten nicht erstellt werden"),
        gone=_l("Der Termin oder seine Sitzordnung besteht nicht mehr so, wie angefragt."),
        retry_endpoint="delegations.show",
    )
)
