"""Who works on which trip: the trip's team and each member's rights on it.

Admins see every trip without being on its team; planners and viewers see
only the trips whose team lists them. The rights are per trip; the account's
role caps them (a viewer on a team reads, whatever ``may_edit`` says). The
one place that answers "may this user do this on that trip" is
:mod:`planner.teams.access`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime
from planner.models.delegations import Delegation
from planner.models.users import User
from planner.timezones import utc_now


class TeamMember(Base):
    """One account on one trip's team, with its rights there."""

    __tablename__ = "team_members"
    __table_args__ = (sa.UniqueConstraint("delegation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Edit the trip and everything in it (only for accounts whose role edits at all).
    may_edit: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Approve a release of the programme.
    may_approve: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Care for the travellers' personal data (passports, health, diet): need-to-know.
    may_care: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    delegation: Mapped[Delegation] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<TeamMember {self.user_id} on {self.delegation_id}>"
