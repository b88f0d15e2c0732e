"""Writes of the .ics import: keeping an upload's parsed items between preview and confirmation, and importing them.

An upload is parsed once: a small file in the upload request, a large one by
the job worker (:mod:`planner.calendar.import_jobs`). The parsed items (the
plan, :mod:`planner.calendar.import_plan`) are kept in the upload's row; the
preview and the confirmation read them from there and only match them against
the database again.

Like every operation these flush and never commit (see :mod:`planner.editing`):
the import views and the job commit once the whole step has succeeded.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from planner.calendar import import_plan
from planner.calendar.importing import ImportItem, import_items
from planner.extensions import db
from planner.jobs import jobs
from planner.models import Delegation, ImportState, PendingImport, User
from planner.models.calendar import IMPORT_LIFETIME
from planner.timezones import utc_now

log = logging.getLogger(__name__)

# Uploads nobody confirmed are dropped after this long.
PENDING_LIFETIME = IMPORT_LIFETIME
# The jobs of planner.calendar.import_jobs, enqueued by name (that module imports this one).
PARSE_IMPORT = "parse_import"
WRITE_IMPORT = "write_import"
_TO_ENQUEUE = "planner.calendar.import_jobs_to_enqueue"


def _enqueue_after_commit(task: str, pending_id: int, locale: str) -> None:
    # The worker must find the row as committed: enqueued only after the caller's commit (nothing after a rollback).
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    db.session().info.setdefault(_TO_ENQUEUE, []).append((app, task, pending_id, locale))


def _new(delegation: Delegation, user: User, filename: str, **values: object) -> PendingImport:
    now = utc_now()
    # Whoever uploads next clears what has lapsed: no separate clean-up job to forget.
    db.session.execute(sa.delete(PendingImport).where(PendingImport.expires_at < now))
    pending = PendingImport(
        delegation_id=delegation.id,
        user_id=user.id,
        filename=filename[:255],
        created_at=now,
        expires_at=now + PENDING_LIFETIME,
        **values,
    )
    db.session.add(pending)
    db.session.flush()
    return pending


def keep_upload(delegation: Delegation, user: User, filename: str, content: bytes, locale: str = "de") -> PendingImport:
    """Keep a file for the job worker to parse (state QUEUED; flushed, so ``key`` is set); drops expired uploads.

    The parse is enqueued once the caller commits (the worker must find the
    row; nothing is enqueued after a rollback); its messages are in ``locale``.
    """
    pending = _new(delegation, user, filename, content=content, state=ImportState.QUEUED)
    _enqueue_after_commit(PARSE_IMPORT, pending.id, locale)
    return pending


def queue_import(pending: PendingImport, locale: str = "de") -> None:
    """Confirmed: the job worker writes the kept items (state IMPORTING), enqueued once the caller commits."""
    pending.state = ImportState.IMPORTING
    db.session.flush()
    _enqueue_after_commit(WRITE_IMPORT, pending.id, locale)


@sa.event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    waiting: list[tuple[Any, str, int, str]] = session.info.pop(_TO_ENQUEUE, [])
    for app, task, pending_id, locale in waiting:
        try:
            jobs(app).enqueue(task, pending_id, locale)
        except Exception:  # the queue is down: the progress page says the worker has not taken it
            log.exception("could not put upload %s on the job queue", pending_id)


@sa.event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_TO_ENQUEUE, None)


def keep_plan(delegation: Delegation, user: User, filename: str, items: Iterable[ImportItem]) -> PendingImport:
    """Keep the parsed items of a file for its preview (state READY; flushed); drops expired uploads."""
    return _new(delegation, user, filename, content=None, state=ImportState.READY, plan=import_plan.dump(items))


def start_parsing(pending: PendingImport) -> None:
    """The job worker has taken the upload."""
    pending.state = ImportState.RUNNING
    db.session.flush()


def store_plan(pending: PendingImport, items: Iterable[ImportItem]) -> None:
    """The file is parsed: keep its items and forget the file."""
    pending.plan = import_plan.dump(items)
    pending.content = None
    pending.state = ImportState.READY
    db.session.flush()


def store_refusal(pending: PendingImport, message: str) -> None:
    """The file cannot be imported: keep why (for the uploader's progress page) and forget the file."""
    pending.error = message
    pending.content = None
    pending.state = ImportState.FAILED
    db.session.flush()


def discard_upload(pending: PendingImport) -> None:
    """Forget a kept upload."""
    db.session.delete(pending)
    db.session.flush()


def write_kept(delegation: Delegation, pending: PendingImport) -> Counter[str]:
    """The job worker's import of the kept items: like :func:`import_upload`, but the row stays, IMPORTED with its counts."""
    counts = import_items(db.session(), delegation, import_plan.load(pending.plan))
    pending.state = ImportState.IMPORTED
    pending.counts = dict(counts)
    pending.plan = None
    db.session.flush()
    return counts


def import_upload(delegation: Delegation, pending: PendingImport) -> Counter[str]:
    """Import the kept items (matched against the database again, not parsed again) and forget them.

    In the caller's transaction. Raises
    :class:`~planner.calendar.importing.ImportRejected` (nothing of the import
    is then in the session) and :class:`~planner.calendar.import_plan.StalePlan`.
    """
    counts = import_items(db.session(), delegation, import_plan.load(pending.plan))
    db.session.delete(pending)
    db.session.flush()
    return counts
