"""Writes of etiquette notes: create and edit, for planners and admins (and the seed loader).

House rule: a note is guidance only with a source and the day it was checked
there; without them it stays "to be verified" and the brief prints it so.
Operations flush, the caller commits.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext as _

from planner.directory.operations import country_for_code
from planner.editing import Rejected, ensure_version, flush_edit
from planner.etiquette.inputs import EtiquetteNoteInput
from planner.extensions import db
from planner.models import EtiquetteNote

# The host languages a version may be in: the locales the brief's host programme uses.
NATIVE_LANGUAGES = ("ko", "zh_Hans")


def _check(data: EtiquetteNoteInput, today: date) -> None:
    if not data.text_de.strip():
        raise Rejected("text_de", _("Bitte den Hinweis auf Deutsch angeben."))
    if data.source and data.source.lower().startswith(("http://", "https://")):
        parts = urlsplit(data.source)
        if not parts.netloc or " " in data.source:
            raise Rejected("source", _("Bitte eine vollständige Webadresse mit https:// oder den Titel eines Dokuments angeben."))
    if data.checked_on is not None and data.checked_on > today:
        raise Rejected("checked_on", _("Das Prüfdatum darf nicht in der Zukunft liegen."))
    if not data.to_be_verified:
        if not data.source:
            raise Rejected("source", _("Ein geprüfter Hinweis braucht eine Quelle. Ohne Quelle bleibt er „zu prüfen“."))
        if data.checked_on is None:
            raise Rejected("checked_on", _("Ein geprüfter Hinweis braucht das Datum der Prüfung."))
    if data.native_language is not None and data.native_language not in NATIVE_LANGUAGES:
        raise Rejected("native_language", _("Bitte eine Sprache aus der Liste wählen."))
    if data.text_native and data.native_language is None:
        raise Rejected("native_language", _("Bitte angeben, in welcher Sprache die Übersetzung ist."))
    if data.native_reviewed and not data.text_native:
        raise Rejected("native_reviewed", _("Geprüft werden kann nur eine vorhandene Übersetzung."))


def _save(record: EtiquetteNote, data: EtiquetteNoteInput) -> EtiquetteNote:
    record.country = country_for_code(data.country_iso)
    record.topic = data.topic
    record.text_de = data.text_de.strip()
    record.text_en = data.text_en
    record.text_native = data.text_native
    record.native_language = data.native_language if data.text_native else None
    record.native_reviewed = data.native_reviewed
    record.source = data.source
    record.checked_on = data.checked_on
    record.to_be_verified = data.to_be_verified
    db.session.add(record)
    flush_edit(record)
    return record


def create_note(data: EtiquetteNoteInput, *, today: date) -> EtiquetteNote:
    """A new note; raises :class:`~planner.editing.Rejected` naming the field it refuses."""
    _check(data, today)
    return _save(EtiquetteNote(), data)


def update_note(record: EtiquetteNote, data: EtiquetteNoteInput, version: int | None, *, today: date) -> EtiquetteNote:
    """Change ``record``; a stale ``version`` raises :class:`~planner.editing.EditConflict`."""
    ensure_version(record, version)
    _check(data, today)
    return _save(record, data)
