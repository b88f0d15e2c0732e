"""Writes of the release workflow: prepare a release, approve it, withdraw it.

The four-eyes rule lives here, so every caller obeys it: the person who
approves a release is not the one who prepared it, except an admin (a
one-person office), who must then give a reason that is kept with the
release. Operations take the acting user as an argument (they never read the
request), flush and never commit; the history records each step at flush.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from planner.editing import EditConflict, Rejected, ensure_version, flush_edit, optional_text
from planner.extensions import db
from planner.models import Delegation, Release, ReleaseState, User, UserRole
from planner.releases import queries
from planner.releases.inputs import ApprovalInput, PrepareInput, WithdrawalInput
from planner.releases.snapshot import capture
from planner.teams.access import may_approve
from planner.timezones import utc_now


def prepare_release(delegation: Delegation, data: PrepareInput, preparer: User) -> Release:
    """A new prepared release of ``delegation``'s draft as it is now, with the next number.

    Refused while another release waits for approval: approving one of two
    pending versions would leave the other one's meaning unclear.
    """
    pending = queries.pending_release(delegation.id)
    if pending is not None:
        raise Rejected(
            "note",
            _(
                "Version %(number)s wartet schon auf Freigabe. Bitte diese erst freigeben oder zurückziehen.",
                number=pending.number,
            ),
        )
    release = Release(
        delegation=delegation,
        number=queries.next_number(delegation.id),
        state=ReleaseState.PREPARED,
        snapshot=capture(delegation),
        revision=delegation.revision,
        note=optional_text(data.note),
        prepared_by_id=preparer.id,
        prepared_at=utc_now(),
    )
    db.session.add(release)
    try:
        db.session.flush()
    except IntegrityError:  # someone prepared the same number in the same moment
        raise Rejected("note", _("Gerade wurde eine andere Fassung vorbereitet. Bitte die Seite neu laden.")) from None
    return release


def _still_prepared(release: Release, version: int | None, field: str) -> None:
    try:
        ensure_version(release, version)
    except EditConflict:
        raise Rejected(field, _("Die Fassung wurde inzwischen freigegeben oder zurückgezogen.")) from None
    if release.state != ReleaseState.PREPARED:
        raise Rejected(field, _("Die Fassung wurde inzwischen freigegeben oder zurückgezogen."))


def _flush(release: Release, field: str) -> None:
    try:
        flush_edit(release)
    except EditConflict:  # lost the race against another approval or withdrawal of the same release
        raise Rejected(field, _("Die Fassung wurde inzwischen freigegeben oder zurückgezogen.")) from None


def approve_release(release: Release, data: ApprovalInput, approver: User) -> Release:
    """Approve a prepared release: it becomes the released version and is frozen from now on."""
    _still_prepared(release, data.version, "reason")
    if not may_approve(approver, release.delegation):
        raise Rejected("reason", _("Sie dürfen Fassungen dieser Reise nicht freigeben."))
    reason = optional_text(data.reason)
    if release.prepared_by_id == approver.id:
        if approver.role != UserRole.ADMIN:
            raise Rejected(
                "reason",
                _("Sie haben diese Fassung selbst vorbereitet. Freigeben muss sie eine zweite Person mit Freigaberecht."),
            )
        if reason is None:
            raise Rejected("reason", _("Wer eine selbst vorbereitete Fassung freigibt, muss dafür einen Grund angeben."))
    release.state = ReleaseState.APPROVED
    release.approved_by_id = approver.id
    release.approved_at = utc_now()
    release.approval_reason = reason
    _flush(release, "reason")
    return release


def withdraw_release(release: Release, data: WithdrawalInput, withdrawer: User) -> Release:
    """Take a prepared release back; its number stays used, so the next release gets a new one."""
    _still_prepared(release, data.version, "version")
    release.state = ReleaseState.WITHDRAWN
    release.withdrawn_by_id = withdrawer.id
    release.withdrawn_at = utc_now()
    _flush(release, "version")
    return release
