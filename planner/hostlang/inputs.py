"""What the translation writes take: one typed entry per programme text."""

from __future__ import annotations

from dataclasses import dataclass

from planner.models import TranslatedKind


@dataclass(frozen=True)
class TranslationInput:
    """The translation of one programme text as the form has it; ``text`` None removes it.

    ``source_text`` is the German text the page showed beside the field: the translation is
    recorded as made from it, so a German change after the page was opened shows as outdated.
    """

    kind: TranslatedKind
    subject_id: int
    field: str
    source_text: str
    text: str | None
    reviewed: bool = False
