"""Writes of the carers' pages: a person's travel data, and the record of each read.

Operations flush and never commit; the caller (the edit flow, a view that
shows values) commits, so a page's read is recorded in the same transaction
that read the data, and a refused save leaves neither data nor log behind.

The change history (:mod:`planner.models.history`) does not track
:class:`TravelProfile`: its page is open to the whole trip team, and even
"medical notes changed" tells a non-carer something about a person's health.
Who changed (or read) whose data when is in :class:`PersonalDataRead`, which
only carers see; the values themselves are nowhere but in the encrypted row.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from planner.care.inputs import TravelProfileInput
from planner.editing import EditConflict, flush_edit
from planner.extensions import db
from planner.models import PersonalDataRead, TravelProfile
from planner.text import single_line

_ONE_LINE = ("passport_number", "mobile_phone", "emergency_contact", "room_preference")
_NOTES = ("dietary_notes", "medical_notes", "mobility_needs")


def record_read(user: Any, person_id: int | None, delegation_id: int | None, what: str) -> PersonalDataRead:
    """Write that ``user`` was shown (or changed) ``what`` of the person's data on the trip; flushes."""
    read = PersonalDataRead(user_id=user.id, user_email=user.email, person_id=person_id, delegation_id=delegation_id, what=what)
    db.session.add(read)
    db.session.flush()
    return read


def save_profile(person_id: int, data: TravelProfileInput, *, user: Any, delegation_id: int) -> TravelProfile:
    """Store the person's travel data as ``data`` says (a new profile if there is none) and log the change.

    :class:`EditConflict` when the profile changed since the form was opened,
    or when it was created meanwhile by someone else (the form for a person
    without data carries version 0).
    """
    profile = db.session.scalars(sa.select(TravelProfile).where(TravelProfile.person_id == person_id)).one_or_none()
    if profile is None:
        profile = TravelProfile(person_id=person_id)
        db.session.add(profile)
    elif data.version != profile.version:
        raise EditConflict(profile)
    profile.passport_type = data.passport_type.value if data.passport_type else None
    profile.passport_country = data.passport_country
    profile.passport_expires_on = data.passport_expires_on
    profile.nationality = data.nationality
    # Encrypted columns are Text, so the models' one-line rule for String columns does not reach them.
    for name in _ONE_LINE:
        value = getattr(data, name)
        setattr(profile, name, single_line(value) if value else None)
    for name in _NOTES:
        setattr(profile, name, getattr(data, name))
    profile.dietary_needs = ",".join(need.value for need in data.dietary_needs) or None
    try:
        flush_edit(profile)
    except sa.exc.IntegrityError:
        # Two carers created the person's first profile at the same moment: the second one is stale.
        raise EditConflict(profile) from None
    record_read(user, person_id, delegation_id, "profile_edit")
    return profile
