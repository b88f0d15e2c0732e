"""The one rule of who may see and do what on which trip.

Admins see and do everything on every trip. Planners and viewers see only
the trips whose team lists them; on those, the team member's rights apply,
capped by the account's role: a viewer never edits, whatever the team says.

Pages of one trip are checked once, for every request whose URL names the
trip, by :func:`check_request` (called from the sign-in hook in
:mod:`planner.auth.access`): outside the team the trip does not exist (404,
so its existence is not revealed); a view for editors needs the trip's edit
right (403). Pages that list trips or their items without naming one (the
trip list, search, directory profiles) filter with :func:`visible_trips` /
:func:`trip_filter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, g

from planner.extensions import db
from planner.models import Delegation, TeamMember, UserRole


@dataclass(frozen=True)
class TripRights:
    """What one user may do on one trip (the role's cap already applied)."""

    may_edit: bool
    may_approve: bool
    may_care: bool


ALL_RIGHTS = TripRights(may_edit=True, may_approve=True, may_care=True)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role == UserRole.ADMIN


def visible_trips(user: Any) -> sa.Select[Any]:
    """The ids of the trips ``user`` may see, as a select to use in ``IN (...)`` (admins: all trips)."""
    if is_admin(user):
        return sa.select(Delegation.id)
    user_id = user.id if getattr(user, "is_authenticated", False) else None
    return sa.select(TeamMember.delegation_id).where(TeamMember.user_id == user_id)


def trip_filter(user: Any, column: Any) -> sa.ColumnElement[bool]:
    """A WHERE condition keeping rows whose trip (``column``: a delegation id) ``user`` may see."""
    if is_admin(user):
        return sa.true()
    return column.in_(visible_trips(user))


def trip_rights(user: Any, delegation_id: int) -> TripRights | None:
    """``user``'s rights on the trip, or None when the user is outside its team (or not signed in)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.role == UserRole.ADMIN:
        return ALL_RIGHTS
    member = db.session.scalars(
        sa.select(TeamMember).where(TeamMember.delegation_id == delegation_id, TeamMember.user_id == user.id)
    ).one_or_none()
    if member is None:
        return None
    return TripRights(
        may_edit=member.may_edit and role_may_edit(user.role),
        may_approve=member.may_approve,
        may_care=member.may_care,
    )


def role_may_edit(role: UserRole) -> bool:
    """Whether an account of ``role`` may hold the edit right on a trip at all."""
    return role in (UserRole.ADMIN, UserRole.PLANNER)


def _rights(user: Any, delegation: Delegation | int) -> TripRights | None:
    delegation_id = delegation if isinstance(delegation, int) else delegation.id
    # One question per request and trip: templates ask it for every row of a programme.
    cache: dict[tuple[int | None, int], TripRights | None] = g.setdefault("_trip_rights", {})
    key = (getattr(user, "id", None), delegation_id)
    if key not in cache:
        cache[key] = trip_rights(user, delegation_id)
    return cache[key]


def may_see(user: Any, delegation: Delegation | int) -> bool:
    return _rights(user, delegation) is not None


def may_edit(user: Any, delegation: Delegation | int) -> bool:
    rights = _rights(user, delegation)
    return rights is not None and rights.may_edit


def may_approve(user: Any, delegation: Delegation | int) -> bool:
    """Approve a release of the trip's programme: admins, and team members with that right."""
    rights = _rights(user, delegation)
    return rights is not None and rights.may_approve


def may_care(user: Any, delegation: Delegation | int) -> bool:
    """Care for the travellers' personal data on the trip: admins, and team members with that right."""
    rights = _rights(user, delegation)
    return rights is not None and rights.may_care


def check_request(user: Any, view_args: dict[str, Any] | None, for_editors: bool) -> None:
    """Refuse a request for a trip's URL: 404 outside the trip's team, 403 for an edit without the edit right."""
    delegation_id = (view_args or {}).get("delegation_id")
    if not isinstance(delegation_id, int):
        return
    rights = _rights(user, delegation_id)
    if rights is None:
        abort(404)
    if for_editors and not rights.may_edit:
        abort(403)
