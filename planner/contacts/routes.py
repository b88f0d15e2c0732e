"""Pages of emergency numbers (admins) and of the trip's contact and emergency sheet (the trip's team).

Who may reach a trip's sheet is decided where every trip URL is checked
(:func:`planner.teams.access.check_request`): the trip's team reads it, on the
page, as the printed sheet and as PDF (:mod:`planner.contacts.printing`).
The emergency numbers are shared by every trip, so only admins change them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from planner.auth.access import admins_only
from planner.briefs.routes import queue_pdf
from planner.contacts import operations, printing, queries
from planner.contacts.forms import EmergencyNumberForm
from planner.contacts.sheet import build_sheet
from planner.editing import Rejected
from planner.formatting import territory_name
from planner.labels import label
from planner.timezones import today_in
from planner.web.edit_flow import Page, SavedNow, edit_page
from planner.web.forms import InputForm

bp = Blueprint("contacts", __name__)


def _today() -> date:
    # "Not in the future" as the home office counts days.
    return today_in(current_app.config["HOME_TIMEZONE"])


def _form_page(title: str, back_url: str, intro: str | None = None) -> Callable[[InputForm], str]:
    def render(form: InputForm) -> str:
        return render_template("form_page.html", form=form, heading=title, delegation=None, cancel_url=back_url, intro=intro)

    return render


_INTRO = _l("Nur mit Quelle und Prüfdatum als geprüft eintragen; sonst bleibt die Nummer „zu prüfen“ und wird so gedruckt.")


@bp.get("/admin/emergency-numbers")
@admins_only
def numbers() -> str:
    return render_template("contacts/numbers.html", numbers=queries.emergency_numbers())


@bp.route("/admin/emergency-numbers/new", methods=["GET", "POST"])
@admins_only
def new_number() -> Page:
    back_url = url_for(".numbers")
    return edit_page(
        EmergencyNumberForm(),
        record=None,
        save=lambda data: operations.create_emergency_number(data, today=_today()),
        render=_form_page(_("Neue Notrufnummer"), back_url, str(_INTRO)),
        done=lambda _saved: back_url,
        saved_message=lambda saved: _(
            "Notrufnummer %(service)s (%(country)s) gespeichert.",
            service=label(saved.service),
            country=territory_name(saved.country.iso_code),
        ),
    )


@bp.route("/admin/emergency-numbers/<int:number_id>/edit", methods=["GET", "POST"])
@admins_only
def edit_number(number_id: int) -> Page:
    record = queries.emergency_number_or_404(number_id)
    form = EmergencyNumberForm()
    back_url = url_for(".numbers")
    title = f"{territory_name(record.country.iso_code)}: {label(record.service)}"
    return edit_page(
        form,
        record=record,
        save=lambda data: operations.update_emergency_number(record, data, form.version.data, today=_today()),
        render=_form_page(title, back_url, str(_INTRO)),
        done=lambda _saved: back_url,
        conflict=SavedNow(
            load=lambda: queries.emergency_number_or_404(number_id),
            form=lambda: EmergencyNumberForm(formdata=None),
            title=lambda _saved: title,
            back_url=back_url,
            edit_url=url_for(".edit_number", number_id=number_id),
        ),
    )


@bp.get("/delegations/<int:delegation_id>/contacts")
def sheet(delegation_id: int) -> str:
    delegation = queries.trip_for_sheet(delegation_id)
    return render_template("contacts/sheet.html", delegation=delegation, sheet=build_sheet(delegation))


def _lang() -> str:
    try:
        return printing.check_lang(request.args.get("lang"))
    except Rejected:
        abort(404)


@bp.get("/delegations/<int:delegation_id>/contacts/print")
def print_sheet(delegation_id: int) -> Response:
    """The sheet on A4 as the printed sheet: the same HTML as its PDF."""
    lang = _lang()
    response = Response(printing.sheet_html(queries.trip_for_sheet(delegation_id), lang), content_type="text/html; charset=utf-8")
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/delegations/<int:delegation_id>/contacts/sheet.pdf")
def sheet_pdf(delegation_id: int) -> BaseResponse:
    """The sheet as PDF, through the one render queue (progress page, then the file)."""
    lang = _lang()
    state = printing.sheet_state(delegation_id)
    if state is None:
        abort(404)
    return queue_pdf(printing.KIND, delegation_id, state, {"lang": lang})
