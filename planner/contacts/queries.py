"""Reads of emergency numbers and of what a trip's contact sheet shows, with eager loading."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from planner.extensions import db
from planner.models import (
    Appointment,
    City,
    Country,
    Delegation,
    EmergencyNumber,
    EmergencyService,
    Journey,
    Leg,
    Organization,
    OrganizationKind,
)

_SERVICE_ORDER = {service: index for index, service in enumerate(EmergencyService)}


def _in_order(numbers: Iterable[EmergencyNumber]) -> list[EmergencyNumber]:
    return sorted(numbers, key=lambda n: (n.country.iso_code, _SERVICE_ORDER[n.service]))


def emergency_numbers() -> list[EmergencyNumber]:
    """Every number, by country code and then in the order of :class:`EmergencyService`."""
    return _in_order(db.session.scalars(sa.select(EmergencyNumber).options(joinedload(EmergencyNumber.country))))


def emergency_number_or_404(number_id: int) -> EmergencyNumber:
    return db.one_or_404(
        sa.select(EmergencyNumber).where(EmergencyNumber.id == number_id).options(joinedload(EmergencyNumber.country))
    )


def numbers_for(iso_codes: Iterable[str]) -> dict[str, list[EmergencyNumber]]:
    """The numbers of the countries with ``iso_codes``, per code (a country without numbers has no key)."""
    codes = set(iso_codes)
    if not codes:
        return {}
    rows = db.session.scalars(
        sa.select(EmergencyNumber)
        .join(EmergencyNumber.country)
        .where(Country.iso_code.in_(codes))
        .options(joinedload(EmergencyNumber.country))
    )
    found: dict[str, list[EmergencyNumber]] = {}
    for number in _in_order(rows):
        found.setdefault(number.country.iso_code, []).append(number)
    return found


def _trip_for_sheet(delegation_id: int) -> sa.Select[Delegation]:
    return (
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .options(
            joinedload(Delegation.home_city).joinedload(City.country),
            selectinload(Delegation.legs).joinedload(Leg.city).joinedload(City.country),
            selectinload(Delegation.journeys).options(
                joinedload(Journey.departure_city).joinedload(City.country),
                joinedload(Journey.arrival_city).joinedload(City.country),
            ),
        )
    )


def trip_for_sheet(delegation_id: int) -> Delegation:
    """The delegation with its home city, legs and journeys (cities and countries): 404 if there is none."""
    return db.one_or_404(_trip_for_sheet(delegation_id))


def trip_for_sheet_or_none(delegation_id: int) -> Delegation | None:
    """As :func:`trip_for_sheet`, None if there is none (the render job: no request to answer with 404)."""
    return db.session.scalars(_trip_for_sheet(delegation_id)).one_or_none()


def missions_for(iso_codes: Iterable[str], delegation_id: int | None) -> list[Organization]:
    """German missions in the countries with ``iso_codes``, and those the trip's appointments name.

    A mission is responsible where its city is (several per country are fine: an
    embassy and consulates general). One whose seat is not recorded yet still
    belongs on the sheet when the programme meets it.
    """
    codes = set(iso_codes)
    located = sa.select(Organization.id).join(Organization.city).join(City.country).where(Country.iso_code.in_(codes))
    chosen: sa.ColumnElement[bool] = Organization.id.in_(located)
    if delegation_id is not None:
        met = sa.select(Appointment.organization_id).where(
            Appointment.delegation_id == delegation_id, Appointment.organization_id.is_not(None)
        )
        chosen = sa.or_(chosen, Organization.id.in_(met))
    return list(
        db.session.scalars(
            sa.select(Organization)
            .where(Organization.kind == OrganizationKind.MISSION, chosen)
            .options(joinedload(Organization.city).joinedload(City.country), selectinload(Organization.people))
            .order_by(Organization.name)
        )
    )
