"""Etiquette notes as the brief prints them: per country abroad, in the brief's language.

A note in the brief's language when there is one; an English brief whose note
exists only in German prints the German text, said so. A version in the host's
language is printed beside it, marked while nobody has reviewed it. A country
of the trip without notes is listed as "to be verified", never left out (as
the emergency numbers are).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from planner.formatting import territory_name
from planner.labels import label
from planner.models import Country, EtiquetteNote


@dataclass
class NoteView:
    topic: str
    text: str
    # The brief is in English but the note only in German: printed as it is, said so.
    only_german: bool
    native_text: str | None
    native_language: str | None  # a BCP 47 tag for lang="" ("ko", "zh-Hans")
    native_reviewed: bool
    source: str | None
    checked_on: date | None
    to_be_verified: bool

    @property
    def source_is_link(self) -> bool:
        return bool(self.source) and self.source.startswith(("https://", "http://"))  # type: ignore[union-attr]


@dataclass
class CountryEtiquette:
    code: str
    country: str
    notes: list[NoteView]


def note_view(note: EtiquetteNote, lang: str) -> NoteView:
    english = lang == "en" and bool(note.text_en)
    return NoteView(
        topic=label(note.topic),
        text=(note.text_en or "") if english else note.text_de,
        only_german=lang != "de" and not english,
        native_text=note.text_native,
        native_language=note.native_language.replace("_", "-") if note.native_language else None,
        native_reviewed=note.native_reviewed,
        source=note.source,
        checked_on=note.checked_on,
        to_be_verified=note.to_be_verified,
    )


def country_etiquette(
    countries: Iterable[Country], notes: Mapping[str, list[EtiquetteNote]], lang: str, *, home: str | None
) -> list[CountryEtiquette]:
    """Every country of the trip but the home country, with its notes or none (then printed as "to be verified")."""
    return [
        CountryEtiquette(
            code=c.iso_code,
            country=territory_name(c.iso_code),
            notes=[note_view(n, lang) for n in notes.get(c.iso_code, [])],
        )
        for c in countries
        if c.iso_code != home
    ]
