"""Writes of the team page: who is on a trip's team, with which rights.

Operations flush and never commit (the caller does); the change history
records every team change at flush (:mod:`planner.models.history`).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.editing import Rejected
from planner.extensions import db
from planner.models import Delegation, TeamMember, User, UserRole
from planner.teams.access import role_may_edit
from planner.teams.inputs import RightsInput, TeamMemberInput


def _check_rights(user: User, rights: RightsInput) -> None:
    if rights.may_edit and not role_may_edit(user.role):
        # The role caps the trip's rights: refused rather than stored as a right that does nothing.
        raise Rejected("may_edit", _("%(email)s hat ein Lesekonto und kann nicht bearbeiten.", email=user.email))


def _apply(member: TeamMember, rights: RightsInput) -> None:
    member.may_edit, member.may_approve, member.may_care = rights.may_edit, rights.may_approve, rights.may_care


def add_team_member(delegation: Delegation, data: TeamMemberInput) -> TeamMember:
    """Put an account on ``delegation``'s team (:class:`Rejected`: unknown, inactive, admin, already there)."""
    user = db.session.get(User, data.user_id)
    if user is None or not user.active:
        raise Rejected("user_id", _("Dieses Konto gibt es nicht oder es ist deaktiviert."))
    if user.role == UserRole.ADMIN:
        raise Rejected("user_id", _("Administratoren sehen jede Reise und brauchen keinen Platz im Team."))
    taken = sa.select(TeamMember.id).where(TeamMember.delegation_id == delegation.id, TeamMember.user_id == user.id)
    if db.session.scalar(taken) is not None:
        raise Rejected("user_id", _("%(email)s ist schon im Team dieser Reise.", email=user.email))
    _check_rights(user, data.rights)
    member = TeamMember(delegation=delegation, user=user)
    _apply(member, data.rights)
    db.session.add(member)
    db.session.flush()
    return member


def change_rights(member: TeamMember, data: RightsInput) -> TeamMember:
    """Give ``member`` the rights ``data`` (:class:`Rejected` if the account's role does not allow them)."""
    _check_rights(member.user, data)
    _apply(member, data)
    db.session.flush()
    return member


def remove_team_member(member: TeamMember) -> None:
    """Take ``member`` off the trip's team: the trip disappears from their lists at once."""
    db.session.delete(member)
    db.session.flush()


def join_as_creator(delegation: Delegation, user: User) -> TeamMember:
    """Put ``user`` on the team with the rights to plan and approve (the creator of a trip, admins too).

    An admin who creates a trip joins as well: should the account become a planner later, it keeps its trips.
    The care of personal data is never given by creating a trip: it is need-to-know, granted by name on
    the team page (and it asks the account for a second factor).
    """
    user = db.session.get(User, user.id) or user  # the session's own object, not a proxy of another
    existing = db.session.scalars(
        sa.select(TeamMember).where(TeamMember.delegation_id == delegation.id, TeamMember.user_id == user.id)
    ).one_or_none()
    member = existing or TeamMember(delegation=delegation, user=user)
    # A cloner who cared for the original's travellers keeps that right on the copy (copy_team gave it).
    _apply(
        member, RightsInput(may_edit=role_may_edit(user.role), may_approve=True, may_care=bool(existing and existing.may_care))
    )
    db.session.add(member)
    db.session.flush()
    return member


def copy_team(source: Delegation, copy: Delegation) -> None:
    """Give ``copy`` the team of ``source``, with the same rights (cloning a trip); who is there already stays."""
    members = db.session.scalars(sa.select(TeamMember).where(TeamMember.delegation_id == source.id)).all()
    there = set(db.session.scalars(sa.select(TeamMember.user_id).where(TeamMember.delegation_id == copy.id)))
    for member in members:
        if member.user_id in there:
            continue
        clone = TeamMember(delegation=copy, user_id=member.user_id)
        _apply(clone, RightsInput(member.may_edit, member.may_approve, member.may_care))
        db.session.add(clone)
    db.session.flush()
