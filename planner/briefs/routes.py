"""The brief in the browser (print view), as PDF, and its options page.

Every signed-in user may print any variant (access.py's deny-by-default
hook turns anonymous requests away). Options come as GET parameters; a
choice that makes no brief gets the options form back with the reason
(400), a member who is not on the trip a 404 with the same form.

The print view is rendered in the request (it is cheap). The PDF is not: a
request for it checks the options and then finds or enqueues the render
(:mod:`planner.briefs.rendering`) and answers 303 to a progress page, which
refreshes itself until the file is ready and then hands it out. The progress
page and the file route serve every kind of document the queue renders (the
rooming list too); :func:`queue_pdf` is the one answer to a PDF request.
"""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Blueprint, Response, abort, current_app, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from planner.auth.access import public
from planner.briefs import fonts, queries, render, rendering
from planner.briefs.forms import BriefOptionsForm
from planner.briefs.options import BriefOptions, Edition
from planner.briefs.queries import BriefSource
from planner.editing import Rejected
from planner.models import Delegation
from planner.releases import queries as release_queries

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
    delegation = queries.delegation_with_members(delegation_id)
    if delegation is None:
        abort(404)
    form = BriefOptionsForm(formdata=request.args, delegation=delegation)
    if not form.validate() or form.options is None:
        raise _Refused(
            _options_page(BriefSource(delegation), form, 400, _("Mit diesen Angaben lässt sich kein Reisebriefing erstellen."))
        )
    try:
        source = queries.brief_source(delegation_id, form.options.edition)
        if source is None:
            abort(404)
        _built, html = render.brief_html(source, form.options)
    except Rejected as error:
        getattr(form, error.field).errors = [error.message]
        # A member not on the trip is not found; a released brief of a trip with no release is a wrong choice.
        status = 404 if error.field == "member" else 400
        raise _Refused(_options_page(BriefSource(delegation), form, status, str(error.message))) from None
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


def _pdf_options(delegation_id: int) -> BriefOptions:
    """Check a PDF request's options without building the brief, or raise :class:`_Refused`."""
    delegation = queries.delegation_with_members(delegation_id)
    if delegation is None:
        abort(404)
    form = BriefOptionsForm(formdata=request.args, delegation=delegation)
    source = BriefSource(delegation=delegation)
    if not form.validate() or form.options is None:
        raise _Refused(_options_page(source, form, 400, _("Mit diesen Angaben lässt sich kein Reisebriefing erstellen.")))
    if form.options.edition is Edition.RELEASED and release_queries.current_release(delegation_id) is None:
        message = _("Für diese Reise ist noch keine Fassung freigegeben. Bitte wählen Sie den Entwurf.")
        form.edition.errors = [message]
        raise _Refused(_options_page(source, form, 400, message))
    person_id = form.options.person_id
    if person_id is not None and source.member_for_person(person_id) is None:
        message = _("Die Person %(id)s gehört nicht zu dieser Delegation.", id=person_id)
        form.member.errors = [message]
        raise _Refused(_options_page(source, form, 404, message))
    return form.options


@bp.get("/delegations/<int:delegation_id>/brief.pdf")
def pdf(delegation_id: int) -> BaseResponse:
    """Find or start the PDF's render and send the browser to its progress page (or the finished file)."""
    options = _pdf_options(delegation_id)
    state = queries.brief_state(delegation_id)
    if state is None:  # deleted between the two reads
        abort(404)
    return queue_pdf("brief", delegation_id, state, rendering.brief_choices(options))


def queue_pdf(kind: str, delegation_id: int, state: tuple, choices: dict[str, Any]) -> BaseResponse:
    """The answer to a PDF request of any document kind (:mod:`planner.briefs.rendering`), its choices checked.

    303 to the progress page (or the finished file); 429 with ``Retry-After`` while the user
    has another render pending, 503 when the queue is full.
    """
    try:
        key, ready = rendering.request_document(
            kind, delegation_id, state, choices, base_url=request.host_url, user_id=current_user.id
        )
    except rendering.Busy as busy:
        pending = url_for("briefs.render_status", delegation_id=busy.delegation_id, key=busy.key)
        pending_record = rendering.record(busy.key)
        document = rendering.document_of(pending_record) if pending_record is not None else rendering.DOCUMENTS[kind]
        message = str(document.busy) % {"seconds": busy.retry_after}
        return _wait_page(delegation_id, 429, busy.retry_after, pending, message)
    except rendering.QueueFull as full:
        return _wait_page(delegation_id, 503, full.retry_after, None)
    endpoint = "briefs.render_file" if ready else "briefs.render_status"
    return redirect(url_for(endpoint, delegation_id=delegation_id, key=key), 303)


def _wait_page(
    delegation_id: int, status: int, retry_after: int, pending_url: str | None, message: str | None = None
) -> BaseResponse:
    delegation = queries.delegation_with_members(delegation_id)
    page = render_template(
        "briefs/busy.html",
        delegation=delegation,
        status=status,
        retry_after=retry_after,
        pending_url=pending_url,
        message=message,
    )
    response = _private(make_response(page, status))
    response.headers["Retry-After"] = str(retry_after)
    return response


_KEY = re.compile(r"^[0-9a-f]{40}$")


def _render_record_or_404(delegation_id: int, key: str) -> rendering.RenderRecord:
    # The record names its delegation: a key is only valid under the trip it was made for.
    found = rendering.record(key) if _KEY.match(key) else None
    if found is None or found.delegation_id != delegation_id:
        abort(404)
    return found


@bp.get("/delegations/<int:delegation_id>/brief/renders/<key>")
def render_status(delegation_id: int, key: str) -> BaseResponse:
    """The progress page: refreshes itself while the render is pending, then sends on to the file."""
    found = _render_record_or_404(delegation_id, key)
    if found.state == rendering.DONE and rendering.pdf_bytes(key) is not None:
        return redirect(url_for("briefs.render_file", delegation_id=delegation_id, key=key), 303)
    delegation = queries.delegation_with_members(delegation_id)
    if delegation is None:
        abort(404)
    waited = found.waited(time.time())
    stalled = found.state == rendering.QUEUED and waited > float(current_app.config["JOB_STALL_SECONDS"])
    document = rendering.document_of(found)
    page = render_template(
        "briefs/progress.html",
        delegation=delegation,
        record=found,
        document=document,
        waited=int(waited),
        stalled=stalled,
        retry_url=url_for(document.retry_endpoint, delegation_id=delegation_id),
    )
    return _private(make_response(page, 200))


@bp.get("/delegations/<int:delegation_id>/brief/renders/<key>.pdf")
def render_file(delegation_id: int, key: str) -> Response:
    """The finished PDF, with the same headers the synchronous download had."""
    found = _render_record_or_404(delegation_id, key)
    body = rendering.pdf_bytes(key) if found.state == rendering.DONE else None
    if body is None:
        abort(404)
    response = _private(Response(body, content_type="application/pdf"))
    response.headers["Content-Disposition"] = f'inline; filename="{found.filename}"'
    return response


@bp.get("/brief-fonts/<font_file>")
@public  # the shipped open-licence fonts, like the static files; the browser's print view loads them
def font(font_file: str) -> Response:
    """One of the brief's fonts (planner.briefs.fonts.BRIEF_FONTS) from its installed package; 404 for any other name."""
    path = fonts.font_file(font_file, current_app.config.get("BRIEF_FONT_DIR"))
    if path is None:
        abort(404)
    return send_file(path, mimetype="font/otf", max_age=86400)
