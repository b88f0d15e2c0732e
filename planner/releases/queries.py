"""Reads of the release workflow: a delegation's releases with who prepared and approved them.

The snapshots are left unloaded here (they hold a whole programme); the
pages that list releases need only their numbers, states, people and times.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload

from planner.audiences import Viewer
from planner.extensions import db
from planner.models import Audience, Delegation, Release, ReleaseState
from planner.releases.changes import Change, changes_between
from planner.releases.inputs import CompareInput
from planner.releases.snapshot import materialize

_PEOPLE = (
    selectinload(Release.prepared_by),
    selectinload(Release.approved_by),
    selectinload(Release.withdrawn_by),
    defer(Release.snapshot),
)


def releases_of(delegation_id: int) -> list[Release]:
    """Every release of the delegation, the newest first, withdrawn ones included."""
    return list(
        db.session.scalars(
            sa.select(Release).where(Release.delegation_id == delegation_id).order_by(Release.number.desc()).options(*_PEOPLE)
        )
    )


def current_release(delegation_id: int) -> Release | None:
    """The release in force: the approved one with the highest number (None before the first approval)."""
    return db.session.scalar(
        sa.select(Release)
        .where(Release.delegation_id == delegation_id, Release.state == ReleaseState.APPROVED)
        .order_by(Release.number.desc())
        .limit(1)
        .options(*_PEOPLE)
    )


def pending_release(delegation_id: int) -> Release | None:
    """The release waiting for approval, if there is one (there is at most one)."""
    return db.session.scalar(
        sa.select(Release)
        .where(Release.delegation_id == delegation_id, Release.state == ReleaseState.PREPARED)
        .order_by(Release.number.desc())
        .limit(1)
        .options(*_PEOPLE)
    )


def release_or_404(delegation_id: int, number: int) -> Release:
    """Exactly the release the URL names, in exactly that delegation (404 otherwise)."""
    return db.one_or_404(
        sa.select(Release).where(Release.delegation_id == delegation_id, Release.number == number).options(*_PEOPLE)
    )


def next_number(delegation_id: int) -> int:
    """One more than the highest number given so far, withdrawn releases included (numbers are never reused)."""
    highest = db.session.scalar(sa.select(sa.func.max(Release.number)).where(Release.delegation_id == delegation_id))
    return (highest or 0) + 1


@dataclass(frozen=True)
class ReleaseStatus:
    """What the trip page says about releases: the one in force, whether the draft moved on, the one pending."""

    current: Release | None
    pending: Release | None
    draft_changed: bool
    # What changed in the draft since ``current``, as the planning team reads it (empty when unchanged).
    draft_changes: list[Change] = field(default_factory=list)


def _current_and_pending(delegation_id: int) -> tuple[Release | None, Release | None]:
    """:func:`current_release` and :func:`pending_release` in one query (the trip page shows both)."""
    states = (ReleaseState.APPROVED, ReleaseState.PREPARED)
    newest = (
        sa.select(sa.func.max(Release.number))
        .where(Release.delegation_id == delegation_id, Release.state.in_(states))
        .group_by(Release.state)
    )
    found = {
        release.state: release
        for release in db.session.scalars(
            sa.select(Release)
            .where(Release.delegation_id == delegation_id, Release.state.in_(states), Release.number.in_(newest))
            .options(*_PEOPLE)
        )
    }
    return found.get(ReleaseState.APPROVED), found.get(ReleaseState.PREPARED)


def release_status(delegation: Delegation) -> ReleaseStatus:
    """``delegation`` with its programme loaded (it is compared with the release in force)."""
    current, pending = _current_and_pending(delegation.id)
    draft_changed = current is not None and delegation.revision != current.revision
    changes: list[Change] = []
    if current is not None and draft_changed:
        changes = changes_between(materialize(current.snapshot), delegation, Viewer.team())
    return ReleaseStatus(
        current=current,
        pending=pending,
        draft_changed=draft_changed,
        draft_changes=changes,
    )


@dataclass(frozen=True)
class ReleasedProgramme:
    """A release and its programme rebuilt from the snapshot, for outputs that show the released version."""

    release: Release
    programme: Delegation  # transient: drawn by the renderers like the live trip, never saved


def released_programme(delegation_id: int, number: int | None = None) -> ReleasedProgramme | None:
    """The programme of release ``number`` (an approved one), or of the release in force; None if there is none."""
    if number is None:
        release = current_release(delegation_id)
    else:
        release = db.session.scalar(
            sa.select(Release).where(
                Release.delegation_id == delegation_id, Release.number == number, Release.state == ReleaseState.APPROVED
            )
        )
    if release is None:
        return None
    return ReleasedProgramme(release, materialize(release.snapshot))


def previous_released_programme(delegation_id: int, number: int) -> ReleasedProgramme | None:
    """The approved release before release ``number`` (withdrawn numbers skipped), with its programme; None for the first."""
    release = db.session.scalar(
        sa.select(Release)
        .where(
            Release.delegation_id == delegation_id,
            Release.number < number,
            Release.state == ReleaseState.APPROVED,
        )
        .order_by(Release.number.desc())
        .limit(1)
    )
    if release is None:
        return None
    return ReleasedProgramme(release, materialize(release.snapshot))


def approved_numbers(delegation_id: int) -> list[int]:
    """The numbers of the delegation's approved releases, the newest first."""
    return list(
        db.session.scalars(
            sa.select(Release.number)
            .where(Release.delegation_id == delegation_id, Release.state == ReleaseState.APPROVED)
            .order_by(Release.number.desc())
        )
    )


def compared(delegation: Delegation, data: CompareInput) -> list[Change]:
    """What changed from approved version ``data.old`` to ``data.new`` (None: the live ``delegation``) for the chosen reader.

    ``delegation`` is the live trip with its programme; the versions must be approved
    releases of it (the form offers only those). A member is matched by id in both versions.
    """
    old = released_programme(delegation.id, data.old)
    if old is None:
        raise LookupError(data.old)
    if data.new is None:
        new = delegation
    else:
        newer = released_programme(delegation.id, data.new)
        if newer is None:
            raise LookupError(data.new)
        new = newer.programme
    member = None
    if data.member_id is not None:
        member = next((m for m in delegation.members if m.id == data.member_id), None)
        if member is None:
            raise LookupError(data.member_id)
    viewer = Viewer(data.audience, member) if data.audience is Audience.MEMBER else Viewer(data.audience)
    return changes_between(old.programme, new, viewer)
