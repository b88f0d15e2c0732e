"""The app-wide helpers (planner.formatting, planner.text), checked against the Unicode and CLDR facts they rest on.

Expected values are written from the standards, not from the code: the C0
controls are U+0000-U+001F and DEL U+007F, the C1 controls U+0080-U+009F
(Unicode general category Cc); script ranges come from the Unicode blocks,
country and language names from CLDR.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from markupsafe import Markup

from planner.formatting import (
    country_choices,
    country_name,
    english_country_name,
    format_offset,
    is_country_code,
    language_names,
    line_breaks,
    offset_to_home,
    paragraphs,
    script_lang,
    sort_key,
    territory_name,
    utc_label,
    utc_offset_label,
)
from planner.models import Country
from planner.text import CALENDAR_CONTROL, CONTROL

TAB, LF, CR = "\t", "\n", "\r"
C0 = [chr(c) for c in range(0x00, 0x20)]
C1 = [chr(c) for c in range(0x80, 0xA0)]
DEL = "\x7f"


def test_the_control_sets_are_the_unicode_controls() -> None:
    # Every character either set removes is a control (category Cc); nothing printable is lost.
    for pattern in (CONTROL, CALENDAR_CONTROL):
        removed = [chr(c) for c in range(0x3000) if pattern.fullmatch(chr(c))]
        assert removed and all(unicodedata.category(ch) == "Cc" for ch in removed)


def test_form_input_keeps_tab_and_both_line_ends_and_the_c1_range() -> None:
    removed = {ch for ch in [*C0, DEL, *C1] if CONTROL.fullmatch(ch)}
    assert removed == set(C0) - {TAB, LF, CR} | {DEL}
    assert CONTROL.sub("", "Empfang\r\nim\tRathaus\x00\x1b") == "Empfang\r\nim\tRathaus"


def test_calendar_text_keeps_tab_and_lf_only() -> None:
    removed = {ch for ch in [*C0, DEL, *C1] if CALENDAR_CONTROL.fullmatch(ch)}
    assert removed == set(C0) - {TAB, LF} | {DEL} | set(C1)
    assert CALENDAR_CONTROL.sub("", "Empfang\r\nim\x85 Rathaus\x9b") == "Empfang\nim Rathaus"


# -- scripts (ranges from the Unicode blocks, Blocks.txt) ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("서울", "ko"),
        ("가", "ko"),  # U+AC00, the first Hangul syllable
        ("힣", "ko"),  # U+D7A3, the last one
        ("\u1100", "ko"),  # Hangul Jamo: CHOSEONG KIYEOK
        ("ㄱ", "ko"),  # U+3131, Hangul Compatibility Jamo
        ("\ua960", "ko"),  # Hangul Jamo Extended-A
        ("\ud7b0", "ko"),  # Hangul Jamo Extended-B
        ("ﾡ", "ko"),  # U+FFA1, halfwidth Hangul
        ("HD현대", "ko"),
        ("서울特別市", "ko"),  # Hangul beside Hanja is Korean
        ("\ud7a4", None),  # unassigned, after the last syllable: not Hangul
        ("ひらがな", "ja"),
        ("カタカナ", "ja"),
        ("ｶﾀｶﾅ", "ja"),  # halfwidth katakana
        ("東京タワー", "ja"),  # Han beside kana is Japanese
        ("重庆", "zh"),
        ("胡衡华", "zh"),
        ("\u3400", "zh"),  # CJK Extension A
        ("\U00020000", "zh"),  # CJK Extension B (plane 2)
        ("\uf900", "zh"),  # CJK Compatibility Ideographs
        ("Düsseldorf", None),
        ("Москва", None),
        ("", None),
        (None, None),
    ],
)
def test_script_lang_names_the_cjk_language(text: str | None, expected: str | None) -> None:
    assert script_lang(text) == expected


# -- offsets ---------------------------------------------------------------------------


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_offsets_read_like_hours_with_a_real_minus() -> None:
    assert format_offset(timedelta(hours=7)) == "+7"
    assert format_offset(timedelta(hours=-1)) == "\u22121"
    assert format_offset(timedelta(hours=5, minutes=30)) == "+5:30"
    assert format_offset(timedelta(hours=-3, minutes=-30)) == "\u22123:30"
    assert format_offset(timedelta(0)) == "±0"


def test_utc_labels_of_real_zones() -> None:
    winter = utc(2024, 1, 15, 12)
    assert utc_label(winter, "Asia/Seoul") == "UTC+9"  # KST, no daylight saving time
    assert utc_label(winter, "Asia/Kolkata") == "UTC+5:30"
    assert utc_label(winter, "Asia/Kathmandu") == "UTC+5:45"
    assert utc_label(winter, "America/St_Johns") == "UTC\u22123:30"  # Newfoundland standard time
    assert utc_label(winter, "Europe/London") == "UTC±0"
    assert utc_label(utc(2024, 7, 15, 12), "Europe/London") == "UTC+1"
    assert utc_offset_label(timedelta(hours=-5)) == "UTC\u22125"
    assert "-" not in utc_offset_label(timedelta(hours=-5))  # no hyphen-minus


def test_offset_to_home_uses_the_same_signs(app_ctx: Flask) -> None:
    october = utc(2024, 10, 16, 12)  # Düsseldorf on CEST (UTC+2), New York on EDT (UTC−4)
    with force_locale("de"):
        assert offset_to_home(october, "Asia/Seoul", "Europe/Berlin") == "+7 h zur Heimatzeit"
        assert offset_to_home(october, "America/New_York", "Europe/Berlin") == "\u22126 h zur Heimatzeit"
        assert offset_to_home(october, "Asia/Kolkata", "Europe/Berlin") == "+3:30 h zur Heimatzeit"


# -- countries (names from CLDR) ---------------------------------------------------------


def test_country_names_follow_the_language(app_ctx: Flask) -> None:
    korea = Country(iso_code="KR", name="South Korea")
    with force_locale("de"):
        assert country_name(korea) == "Südkorea"
        assert territory_name("CN") == "China" and territory_name("DE") == "Deutschland"
    with force_locale("en"):
        assert country_name(korea) == "South Korea"
        assert territory_name("DE") == "Germany"
    assert country_name(Country(iso_code="QQ", name="Stored name")) == "Stored name"  # QQ: user-assigned, no CLDR name
    assert country_name(None) == ""
    assert english_country_name("KR") == "South Korea"


def test_country_codes_are_iso_3166_countries_only() -> None:
    assert is_country_code("DE") and is_country_code("KR")
    assert not is_country_code("EU") and not is_country_code("UN") and not is_country_code("ZZ")
    assert not is_country_code("de") and not is_country_code("DEU") and not is_country_code("QQ")


def test_country_choices_sort_as_people_read(app_ctx: Flask) -> None:
    assert sorted(["Zypern", "Österreich", "Pakistan", "Oman"], key=sort_key) == ["Oman", "Österreich", "Pakistan", "Zypern"]
    with force_locale("de"):
        choices = country_choices()
    codes = [code for code, _ in choices]
    assert codes.index("OM") < codes.index("AT") < codes.index("PK") < codes.index("CY")
    assert "EU" not in codes and len(codes) == len(set(codes))
    assert ("KR", "Südkorea") in choices


def test_language_names(app_ctx: Flask) -> None:
    with force_locale("de"):
        assert language_names("ko, en") == "Koreanisch, Englisch"
    with force_locale("en"):
        assert language_names("zh") == "Chinese"
    assert language_names(None) == ""


# -- free text -------------------------------------------------------------------------


def test_paragraphs_split_at_blank_lines_and_keep_single_line_breaks() -> None:
    assert paragraphs("Eins\nzwei\n\n  Drei  ") == ["Eins\nzwei", "Drei"]
    # Text areas send CR LF; blank lines may hold blanks; runs of blanks collapse.
    assert paragraphs("Profil  eins.\r\nKontaktdaten fiktiv.\r\n \r\n\r\nZweiter\tAbsatz") == [
        "Profil eins.\nKontaktdaten fiktiv.",
        "Zweiter Absatz",
    ]
    assert paragraphs("") == [] and paragraphs(None) == [] and paragraphs(" \n\n ") == []


def test_line_breaks_escape_the_text() -> None:
    assert line_breaks("Eins <b>\nzwei & drei") == Markup("Eins &lt;b&gt;<br>\nzwei &amp; drei")
