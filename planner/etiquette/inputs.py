"""What the writes of etiquette notes take: the typed input the form (and the seed) turn into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.models import EtiquetteTopic


@dataclass(frozen=True)
class EtiquetteNoteInput:
    """One note of one country (``country_iso``: ISO 3166-1 code). Text is cleaned already.

    A note stated as checked (``to_be_verified`` False) needs a source and the day it was
    checked; a version in the host's language needs its language; only such a version can be
    marked as reviewed.
    """

    country_iso: str
    topic: EtiquetteTopic
    text_de: str
    text_en: str | None = None
    native_language: str | None = None
    text_native: str | None = None
    native_reviewed: bool = False
    source: str | None = None
    checked_on: date | None = None
    to_be_verified: bool = True
