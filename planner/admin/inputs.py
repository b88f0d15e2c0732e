"""What the writes of user management take: the typed inputs the admin forms turn into."""

from __future__ import annotations

from dataclasses import dataclass

from planner.models import UserRole


@dataclass(frozen=True)
class InviteInput:
    """A new account: the address as typed (the operation checks and normalises it) and its role."""

    email: str
    role: UserRole


@dataclass(frozen=True)
class AccountInput:
    """Role and status of an existing account."""

    role: UserRole
    active: bool
