"""Calendar downloads, subscription feeds and their management, and .ics import."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime
from threading import Lock

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from planner.audiences import Viewer
from planner.auth.access import editors_only, public
from planner.calendar import import_operations, importing, operations, queries
from planner.calendar.export import ExportedCalendar, Scope, export_calendar
from planner.calendar.forms import ActionForm, ImportForm, NewFeedForm
from planner.calendar.qr import qr_svg
from planner.extensions import db
from planner.models import Audience, Delegation, PendingImport
from planner.program import queries as program_queries
from planner.timezones import to_local, utc_now

bp = Blueprint("calendar", __name__)

ICS_MIMETYPE = "text/calendar"


def _today() -> date:
    return to_local(utc_now(), current_app.config["HOME_TIMEZONE"]).date()


def _delegation_or_404(delegation_id: int) -> Delegation:
    delegation = queries.delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    return delegation


def _download(delegation: Delegation, scope: Scope, viewer: Viewer | None = None) -> BaseResponse:
    exported = export_calendar(delegation, scope, locale=str(get_locale()), today=_today(), viewer=viewer)
    response = _ics_response(exported)
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


def _ics_response(exported: ExportedCalendar) -> Response:
    response = Response(exported.body, content_type=f"{ICS_MIMETYPE}; charset=utf-8")
    response.last_modified = exported.last_modified
    response.add_etag()  # a hash of the body: stable while nothing changes
    return response


@bp.get("/delegations/<int:delegation_id>/calendar.ics")
def delegation_ics(delegation_id: int) -> BaseResponse:
    return _download(_delegation_or_404(delegation_id), Scope())


@bp.get("/delegations/<int:delegation_id>/members/<int:member_id>/calendar.ics")
def member_ics(delegation_id: int, member_id: int) -> BaseResponse:
    delegation = _delegation_or_404(delegation_id)
    member = queries.member_in(delegation, member_id)
    if member is None:
        abort(404)
    # The member's own calendar, as their subscription gives it: the member audience with their briefings.
    return _download(delegation, Scope(member=member), Viewer(Audience.MEMBER, member))


@bp.get("/delegations/<int:delegation_id>/days/<day>/calendar.ics")
def day_ics(delegation_id: int, day: str) -> BaseResponse:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    return _download(_delegation_or_404(delegation_id), Scope(day=parsed))


@bp.get("/delegations/<int:delegation_id>/appointments/<int:appointment_id>/calendar.ics")
def appointment_ics(delegation_id: int, appointment_id: int) -> BaseResponse:
    # The appointment with its delegation, not the whole trip: the calendar holds this one event.
    appointment = program_queries.appointment_or_404(delegation_id, appointment_id)
    return _download(appointment.delegation, Scope(appointment=appointment))


@bp.get("/feeds/<token>.ics")
@public
def feed(token: str) -> BaseResponse:
    """A subscription: no login, the secret token is the key. HEAD and conditional GET are answered.

    Calendar apps poll every hour and nearly always hold the current ETag.
    The answer to such a poll is found without building the calendar: one
    query finds the feed and reads everything its body depends on (see
    :func:`queries.feed_state`), and if this worker has built the feed
    for exactly that state before, it knows the ETag and Last-Modified the
    body had and answers 304 with the same headers. Anything else builds
    the calendar as before.
    """
    subscription = queries.feed_state(token)
    if subscription is None:
        # Plain and identical for unknown and revoked tokens: nothing to learn from it.
        return Response("Not Found\n", status=404, content_type="text/plain; charset=utf-8")
    today = _today()
    # The root URL as its parts (it is a function of them): building the string costs more than the rest of the key.
    key = (
        subscription.id,
        token,
        subscription.member_id,
        subscription.locale,
        subscription.audience,
        request.scheme,
        request.host,
        request.root_path,
        subscription.with_today(today),
    )
    known = _built_feeds().get(key)
    if known is not None:
        etag, last_modified, filename = known
        unchanged = Response(b"", content_type=f"{ICS_MIMETYPE}; charset=utf-8")
        unchanged.last_modified = last_modified
        unchanged.set_etag(etag)
        conditional = _feed_headers(unchanged, filename).make_conditional(request)
        if conditional.status_code == 304:
            return conditional
    delegation = queries.delegation_with_programme(subscription.delegation_id)
    if delegation is None:  # deleted since the token was read (the token row goes with it): gone, not an error
        return Response("Not Found\n", status=404, content_type="text/plain; charset=utf-8")
    member = queries.feed_member(delegation, subscription.member_id)
    exported = export_calendar(
        delegation,
        Scope(member=member),
        locale=subscription.locale,
        today=today,
        source_url=url_for("calendar.feed", token=token, _external=True),
        viewer=Viewer(subscription.audience, member),
    )
    response = _feed_headers(_ics_response(exported), exported.filename)
    # The validator was read before the build: if the data changed in between, this entry is for a state
    # that is already gone and will not be looked up again.
    built_etag = response.get_etag()[0]
    if built_etag is not None:  # _feed_headers always sets one; without it there would be nothing to match
        _built_feeds().put(key, (built_etag, exported.last_modified, exported.filename))
    return response.make_conditional(request)


def _feed_headers(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # The URL is a secret: shared caches must not keep it; clients revalidate with the ETag.
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["X-Robots-Tag"] = "noindex"
    return response


class _BuiltFeeds:
    """ETag, Last-Modified and file name of feeds this worker built, by the state they were built from.

    Small (a few hundred entries of three short values, oldest dropped
    first) and per worker: another worker simply builds the feed once.
    """

    LIMIT = 512

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, tuple[str, datetime, str]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple) -> tuple[str, datetime, str] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple[str, datetime, str]) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.LIMIT:
                self._entries.popitem(last=False)


def _built_feeds() -> _BuiltFeeds:
    return current_app.extensions.setdefault("planner_built_feeds", _BuiltFeeds())


@bp.get("/delegations/<int:delegation_id>/subscriptions")
@editors_only
def subscriptions(delegation_id: int) -> str:
    delegation = _delegation_or_404(delegation_id)
    feeds = queries.feeds_of(delegation_id)
    form = NewFeedForm()
    form.member_id.choices = _member_choices(delegation)
    links = {feed.id: _feed_links(feed.token) for feed in feeds}
    return render_template(
        "calendar/subscriptions.html",
        delegation=delegation,
        feeds=feeds,
        links=links,
        form=form,
        action_form=ActionForm(),
        qr_svg=qr_svg,
    )


def _member_choices(delegation: Delegation) -> list[SelectChoice]:
    return [SelectChoice(0, _("Ganze Delegation"))] + [SelectChoice(m.id, m.person.display_name) for m in delegation.members]


def _feed_links(token: str) -> dict[str, str]:
    https = url_for("calendar.feed", token=token, _external=True)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@bp.post("/delegations/<int:delegation_id>/subscriptions")
@editors_only
def create_subscription(delegation_id: int) -> BaseResponse:
    delegation = _delegation_or_404(delegation_id)
    form = NewFeedForm()
    form.member_id.choices = _member_choices(delegation)
    if not form.validate_on_submit():
        flash(_("Das Abonnement konnte nicht angelegt werden. Bitte prüfen Sie die Auswahl."), "error")
        for message in form.audience.errors:  # what exactly was wrong with the choice, said in words
            flash(str(message), "error")
        return redirect(url_for("calendar.subscriptions", delegation_id=delegation_id))
    member = queries.member_in(delegation, form.member_id.data) if form.member_id.data else None
    operations.issue_feed(delegation, member, current_user, form.locale.data, form.chosen_audience)
    flash(_("Neuer Abonnement-Link angelegt."), "info")
    return redirect(url_for("calendar.subscriptions", delegation_id=delegation_id))


def _feed_or_404(delegation_id: int, feed_id: int):
    feed = queries.feed_in(delegation_id, feed_id)
    if feed is None or feed.revoked_at is not None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    return feed


@bp.post("/delegations/<int:delegation_id>/subscriptions/<int:feed_id>/rotate")
@editors_only
def rotate_subscription(delegation_id: int, feed_id: int) -> BaseResponse:
    operations.rotate_feed(_feed_or_404(delegation_id, feed_id), current_user)
    flash(_("Der Link wurde erneuert. Der alte Link funktioniert nicht mehr."), "info")
    return redirect(url_for("calendar.subscriptions", delegation_id=delegation_id))


@bp.post("/delegations/<int:delegation_id>/subscriptions/<int:feed_id>/revoke")
@editors_only
def revoke_subscription(delegation_id: int, feed_id: int) -> BaseResponse:
    operations.revoke_feed(_feed_or_404(delegation_id, feed_id))
    flash(_("Der Link wurde gesperrt."), "info")
    return redirect(url_for("calendar.subscriptions", delegation_id=delegation_id))


@bp.route("/delegations/<int:delegation_id>/import", methods=["GET", "POST"])
@editors_only
def import_upload(delegation_id: int) -> str | BaseResponse:
    """Step 1: upload. Nothing is imported yet; the file waits for the preview."""
    delegation = _delegation_or_404(delegation_id)
    form = ImportForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(importing.MAX_BYTES + 1)
        try:
            importing.plan_import(db.session(), delegation, importing.parse_for_delegation(delegation, data))
        except importing.ImportRejected as rejected:
            error = rejected.message
        else:
            pending = import_operations.keep_upload(delegation, current_user, upload.filename or "kalender.ics", data)
            return redirect(url_for("calendar.import_preview", delegation_id=delegation_id, key=pending.key))
    return render_template(
        "calendar/import_upload.html",
        delegation=delegation,
        form=form,
        error=error,
        limit=importing.MAX_BYTES // (1024 * 1024),
        max_items=importing.MAX_ITEMS,
    )


def _pending_or_404(delegation_id: int, key: str) -> PendingImport:
    pending = queries.pending_import(delegation_id, key, current_user.id)
    if pending is None:
        abort(404)
    return pending


@bp.get("/delegations/<int:delegation_id>/import/<key>")
@editors_only
def import_preview(delegation_id: int, key: str) -> str | BaseResponse:
    """Step 2: what will be created, updated or left alone; floating times flagged."""
    delegation = _delegation_or_404(delegation_id)
    pending = _pending_or_404(delegation_id, key)
    try:
        items = importing.plan_import(db.session(), delegation, importing.parse_for_delegation(delegation, pending.content))
    except importing.ImportRejected as rejected:
        flash(rejected.message, "error")
        import_operations.discard_upload(pending)
        return redirect(url_for("calendar.import_upload", delegation_id=delegation_id))
    return render_template("calendar/import_preview.html", delegation=delegation, pending=pending, items=items, form=ActionForm())


@bp.post("/delegations/<int:delegation_id>/import/<key>/confirm")
@editors_only
def import_confirm(delegation_id: int, key: str) -> BaseResponse:
    """Step 3: import as one transaction; a file that no longer fits imports nothing."""
    delegation = _delegation_or_404(delegation_id)
    pending = _pending_or_404(delegation_id, key)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        counts = import_operations.import_upload(delegation, pending)
    except importing.ImportRejected as rejected:
        flash(rejected.message, "error")
        return redirect(url_for("calendar.import_upload", delegation_id=delegation_id))
    flash(
        _(
            "Import abgeschlossen: %(created)d neu, %(updated)d aktualisiert, %(unchanged)d unverändert.",
            created=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
        ),
        "info",
    )
    return redirect(url_for("delegations.show", delegation_id=delegation_id))


@bp.post("/delegations/<int:delegation_id>/import/<key>/discard")
@editors_only
def import_discard(delegation_id: int, key: str) -> BaseResponse:
    pending = _pending_or_404(delegation_id, key)
    if not ActionForm().validate_on_submit():
        abort(400)
    import_operations.discard_upload(pending)
    flash(_("Import verworfen; es wurde nichts geändert."), "info")
    return redirect(url_for("delegations.show", delegation_id=delegation_id))
