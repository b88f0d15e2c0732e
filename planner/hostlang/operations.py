"""Writes of translations: save what an interpreter or planner entered for one language of one trip.

Only texts the trip's host programme has (:func:`planner.hostlang.texts.host_texts`) can be
saved, so a crafted request cannot attach a translation to another trip's record. The change
history is written by the flush hook (:mod:`planner.models.history`); the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from planner.editing import Rejected
from planner.extensions import db
from planner.hostlang.inputs import TranslationInput
from planner.hostlang.texts import HostTexts
from planner.models import ContentTranslation


def save_translations(texts: HostTexts, entries: Iterable[TranslationInput]) -> int:
    """Create, change or remove the translations of ``entries`` in ``texts.language``; the number changed.

    A text marked reviewed without a translation is refused (there is nothing to review).
    An entry whose text and reviewed flag are as saved, from the same German text, changes nothing.
    """
    changed = 0
    for entry in entries:
        item = texts.get(entry.kind, entry.subject_id, entry.field)
        if item is None:
            raise Rejected("language", _("Diesen Text gibt es im Programm der Reise nicht (mehr)."))
        if entry.reviewed and not entry.text:
            raise Rejected(f"reviewed_{item.key}", _("Ohne Übersetzung gibt es nichts zu prüfen."))
        saved = item.translation
        if entry.text is None:
            if saved is not None:
                db.session.delete(saved)
                changed += 1
            continue
        if saved is None:
            saved = ContentTranslation(
                delegation=texts.delegation,
                subject_kind=entry.kind,
                subject_id=entry.subject_id,
                field=entry.field,
                language=texts.language,
            )
            db.session.add(saved)
        elif (saved.text, saved.source_text, saved.reviewed) == (entry.text, entry.source_text, entry.reviewed):
            continue
        saved.text, saved.source_text, saved.reviewed = entry.text, entry.source_text, entry.reviewed
        changed += 1
    db.session.flush()
    return changed
