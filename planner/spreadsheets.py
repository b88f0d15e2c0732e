"""The one home of the rules for files that people open in a spreadsheet (the gift register, the programme CSV).

Two rules live here:

* :func:`guarded` – a cell is the planners' free text, typed by anyone with
  edit rights. A cell beginning with ``=``, ``+``, ``-``, ``@`` (or a tab or
  carriage return, which some spreadsheets skip before looking for one) would
  run as a formula when the file is opened ("CSV injection"), so such text is
  written with a leading apostrophe, which spreadsheets show as text.
* :func:`csv_bytes` – the conventions of the reader's office: German
  spreadsheets expect ``;`` between cells (the comma is their decimal sign),
  English ones ``,``. Both files are UTF-8 with a byte-order mark: without it
  Excel reads UTF-8 as the local code page and "Düsseldorf" or "서울" turn to
  mojibake.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(text: str) -> str:
    """``text`` as a spreadsheet shows it, never as a formula it would run."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def delimiter(locale: str) -> str:
    """The cell separator a spreadsheet in ``locale`` ('de', 'en', ...) expects: ``;`` in German, else ``,``."""
    return ";" if locale[:2] == "de" else ","


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str | None]], locale: str) -> bytes:
    """A table of text cells as CSV for ``locale``'s spreadsheets, every cell guarded (None: an empty cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter(locale), lineterminator="\r\n")
    writer.writerow([guarded(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else guarded(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
