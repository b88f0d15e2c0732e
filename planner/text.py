"""The one home of the rules for plain text that planners, files and seeds hand us.

Two rules live here:

* :data:`CONTROL` – C0 control characters (and DEL) other than tab and line
  breaks. They have no place in any text a planner types; PostgreSQL refuses
  NUL outright. The request strips them from every form field and query
  argument (:class:`planner.PlannerRequest`). Calendar files use the
  stricter variant :data:`CALENDAR_CONTROL`.
* :func:`single_line` – a one-line field (a title, a name, a venue, a flight
  number, an e-mail address: every ``String(n)`` column; multi-line text is a
  ``Text`` column) never holds a line break. A line break there would break
  every output that puts the value on one line: a calendar's SUMMARY, a
  ``Content-Disposition`` file name, a table cell of the brief. The models
  apply it to every such column when a value is set (see
  :mod:`planner.models.base`), so forms, the seed, the .ics import and the
  CLI share it; ``import-data`` refuses such a value instead, because a
  restore writes rows verbatim.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

# C0 controls other than tab, LF and CR (HTML text areas end lines with CR LF), and DEL.
_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
CONTROL = re.compile(f"[{_C0}]")
# For text written to or read from a calendar file, CR and the C1 controls go too.
# CR: iCalendar text has one line break, LF (written as "\n"); the importer turns
# CR LF and lone CRs into LF before this applies, the export drops the CR of a
# text area's CR LF. C1 (U+0080-U+009F): in files from other programs they are
# what text decoded with the wrong code page leaves behind; no calendar shows them.
CALENDAR_CONTROL = re.compile(f"[{_C0}\r\x80-\x9f]")
# Everything Python's str.splitlines() breaks at, plus tab: CR, LF, VT, FF, the
# file/group/record separators, NEL and the Unicode line and paragraph separators;
# with the blanks around them, so "Dr.\n Keller" becomes "Dr. Keller".
_LINE_BREAKS = re.compile(r"[ \t]*[\t\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]+[ \t]*")


def single_line(value: str) -> str:
    """``value`` with every run of line breaks and tabs (and the blanks around it) turned into one space."""
    return _LINE_BREAKS.sub(" ", value)


def is_single_line(value: str) -> bool:
    """Whether ``value`` has no line break or tab (what :func:`single_line` would change)."""
    return _LINE_BREAKS.search(value) is None


def is_single_line_column(column: sa.ColumnElement[Any]) -> bool:
    """Whether ``column`` holds one line of text: a plain ``String(n)``, not ``Text`` or an enum.

    A column can opt out with ``info={"single_line": False}`` (identifiers
    such as calendar UIDs, which must match the source byte for byte).
    """
    return type(column.type) is sa.String and column.info.get("single_line", True)


# A phone number as people write it to be dialled: an optional "+", digits, and the usual separators.
PHONE_NUMBER = re.compile(r"^\+?[0-9][0-9 ()/\-]*$")


def is_phone_number(value: str) -> bool:
    """Whether ``value`` is a number one can dial ("+49 211 899-0", "112"), not a word or a link."""
    return bool(PHONE_NUMBER.match(value)) and sum(ch.isdigit() for ch in value) >= 2
