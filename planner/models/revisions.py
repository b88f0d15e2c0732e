"""Revision counters, maintained for every write path at flush time.

Two counters exist:

* ``Appointment.revision`` / ``Journey.revision`` become the iCalendar
  SEQUENCE. RFC 5545 wants it raised when a change is significant to the
  attendee (time, place, status), so only those columns count.
* ``Delegation.revision`` is raised once per flush that changes the
  delegation or anything that belongs to it; caches and feed validators key
  on it.

A third, ``version`` (optimistic locking, :class:`VersionedMixin`), is raised
here too, when a record's *own* data changes: its columns and its
many-to-many lists (attendees), but not the bookkeeping columns and not the
child collections, so adding an appointment does not make an open edit form
of the delegation stale.

Doing this in a ``before_flush`` hook rather than in each operation means a
new write path (an import, a CLI command, a migration script) cannot forget
it, which would leave calendar clients showing a stale time.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstanceState, Session

from planner.models.base import VersionedMixin
from planner.models.delegations import Delegation, Leg, Member
from planner.models.followups import FollowUp
from planner.models.program import Appointment, Journey
from planner.models.protocol import ProtocolParticipant, SeatingPlan
from planner.models.rooms import NightOverride, Room
from planner.models.transport import Transfer, Vehicle

# What belongs to a trip. The rooms, nights and vehicles count although no calendar shows them: the
# printed sheets (rooming list, vehicle plan, the brief's seating plans) stamp the trip's revision and their renders
# are keyed on it.
_OWNED = (Appointment, Journey, Leg, Member, FollowUp, NightOverride, Room, Vehicle, Transfer, SeatingPlan, ProtocolParticipant)
# Not the record's own data: counters, timestamps, and what signing in records.
BOOKKEEPING = frozenset({"revision", "version", "created_at", "updated_at", "last_login_at", "locale", "totp_last_step"})


def own_data_changed(obj: Any) -> bool:
    """Whether a record's own data changed: columns and many-to-many lists, not bookkeeping."""
    state: InstanceState[Any] = sa.inspect(obj)
    mapper = state.mapper
    names = [a.key for a in mapper.column_attrs if a.key not in BOOKKEEPING]
    names += [r.key for r in mapper.relationships if r.secondary is not None]
    return any(state.attrs[name].history.has_changes() for name in names)


def _significant_change(obj: Appointment | Journey) -> bool:
    state: InstanceState[Any] = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in obj.REVISED_BY)


def _owner(obj: Any) -> Delegation | None:
    if isinstance(obj, Delegation):
        return obj
    if isinstance(obj, _OWNED):
        return obj.delegation
    return None


@sa.event.listens_for(Session, "before_flush")
def bump_revisions(session: Session, _flush_context: Any, _instances: Any) -> None:
    touched: set[Delegation] = set()
    for obj in session.new:
        owner = _owner(obj)
        if owner is not None:
            touched.add(owner)
    for obj in session.dirty:
        if not session.is_modified(obj):
            continue
        if isinstance(obj, (Appointment, Journey)) and _significant_change(obj):
            obj.revision = (obj.revision or 0) + 1
        if isinstance(obj, VersionedMixin) and own_data_changed(obj):
            obj.version = (obj.version or 1) + 1
        owner = _owner(obj)
        if owner is not None:
            touched.add(owner)
    for obj in session.deleted:
        owner = _owner(obj)
        if owner is not None:
            touched.add(owner)
    for delegation in touched:
        if delegation in session.new or delegation in session.deleted:
            continue
        delegation.revision = (delegation.revision or 0) + 1
