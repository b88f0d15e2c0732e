"""Reads of the delegations feature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from planner.extensions import db
from planner.models import Delegation, Leg, Member


@dataclass(frozen=True)
class DelegationOverview:
    current: list[Delegation]
    upcoming: list[Delegation]
    past: list[Delegation]


def delegations_by_period(today: date) -> DelegationOverview:
    """All delegations split into current, upcoming and past, loaded in a fixed number of queries."""
    delegations = db.session.scalars(
        sa.select(Delegation)
        .options(
            selectinload(Delegation.home_city),
            selectinload(Delegation.legs).selectinload(Leg.city),
            selectinload(Delegation.members).selectinload(Member.person),
        )
        .order_by(Delegation.start_date.desc(), Delegation.id)
    ).all()
    current = [d for d in delegations if d.start_date <= today <= d.end_date]
    upcoming = sorted((d for d in delegations if d.start_date > today), key=lambda d: d.start_date)
    past = [d for d in delegations if d.end_date < today]
    return DelegationOverview(current=current, upcoming=upcoming, past=past)
