"""Pages of the host-language feature: the translations of one trip per language, the host programme and its PDF.

Every page is a trip's page (the sign-in hook keeps it to the trip's team: 404 outside it);
saving translations is for the trip's editors (403 for a viewer) and goes through the one
edit flow. The PDF goes through the one render queue (:func:`planner.briefs.routes.queue_pdf`).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from planner.auth.access import editors_only
from planner.briefs.routes import queue_pdf
from planner.editing import Rejected
from planner.hostlang import operations, phrases, sheet
from planner.hostlang.forms import TranslationForm, translation_form
from planner.hostlang.texts import HostTexts, host_state, host_texts, languages_in_use
from planner.teams.access import may_edit
from planner.web.edit_flow import Page, edit_page
from planner.web.forms import InputForm

bp = Blueprint("hostlang", __name__)

DEFAULT_LANGUAGE = "ko"


def _texts(delegation_id: int, language: str) -> HostTexts:
    found = host_texts(delegation_id, language)
    if found is None:
        abort(404)
    return found


def _language(value: str | None) -> str | None:
    return phrases.normalize_tag(value or DEFAULT_LANGUAGE)


@bp.route("/delegations/<int:delegation_id>/translations", methods=["GET"])
def translations(delegation_id: int) -> Page:
    """What the trip's host programme needs in a language, what is missing, and the form to enter it."""
    return _translations_page(delegation_id)


@bp.route("/delegations/<int:delegation_id>/translations", methods=["POST"])
@editors_only
def save(delegation_id: int) -> Page:
    return _translations_page(delegation_id)


def _translations_page(delegation_id: int) -> Page:
    language = _language(request.args.get("language"))
    if language is None:
        texts = _texts(delegation_id, DEFAULT_LANGUAGE)
        error = _(
            "„%(value)s“ ist kein bekanntes Sprachkürzel (BCP 47, z. B. ko, zh-Hans, ja).",
            value=request.args.get("language", ""),
        )
        return _render(texts, None, error=error), 422
    texts = _texts(delegation_id, language)
    form = translation_form(texts)
    if request.method == "GET":
        return _render(texts, form)
    return edit_page(
        form,
        record=None,
        save=lambda entries: operations.save_translations(texts, entries),
        render=lambda filled: _render(texts, filled),
        done=lambda _changed: url_for(".translations", delegation_id=delegation_id, language=language),
        saved_message=lambda changed: ngettext("%(num)d Übersetzung gespeichert.", "%(num)d Übersetzungen gespeichert.", changed),
    )


def _render(texts: HostTexts, form: InputForm | None, error: str | None = None) -> str:
    assert form is None or isinstance(form, TranslationForm)
    language = texts.language
    in_use = languages_in_use(texts.delegation.id)
    choices = sorted({*phrases.PHRASES, *in_use, language})
    return render_template(
        "hostlang/translations.html",
        delegation=texts.delegation,
        texts=texts,
        form=form,
        error=error,
        language=language,
        language_label=phrases.language_name(language, _ui_language()),
        language_choices=[(tag, phrases.language_name(tag, _ui_language())) for tag in choices],
        printable=phrases.printable(language),
        may_edit=may_edit(current_user, texts.delegation),
    )


def _ui_language() -> str:
    return str(get_locale() or "de")


def _printable_language(language: str) -> str:
    try:
        return sheet.check_language(language)
    except Rejected:
        abort(404)


@bp.get("/delegations/<int:delegation_id>/host-programme/<language>")
def programme(delegation_id: int, language: str) -> Response:
    """The host programme as the print view (the same HTML as the PDF)."""
    texts = _texts(delegation_id, _printable_language(language))
    response = Response(sheet.programme_html(texts), content_type="text/html; charset=utf-8")
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/delegations/<int:delegation_id>/host-programme/<language>.pdf")
def programme_pdf(delegation_id: int, language: str) -> BaseResponse:
    """The host programme as PDF, through the one render queue (progress page, then the file)."""
    language = _printable_language(language)
    state = host_state(delegation_id, language)
    if state is None:
        abort(404)
    return queue_pdf(sheet.KIND, delegation_id, state, {"language": language})
