"""The carers' tests share one planted profile: distinctive values no other page of the trip could hold by chance."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Delegation, Member, TravelProfile, User, UserRole
from tests.conftest import join_team, login, make_user

CARER_EMAIL = "carer@example.org"
PASSPORT = "C01X00T47"
MEDICAL = "PLANTED-MEDICAL-7"
DIET_NOTE = "PLANTED-DIET-NOTE-3"
PHONE = "+49 170 7319 2846"
EMERGENCY = "PLANTED-EMERGENCY-5 Mustermann"
MOBILITY = "PLANTED-MOBILITY-2"
ROOM = "PLANTED-ROOM-9"
# The expiry as the member page writes it, and as ISO: found in no programme of 2024.
EXPIRY = date(2031, 7, 29)
EXPIRY_SHOWN = "29. Juli 2031"
PLANTED = [PASSPORT, MEDICAL, DIET_NOTE, PHONE, EMERGENCY, MOBILITY, ROOM, EXPIRY_SHOWN, EXPIRY.isoformat()]


def plant_profile(person_id: int) -> None:
    """Give the person the planted travel data (in the caller's app context) and commit."""
    db.session.add(
        TravelProfile(
            person_id=person_id,
            passport_type="official",
            passport_country="DE",
            passport_number=PASSPORT,
            passport_expires_on=EXPIRY,
            nationality="DE",
            mobile_phone=PHONE,
            emergency_contact=EMERGENCY,
            dietary_needs="vegetarian,no_alcohol",
            dietary_notes=DIET_NOTE,
            medical_notes=MEDICAL,
            mobility_needs=MOBILITY,
            room_preference=ROOM,
        )
    )
    db.session.commit()


def first_member(delegation_id: int) -> tuple[int, int]:
    """The trip's first member: (member id, person id)."""
    member = db.session.scalars(sa.select(Member).where(Member.delegation_id == delegation_id).order_by(Member.id)).first()
    assert member is not None
    return member.id, member.person_id


def make_carer(delegation_id: int, email: str = CARER_EMAIL, role: UserRole = UserRole.PLANNER) -> User:
    """An account on the trip's team with the care right (and no other right beyond its role's edit)."""
    user = make_user(role, email)
    join_team(user, db.session.get(Delegation, delegation_id), may_care=True)
    db.session.commit()
    return user


@pytest.fixture
def planted(app: Flask, keller: int) -> tuple[int, int, int]:
    """The Keller trip (planner and viewer accounts), a carer, and the planted profile of its first member.

    Returns (delegation id, member id, person id).
    """
    with app.app_context():
        member_id, person_id = first_member(keller)
        make_carer(keller)
        plant_profile(person_id)
    return keller, member_id, person_id


@pytest.fixture
def carer(app: Flask, planted: tuple[int, int, int]) -> FlaskClient:
    client = app.test_client()
    login(client, CARER_EMAIL, teams=False)
    return client
