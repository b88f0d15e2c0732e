"""Which programme texts the host programme needs in a language, and how far their translation is.

:func:`host_texts` loads a trip once (a fixed number of queries) and lists every text the
host programme prints that has a German original: the trip's title; for each appointment
the host sees, its title, venue and address and its organization's name and address; for
each member the name and the function. Each :class:`TextItem` carries the German text now
and the translation, and says whether the translation is missing, outdated (the German
changed since), unreviewed or reviewed. The completeness check is the list of items that
have no usable translation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from planner.extensions import db
from planner.formatting import script_lang
from planner.models import (
    Appointment,
    AppointmentKind,
    ChangeRecord,
    ContentTranslation,
    Delegation,
    ItemStatus,
    Member,
    Organization,
    Person,
    TextState,
    TranslatedKind,
    Visibility,
)


@dataclass(frozen=True)
class TextItem:
    """One programme text in German and, if there is one, its translation into the language asked for."""

    kind: TranslatedKind
    subject_id: int
    field: str
    source: str
    translation: ContentTranslation | None = None
    # What the form offers when nothing is saved yet: the native-script name of a person
    # whose script is the language's (a Korean counterpart in a Korean programme).
    suggestion: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind.value}-{self.subject_id}-{self.field}"

    @property
    def state(self) -> TextState:
        if self.translation is None:
            return TextState.MISSING
        if self.translation.source_text != self.source:
            return TextState.OUTDATED
        return TextState.REVIEWED if self.translation.reviewed else TextState.UNREVIEWED

    @property
    def text(self) -> str | None:
        """The translation the host programme may print, or None (missing or outdated)."""
        if self.state in (TextState.MISSING, TextState.OUTDATED):
            return None
        return self.translation.text if self.translation is not None else None

    @property
    def reviewed(self) -> bool:
        return self.state is TextState.REVIEWED


@dataclass
class HostTexts:
    """A trip's programme texts in one language, in the order the host programme prints them."""

    delegation: Delegation
    language: str
    appointments: list[Appointment]
    members: list[Member]
    items: dict[str, TextItem] = field(default_factory=dict)

    def get(self, kind: TranslatedKind, subject_id: int, field_name: str) -> TextItem | None:
        return self.items.get(f"{kind.value}-{subject_id}-{field_name}")

    def __iter__(self) -> Iterator[TextItem]:
        return iter(self.items.values())

    @property
    def missing(self) -> list[TextItem]:
        """The completeness check: every text without a usable translation (missing or outdated)."""
        return [item for item in self.items.values() if item.text is None]

    @property
    def unreviewed(self) -> list[TextItem]:
        return [item for item in self.items.values() if item.state is TextState.UNREVIEWED]


def host_appointments(delegation: Delegation) -> list[Appointment]:
    """The appointments a host programme shows: not internal, not an internal briefing, not cancelled."""
    return [
        a
        for a in delegation.appointments
        if a.visibility is not Visibility.INTERNAL
        and a.kind is not AppointmentKind.INTERNAL_BRIEFING
        and a.status is not ItemStatus.CANCELLED
    ]


def member_function(member: Member) -> str | None:
    """The member's function on this trip, else the directory's."""
    return member.function or member.person.function


def _trip(delegation_id: int) -> Delegation | None:
    return (
        db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.id == delegation_id)
            .options(
                selectinload(Delegation.appointments).joinedload(Appointment.organization),
                selectinload(Delegation.members).joinedload(Member.person),
            )
        )
        .unique()
        .one_or_none()
    )


def host_texts(delegation_id: int, language: str) -> HostTexts | None:
    """The trip's programme texts in ``language`` (a normalised BCP-47 tag); None if there is no such trip."""
    delegation = _trip(delegation_id)
    if delegation is None:
        return None
    saved = {
        (t.subject_kind, t.subject_id, t.field): t
        for t in db.session.scalars(
            sa.select(ContentTranslation).where(
                ContentTranslation.delegation_id == delegation_id, ContentTranslation.language == language
            )
        )
    }
    appointments = sorted(host_appointments(delegation), key=lambda a: (a.start_at, a.id))
    texts = HostTexts(delegation, language, appointments, list(delegation.members))

    def add(kind: TranslatedKind, subject_id: int, field_name: str, source: str | None, suggestion: str | None = None) -> None:
        if source and f"{kind.value}-{subject_id}-{field_name}" not in texts.items:
            item = TextItem(kind, subject_id, field_name, source, saved.get((kind, subject_id, field_name)), suggestion)
            texts.items[item.key] = item

    add(TranslatedKind.DELEGATION, delegation.id, "title", delegation.title)
    for appointment in appointments:
        add(TranslatedKind.APPOINTMENT, appointment.id, "title", appointment.title)
        add(TranslatedKind.APPOINTMENT, appointment.id, "venue", appointment.venue)
        add(TranslatedKind.APPOINTMENT, appointment.id, "address", appointment.address)
        if (organization := appointment.organization) is not None:
            native = organization.native_name if _in_script_of(organization.native_name, language) else None
            add(TranslatedKind.ORGANIZATION, organization.id, "name", organization.name, native)
            add(TranslatedKind.ORGANIZATION, organization.id, "address", organization.address)
    for member in texts.members:
        person = member.person
        native = person.native_name if _in_script_of(person.native_name, language) else None
        add(TranslatedKind.PERSON, person.id, "name", person.display_name, native)
        add(TranslatedKind.MEMBER, member.id, "function", member_function(member))
    return texts


def _in_script_of(text: str | None, language: str) -> bool:
    """Whether ``text`` is written in the script of ``language`` (Hangul for ko, Han for zh)."""
    found = script_lang(text)
    return found is not None and language.split("-")[0] == found


def languages_in_use(delegation_id: int) -> list[str]:
    """The languages the trip has translations in, for the language picker."""
    return list(
        db.session.scalars(
            sa.select(ContentTranslation.language)
            .where(ContentTranslation.delegation_id == delegation_id)
            .distinct()
            .order_by(ContentTranslation.language)
        )
    )


def host_state(delegation_id: int, language: str) -> tuple | None:
    """What can change a host programme, in one query; None if there is no such trip.

    The trip's ``revision`` covers its appointments and members; the translations and the
    directory's names are covered by the newest change of each in the history.
    """

    def newest(entity: str) -> sa.ScalarSelect:
        return sa.select(sa.func.max(ChangeRecord.id)).where(ChangeRecord.entity == entity).scalar_subquery()

    row = db.session.execute(
        sa.select(
            Delegation.revision,
            Delegation.updated_at,
            newest(ContentTranslation.__tablename__),
            newest(Person.__tablename__),
            newest(Organization.__tablename__),
        ).where(Delegation.id == delegation_id)
    ).one_or_none()
    return None if row is None else (*row, language)


__all__ = ["HostTexts", "TextItem", "TextState", "host_appointments", "host_state", "host_texts", "languages_in_use"]
