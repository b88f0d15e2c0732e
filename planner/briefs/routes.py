"""The brief in the browser (print view), as PDF, and its options page.

Every signed-in user may print any variant (access.py's deny-by-default
hook turns anonymous requests away). Options come as GET parameters; a
choice that makes no brief gets the options form back with the reason
(400), a member who is not on the trip a 404 with the same form.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _

from planner.auth.access import public
from planner.briefs import fonts, queries, render
from planner.briefs.forms import BriefOptionsForm
from planner.briefs.options import BriefOptions, BriefOptionsError
from planner.briefs.pdf import html_to_pdf
from planner.briefs.queries import BriefSource
from planner.models import Delegation

bp = Blueprint("briefs", __name__)


@bp.app_template_global("brief_options_form")
def brief_options_form(delegation: Delegation) -> BriefOptionsForm:
    """The options form with the delegation's members, for ``{% include "briefs/_options.html" %}``."""
    return BriefOptionsForm(formdata=None, delegation=delegation)


def _source_or_404(delegation_id: int) -> BriefSource:
    source = queries.brief_source(delegation_id)
    if source is None:
        abort(404)
    return source


def _options_page(source: BriefSource, form: BriefOptionsForm, status: int, message: str | None = None) -> tuple[str, int]:
    return render_template("briefs/options.html", delegation=source.delegation, form=form, message=message), status


class _Refused(Exception):
    """Options that make no brief; carries the page that says why."""

    def __init__(self, page: tuple[str, int]) -> None:
        super().__init__()
        self.page = page


@bp.errorhandler(_Refused)
def _refused(error: _Refused) -> tuple[str, int]:
    return error.page


def _brief(delegation_id: int) -> tuple[BriefOptions, str]:
    """Parse the options and render the brief's HTML, or raise :class:`_Refused`."""
    source = _source_or_404(delegation_id)
    form = BriefOptionsForm(formdata=request.args, delegation=source.delegation)
    if not form.validate() or form.options is None:
        raise _Refused(_options_page(source, form, 400, _("Mit diesen Angaben lässt sich kein Reisebriefing erstellen.")))
    try:
        _built, html = render.brief_html(source, form.options)
    except BriefOptionsError as error:
        form.member.errors = [error.message]
        raise _Refused(_options_page(source, form, 404, str(error.message))) from None
    return form.options, html


def _private(response: Response) -> Response:
    # Phone numbers, talking points: no shared cache may keep a copy.
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/delegations/<int:delegation_id>/brief/options")
def options(delegation_id: int) -> str:
    source = _source_or_404(delegation_id)
    return render_template(
        "briefs/options.html", delegation=source.delegation, form=brief_options_form(source.delegation), message=None
    )


@bp.get("/delegations/<int:delegation_id>/brief")
def show(delegation_id: int) -> Response:
    _options, html = _brief(delegation_id)
    return _private(Response(html, content_type="text/html; charset=utf-8"))


@bp.get("/delegations/<int:delegation_id>/brief.pdf")
def pdf(delegation_id: int) -> Response:
    options, html = _brief(delegation_id)
    body = html_to_pdf(
        html,
        base_url=request.host_url,
        static_folder=current_app.static_folder or "",
        static_url_path=url_for("static", filename=""),
        files=fonts.font_files_by_url(current_app),
    )
    response = _private(Response(body, content_type="application/pdf"))
    response.headers["Content-Disposition"] = f'inline; filename="reisebriefing-{delegation_id}-{options.slug}.pdf"'
    return response


@bp.get("/brief-fonts/<font_file>")
@public  # the shipped open-licence fonts, like the static files; the browser's print view loads them
def font(font_file: str) -> Response:
    """One of the brief's fonts (planner.briefs.fonts.BRIEF_FONTS) from its installed package; 404 for any other name."""
    path = fonts.font_file(font_file, current_app.config.get("BRIEF_FONT_DIR"))
    if path is None:
        abort(404)
    return send_file(path, mimetype="font/otf", max_age=86400)
