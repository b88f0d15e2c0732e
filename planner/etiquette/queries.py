"""Reads of etiquette notes: all of them (the maintenance page) and those of a trip's countries (the brief)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from planner.extensions import db
from planner.models import Country, EtiquetteNote, EtiquetteTopic

_TOPIC_ORDER = {topic: index for index, topic in enumerate(EtiquetteTopic)}


def _in_order(notes: Iterable[EtiquetteNote]) -> list[EtiquetteNote]:
    return sorted(notes, key=lambda n: (n.country.iso_code, _TOPIC_ORDER[n.topic], n.id))


def all_notes() -> list[EtiquetteNote]:
    return _in_order(db.session.scalars(sa.select(EtiquetteNote).options(joinedload(EtiquetteNote.country))))


def note_or_404(note_id: int) -> EtiquetteNote:
    return db.one_or_404(sa.select(EtiquetteNote).where(EtiquetteNote.id == note_id).options(joinedload(EtiquetteNote.country)))


def notes_for(iso_codes: Iterable[str]) -> dict[str, list[EtiquetteNote]]:
    """The notes of the countries with ``iso_codes``, per code (a country without notes has no key); one query."""
    codes = set(iso_codes)
    if not codes:
        return {}
    rows = db.session.scalars(
        sa.select(EtiquetteNote)
        .join(EtiquetteNote.country)
        .where(Country.iso_code.in_(codes))
        .options(joinedload(EtiquetteNote.country))
    )
    found: dict[str, list[EtiquetteNote]] = {}
    for note in _in_order(rows):
        found.setdefault(note.country.iso_code, []).append(note)
    return found
