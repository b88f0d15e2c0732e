"""Writes of the .ics import: keeping an upload between preview and confirmation, and importing it.

They flush; the request that calls them commits (or rolls back when the import is refused).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from planner.calendar.importing import import_ics
from planner.extensions import db
from planner.models import Delegation, PendingImport, User
from planner.timezones import utc_now

# Uploads nobody confirmed are dropped after this long.
PENDING_LIFETIME = timedelta(hours=24)


def keep_upload(delegation: Delegation, user: User, filename: str, content: bytes) -> PendingImport:
    """Keep an uploaded file for ``user``'s preview and confirmation; drops uploads nobody confirmed."""
    db.session.execute(sa.delete(PendingImport).where(PendingImport.created_at < utc_now() - PENDING_LIFETIME))
    pending = PendingImport(delegation_id=delegation.id, user_id=user.id, filename=filename[:255], content=content)
    db.session.add(pending)
    db.session.flush()
    return pending


def discard_upload(pending: PendingImport) -> None:
    """Forget a kept upload (nothing was imported from it)."""
    db.session.delete(pending)
    db.session.flush()


def import_upload(delegation: Delegation, pending: PendingImport) -> Counter[str]:
    """Import the kept file and forget it, in the caller's transaction.

    Raises :class:`~planner.calendar.importing.ImportRejected` when the file no
    longer fits; the caller rolls back then, so nothing of it stays.
    """
    counts = import_ics(db.session(), delegation, pending.content)
    db.session.delete(pending)
    db.session.flush()
    return counts
