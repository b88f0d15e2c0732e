"""The contact and emergency sheet as a printed sheet: print view and PDF from one template.

The sheet's content is :func:`planner.contacts.sheet.build_sheet`'s, the same
as the team's page (``contacts/_sheet_body.html`` is shared); the printed
sheet (``contacts/contact_sheet.html``) extends the sheets' base, and the PDF
goes through the one render queue as the document ``contact_sheet``, keyed on
:func:`sheet_state`. Kept apart from :mod:`planner.contacts.sheet` because the
brief, which the render queue imports, uses that module's views.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.briefs.rendering import Document, register_document
from planner.briefs.sheets import SHEET_LANGUAGES, render_sheet
from planner.contacts import queries
from planner.contacts.sheet import build_sheet
from planner.delegations.queries import printed_state
from planner.editing import Rejected
from planner.formatting import numeric_date
from planner.models import City, Delegation, EmergencyNumber, Organization, Person
from planner.timezones import to_local, utc_now

KIND = "contact_sheet"


def check_lang(lang: str | None) -> str:
    """The sheet's language (German unless asked), or :class:`Rejected`."""
    language = lang or "de"
    if language not in SHEET_LANGUAGES:
        raise Rejected("lang", _("Unbekannte Sprache „%(value)s“. Möglich sind: de, en.", value=language))
    return language


def sheet_state(delegation_id: int) -> tuple | None:
    """What can change a printed contact sheet; None if there is no such delegation.

    The trip's revision covers its legs, journeys, nights and vehicles (hotels,
    countries, drivers) and the duty phone; missions, their people, cities and
    the emergency numbers are shared records whose newest change stands for all.
    """
    return printed_state(delegation_id, Person, Organization, City, EmergencyNumber)


def sheet_html(delegation: Delegation, lang: str, now: datetime | None = None) -> str:
    """The printed contact sheet of ``delegation`` (loaded by :func:`planner.contacts.queries.trip_for_sheet`)."""
    sheet = build_sheet(delegation)
    with force_locale(lang):
        title = _("Kontakte und Notfälle: %(trip)s", trip=sheet.title)
        stamp = _(
            "%(trip)s · Stand %(date)s · Revision %(revision)s",
            trip=sheet.title,
            date=numeric_date(to_local(now or utc_now(), delegation.home_timezone)),
            revision=delegation.revision,
        )
        return render_sheet(
            "contacts/contact_sheet.html",
            lang=lang,
            title=title,
            stamp=stamp,
            sheet=sheet,
            back_url=url_for("contacts.sheet", delegation_id=delegation.id),
            pdf_url=url_for("contacts.sheet_pdf", delegation_id=delegation.id, lang=lang),
            other_lang_url=url_for("contacts.print_sheet", delegation_id=delegation.id, lang="en" if lang == "de" else "de"),
        )


def _html(delegation_id: int, choices: dict[str, Any]) -> str | None:
    delegation = queries.trip_for_sheet_or_none(delegation_id)
    if delegation is None:
        return None
    return sheet_html(delegation, check_lang(choices.get("lang")))


def _filename(delegation_id: int, choices: dict[str, Any]) -> str:
    return f"kontaktblatt-{delegation_id}-{choices['lang']}.pdf"


register_document(
    Document(
        kind=KIND,
        html=_html,
        filename=_filename,
        producing=_l("Kontaktblatt wird erstellt"),
        failed=_l("Kontaktblatt konnte nicht erstellt werden"),
        gone=_l("Die Delegation besteht nicht mehr."),
        retry_endpoint="contacts.sheet",
    )
)
