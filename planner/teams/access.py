"""Who may do what on a trip (placeholder until the teams module lands)."""

from __future__ import annotations

from typing import Any

from planner.models import UserRole


def may_approve(user: Any, delegation: Any) -> bool:
    return user.role in (UserRole.ADMIN, UserRole.PLANNER)
