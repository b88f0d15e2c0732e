"""The brief's HTML to PDF with WeasyPrint, without ever touching the network.

WeasyPrint fetches whatever a document points at: stylesheets, images,
fonts, over HTTP or from ``file://`` URLs. A brief carries text that
planners typed and data that was imported, so rendering must not become a
way to make the server fetch a URL or read a local file.
:class:`StaticOnlyFetcher` serves the app's own static files (from disk, by
path) and the brief's fonts (a fixed list of URL paths, each to one known
file, see :mod:`planner.briefs.fonts`) and refuses everything else.
"""

from __future__ import annotations

import gc
import logging
import mimetypes
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML, Document
from weasyprint.formatting_structure.boxes import TextBox
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)


class FetchRefused(ValueError):
    """A URL outside the app's static files; WeasyPrint logs it and leaves the resource out."""


class StaticOnlyFetcher(URLFetcher):
    """Serves ``<base_url><static_url_path>/...`` from ``static_folder`` and the URL paths in ``files``; refuses every other URL.

    Only the path counts, never the host: the file is read from disk, so a
    brief rendered from the command line (with the configured public
    address) and one rendered in a request (with the request's host) load
    the same files. ``refused`` lists what was turned away, for tests and logs.
    """

    def __init__(
        self,
        static_folder: str | Path,
        static_url_path: str = "/static",
        base_url: str | None = None,
        files: Mapping[str, Path] | None = None,
    ) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.static_folder = Path(static_folder).resolve()
        # Exact URL path -> file: nothing in a URL is ever joined to a folder here.
        self.files = dict(files or {})
        self.prefix = static_url_path.rstrip("/") + "/"
        self.origin = _origin(base_url) if base_url else None
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:  # WeasyPrint's signature
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            log.info("brief rendering: refused to fetch %s", url[:200])
            raise FetchRefused(f"not one of the app's static files: {url[:200]}")
        self.served.append(url)
        mime_type, _encoding = mimetypes.guess_type(path.name)
        headers_out = {"Content-Type": mime_type or "application/octet-stream"}
        return URLFetcherResponse(url, body=path.read_bytes(), headers=headers_out)

    def _static_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.query or parts.username or parts.password:
            return None
        if self.origin is not None and _origin(url) != self.origin:
            return None
        if parts.path in self.files:
            return self.files[parts.path]
        if not parts.path.startswith(self.prefix):
            return None
        relative = unquote(parts.path[len(self.prefix) :])
        if not relative or "\\" in relative or "\x00" in relative:
            return None
        candidate = (self.static_folder / relative).resolve()
        # resolve() follows "..", symlinks and percent-decoded dots: the result must still be inside.
        if not candidate.is_relative_to(self.static_folder) or not candidate.is_file():
            return None
        return candidate


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def html_to_pdf(
    html: str,
    *,
    base_url: str,
    static_folder: str | Path,
    static_url_path: str = "/static",
    files: Mapping[str, Path] | None = None,
) -> bytes:
    """Render ``html`` (the brief) to PDF bytes with the static-only fetcher (plus ``files``: URL path -> file).

    The document is laid out once; cross-references' page numbers are then
    written into their slots (:func:`fill_page_slots`) before it is drawn.
    """
    fetcher = StaticOnlyFetcher(static_folder, static_url_path, base_url, files)
    with _collector_paused():
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
        fill_page_slots(document)
        return document.write_pdf()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while WeasyPrint works, as it was before.

    A render allocates hundreds of thousands of boxes and styles, all alive
    until the PDF is written; every few hundred allocations the collector
    scanned them again, about a third of a brief's CPU time (measured on the
    Keller brief). Reference counting still frees what has no cycles, and the
    collector picks up the rest when it runs again after the render.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# The blank a stylesheet reserves for a cross-reference's page number (", 12" after a link;
# brief.css: ``.entry__ref a::after``, ``.backref::after``). Figure spaces: as wide as a
# figure each, never collapsed and no line break inside; five of them hold ", 999".
PAGE_SLOT = "\u2007" * 5


def fill_page_slots(document: Document) -> int:
    """Write the page number of each link's target into the blank after the link; returns how many were filled.

    With ``target-counter()`` WeasyPrint lays out every page that refers
    forward a second time once the target's page is known, and a third time
    once the page count is (its cached counters change): two of every three
    pages laid out for a brief were such repeats. A slot of fixed width needs
    no repeat: the document is laid out once, the targets' pages are read from
    the laid-out pages and the numbers are written into the slots' text before
    anything is drawn. The slot is at least as wide as any number it gets and
    the number starts where the slot starts, so nothing else on the line moves
    (the rest of the slot stays blank).

    A slot is generated content (a ``::after``) of an element whose ``href``
    names an anchor in the document; typed text never is, so a planner typing
    figure spaces changes nothing. The page number is the page's position (the
    brief resets no page counter, so it is what ``counter(page)`` prints in the
    footer). Reads WeasyPrint's laid-out boxes (``Page._page_box``): the text of
    a box is set again from ``TextBox.text`` when it is drawn.
    """
    first_page: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            first_page.setdefault(anchor, number)
    filled = 0
    for page in document.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, TextBox) or PAGE_SLOT not in box.text or not box.element_tag.endswith("::after"):
                continue
            href = box.element.get("href", "") if box.element is not None else ""
            target_page = first_page.get(href[1:]) if href.startswith("#") else None
            if target_page is None:
                log.warning("brief rendering: no page for the link target %s", href[:200])
            text = box.text.replace(PAGE_SLOT, "" if target_page is None else f", {target_page}", 1)
            # Both: the box's text and its (released) Pango layout's, from which drawing rebuilds the line.
            box.text = text
            box.pango_layout.text = text
            filled += target_page is not None
    return filled
