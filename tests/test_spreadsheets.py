"""Files for spreadsheets: every cell that would run as a formula is text, and each language gets its separator."""

from __future__ import annotations

import csv
import io

import pytest

from planner.spreadsheets import csv_bytes, guarded


@pytest.mark.parametrize("text", ["=1+1", "+49 211 1", "-2", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_is_written_as_text(text: str) -> None:
    assert guarded(text) == "'" + text


@pytest.mark.parametrize("text", ["Empfang", "'schon Text", " =1", "1=1", ""])
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert guarded(text) == text


@pytest.mark.parametrize(("locale", "delimiter"), [("de", ";"), ("en", ",")])
def test_the_csv_reads_back_cell_for_cell_in_each_language(locale: str, delimiter: str) -> None:
    rows = [["Düsseldorf; Rathaus", "서울, 시청", None], ["=HYPERLINK(1)", "Zeile 1\nZeile 2", '"zitiert"']]
    body = csv_bytes(["Ort", "Adresse", "Leer"], rows, locale)
    assert body.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter))
    assert read == [
        ["Ort", "Adresse", "Leer"],
        ["Düsseldorf; Rathaus", "서울, 시청", ""],
        ["'=HYPERLINK(1)", "Zeile 1\nZeile 2", '"zitiert"'],
    ]
