"""The host programme: the trip's programme and delegation list for the hosts, in their language and script.

Everything on it is either a translation a planner or interpreter entered
(:mod:`planner.hostlang.texts`), a proper name, a number, or one of the fixed
words of :mod:`planner.hostlang.phrases`; dates are written as the host writes
them (Babel, CLDR's full date of ``ko_KR`` or ``zh_Hans_CN``), times on the
24-hour clock in the place's own zone. No German text is printed in its place
when a translation is missing or outdated: the gap shows a visible placeholder
in the host's language, and a line at the top of the sheet counts the gaps, so
a sheet with gaps can go to the interpreter as a draft but never passes for
complete. Translations nobody has reviewed are starred, with the star explained.

No notes, talking points, contact data or internal items: only what the host
needs to receive the delegation.

The print view and the PDF are the same HTML (``hostlang/programme.html``);
the PDF goes through the one render queue as the document ``host_programme``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.briefs.rendering import Document, register_document
from planner.briefs.sheets import sheet_page_css
from planner.editing import Rejected
from planner.hostlang import phrases
from planner.hostlang.texts import HostTexts, TextItem, host_texts
from planner.models import ItemStatus, TranslatedKind
from planner.timezones import to_local, utc_now

KIND = "host_programme"


@dataclass(frozen=True)
class Text:
    """One printed text: the translation, or the placeholder of a gap; ``unreviewed`` stars it."""

    value: str
    missing: bool = False
    unreviewed: bool = False


@dataclass(frozen=True)
class HostRow:
    time: str  # "09:30–11:00", local, 24-hour
    title: Text
    places: list[Text]  # venue, organization, address: those the appointment has
    tentative: bool


@dataclass(frozen=True)
class HostDay:
    heading: str  # "2024년 10월 16일 수요일"
    rows: list[HostRow]


@dataclass(frozen=True)
class HostMember:
    name: Text
    function: Text | None


@dataclass(frozen=True)
class HostProgramme:
    delegation_id: int
    language: str
    title: Text
    days: list[HostDay]
    members: list[HostMember]
    missing_count: int
    has_unreviewed: bool


def _text(texts: HostTexts, item: TextItem | None) -> Text | None:
    if item is None:  # no German original either: nothing to print
        return None
    if item.text is None:
        return Text(phrases.phrase(texts.language, "missing"), missing=True)
    return Text(item.text, unreviewed=not item.reviewed)


def _time(start: Any, end: Any, zone: str, all_day: bool, language: str) -> str:
    if all_day:
        return phrases.phrase(language, "all_day")
    return f"{to_local(start, zone):%H:%M}–{to_local(end, zone):%H:%M}"


def build_programme(texts: HostTexts) -> HostProgramme:
    """The host programme's content from ``texts`` (a printable language)."""
    language = texts.language
    by_day: dict[date, list[HostRow]] = {}
    for appointment in texts.appointments:
        places = [
            _text(texts, texts.get(TranslatedKind.APPOINTMENT, appointment.id, "venue")),
        ]
        if appointment.organization is not None:
            places.append(_text(texts, texts.get(TranslatedKind.ORGANIZATION, appointment.organization.id, "name")))
        address = texts.get(TranslatedKind.APPOINTMENT, appointment.id, "address")
        if address is None and appointment.organization is not None:
            address = texts.get(TranslatedKind.ORGANIZATION, appointment.organization.id, "address")
        places.append(_text(texts, address))
        title = _text(texts, texts.get(TranslatedKind.APPOINTMENT, appointment.id, "title"))
        assert title is not None  # every appointment has a title
        row = HostRow(
            time=_time(appointment.start_at, appointment.end_at, appointment.timezone, appointment.all_day, language),
            title=title,
            places=[p for p in places if p is not None],
            tentative=appointment.status is ItemStatus.TENTATIVE,
        )
        by_day.setdefault(to_local(appointment.start_at, appointment.timezone).date(), []).append(row)
    members = []
    for member in texts.members:
        name = _text(texts, texts.get(TranslatedKind.PERSON, member.person_id, "name"))
        assert name is not None
        members.append(HostMember(name, _text(texts, texts.get(TranslatedKind.MEMBER, member.id, "function"))))
    title = _text(texts, texts.get(TranslatedKind.DELEGATION, texts.delegation.id, "title"))
    assert title is not None
    return HostProgramme(
        delegation_id=texts.delegation.id,
        language=language,
        title=title,
        days=[HostDay(phrases.host_day(day, language), rows) for day, rows in sorted(by_day.items())],
        members=members,
        missing_count=len(texts.missing),
        has_unreviewed=bool(texts.unreviewed),
    )


def check_language(tag: str | None) -> str:
    """The normalised tag of a language the host programme can be printed in, or :class:`Rejected`."""
    language = phrases.normalize_tag(tag)
    if language is None or not phrases.printable(language):
        raise Rejected(
            "language",
            _("Das Gastprogramm gibt es bisher nur auf: %(languages)s.", languages=", ".join(phrases.PHRASES)),
        )
    return language


def programme_html(texts: HostTexts) -> str:
    """The host programme's HTML, the print view's and the PDF's."""
    programme = build_programme(texts)
    language = texts.language
    stamp_day = phrases.host_day(to_local(utc_now(), texts.delegation.home_timezone).date(), language)
    stamp = phrases.phrase(language, "as_of", date=stamp_day)
    title = programme.title.value
    return render_template(
        "hostlang/programme.html",
        page_css=sheet_page_css(title, stamp, phrases.PHRASES[language]["pages"]),
        sheet_title=title,
        html_lang=language,
        ui_lang=str(get_locale() or "de"),
        programme=programme,
        words=phrases.PHRASES[language],
        back_url=url_for("hostlang.translations", delegation_id=programme.delegation_id, language=language),
        pdf_url=url_for("hostlang.programme_pdf", delegation_id=programme.delegation_id, language=language),
    )


def _html(delegation_id: int, choices: dict[str, Any]) -> str | None:
    texts = host_texts(delegation_id, check_language(choices.get("language")))
    return None if texts is None else programme_html(texts)


def _filename(delegation_id: int, choices: dict[str, Any]) -> str:
    return f"host-programme-{delegation_id}-{choices['language']}.pdf"


register_document(
    Document(
        kind=KIND,
        html=_html,
        filename=_filename,
        producing=_l("Gastprogramm wird erstellt"),
        failed=_l("Gastprogramm konnte nicht erstellt werden"),
        gone=_l("Die Delegation besteht nicht mehr so, wie angefragt."),
        retry_endpoint="hostlang.translations",
    )
)
