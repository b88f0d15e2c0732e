"""Writes of emergency numbers: create and edit, for admins (and the seed loader).

House rule: a number is a fact only with a source and the day it was checked
there. A row without them stays "to be verified" and is printed so; an admin who
clears that flag must give both. Operations flush, the caller commits
(:mod:`planner.editing`); the change history is written at flush
(:mod:`planner.models.history`).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.contacts.inputs import EmergencyNumberInput
from planner.directory.operations import country_for_code
from planner.editing import Rejected, ensure_version, flush_edit
from planner.extensions import db
from planner.labels import label
from planner.models import Country, EmergencyNumber
from planner.text import is_phone_number


def _check(data: EmergencyNumberInput, country: Country, number_id: int | None, today: date) -> None:
    if not is_phone_number(data.number):
        raise Rejected("number", _("Bitte nur Ziffern eingeben, wie man sie wählt (z. B. 112 oder +49 211 123456)."))
    if data.source and data.source.lower().startswith(("http://", "https://")):
        parts = urlsplit(data.source)
        # A web address becomes a link (anything else is a document's title, printed as text).
        if not parts.netloc or " " in data.source:
            raise Rejected("source", _("Bitte eine vollständige Webadresse mit https:// oder den Titel eines Dokuments angeben."))
    if data.checked_on is not None and data.checked_on > today:
        raise Rejected("checked_on", _("Das Prüfdatum darf nicht in der Zukunft liegen."))
    if not data.to_be_verified:
        if not data.source:
            raise Rejected("source", _("Eine geprüfte Nummer braucht eine Quelle. Ohne Quelle bleibt sie „zu prüfen“."))
        if data.checked_on is None:
            raise Rejected("checked_on", _("Eine geprüfte Nummer braucht das Datum der Prüfung."))
    if country.id is not None:
        taken = sa.select(EmergencyNumber.id).where(
            EmergencyNumber.country_id == country.id, EmergencyNumber.service == data.service
        )
        if number_id is not None:
            taken = taken.where(EmergencyNumber.id != number_id)
        with db.session.no_autoflush:
            if db.session.scalar(sa.select(taken.exists())):
                raise _taken(data)


def _taken(data: EmergencyNumberInput) -> Rejected:
    return Rejected(
        "service",
        _("Für dieses Land ist „%(service)s“ schon eingetragen. Bitte diesen Eintrag bearbeiten.", service=label(data.service)),
    )


def _save(record: EmergencyNumber, data: EmergencyNumberInput, country: Country) -> EmergencyNumber:
    savepoint = db.session.begin_nested()
    try:
        record.country = country
        record.service = data.service
        record.number = data.number
        record.note = data.note
        record.source = data.source
        record.checked_on = data.checked_on
        record.to_be_verified = data.to_be_verified
        db.session.add(record)
        flush_edit(record)
    except sa.exc.IntegrityError:
        # Another admin's commit won the race to the unique (country, service) index.
        savepoint.rollback()
        raise _taken(data) from None
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    return record


def create_emergency_number(data: EmergencyNumberInput, *, today: date) -> EmergencyNumber:
    """A new number; raises :class:`~planner.editing.Rejected` naming the field it refuses."""
    country = country_for_code(data.country_iso)
    _check(data, country, None, today)
    return _save(EmergencyNumber(), data, country)


def update_emergency_number(
    record: EmergencyNumber, data: EmergencyNumberInput, version: int | None, *, today: date
) -> EmergencyNumber:
    """Change ``record``; a stale ``version`` raises :class:`~planner.editing.EditConflict`."""
    ensure_version(record, version)
    country = country_for_code(data.country_iso)
    _check(data, country, record.id, today)
    return _save(record, data, country)
