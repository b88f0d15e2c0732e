"""The vehicle plan of one day as a printed sheet: print view and PDF from one template.

For the trip's team and the drivers: vehicles with drivers and their work
numbers, the rides with who sits where, the warnings. Nothing of the
travellers' personal data (no travel profile is read). The print view and the
PDF are the same HTML (``transport/vehicle_plan.html``, extending the sheets'
base); the PDF goes through the one render queue as the document
``vehicle_plan``, keyed on :func:`plan_state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.briefs.rendering import Document, register_document
from planner.briefs.sheets import SHEET_LANGUAGES, render_sheet
from planner.delegations.queries import printed_state, trip_days
from planner.editing import Rejected
from planner.formatting import day as day_text
from planner.formatting import numeric_date
from planner.models import City, Delegation, Person
from planner.timezones import to_local, utc_now
from planner.transport import queries
from planner.transport.plan import day_plan

KIND = "vehicle_plan"


@dataclass(frozen=True)
class PlanChoices:
    day: date
    lang: str

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "lang": self.lang}


def check_choices(day: str | None, lang: str | None) -> PlanChoices:
    """The day (ISO date) and language of a printed vehicle plan, or :class:`Rejected`."""
    try:
        chosen = date.fromisoformat(day or "")
    except ValueError:
        raise Rejected("day", _("Unbekannter Tag „%(value)s“.", value=day or "")) from None
    language = lang or "de"
    if language not in SHEET_LANGUAGES:
        raise Rejected("lang", _("Unbekannte Sprache „%(value)s“. Möglich sind: de, en.", value=language))
    return PlanChoices(chosen, language)


def plan_state(delegation_id: int) -> tuple | None:
    """What can change a printed vehicle plan; None if there is no such delegation.

    The trip's revision covers vehicles, transfers, appointments and members;
    riders' names and the vehicles' cities come from the directory.
    """
    return printed_state(delegation_id, Person, City)


def sheet_html(delegation: Delegation, choices: PlanChoices, now: datetime | None = None) -> str:
    """The printed plan of ``choices.day``; Rejected when the day is not one of the trip's days."""
    if choices.day not in trip_days(delegation):
        raise Rejected("day", _("Dieser Tag gehört nicht zur Reise."))
    plan = day_plan(delegation, choices.day)
    with force_locale(choices.lang):
        title = _("Fahrzeugplan: %(day)s", day=day_text(plan.day))
        stamp = _(
            "%(trip)s · Stand %(date)s · Revision %(revision)s",
            trip=delegation.title,
            date=numeric_date(to_local(now or utc_now(), delegation.home_timezone)),
            revision=delegation.revision,
        )
        return render_sheet(
            "transport/vehicle_plan.html",
            lang=choices.lang,
            title=title,
            stamp=stamp,
            back_url=url_for("transport.show_day", delegation_id=delegation.id, day=plan.day.isoformat()),
            pdf_url=url_for("transport.print_day_pdf", delegation_id=delegation.id, day=plan.day.isoformat(), lang=choices.lang),
            other_lang_url=url_for(
                "transport.print_day",
                delegation_id=delegation.id,
                day=plan.day.isoformat(),
                lang="en" if choices.lang == "de" else "de",
            ),
            **plan.context(),
        )


def _html(delegation_id: int, choices: dict[str, Any]) -> str | None:
    delegation = queries.delegation_for_plan(delegation_id)
    if delegation is None:
        return None
    return sheet_html(delegation, check_choices(choices.get("day"), choices.get("lang")))


def _filename(delegation_id: int, choices: dict[str, Any]) -> str:
    return f"fahrzeugplan-{delegation_id}-{choices['day']}-{choices['lang']}.pdf"


register_document(
    Document(
        kind=KIND,
        html=_html,
        filename=_filename,
        producing=_l("Fahrzeugplan wird erstellt"),
        failed=_l("Fahrzeugplan konnte nicht erstellt werden"),
        gone=_l("Die Delegation oder dieser Reisetag besteht nicht mehr so, wie angefragt."),
        retry_endpoint="transport.index",
    )
)
