"""The app-wide helpers (planner.formatting, planner.text), checked against the Unicode and CLDR facts they rest on.

Expected values are written from the standards, not from the code: the C0
controls are U+0000-U+001F and DEL U+007F, the C1 controls U+0080-U+009F
(Unicode general category Cc).
"""

from __future__ import annotations

import unicodedata

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
