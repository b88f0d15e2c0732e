"""Every display helper, app-wide: dates, clocks, offsets, countries, scripts, free text.

German offices write "Mi., 16. Okt. 2024" and the 24-hour clock; times are
always shown in the zone of the place, with the home time beside them.
Pages, the brief and the calendar export all write these things through the
functions here, and :func:`register` makes each of them available to every
template under one name, so no feature keeps a variant of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_currency
from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from planner.labels import field_label, label
from planner.timezones import get_zone, offset_between, to_local, utc_offset

if TYPE_CHECKING:
    from planner.models import Country, Person

_DAY_PATTERNS = {"de": "EEE, d. MMM y", "en": "EEE, d MMM y"}
# The day beside a clock inside a programme: the year is in the day's heading already.
_SHORT_DAY_PATTERNS = {"de": "EEE, d. MMM", "en": "EEE, d MMM"}
# A date stamp in a heading or a calendar's name ("Version 5 vom 12.10.2024", "Stand: ..."), as offices write it.
_STAMP_DAY_PATTERNS = {"de": "dd.MM.y", "en": "d MMM y"}


def _locale() -> str:
    return str(get_locale() or "de")


def day(value: date | datetime, zone_name: str | None = None) -> str:
    """'Mi., 16. Okt. 2024' / 'Wed, 16 Oct 2024'.

    An instant needs the zone whose calendar day is meant (``instant | day(zone)``):
    08:55 in Seoul on 14 October is still 13 October in UTC.
    """
    if isinstance(value, datetime) and zone_name is not None:
        value = to_local(value, zone_name)
    locale = _locale()
    return format_date(value, _DAY_PATTERNS.get(locale[:2], _DAY_PATTERNS["en"]), locale=locale)


# A date as an office letter writes it in a version line ("Version 5 vom 12.10.2024" / "of 12 Oct 2024").
_DATE_PATTERNS = {"de": "dd.MM.y", "en": "d MMM y"}


def numeric_date(value: date | datetime, zone_name: str | None = None) -> str:
    """'12.10.2024' / '12 Oct 2024': the date of a version or a "Stand" line, on ``zone_name``'s calendar for an instant."""
    if isinstance(value, datetime) and zone_name is not None:
        value = to_local(value, zone_name)
    locale = _locale()
    return format_date(value, _DATE_PATTERNS.get(locale[:2], _DATE_PATTERNS["en"]), locale=locale)


def day_range(start: date, end: date) -> str:
    """'Mo., 14. Okt. 2024 – Sa., 19. Okt. 2024'."""
    return f"{day(start)} – {day(end)}"


def clock(instant: datetime, zone_name: str) -> str:
    """The wall-clock time of ``instant`` at ``zone_name``, 24-hour: '09:30'."""
    return format_datetime(to_local(instant, zone_name), "HH:mm", tzinfo=get_zone(zone_name), locale=_locale())


def stamp_day(value: date | datetime, zone_name: str | None = None) -> str:
    """'12.10.2024' / '12 Oct 2024': the date of a version or a "Stand", without the weekday.

    An instant needs the zone whose calendar day is meant, as for :func:`day`.
    """
    if isinstance(value, datetime) and zone_name is not None:
        value = to_local(value, zone_name)
    locale = _locale()
    return format_date(value, _STAMP_DAY_PATTERNS.get(locale[:2], _STAMP_DAY_PATTERNS["en"]), locale=locale)


def wall_time(instant: datetime, zone_name: str) -> str:
    """``instant`` as the wall time at ``zone_name`` in the form a datetime-local input takes ("2024-10-16T09:30").

    The timeline hands it to its drag script, which adds the dragged distance and posts it
    to the move form, so it is the format of :data:`planner.web.localtime.LOCAL_FORMAT`.
    """
    return to_local(instant, zone_name).strftime("%Y-%m-%dT%H:%M")


def short_day(value: date | datetime, zone_name: str | None = None) -> str:
    """'Do., 17. Okt.' / 'Thu, 17 Oct': the day without its year, where the year is plain from the context.

    An instant needs the zone whose calendar day is meant, as for :func:`day`.
    """
    if isinstance(value, datetime) and zone_name is not None:
        value = to_local(value, zone_name)
    locale = _locale()
    return format_date(value, _SHORT_DAY_PATTERNS.get(locale[:2], _SHORT_DAY_PATTERNS["en"]), locale=locale)


def end_clock(end: datetime, zone_name: str, start: datetime | None = None, start_zone: str | None = None) -> str:
    """The clock at which something ends, with its day when that is another local date than the start's.

    '08:55' for an end on the day of the start; 'Mo., 14. Okt., 08:55' for the
    overnight flight that leaves Düsseldorf at 13:40 on Sunday: each end is read on
    its own place's calendar (the start in ``start_zone``, which defaults to
    ``zone_name``). The day itself is written out, not '(+1)': a printed programme
    is read by people who do not know airline shorthand, a westbound flight can
    land the day before, and the weekday is what a traveller plans by.
    """
    time = clock(end, zone_name)
    if start is None:
        return time
    end_day = to_local(end, zone_name).date()
    if end_day == to_local(start, start_zone or zone_name).date():
        return time
    return f"{short_day(end_day)}, {time}"


def place_name(zone_name: str, city: object | None = None) -> str:
    """How a place is named beside a time: the city if known, else the zone's own city ('Asia/Seoul' -> 'Seoul')."""
    name = getattr(city, "name", None)
    return name or zone_name.rsplit("/", 1)[-1].replace("_", " ")


def long_date(value: date) -> str:
    """'22. Juli 2004' / 'July 22, 2004' (CLDR's long date format of the user's language)."""
    return format_date(value, "long", locale=_locale())


def weekday_name(value: date) -> str:
    """'Samstag' / 'Saturday': the weekday written out, as a warning about a weekend names it."""
    return format_date(value, "EEEE", locale=_locale())


def day_and_month(value: date) -> str:
    """'3. Oktober' / 'October 3': a holiday's date, the year being the trip's."""
    return format_skeleton("MMMMd", value, locale=_locale())


# -- offsets -------------------------------------------------------------------------

# U+2212 MINUS SIGN: a hyphen-minus is shorter than the plus beside it and may break the line.
MINUS = "\u2212"


def format_offset(offset: timedelta) -> str:
    """An offset in hours: '+7', '−1', '+5:30', '−3:30', '±0' (with the typographic minus)."""
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "±0"
    sign = "+" if minutes > 0 else MINUS
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}" if rest else f"{sign}{hours}"


def utc_offset_label(offset: timedelta) -> str:
    """A zone's offset from UTC: 'UTC+9', 'UTC+5:30', 'UTC−3:30', 'UTC±0'."""
    return "UTC" + format_offset(offset)


def utc_label(instant: datetime, zone_name: str) -> str:
    """:func:`utc_offset_label` of ``zone_name`` at ``instant`` (offsets change with daylight saving time)."""
    return utc_offset_label(utc_offset(instant, zone_name))


def offset_to_home(instant: datetime, zone_name: str, home_zone: str) -> str:
    """'+7 h zur Heimatzeit': how far ``zone_name`` is ahead of the home zone at ``instant``."""
    return _("%(offset)s h zur Heimatzeit", offset=format_offset(offset_between(instant, zone_name, home_zone)))


# -- countries and languages ----------------------------------------------------------

# Codes CLDR names that are not countries (EU, UN, "unknown region") or only
# parts of one (Canary Islands): a city must belong to a real ISO 3166-1 country.
_NOT_COUNTRIES = frozenset({"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})


def _territories() -> Mapping[str, str]:
    return _territories_in(_locale())


@lru_cache(maxsize=8)
def _territories_in(locale: str) -> Mapping[str, str]:
    # Once per language: a page names many countries (every option of a zone select's groups).
    return Locale.parse(locale).territories


def territory_name(iso_code: str) -> str:
    """The name of the ISO 3166-1 code in the user's language ('KR' -> 'Südkorea'); the code if CLDR has none."""
    return _territories().get(iso_code, iso_code)


def country_name(country: Country | None) -> str:
    """The country's name in the user's language ('KR' -> 'Südkorea'); the stored (English) name as fallback."""
    if country is None:
        return ""
    return _territories().get(country.iso_code, country.name)


def english_country_name(iso_code: str) -> str:
    """The name stored with a new country (the column keeps one language; pages translate)."""
    return Locale.parse("en").territories.get(iso_code, iso_code)


def is_country_code(iso_code: str) -> bool:
    """Whether ``iso_code`` is an ISO 3166-1 alpha-2 code of a country (not 'EU', not 'de')."""
    return iso_code in _country_codes()


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    # CLDR's territories are data of the installed Babel: read once, not once per option of every country select.
    return frozenset(
        code
        for code in map(str, Locale.parse("en").territories)
        if len(code) == 2 and code.isalpha() and code.isupper() and code not in _NOT_COUNTRIES
    )


def sort_key(text: str) -> str:
    """A key that sorts names the way people read them: 'Österreich' between 'Oman' and 'Pakistan', not after 'Zypern'."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def listed_name(person: Person) -> str:
    """A person as an alphabetical list shows them: "Keller, Stephan (Dr.)"."""
    name = ", ".join(part for part in (person.family_name, person.given_name) if part)
    return f"{name} ({person.title})" if person.title else name


def person_sort_key(person: Person) -> tuple[str, str, int]:
    """Family name, then given name: how the directory and every select order people."""
    return (sort_key(person.family_name or ""), sort_key(person.given_name or ""), person.id or 0)


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166-1 country as (code, name), named in the user's language and sorted by :func:`sort_key`."""
    return list(_country_choices(_locale()))


@lru_cache(maxsize=8)
def _country_choices(locale: str) -> tuple[tuple[str, str], ...]:
    # Per language, once: CLDR names do not change while the app runs, and every form with a country select asks.
    names = {code: name for code, name in Locale.parse(locale).territories.items() if is_country_code(code)}
    return tuple(sorted(names.items(), key=lambda item: sort_key(item[1])))


def language_names(codes: str | None) -> str:
    """'ko, en' -> 'Koreanisch, Englisch': a comma-separated list of language codes, named in the user's language."""
    if not codes:
        return ""
    names = Locale.parse(_locale()).languages
    return ", ".join(names.get(code.strip(), code.strip()) for code in codes.split(",") if code.strip())


# -- scripts ------------------------------------------------------------------------

# Code point ranges from the Unicode blocks (Blocks.txt). Hangul is Korean, kana
# Japanese; Han characters alone are read as Chinese (a Japanese name without kana
# cannot be told apart, and Chinese is what the planner's trips meet).
_HANGUL = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3130, 0x318F),  # Hangul Compatibility Jamo
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A (archaic initial consonants)
    (0xAC00, 0xD7A3),  # Hangul Syllables (the block runs to U+D7AF; the rest is unassigned)
    (0xD7B0, 0xD7FF),  # Hangul Jamo Extended-B (archaic vowels and final consonants)
    (0xFFA0, 0xFFDC),  # Halfwidth Hangul (in the Halfwidth and Fullwidth Forms block)
)
_KANA = (
    (0x3040, 0x309F),  # Hiragana
    (0x30A0, 0x30FF),  # Katakana
    (0x31F0, 0x31FF),  # Katakana Phonetic Extensions
    (0xFF66, 0xFF9F),  # Halfwidth Katakana
)
_HAN = (
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x3134F),  # Extensions B to G and the Compatibility Ideographs Supplement (planes 2 and 3)
)


def _uses(text: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= ord(ch) <= high for ch in text for low, high in ranges)


def script_lang(text: str | None) -> str | None:
    """The language tag that makes a browser or the PDF pick the right glyphs for a name in CJK script.

    The same Han character is drawn differently in Korean, Japanese and
    Chinese, and a ``lang`` attribute is how a page says which: 'ko' for any
    Hangul, 'ja' for any kana, 'zh' for Han characters alone; None for other
    scripts (no attribute needed).
    """
    if not text:
        return None
    if _uses(text, _HANGUL):
        return "ko"
    if _uses(text, _KANA):
        return "ja"
    if _uses(text, _HAN):
        return "zh"
    return None


# -- free text ----------------------------------------------------------------------

_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a free text (a profile, notes, a purpose), as the planner typed them.

    A blank line separates paragraphs; a single line break stays one inside its
    paragraph ("\\n", shown by :func:`line_breaks`), because in a text area the
    planner pressed Enter for it. Blanks within a line are collapsed.
    """
    if not text:
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = []
    for block in _BLANK_LINES.split(text.strip()):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        if paragraph := "\n".join(line for line in lines if line):
            found.append(paragraph)
    return found


def line_breaks(paragraph: str) -> Markup:
    """One paragraph as HTML, its line breaks as ``<br>`` and everything else escaped."""
    return Markup("<br>\n").join(escape(line) for line in paragraph.split("\n"))


def money(amount: Decimal | None, currency: str = "EUR") -> str:
    """'1.234,50 €' / '€1,234.50'; an unknown amount as 'unbekannt'."""
    if amount is None:
        return _("unbekannt")
    return str(format_currency(amount, currency, locale=_locale()))


def current_locale() -> str:
    """The user's language ('de', 'en'), for ``<html lang>`` and Babel."""
    return _locale()


def register(app: Flask) -> None:
    """Make the display helpers available to every template (filters where a value is piped, globals otherwise)."""
    app.add_template_global(current_locale)
    app.add_template_filter(day)
    app.add_template_filter(short_day)
    app.add_template_filter(stamp_day)
    app.add_template_filter(clock)
    app.add_template_filter(end_clock)
    app.add_template_filter(wall_time)
    app.add_template_filter(long_date)
    app.add_template_filter(label)
    app.add_template_filter(field_label)
    app.add_template_filter(paragraphs)
    app.add_template_filter(line_breaks)
    app.add_template_global(money)
    app.add_template_global(day_range)
    app.add_template_global(place_name)
    app.add_template_global(offset_to_home)
    app.add_template_global(format_offset)
    app.add_template_global(utc_offset_label)
    app.add_template_global(country_name)
    app.add_template_global(territory_name)
    app.add_template_global(listed_name)
    app.add_template_global(language_names)
    app.add_template_global(script_lang)
