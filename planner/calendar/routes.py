"""Calendar downloads, subscription feeds and their management, and .ics import."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from planner.audiences import Viewer
from planner.auth.access import editors_only, public
from planner.calendar import feed_cache, import_operations, importing, operations, queries
from planner.calendar.export import Scope, export_calendar
from planner.calendar.forms import ActionForm, ImportForm, NewFeedForm
from planner.calendar.qr import qr_svg
from planner.extensions import db
from planner.models import Audience, Delegation, PendingImport
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
        db.session.commit()
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
        db.session.commit()
    except importing.ImportRejected as rejected:
        db.session.rollback()  # the kept upload stays, for another try
        flash(rejected.message, "error")
        return redirect(url_for("calendar.import_upload", delegation_id=delegation_id))
    db.session.commit()
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
    db.session.commit()
    flash(_("Import verworfen; es wurde nichts geändert."), "info")
    return redirect(url_for("delegations.show", delegation_id=delegation_id))
