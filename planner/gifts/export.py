"""The register for the compliance office: one table, as CSV and as XLSX.

Both files come from the same rows (:func:`table`), with the column headings in
the reader's language. Cells are the register's free text, typed by anyone with
edit rights: text that would run as a formula is guarded
(:func:`planner.spreadsheets.guarded`), in both formats (openpyxl, too, stores a
string beginning with "=" as a formula). Numbers and dates are written as
numbers and dates in XLSX; the CSV is written for a German office's
spreadsheet: ``;`` between cells, UTF-8 with a byte-order mark, decimal
comma in German.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from planner.formatting import current_locale, listed_name, territory_name
from planner.gifts.checks import GiftRow
from planner.labels import label
from planner.spreadsheets import guarded

Cell = str | Decimal | date | None


def headings() -> list[str]:
    return [
        _("Datum"),
        _("Richtung"),
        _("Geschenk"),
        _("Beschreibung"),
        _("Anlass"),
        _("Reise"),
        _("Person"),
        _("Organisation"),
        _("Partnerstadt"),
        _("Unsere Seite"),
        _("Wert"),
        _("Währung"),
        _("Wert in EUR"),
        _("Meldepflichtig"),
        _("Gemeldet"),
        _("Gemeldet am"),
        _("Verbleib"),
        _("Platzhalter"),
        _("Wiederholung"),
        _("Hinweise"),
    ]


def _yes_no(value: bool) -> str:
    return _("ja") if value else _("nein")


def _declaration(row: GiftRow) -> str:
    if row.must_declare:
        return _("ja")
    if row.value_unknown:
        return _("Wert unbekannt – zu prüfen")
    return _("nein")


def table(rows: Iterable[GiftRow]) -> list[list[Cell]]:
    """One line per gift: typed cells (text, Decimal, date, None), text not yet guarded."""
    lines: list[list[Cell]] = []
    for row in rows:
        gift = row.gift
        city = gift.city
        repeat = _("schon am %(day)s geschenkt", day=row.repeats[-1].given_on.isoformat()) if row.repeats else ""
        lines.append(
            [
                gift.given_on,
                label(gift.direction),
                gift.item,
                gift.description,
                gift.occasion,
                gift.delegation.title if gift.delegation is not None else None,
                listed_name(gift.person) if gift.person is not None else None,
                gift.organization.name if gift.organization is not None else None,
                f"{city.name} ({territory_name(city.country.iso_code)})" if city is not None else None,
                gift.our_side,
                gift.value_amount,
                gift.currency,
                gift.value_eur,
                _declaration(row),
                _yes_no(gift.declared),
                gift.declared_on,
                gift.kept_at,
                _yes_no(gift.placeholder),
                repeat,
                gift.notes,
            ]
        )
    return lines


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = f"{value:.2f}"
        return text.replace(".", ",") if current_locale() == "de" else text
    if isinstance(value, date):
        return value.isoformat()
    return guarded(str(value))


def to_csv(rows: Iterable[GiftRow]) -> bytes:
    """The register as CSV bytes (UTF-8 with BOM, ``;``-separated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([guarded(h) for h in headings()])
    for line in table(rows):
        writer.writerow([_csv_cell(cell) for cell in line])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(value: Cell) -> Any:
    if isinstance(value, str):
        return guarded(value)
    return value


def to_xlsx(rows: Iterable[GiftRow]) -> bytes:
    """The register as an .xlsx workbook with one sheet."""
    # Imported on the first export, not with the app: openpyxl costs each web worker ~9 MiB it rarely needs.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Geschenke")[:31]
    sheet.append([guarded(h) for h in headings()])
    for line in table(rows):
        sheet.append([_xlsx_cell(cell) for cell in line])
    for index, cell in enumerate(sheet[1], start=1):
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = 18
    for column in ("K", "M"):  # the amounts
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
    for column in ("A", "P"):  # the dates
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
