"""Reads of the team page."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from planner.extensions import db
from planner.labels import label
from planner.models import TeamMember, User, UserRole


def team(delegation_id: int) -> list[TeamMember]:
    """The trip's team with each member's account, in one query, by address."""
    return list(
        db.session.scalars(
            sa.select(TeamMember)
            .join(TeamMember.user)
            .where(TeamMember.delegation_id == delegation_id)
            .options(joinedload(TeamMember.user))
            .order_by(User.email)
        ).all()
    )


def team_member_or_404(delegation_id: int, team_member_id: int) -> TeamMember:
    return db.one_or_404(
        sa.select(TeamMember)
        .where(TeamMember.id == team_member_id, TeamMember.delegation_id == delegation_id)
        .options(joinedload(TeamMember.user))
    )


def candidate_choices(delegation_id: int) -> list[SelectChoice]:
    """Active planner and viewer accounts not yet on the trip's team (admins see every trip anyway)."""
    on_team = sa.select(TeamMember.user_id).where(TeamMember.delegation_id == delegation_id)
    users = db.session.scalars(
        sa.select(User).where(User.active, User.role != UserRole.ADMIN, User.id.not_in(on_team)).order_by(User.email)
    ).all()
    return [SelectChoice(0, "—"), *(SelectChoice(u.id, f"{u.email} ({label(u.role)})") for u in users)]
