"""Writes of the .ics import: keeping an upload between preview and confirmation, and importing it.

Like every operation these flush and never commit (see :mod:`planner.editing`):
the import views commit once the whole step has succeeded.
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
    """Keep an uploaded file for its preview (flushed, so its ``key`` is set); drops expired uploads."""
    db.session.execute(sa.delete(PendingImport).where(PendingImport.created_at < utc_now() - PENDING_LIFETIME))
    pending = PendingImport(delegation_id=delegation.id, user_id=user.id, filename=filename[:255], content=content)
    db.session.add(pending)
    db.session.flush()
    return pending


def discard_upload(pending: PendingImport) -> None:
    """Forget a kept upload."""
    db.session.delete(pending)
    db.session.flush()


def import_upload(delegation: Delegation, pending: PendingImport) -> Counter[str]:
    """Import the kept file and forget it, in the caller's transaction.

    Raises :class:`~planner.calendar.importing.ImportRejected`; nothing of the
    import is then in the session (:func:`import_ics` undoes its savepoint).
    """
    counts = import_ics(db.session(), delegation, pending.content)
    db.session.delete(pending)
    db.session.flush()
    return counts
