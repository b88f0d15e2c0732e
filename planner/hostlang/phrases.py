"""The host programme's own words in the host's language, and how its dates are written there.

The app's interface speaks German and English through the gettext catalogue. The
host programme is the one view printed in the host's language, and it has a dozen
fixed words. They live here as a data table, not as ``ko``/``zh_Hans`` gettext
catalogues: ``make translations-extract`` updates every catalogue in
planner/translations with every msgid of the app, so a Korean catalogue would carry
some thousand untranslated entries, and a catalogue would also make the language
look like an interface language. A table keeps the words of this one view together,
lets a test check that every language has every word, and needs no compile step.

The Korean and Chinese words were drafted by the developers, not by a translator:
they are to be verified by an interpreter (zu prüfen) before a programme goes out.

A language is written as a BCP-47 tag ("ko", "zh-Hans"). Translations of the
programme texts may be entered for any tag; the host programme prints only in the
languages this table has words for, and says so for the others.
"""

from __future__ import annotations

import re
from datetime import date

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

# Every word the host programme prints that is not a programme text. Keys are English
# names of the words, not German msgids: nothing here is ever shown in German.
PHRASES: dict[str, dict[str, str]] = {
    "ko": {
        "programme": "방문 일정",
        "delegation_list": "대표단 명단",
        "time": "시간",
        "item": "일정",
        "place": "장소",
        "name": "성명",
        "function": "직책",
        "all_day": "종일",
        "tentative": "미확정",
        "missing": "[번역 없음]",
        "unreviewed": "* 검토되지 않은 번역",
        "incomplete": "번역 미완료: {count}개 항목 누락",
        "local_time": "모든 시간은 현지 시각입니다.",
        "as_of": "기준일: {date}",
        "pages": "{page} / {pages} 쪽",
    },
    "zh-Hans": {
        "programme": "访问日程",
        "delegation_list": "代表团名单",
        "time": "时间",
        "item": "日程",
        "place": "地点",
        "name": "姓名",
        "function": "职务",
        "all_day": "全天",
        "tentative": "待定",
        "missing": "[暂无译文]",
        "unreviewed": "* 译文未经审核",
        # Chinese is punctuated with full-width marks; the ASCII ones would be a typo there.
        "incomplete": "译文不完整：缺少 {count} 项",  # noqa: RUF001
        "local_time": "所有时间均为当地时间。",
        "as_of": "截至：{date}",  # noqa: RUF001
        "pages": "第 {page} 页，共 {pages} 页",  # noqa: RUF001
    },
}

# The Babel locale whose date formats a programme in the language uses: Simplified Chinese is
# written in mainland China (the trip's partner city), so its dates follow zh_Hans_CN.
_DATE_LOCALES = {"ko": "ko_KR", "zh-Hans": "zh_Hans_CN"}

_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def normalize_tag(text: str | None) -> str | None:
    """A BCP-47 tag in its usual spelling ("ZH-hans" -> "zh-Hans", "ko" -> "ko"), or None if it is none.

    Subtags are cased as BCP-47 recommends (language lower, script title, region upper);
    the language must be one CLDR knows, so "xx" or "german" is refused.
    """
    text = (text or "").strip().replace("_", "-")
    if not _TAG.match(text):
        return None
    first, *rest = text.split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 4 and part.isalpha():
            parts.append(part.title())
        elif len(part) == 2 and part.isalpha():
            parts.append(part.upper())
        else:
            parts.append(part.lower())
    try:
        Locale.parse("_".join(parts[:1]))
    except (UnknownLocaleError, ValueError):
        return None
    return "-".join(parts)


def printable(tag: str) -> bool:
    """Whether the host programme can be printed in ``tag`` (its fixed words are in the table)."""
    return tag in PHRASES


def phrase(tag: str, key: str, **values: object) -> str:
    """The fixed word ``key`` in ``tag`` (only for :func:`printable` languages)."""
    return PHRASES[tag][key].format(**values)


def date_locale(tag: str) -> str:
    """The Babel locale of ``tag``'s dates ("zh-Hans" -> "zh_Hans_CN")."""
    return _DATE_LOCALES.get(tag, tag.replace("-", "_"))


def host_day(value: date, tag: str) -> str:
    """A day as the host writes it in full: '2024년 10월 16일 수요일', '2024年10月16日星期三' (CLDR's full date)."""
    return format_date(value, "full", locale=date_locale(tag))


def language_name(tag: str, in_language: str) -> str:
    """The name of ``tag`` in ``in_language`` ('zh-Hans' in 'de' -> 'Chinesisch (vereinfacht)'); the tag if CLDR has none."""
    try:
        return Locale.parse(tag.replace("-", "_")).get_display_name(in_language) or tag
    except (UnknownLocaleError, ValueError):
        return tag
