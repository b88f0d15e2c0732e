"""Etiquette notes per country: guidance for the delegation, each with its source and the day it was checked.

Like emergency numbers (:mod:`planner.models.contacts`), a note is a fact only
with a source and a checked date; without them it stays ``to_be_verified`` and
the brief prints it so. The note is kept in German and English; a version in
the host's language (Korean, Chinese) may follow, and until someone who reads
that language has reviewed it (``native_reviewed``), it is printed marked as an
unreviewed translation.
"""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, VersionedMixin, enum_column
from planner.models.geography import Country


class EtiquetteTopic(enum.StrEnum):
    """What a note is about; the order here is the order in the brief."""

    GREETING = "greeting"
    BUSINESS_CARDS = "business_cards"
    NAMES_AND_TITLES = "names_and_titles"
    GIFTS = "gifts"
    DINING = "dining"
    DRESS = "dress"
    CONVERSATION = "conversation"
    OTHER = "other"


class EtiquetteNote(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "etiquette_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(sa.ForeignKey("countries.id"), index=True)
    topic: Mapped[EtiquetteTopic] = enum_column(EtiquetteTopic)
    text_de: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str | None] = mapped_column(sa.Text)
    # The host's language: a BCP 47 tag as the brief's locales use it ("ko", "zh_Hans").
    native_language: Mapped[str | None] = mapped_column(sa.String(16))
    text_native: Mapped[str | None] = mapped_column(sa.Text)
    native_reviewed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    source: Mapped[str | None] = mapped_column(sa.String(500))
    checked_on: Mapped[date | None] = mapped_column(sa.Date)
    to_be_verified: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    country: Mapped[Country] = relationship()

    @property
    def name(self) -> str:
        """How the change history names the note ("CN gifts")."""
        code = self.country.iso_code if self.country is not None else "?"
        return f"{code} {self.topic.value if self.topic else ''}".strip()

    def __repr__(self) -> str:
        return f"<EtiquetteNote {self.name}>"
