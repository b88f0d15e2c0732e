"""Pages of the release workflow: a trip's releases, preparing one, approving and withdrawing it.

Everyone signed in reads, and compares any two approved versions (or the
one in force with the draft) as a chosen reader sees them; planners prepare and withdraw; approving needs the
right to approve on the trip (:func:`planner.teams.access.may_approve`,
403 otherwise). The four-eyes rule itself is the operation's.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.auth.access import editors_only
from planner.delegations import queries as delegation_queries
from planner.editing import Rejected
from planner.extensions import db
from planner.mail import queries as mail_queries
from planner.models import Audience, Release, UserRole
from planner.releases import notifications, operations, queries
from planner.releases.forms import ApprovalForm, CompareForm, PrepareForm
from planner.releases.inputs import CompareInput, WithdrawalInput
from planner.teams.access import may_approve
from planner.web.edit_flow import Page, VersionedActionForm, confirmation_page, edit_page

bp = Blueprint("releases", __name__)


def _releases_url(delegation_id: int) -> str:
    return url_for("releases.index", delegation_id=delegation_id)


def _trip_url(delegation_id: int) -> str:
    return url_for("delegations.show", delegation_id=delegation_id, _anchor="releases-heading")


@bp.get("/delegations/<int:delegation_id>/releases")
def index(delegation_id: int) -> str:
    delegation = delegation_queries.delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    return render_template(
        "releases/index.html",
        delegation=delegation,
        releases=queries.releases_of(delegation_id),
        status=queries.release_status(delegation),
        may_approve=may_approve(current_user, delegation),
        notified=mail_queries.notification_counts(delegation_id),
    )


@bp.get("/delegations/<int:delegation_id>/releases/compare")
def compare(delegation_id: int) -> tuple[str, int]:
    """What changed between two approved versions, or the release in force and the draft, for a chosen reader."""
    delegation = delegation_queries.delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    numbers = queries.approved_numbers(delegation_id)
    form = CompareForm(formdata=request.args, numbers=numbers, members=list(delegation.members))
    changes = None
    status = 200
    if numbers and request.args:
        if form.validate():
            changes = queries.compared(delegation, form.to_input())
        else:
            status = 400
    elif numbers:
        changes = queries.compared(delegation, CompareInput(old=numbers[0], new=None, audience=Audience.TEAM))
    return render_template("releases/compare.html", delegation=delegation, form=form, numbers=numbers, changes=changes), status


@bp.route("/delegations/<int:delegation_id>/releases/new", methods=["GET", "POST"])
@editors_only
def prepare(delegation_id: int) -> Page:
    delegation = delegation_queries.delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    title, pending = delegation.title, queries.pending_release(delegation_id)
    user = current_user._get_current_object()
    return edit_page(
        PrepareForm(),
        record=None,
        save=lambda data: operations.prepare_release(delegation, data, user),
        render=lambda form: render_template(
            "releases/prepare.html", form=form, delegation_id=delegation_id, delegation_title=title, pending=pending
        ),
        done=lambda release: _trip_url(delegation_id),
        saved_message=lambda release: _("Version %(number)s ist zur Freigabe vorbereitet.", number=release.number),
    )


def _approvable(delegation_id: int, number: int) -> Release:
    if not may_approve(current_user, delegation_id):
        abort(403)
    return queries.release_or_404(delegation_id, number)


# Not for editors only: the mayor's office approves with a read-only account holding the trip's
# approve right; _approvable answers 403 to everyone without that right.
@bp.route("/delegations/<int:delegation_id>/releases/<int:number>/approve", methods=["GET", "POST"])
def approve(delegation_id: int, number: int) -> Page:
    release = _approvable(delegation_id, number)
    delegation = release.delegation
    # Worked out now: after a refused approval the session is rolled back and the objects expired.
    page = {
        "delegation_id": delegation_id,
        "delegation_title": delegation.title,
        "number": release.number,
        "note": release.note,
        "prepared_by": release.prepared_by.email if release.prepared_by else None,
        "prepared_at": release.prepared_at,
        "home_zone": delegation.home_timezone,
        "still_prepared": release.state == release.state.PREPARED,
        "own": release.prepared_by_id == current_user.id,
        # Someone who prepared it and is not an admin cannot approve it: the page says so instead of offering the button.
        "blocked": release.prepared_by_id == current_user.id and current_user.role != UserRole.ADMIN,
        "draft_changed": delegation.revision != release.revision,
    }
    user = current_user._get_current_object()
    return edit_page(
        ApprovalForm(),
        record=release,
        # Notifications go out from the job worker once the approval has committed, never from this request.
        save=lambda data: notifications.notify_after_commit(operations.approve_release(release, data, user), request.host_url),
        render=lambda form: render_template("releases/approve.html", form=form, **page),
        done=lambda saved: _trip_url(delegation_id),
        saved_message=lambda saved: _("Version %(number)s ist freigegeben.", number=number),
    )


@bp.get("/delegations/<int:delegation_id>/releases/<int:number>/withdraw")
@editors_only
def confirm_withdraw(delegation_id: int, number: int) -> str:
    release = queries.release_or_404(delegation_id, number)
    return confirmation_page(
        release.delegation,
        heading=_("Version %(number)s zurückziehen?", number=number),
        consequences=[
            _("Die Fassung wird nicht freigegeben; die bisher freigegebene Fassung bleibt gültig."),
            _("Die Nummer %(number)s wird nicht wieder vergeben: Die nächste Fassung bekommt eine neue.", number=number),
        ],
        action=url_for("releases.withdraw", delegation_id=delegation_id, number=number),
        version=release.version,
        button=_("Fassung zurückziehen"),
        cancel_url=_trip_url(delegation_id),
    )


@bp.post("/delegations/<int:delegation_id>/releases/<int:number>/withdraw")
@editors_only
def withdraw(delegation_id: int, number: int) -> Response:
    release = queries.release_or_404(delegation_id, number)
    form = VersionedActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.withdraw_release(release, WithdrawalInput(version=form.version.data), current_user._get_current_object())
        db.session.commit()
    except Rejected as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
    else:
        flash(_("Version %(number)s zurückgezogen.", number=number), "info")
    return redirect(_trip_url(delegation_id))
