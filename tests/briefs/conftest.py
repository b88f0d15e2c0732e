"""Fixtures for the trip brief: the Keller trip rendered once per test session, read back with poppler.

PDFs are rendered through the real route (signed in, test client) and the
real job queue with its worker, so the tests cover the view, the queue, the
template, the stylesheet and WeasyPrint together.
Rendering costs seconds, so each variant is rendered once and shared.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from fontTools.pens.boundsPen import ControlBoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from planner.extensions import db
from planner.models import Delegation, Journey, UserRole
from planner.seed import load_seed
from tests.conftest import DatabaseFactory, login, make_app, make_user
from tests.jobs import follow_pdf, running_worker

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "briefs"
KELLER_TITLE = "Delegationsreise nach Seoul und Chongqing"
# Not in the seed (it has no booking references): added so the tests can see it withheld from the press.
BOOKING_REFERENCE = "PNR-XK42Q7"


def ensure_briefs(app: Flask) -> Flask:
    """Register the brief's blueprint and command unless create_app already did."""
    from planner.briefs import register

    register(app)
    return app


@pytest.fixture
def app(app: Flask) -> Flask:  # the root fixture, plus the briefs feature
    return ensure_briefs(app)


def squash(text: str) -> str:
    """Text without any whitespace: line breaks and justification in a PDF do not matter then."""
    return re.sub(r"\s+", "", text)


def normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass
class RenderedPdf:
    path: Path
    pages: list[str]  # pdftotext per page (form feed separated)

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def squashed(self) -> str:
        return squash(self.text)

    def page_count(self) -> int:
        info = subprocess.run(["pdfinfo", str(self.path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]

    def fonts(self) -> str:
        return subprocess.run(["pdffonts", str(self.path)], capture_output=True, text=True, check=True).stdout


def is_cjk(text: str) -> bool:
    """Hangul syllables or CJK unified ideographs: the characters a Latin font turns into boxes."""
    return any("\uac00" <= ch <= "\ud7af" or "\u4e00" <= ch <= "\u9fff" for ch in text)


@dataclass
class FontGlyphs:
    """The Korean/Chinese characters one embedded font draws: with a real outline, or as an empty box."""

    drawn: list[str] = field(default_factory=list)
    boxes: list[str] = field(default_factory=list)  # .notdef, a glyph the font does not have, or no outline


def cjk_glyphs(path: Path) -> dict[str, FontGlyphs]:
    """For each embedded font (by PDF name), which CJK characters it draws and which of them are boxes.

    pdftotext cannot tell: WeasyPrint maps a missing glyph to its character in
    the ToUnicode table all the same. So each font program is read with
    fontTools and every glyph that the ToUnicode table assigns a CJK character
    must exist in it, not be glyph 0 (.notdef) and have an outline.
    """
    result: dict[str, FontGlyphs] = {}
    for page in PdfReader(path).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).lstrip("/")
            if name in result or font.get("/Subtype") != "/Type0":
                continue
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = (descriptor.get("/FontFile2") or descriptor.get("/FontFile3")).get_object().get_data()
            outlines = TTFont(io.BytesIO(program))
            order, glyphs = outlines.getGlyphOrder(), outlines.getGlyphSet()
            found = result[name] = FontGlyphs()
            to_unicode = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", to_unicode, re.S):
                for code, utf16 in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                    text = bytes.fromhex(utf16).decode("utf-16-be")
                    if not is_cjk(text):
                        continue
                    glyph_id = int(code, 16)
                    pen = ControlBoundsPen(glyphs)
                    if 0 < glyph_id < len(order):
                        glyphs[order[glyph_id]].draw(pen)
                    (found.drawn if pen.bounds is not None else found.boxes).append(text)
    return result


def read_pdf(path: Path) -> RenderedPdf:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return RenderedPdf(path, pages)


@dataclass
class KellerBriefs:
    """The seeded Keller trip in its own app and database, and the PDFs rendered from it."""

    app: Flask
    delegation_id: int
    out: Path
    client: object
    _cache: dict[str, RenderedPdf] = field(default_factory=dict)

    def pdf(self, query: str = "") -> RenderedPdf:
        if query not in self._cache:
            # Through the queue, as a browser gets it: request, progress page, file.
            response, _seen = follow_pdf(self.client, f"/delegations/{self.delegation_id}/brief.pdf{query}")  # type: ignore[arg-type]
            assert response.status_code == 200, response.get_data(as_text=True)[:2000]
            assert response.mimetype == "application/pdf"
            name = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-") or "full"
            path = self.out / f"brief-{name}.pdf"
            path.write_bytes(response.data)
            self._cache[query] = read_pdf(path)
        return self._cache[query]

    def html(self, query: str = "") -> str:
        response = self.client.get(f"/delegations/{self.delegation_id}/brief{query}")  # type: ignore[attr-defined]
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        return response.get_data(as_text=True)


@pytest.fixture(scope="session")
def keller(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KellerBriefs]:
    for tool in ("pdftotext", "pdfinfo", "pdffonts", "pdftoppm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found; `make test` installs poppler-utils")
    root = tmp_path_factory.mktemp("keller-briefs")
    application = ensure_briefs(make_app(databases.new(), root / "instance"))
    with application.app_context():
        db.create_all()
        load_seed(db.session)
        db.session.commit()
        delegation = db.session.scalars(sa.select(Delegation).filter_by(title=KELLER_TITLE)).one()
        journey = db.session.scalars(
            sa.select(Journey).where(Journey.delegation_id == delegation.id).order_by(Journey.depart_at)
        ).first()
        journey.booking_reference = BOOKING_REFERENCE
        db.session.commit()
        delegation_id = delegation.id
        user = make_user(UserRole.VIEWER, "brief-reader@example.org")
        email = user.email
    client = application.test_client()
    login(client, email)
    with running_worker(application):
        yield KellerBriefs(application, delegation_id, root, client)
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
