"""Reads of user management: the account list and single accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from planner.extensions import db
from planner.models import User
from planner.timezones import to_local


@dataclass(frozen=True)
class AccountRow:
    user: User
    last_login_home: datetime | None  # the last sign-in as home wall time


def accounts(home_zone: str) -> list[AccountRow]:
    """Every account, ordered by address, with the last sign-in in home time (one query)."""
    users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    return [AccountRow(user, to_local(user.last_login_at, home_zone) if user.last_login_at else None) for user in users]


def account(user_id: int) -> User:
    """The account with ``user_id`` (404 if there is none)."""
    return db.one_or_404(sa.select(User).where(User.id == user_id))
