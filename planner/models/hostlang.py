"""Versions of a trip's programme texts in the host's language (Korean, Simplified Chinese, any BCP-47 tag).

One table for every translated text, keyed by (trip, what, which record, field, language),
rather than a translation column per model and language or a table per model: the set of
languages is open (an interpreter may add Japanese tomorrow), the translated fields are few
and all plain text, and the host programme asks one question of all of them ("what is there
in this language, what is missing"), which one table answers with one query. The record is
named by kind and id, not by a foreign key per kind: appointments go to the trash and come
back, directory records outlive trips, and a translation of a record that is gone is simply
never asked for (it goes with its trip).

Each translation keeps the German text it was made from: when a planner changes the German
title, the translation is outdated and the host programme treats it as missing until someone
translates it again. ``reviewed`` says that a second person (an interpreter) checked it; the
host programme marks every text that nobody has reviewed.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, TimestampMixin, VersionedMixin, enum_column

if TYPE_CHECKING:
    from planner.models.delegations import Delegation


class TranslatedKind(enum.StrEnum):
    """What a translated text belongs to."""

    DELEGATION = "delegation"  # the trip's title, the host programme's heading
    APPOINTMENT = "appointment"  # title, venue, address
    ORGANIZATION = "organization"  # name, address (the place of a visit)
    PERSON = "person"  # name (a delegation member written in the host's script)
    MEMBER = "member"  # function on this trip


class TextState(enum.StrEnum):
    """How far one programme text is translated into one language."""

    MISSING = "missing"
    OUTDATED = "outdated"  # translated from a German text that has changed since
    UNREVIEWED = "unreviewed"
    REVIEWED = "reviewed"


class ContentTranslation(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "content_translations"
    __table_args__ = (
        sa.UniqueConstraint(
            "delegation_id", "subject_kind", "subject_id", "field", "language", name="uq_content_translations_subject"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    subject_kind: Mapped[TranslatedKind] = enum_column(TranslatedKind)
    subject_id: Mapped[int] = mapped_column(sa.Integer)
    field: Mapped[str] = mapped_column(sa.String(40))
    # A BCP-47 tag as people write it: "ko", "zh-Hans", "ja".
    language: Mapped[str] = mapped_column(sa.String(35))
    text: Mapped[str] = mapped_column(sa.Text)
    # The German text this translates, as it was when the translation was saved.
    source_text: Mapped[str] = mapped_column(sa.Text)
    reviewed: Mapped[bool] = mapped_column(default=False)

    # For the change history, which files a record under its trip.
    delegation: Mapped[Delegation] = relationship()

    def __repr__(self) -> str:
        return f"<ContentTranslation {self.subject_kind}:{self.subject_id}.{self.field} [{self.language}]>"
