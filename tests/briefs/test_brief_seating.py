"""The seeded banquet's precedence and seating plan in the brief's PDF, and its place cards as PDF.

The brief is the session's full brief (rendered once for every brief test);
the place cards are one more render, through the same queue. Page images of
the seating plan's page and of the first page of cards go to
test-artifacts/protocol for a reviewer.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import sqlalchemy as sa

from planner.extensions import db
from planner.models import Appointment
from planner.seed import seed_uid
from tests.briefs.conftest import KellerBriefs, read_pdf, squash
from tests.jobs import follow_pdf

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "protocol"


def _page_image(pdf: Path, page: int, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(target)], check=True
    )
    image = target.with_suffix(".png")
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 10_000
    return image


def test_the_brief_prints_the_banquet_seating_and_the_place_cards_print_both_scripts(keller: KellerBriefs) -> None:
    brief = keller.pdf()
    # The briefing page of the anniversary celebration carries its order of precedence and the drawing.
    pages = [i for i, text in enumerate(brief.pages, start=1) if "Sitzordnung" in text and "Platz 1" in text]
    assert pages, "no page with the seating plan"
    page = squash(brief.pages[pages[0] - 1])
    for name in ("HuHenghua", "胡衡华", "Dr.StephanKeller", "WolframDiener"):
        assert name in page, name
    # Seat 1 is the host, seat 2 our Lord Mayor (co-host, opposite), as the plan's list says.
    assert "Platz1:HuHenghua" in page and "Platz2:Dr.StephanKeller" in page
    assert "Platzhalter" in page
    _page_image(brief.path, pages[0], "brief-seating")

    with keller.app.app_context():
        banquet = db.session.scalars(
            sa.select(Appointment.id).where(Appointment.uid == seed_uid("keller-2024", "cq-jubilaeum"))
        ).one()
    url = f"/delegations/{keller.delegation_id}/appointments/{banquet}/protocol/cards.pdf"
    response, _seen = follow_pdf(keller.client, url)  # type: ignore[arg-type]
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.get_data(as_text=True)[:1500]
    path = ARTIFACTS / "place-cards.pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path.write_bytes(response.data)
    cards = read_pdf(path)
    # Six principals, two tent cards to a page; the interpreter gets none.
    assert len(cards.pages) == 3
    first = squash(cards.pages[0])
    assert "HuHenghua" in first and "胡衡华" in first and "Dr.StephanKeller" in first
    assert "Dolmetscher/in" not in cards.squashed
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "Noto" in fonts or "SC" in fonts, fonts
    _page_image(path, 1, "place-cards")
