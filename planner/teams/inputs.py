"""Typed inputs of the team page: what the forms hand on to the operations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RightsInput:
    """A team member's rights on the trip."""

    may_edit: bool = False
    may_approve: bool = False
    may_care: bool = False


@dataclass(frozen=True)
class TeamMemberInput:
    """An account to put on the trip's team, with its rights."""

    user_id: int
    rights: RightsInput
