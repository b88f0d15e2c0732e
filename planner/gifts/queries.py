"""Reads of the gift register, with eager loading: a list costs the same few queries however long it is."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from planner.extensions import db
from planner.formatting import day, sort_key
from planner.models import Appointment, City, Delegation, Gift, GiftDirection


def _with_links(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return stmt.options(
        joinedload(Gift.person),
        joinedload(Gift.organization),
        joinedload(Gift.city).joinedload(City.country),
        joinedload(Gift.delegation),
        joinedload(Gift.appointment),
    )


def trip_gifts(delegation_id: int) -> list[Gift]:
    """The gifts of one trip, by date."""
    stmt = sa.select(Gift).where(Gift.delegation_id == delegation_id).order_by(Gift.given_on, Gift.id)
    return list(db.session.scalars(_with_links(stmt)))


def register(city_id: int | None = None, year: int | None = None) -> list[Gift]:
    """The whole register, newest first; ``city_id`` / ``year``: only that partner city / calendar year."""
    stmt = sa.select(Gift).order_by(Gift.given_on.desc(), Gift.id.desc())
    if city_id is not None:
        stmt = stmt.where(Gift.city_id == city_id)
    if year is not None:
        stmt = stmt.where(Gift.given_on >= date(year, 1, 1), Gift.given_on <= date(year, 12, 31))
    return list(db.session.scalars(_with_links(stmt)))


def given_to(person_ids: Iterable[int | None], organization_ids: Iterable[int | None]) -> list[Gift]:
    """Every gift we gave to any of these people or organizations (the pool the repeat warning looks in)."""
    people = {i for i in person_ids if i}
    organizations = {i for i in organization_ids if i}
    if not people and not organizations:
        return []
    conditions = []
    if people:
        conditions.append(Gift.person_id.in_(people))
    if organizations:
        conditions.append(Gift.organization_id.in_(organizations))
    stmt = sa.select(Gift).where(Gift.direction == GiftDirection.GIVEN, sa.or_(*conditions))
    return list(db.session.scalars(stmt.options(joinedload(Gift.person), joinedload(Gift.organization))))


def gift_or_404(gift_id: int, delegation_id: int | None = None) -> Gift:
    """Exactly the gift the URL names; with ``delegation_id``, only if it is that trip's (else 404)."""
    stmt = sa.select(Gift).where(Gift.id == gift_id)
    if delegation_id is not None:
        stmt = stmt.where(Gift.delegation_id == delegation_id)
    return db.one_or_404(_with_links(stmt))


def trip_or_404(delegation_id: int) -> Delegation:
    return db.one_or_404(
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .options(selectinload(Delegation.appointments).joinedload(Appointment.city))
    )


def appointment_choices(delegation: Delegation | None) -> list[SelectChoice]:
    """The trip's appointments for the gift form ("—" first: a gift outside the programme)."""
    choices = [SelectChoice(0, "—")]
    if delegation is not None:
        for appointment in delegation.appointments:
            choices.append(
                SelectChoice(appointment.id, f"{day(appointment.start_at, appointment.timezone)} · {appointment.title}")
            )
    return choices


def filter_cities() -> list[City]:
    """The cities the register has gifts for (the filter's choices)."""
    cities = db.session.scalars(
        sa.select(City)
        .where(City.id.in_(sa.select(Gift.city_id).where(Gift.city_id.is_not(None))))
        .options(joinedload(City.country))
    ).all()
    return sorted(cities, key=lambda c: sort_key(c.name))


def filter_years() -> list[int]:
    """The calendar years the register has gifts in, newest first."""
    days = db.session.scalars(sa.select(Gift.given_on).distinct()).all()
    return sorted({d.year for d in days}, reverse=True)
