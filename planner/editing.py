"""The rules every write obeys, whoever calls it (a page, the importer, the seed loader, a command).

Transaction rule (as in Indico): **operations flush, the caller commits.** An
operation takes a typed input, changes the records, and ends with
:func:`flush_edit`, which sends the changes to the database and turns a lost
race on a version column into an :class:`EditConflict`. The web edit flow
(:mod:`planner.web.edit_flow`) or the command that called the operation then
commits once, so an import of 300 appointments is one transaction and a
refused save leaves nothing behind.

Optimistic locking: every edit form carries the ``version`` of the record it
was opened with. :func:`ensure_version` compares it with the record's current
version; a mismatch (another planner saved in between) raises
:class:`EditConflict`, and the page shows both versions side by side instead of
overwriting anything. The UPDATE itself also carries ``WHERE version = ...``
(see VersionedMixin), which catches the race where both saves pass the check
at the same moment; :func:`flush_edit` reports that one the same way.

A rule that involves other records (a duplicate name, the last admin) is
refused with :class:`Rejected`, naming the input field to blame, so every
caller can show the message where it belongs. Several records from the rows
of one form are saved with :func:`save_rows`, which names the row of a refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from planner.extensions import db
from planner.timezones import utc_now

T = TypeVar("T")
R = TypeVar("R")


class EditConflict(Exception):
    """Someone else saved the record after this form was opened."""

    def __init__(self, obj: Any) -> None:
        # The key from the identity map, not obj.id: after a rollback the attributes are expired,
        # and reading them would query a row that may have been deleted meanwhile.
        state = sa.inspect(obj, raiseerr=False)
        key = ", ".join(map(str, state.identity)) if state is not None and state.identity else "?"
        super().__init__(f"{type(obj).__name__} {key} changed meanwhile")
        self.obj = obj


class Rejected(Exception):
    """The input breaks a rule; ``field`` names the input field to blame, ``message`` says why (translated)."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Row(Generic[T]):
    """One filled row of a form with several rows: its position there (from 0) and its typed input."""

    index: int
    data: T


def save_rows(field: str, rows: Iterable[Row[T]], save: Callable[[T], R]) -> list[R]:
    """Save each row with ``save``, in order; all or nothing, as the caller commits once.

    A :class:`Rejected` row is re-raised naming the field in its row (``legs-1-city_id``
    for ``field`` "legs"), so the form shows the message at that row.
    """
    saved = []
    for row in rows:
        try:
            saved.append(save(row.data))
        except Rejected as refusal:
            raise Rejected(f"{field}-{row.index}-{refusal.field}", refusal.message) from refusal
    return saved


def optional_text(value: str | None) -> str | None:
    """Text as stored: surrounding blanks trimmed, empty input as NULL."""
    value = (value or "").strip()
    return value or None


def ensure_version(obj: Any, submitted: int | None) -> None:
    """Raise :class:`EditConflict` unless ``submitted`` is the version ``obj`` has now."""
    if submitted is None or submitted != obj.version:
        raise EditConflict(obj)


def record_to_save(record: T | None, version: int | None, new: Callable[[], T]) -> T:
    """The record a save writes to: ``new()`` added to the session, or ``record`` if ``version`` is still current."""
    if record is None:
        created = new()
        db.session.add(created)
        return created
    ensure_version(record, version)
    return record


def delete_edited(record: Any, version: int | None) -> None:
    """Delete ``record`` if ``version`` is still current (EditConflict otherwise, also for a lost race)."""
    ensure_version(record, version)
    db.session.delete(record)
    flush_edit(record)


def trash_edited(record: Any, version: int | None) -> None:
    """Move ``record`` to the trash if ``version`` is still current (EditConflict otherwise).

    The row stays with everything that points to it; the global rule in
    :mod:`planner.models.trash` hides it, and :func:`restore_trashed` brings it back.
    """
    ensure_version(record, version)
    record.deleted_at = utc_now()
    flush_edit(record)


def restore_trashed(record: Any) -> None:
    """Take ``record`` out of the trash, as it was when it went in."""
    record.deleted_at = None
    flush_edit(record)


def flush_edit(obj: Any) -> None:
    """Flush, turning a lost race on the version column into an :class:`EditConflict`.

    Whoever owns the transaction rolls it back then (the edit flow does, a
    SAVEPOINT's ``with`` block does for its part), so nothing of the refused
    save stays; the edit flow reloads by id (404 if the record was deleted meanwhile).
    """
    try:
        db.session.flush()
    except StaleDataError:
        raise EditConflict(obj) from None
