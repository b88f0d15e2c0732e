"""Released versions of a delegation's programme: prepared, approved by a second person, then frozen.

A release is numbered per delegation (1, 2, ...; a withdrawn number is not
used again, so "Version 4" always means one thing). It holds a snapshot of
what the outputs show, taken when it is prepared, and the delegation's
revision at that moment, so the trip page can say whether the draft has
changed since.

Once approved a release is a record of what was released: a flush-time rule
(:func:`_keep_approved_releases`) refuses any change to what it says and who
said it, and any delete, whichever write path tries.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, VersionedMixin, enum_column
from planner.models.delegations import Delegation
from planner.models.users import User
from planner.timezones import utc_now


class ReleaseState(enum.StrEnum):
    PREPARED = "prepared"  # waiting for approval; at most one per delegation
    APPROVED = "approved"  # released and frozen
    WITHDRAWN = "withdrawn"  # taken back before approval; its number stays used


class FrozenRelease(Exception):
    """A write tried to change or delete an approved release."""


# What an approved release says and who said it: never changed after the approval.
FROZEN_FIELDS = frozenset(
    {
        "delegation_id",
        "number",
        "state",
        "snapshot",
        "revision",
        "prepared_by_id",
        "prepared_at",
        "approved_by_id",
        "approved_at",
        "approval_reason",
        "withdrawn_by_id",
        "withdrawn_at",
    }
)


class Release(VersionedMixin, Base):
    __tablename__ = "releases"
    __table_args__ = (sa.UniqueConstraint("delegation_id", "number"),)
    # The change history names the release by its number and the acting user; the snapshot and
    # the user columns would only repeat that (or fill the history with the whole programme).
    HISTORY_OMITS: ClassVar[frozenset[str]] = frozenset(
        {"snapshot", "delegation_id", "prepared_by_id", "prepared_at", "approved_by_id", "approved_at"}
        | {"withdrawn_by_id", "withdrawn_at"}
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    # active_history: the rule below must know the saved state even when the row was expired.
    state: Mapped[ReleaseState] = enum_column(ReleaseState, default=ReleaseState.PREPARED, active_history=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # Delegation.revision when the snapshot was taken: a higher one now means the draft changed since.
    revision: Mapped[int] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.Text)
    prepared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Required when an admin approves a release they prepared themselves (a one-person office).
    approval_reason: Mapped[str | None] = mapped_column(sa.Text)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # No collection on Delegation: adding a release must not count as a change of the trip's draft.
    delegation: Mapped[Delegation] = relationship()
    prepared_by: Mapped[User | None] = relationship(foreign_keys=[prepared_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    def __repr__(self) -> str:
        return f"<Release {self.number} of {self.delegation_id} {self.state}>"


def _saved_state(release: Release) -> ReleaseState | None:
    """The state the release has in the database (before this flush's changes)."""
    release.state  # noqa: B018  (loads it if expired, so the history below knows it)
    history = sa.inspect(release).attrs["state"].history
    if history.deleted:
        return ReleaseState(history.deleted[0])
    if history.unchanged:
        return ReleaseState(history.unchanged[0])
    return None


@sa.event.listens_for(Session, "before_flush")
def _keep_approved_releases(session: Session, _flush_context: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, Release) and _saved_state(obj) == ReleaseState.APPROVED:
            state = sa.inspect(obj)
            changed = sorted(name for name in FROZEN_FIELDS if state.attrs[name].history.has_changes())
            if changed:
                raise FrozenRelease(f"release {obj.number} of delegation {obj.delegation_id} is approved: {changed}")
    for obj in session.deleted:
        if isinstance(obj, Release) and _saved_state(obj) == ReleaseState.APPROVED:
            raise FrozenRelease(f"release {obj.number} of delegation {obj.delegation_id} is approved and cannot be deleted")
