"""Cross-reference page numbers written after layout (planner.briefs.pdf.fill_page_slots), read back with pdftotext.

A small document with the brief's own stylesheet: references forward and
backward, a three-figure page number (the widest the slot is made for), a
link to an anchor that does not exist, and typed text that looks like a slot.
The Keller brief's contents and references are checked in test_brief_pdf.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from planner.briefs.pdf import PAGE_SLOT, html_to_pdf
from tests.briefs.conftest import read_pdf

PAGES = 105  # so that the last pages have three-figure numbers


def _document() -> str:
    pages = []
    for number in range(1, PAGES + 1):
        refs = ""
        if number == 2:  # forward, to a page with three figures, and to nowhere
            refs = (
                '<p class="entry__ref"><a href="#target-103">Gesprächsunterlage</a></p>'
                '<p class="entry__ref"><a href="#nowhere">Verloren</a></p>'
                f'<p>Getippt: <a href="#target-50">Lücke{PAGE_SLOT}Ende</a></p>'
            )
        if number == 104:  # backward
            refs = '<p class="entry__meta">Termin · <a class="backref" href="#target-2">im Programm</a></p>'
        pages.append(f'<section class="chapter" id="target-{number}"><h2>Abschnitt {number}</h2>{refs}</section>')
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="http://localhost/static/css/brief.css"></head>'
        f'<body><main class="document">{"".join(pages)}</main></body></html>'
    )


def test_page_numbers_are_those_of_the_targets(app: Flask, tmp_path: Path) -> None:
    body = html_to_pdf(_document(), base_url="http://localhost/", static_folder=app.static_folder or "")
    path = tmp_path / "slots.pdf"
    path.write_bytes(body)
    pdf = read_pdf(path)
    assert len(pdf.pages) == PAGES
    # Each section is on the page whose index pdftotext gives it: that is what a number must say.
    where = {int(m): index + 1 for index, page in enumerate(pdf.pages) for m in re.findall(r"Abschnitt (\d+)", page)}
    assert where[103] == 103 and where[2] == 2

    second = " ".join(pdf.pages[1].split())
    assert f"→ Gesprächsunterlage, {where[103]}" in second, second
    # A target that is missing gets no number (and no comma); typed figure spaces stay as typed.
    assert re.search(r"→ Verloren(?!,)", second), second
    assert "Lücke" in second and "Lücke, 50" not in second and ", 50" not in second
    assert f"im Programm, {where[2]}" in " ".join(pdf.pages[103].split())
