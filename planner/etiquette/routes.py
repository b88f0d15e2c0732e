"""Pages of etiquette notes: the list and the form, for planners and admins.

The notes are shared by every trip (the brief prints those of the trip's
countries), so they are not a trip's page: editors (admins and planners)
maintain them; viewers read them in the brief.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.auth.access import editors_only
from planner.etiquette import operations, queries
from planner.etiquette.forms import EtiquetteNoteForm
from planner.formatting import territory_name
from planner.labels import label
from planner.timezones import today_in
from planner.web.edit_flow import Page, SavedNow, edit_page
from planner.web.forms import InputForm

bp = Blueprint("etiquette", __name__)

_INTRO = _l(
    "Nur mit Quelle und Prüfdatum als geprüft eintragen; sonst bleibt der Hinweis „zu prüfen“ und wird so gedruckt. "
    "Eine Übersetzung gilt als ungeprüft, bis jemand mit dieser Sprache sie geprüft hat."
)


def _today() -> date:
    return today_in(current_app.config["HOME_TIMEZONE"])


def _form_page(title: str, back_url: str) -> Callable[[InputForm], str]:
    def render(form: InputForm) -> str:
        return render_template(
            "form_page.html", form=form, heading=title, delegation=None, cancel_url=back_url, intro=str(_INTRO)
        )

    return render


@bp.get("/etiquette")
@editors_only
def notes() -> str:
    return render_template("etiquette/notes.html", notes=queries.all_notes())


@bp.route("/etiquette/new", methods=["GET", "POST"])
@editors_only
def new_note() -> Page:
    back_url = url_for(".notes")
    return edit_page(
        EtiquetteNoteForm(),
        record=None,
        save=lambda data: operations.create_note(data, today=_today()),
        render=_form_page(_("Neuer Etikette-Hinweis"), back_url),
        done=lambda _saved: back_url,
        saved_message=lambda saved: _(
            "Hinweis „%(topic)s“ (%(country)s) gespeichert.",
            topic=label(saved.topic),
            country=territory_name(saved.country.iso_code),
        ),
    )


@bp.route("/etiquette/<int:note_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_note(note_id: int) -> Page:
    record = queries.note_or_404(note_id)
    form = EtiquetteNoteForm()
    back_url = url_for(".notes")
    title = f"{territory_name(record.country.iso_code)}: {label(record.topic)}"
    return edit_page(
        form,
        record=record,
        save=lambda data: operations.update_note(record, data, form.version.data, today=_today()),
        render=_form_page(title, back_url),
        done=lambda _saved: back_url,
        conflict=SavedNow(
            load=lambda: queries.note_or_404(note_id),
            form=lambda: EtiquetteNoteForm(formdata=None),
            title=lambda _saved: title,
            back_url=back_url,
            edit_url=url_for(".edit_note", note_id=note_id),
        ),
    )
