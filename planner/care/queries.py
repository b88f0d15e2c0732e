"""Reads of the carers' pages.

The overview asks the database only *whether* each part of a person's data is
there (``IS NOT NULL`` on the encrypted columns: a token's presence says
nothing about its value) and decrypts one value, the passport's expiry, to
say whether the passport is valid for the trip. Everything else is decrypted
only on a member's own page, which records the read.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from planner.entry.check import add_months
from planner.extensions import db
from planner.models import Delegation, Member, PersonalDataRead, TravelProfile

# The overview's "expiring" warning: a passport valid for less than this after the trip's last day.
# Not an entry rule (those are data with their sources); a reminder that many rules ask for months.
EXPIRY_WARNING_MONTHS = 6
# The read log page shows the newest entries; an audit of more reads the database (or a backup).
READS_SHOWN = 500


class PassportState(enum.StrEnum):
    MISSING = "missing"  # no expiry date entered
    EXPIRED = "expired"  # not valid until the trip's last day
    EXPIRING = "expiring"  # valid for the trip, but for less than EXPIRY_WARNING_MONTHS after it
    VALID = "valid"


# The parts a trip needs of everyone; the notes (diet, health, mobility, room) may rightly be empty.
REQUIRED_PARTS = ("passport", "nationality", "mobile_phone", "emergency_contact")
NOTE_PARTS = ("dietary", "medical_notes", "mobility_needs", "room_preference")


@dataclass(frozen=True)
class MemberDataState:
    """What a carer sees of one member at a glance: which parts are there, no values."""

    member: Member
    has_profile: bool
    missing: tuple[str, ...]  # of REQUIRED_PARTS; "passport" when any of its four fields is empty
    notes: tuple[str, ...]  # of NOTE_PARTS that hold something
    passport: PassportState
    confirmed_at: datetime | None


def passport_state(expires_on: date | None, trip_end: date) -> PassportState:
    if expires_on is None:
        return PassportState.MISSING
    if expires_on < trip_end:
        return PassportState.EXPIRED
    if expires_on < add_months(trip_end, EXPIRY_WARNING_MONTHS):
        return PassportState.EXPIRING
    return PassportState.VALID


def overview(delegation: Delegation) -> list[MemberDataState]:
    """Every member of the trip with the state of their travel data, in the trip's order, in one query."""
    p = TravelProfile
    present = {
        "passport_type": p.passport_type.is_not(None),
        "passport_country": p.passport_country.is_not(None),
        "passport_number": p.passport_number.is_not(None),
        "nationality": p.nationality.is_not(None),
        "mobile_phone": p.mobile_phone.is_not(None),
        "emergency_contact": p.emergency_contact.is_not(None),
        "dietary_needs": p.dietary_needs.is_not(None),
        "dietary_notes": p.dietary_notes.is_not(None),
        "medical_notes": p.medical_notes.is_not(None),
        "mobility_needs": p.mobility_needs.is_not(None),
        "room_preference": p.room_preference.is_not(None),
    }
    query = (
        sa.select(Member, p.id, p.passport_expires_on, p.confirmed_at, *(flag.label(name) for name, flag in present.items()))
        .join(Member.person)
        .outerjoin(p, p.person_id == Member.person_id)
        .where(Member.delegation_id == delegation.id)
        .options(contains_eager(Member.person))
        .order_by(Member.sort_order, Member.id)
    )
    states = []
    for row in db.session.execute(query):
        has = {name: bool(getattr(row, name)) for name in present}
        passport_complete = all(has[n] for n in ("passport_type", "passport_country", "passport_number")) and (
            row.passport_expires_on is not None
        )
        parts = {
            "passport": passport_complete,
            "nationality": has["nationality"],
            "mobile_phone": has["mobile_phone"],
            "emergency_contact": has["emergency_contact"],
            "dietary": has["dietary_needs"] or has["dietary_notes"],
            "medical_notes": has["medical_notes"],
            "mobility_needs": has["mobility_needs"],
            "room_preference": has["room_preference"],
        }
        states.append(
            MemberDataState(
                member=row.Member,
                has_profile=row.id is not None,
                missing=tuple(part for part in REQUIRED_PARTS if not parts[part]),
                notes=tuple(part for part in NOTE_PARTS if parts[part]),
                passport=passport_state(row.passport_expires_on, delegation.end_date),
                confirmed_at=row.confirmed_at,
            )
        )
    return states


def profile_of(person_id: int) -> TravelProfile | None:
    """The person's travel data (decrypted: only for a page that records the read), or None."""
    return db.session.scalars(sa.select(TravelProfile).where(TravelProfile.person_id == person_id)).one_or_none()


def reads(delegation_id: int) -> list[PersonalDataRead]:
    """The trip's read log, newest first (at most :data:`READS_SHOWN`), with the people read about."""
    return list(
        db.session.scalars(
            sa.select(PersonalDataRead)
            .where(PersonalDataRead.delegation_id == delegation_id)
            .options(joinedload(PersonalDataRead.person))
            .order_by(PersonalDataRead.read_at.desc(), PersonalDataRead.id.desc())
            .limit(READS_SHOWN)
        )
    )
