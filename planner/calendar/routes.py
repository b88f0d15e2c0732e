"""Calendar downloads, subscription feeds and their management, and .ics import."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from planner.audiences import Viewer
from planner.auth.access import editors_only, public
from planner.calendar import feed_cache, import_jobs, import_operations, import_plan, importing, operations, queries
from planner.calendar.export import Scope, export_calendar
from planner.calendar.forms import ActionForm, ImportForm, NewFeedForm
from planner.calendar.qr import qr_svg
from planner.extensions import db
from planner.models import Audience, Delegation, ImportState, PendingImport
from planner.program import queries as program_queries
from planner.timezones import today_in, utc_now

bp = Blueprint("calendar", __name__)


def _today() -> date:
    return today_in(current_app.config["HOME_TIMEZONE"])


def _delegation_or_404(delegation_id: int) -> Delegation:
    delegation = queries.delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    return delegation


def _download(delegation: Delegation, scope: Scope, viewer: Viewer | None = None) -> BaseResponse:
    exported = export_calendar(delegation, scope, locale=str(get_locale()), today=_today(), viewer=viewer)
    response = feed_cache.ics_response(exported)
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
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
    """A subscription: no login, the secret token is the key. HEAD and conditional GET are answered (see feed_cache)."""
    subscription = queries.feed_state(token)
    response = None
    if subscription is not None:
        # A calendar client holds this link: release notifications then send no .ics along with it.
        # Noted before the body is built, while this request holds no database connection of its own.
        operations.note_fetched(subscription.id, subscription.last_fetched_at, utc_now())
        response = feed_cache.feed_response(subscription, _today())
    if response is None:
        # Plain and identical for unknown, revoked and deleted: nothing to learn from it.
        return Response("Not Found\n", status=404, content_type="text/plain; charset=utf-8")
    return response


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
        for message in [*form.audience.errors, *form.follows.errors]:  # what exactly was wrong, said in words
            flash(str(message), "error")
        return redirect(url_for("calendar.subscriptions", delegation_id=delegation_id))
    member = queries.member_in(delegation, form.member_id.data) if form.member_id.data else None
    operations.issue_feed(delegation, member, current_user, form.locale.data or None, form.chosen_audience, form.chosen_follows)
    db.session.commit()
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
    db.session.commit()
    flash(_("Der Link wurde erneuert. Der alte Link funktioniert nicht mehr."), "info")
    return redirect(url_for("calendar.subscriptions", delegation_id=delegation_id))


@bp.post("/delegations/<int:delegation_id>/subscriptions/<int:feed_id>/revoke")
@editors_only
def revoke_subscription(delegation_id: int, feed_id: int) -> BaseResponse:
    operations.revoke_feed(_feed_or_404(delegation_id, feed_id))
    db.session.commit()
    flash(_("Der Link wurde gesperrt."), "info")
    return redirect(url_for("calendar.subscriptions", delegation_id=delegation_id))


@bp.route("/delegations/<int:delegation_id>/import", methods=["GET", "POST"])
@editors_only
def import_upload(delegation_id: int) -> str | BaseResponse:
    """Step 1: upload. The file is parsed once (here if small, else by the job worker); nothing is imported yet."""
    delegation = _delegation_or_404(delegation_id)
    form = ImportForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(importing.MAX_BYTES + 1)
        filename = upload.filename or "kalender.ics"
        try:
            importing.check_size(data)
            if import_jobs.is_large(data):
                # Never parsed in the request: the job worker does it, the preview URL shows its progress.
                if import_jobs.queue_full():
                    raise importing.ImportRejected(
                        _("Gerade warten zu viele Aufträge. Bitte versuchen Sie es in einer Minute erneut.")
                    )
                pending = import_operations.keep_upload(delegation, current_user, filename, data, str(get_locale()))
            else:
                items = importing.parse_for_delegation(delegation, data)
                importing.plan_import(db.session(), delegation, items)  # refuses UIDs of other trips at once
                pending = import_operations.keep_plan(delegation, current_user, filename, items)
        except importing.ImportRejected as rejected:
            error = rejected.message
        else:
            db.session.commit()
            return redirect(url_for("calendar.import_preview", delegation_id=delegation_id, key=pending.key))
    return render_template(
        "calendar/import_upload.html",
        delegation=delegation,
        form=form,
        error=error,
        limit=importing.MAX_BYTES // (1024 * 1024),
        max_items=importing.MAX_ITEMS,
    )


class _Stale(Exception):
    """The upload is gone (confirmed, discarded, lapsed) or was stored by an older release."""


def _pending_or_404(delegation_id: int, key: str) -> PendingImport:
    """The current user's upload ``key`` of this trip; 404 for anyone else's, :class:`_Stale` when it is gone."""
    pending = queries.pending_import_by_key(key)
    if pending is None or pending.expires_at <= utc_now():
        raise _Stale()
    if pending.user_id != current_user.id or pending.delegation_id != delegation_id:
        abort(404)
    return pending


def _back_to_upload(delegation_id: int, message: str) -> BaseResponse:
    flash(message, "error")
    return redirect(url_for("calendar.import_upload", delegation_id=delegation_id))


def _stale(delegation_id: int) -> BaseResponse:
    return _back_to_upload(
        delegation_id,
        _(
            "Dieser Import ist nicht mehr vorhanden: Er wurde bereits abgeschlossen, verworfen oder ist abgelaufen. "
            "Bitte laden Sie die Datei erneut hoch."
        ),
    )


@bp.get("/delegations/<int:delegation_id>/import/<key>")
@editors_only
def import_preview(delegation_id: int, key: str) -> str | BaseResponse:
    """Step 2: what will be created, updated or left alone (floating times flagged).

    While the job worker parses a large file, this URL shows its progress.
    """
    delegation = _delegation_or_404(delegation_id)
    try:
        pending = _pending_or_404(delegation_id, key)
    except _Stale:
        return _stale(delegation_id)
    if pending.state in (ImportState.QUEUED, ImportState.RUNNING, ImportState.IMPORTING):
        return _import_progress(delegation, pending)
    if pending.state == ImportState.IMPORTED:
        counts = dict(pending.counts or {})
        import_operations.discard_upload(pending)
        db.session.commit()
        return _imported(delegation_id, counts)
    if pending.state == ImportState.FAILED:
        message = pending.error or _("Die Datei konnte nicht gelesen werden.")
        import_operations.discard_upload(pending)
        db.session.commit()
        return _back_to_upload(delegation_id, message)
    try:
        items = importing.plan_import(db.session(), delegation, import_plan.load(pending.plan))
    except import_plan.StalePlan:
        import_operations.discard_upload(pending)
        db.session.commit()
        return _stale(delegation_id)
    except importing.ImportRejected as rejected:
        import_operations.discard_upload(pending)
        db.session.commit()
        return _back_to_upload(delegation_id, rejected.message)
    return render_template("calendar/import_preview.html", delegation=delegation, pending=pending, items=items, form=ActionForm())


def _import_progress(delegation: Delegation, pending: PendingImport) -> BaseResponse:
    """The page that refreshes itself while the job worker parses the file (as a PDF render's progress page does)."""
    waited = (utc_now() - pending.created_at).total_seconds()
    stalled = pending.state == ImportState.QUEUED and waited > float(current_app.config["JOB_STALL_SECONDS"])
    page = render_template(
        "calendar/import_progress.html", delegation=delegation, pending=pending, waited=int(waited), stalled=stalled
    )
    response = make_response(page, 200)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/delegations/<int:delegation_id>/import/<key>/confirm")
@editors_only
def import_confirm(delegation_id: int, key: str) -> BaseResponse:
    """Step 3: import the stored plan as one transaction, matched against the database again.

    A file that no longer fits (a UID taken meanwhile) imports nothing.
    """
    delegation = _delegation_or_404(delegation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        pending = _pending_or_404(delegation_id, key)
    except _Stale:
        return _stale(delegation_id)
    if pending.state != ImportState.READY:
        # Still being parsed or written (or refused): the preview URL shows where it stands.
        return redirect(url_for("calendar.import_preview", delegation_id=delegation_id, key=key))
    try:
        if import_jobs.writes_on_queue(len(import_plan.load(pending.plan))):
            import_operations.queue_import(pending, str(get_locale()))
            db.session.commit()
            return redirect(url_for("calendar.import_preview", delegation_id=delegation_id, key=key))
        counts = import_operations.import_upload(delegation, pending)
        db.session.commit()
    except import_plan.StalePlan:
        db.session.rollback()
        return _stale(delegation_id)
    except importing.ImportRejected as rejected:
        db.session.rollback()  # the kept plan stays, for another try
        return _back_to_upload(delegation_id, rejected.message)
    return _imported(delegation_id, counts)


def _imported(delegation_id: int, counts: Mapping[str, int]) -> BaseResponse:
    flash(
        _(
            "Import abgeschlossen: %(created)d neu, %(updated)d aktualisiert, %(unchanged)d unverändert.",
            created=counts.get("created", 0),
            updated=counts.get("updated", 0),
            unchanged=counts.get("unchanged", 0),
        ),
        "info",
    )
    return redirect(url_for("delegations.show", delegation_id=delegation_id))


@bp.post("/delegations/<int:delegation_id>/import/<key>/discard")
@editors_only
def import_discard(delegation_id: int, key: str) -> BaseResponse:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        pending = _pending_or_404(delegation_id, key)
    except _Stale:
        return _stale(delegation_id)
    if pending.state in (ImportState.IMPORTING, ImportState.IMPORTED):
        # Too late to discard: the preview URL shows the import's progress or outcome.
        return redirect(url_for("calendar.import_preview", delegation_id=delegation_id, key=key))
    import_operations.discard_upload(pending)
    db.session.commit()
    flash(_("Import verworfen; es wurde nichts geändert."), "info")
    return redirect(url_for("delegations.show", delegation_id=delegation_id))
