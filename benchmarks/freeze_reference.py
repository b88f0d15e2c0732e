"""Freeze the trip brief's HTML as the fixed reference the brief figures are measured against (issue #17).

    .venv/bin/python benchmarks/freeze_reference.py [--sizes 300]

Writes ``benchmarks/reference/``: the print-view HTML of the Keller brief and
of the generated trips (``trips.py``, deterministic), gzipped; a copy of every
static file that HTML loads (today ``css/brief.css``); and ``manifest.json``
(commit, date, sizes, the fonts). The fonts are not copied: the two CJK faces
are 4-16 MB each, so the reference names them by file and
:func:`reference_fetcher` loads them from the installed font packages, the
same files the app uses (``planner.briefs.fonts``). DejaVu Sans comes from the
system, as for the app.

Run it once when a reference is to be taken (it was taken when issue #17
started, before the brief was made faster); ``make bench`` then renders the
frozen HTML with WeasyPrint in the same run as the current brief, so the ratio
says how much cheaper the brief has become on the same machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
REFERENCE = HERE / "reference"
BASE_URL = "http://localhost/"
FONT_URL_PREFIX = "/brief-fonts/"

from harness import sizes_argument  # noqa: E402


def reference_html(name: str) -> str:
    """The frozen HTML of the brief ``name`` (``keller`` or ``300``)."""
    return gzip.decompress((REFERENCE / f"brief-{name}.html.gz").read_bytes()).decode("utf-8")


def reference_names() -> list[str]:
    """The frozen briefs there are, as names for :func:`reference_html`."""
    return [path.name.removeprefix("brief-").removesuffix(".html.gz") for path in sorted(REFERENCE.glob("brief-*.html.gz"))]


def reference_fetcher():
    """WeasyPrint's URL fetcher for the frozen HTML: its static copies, and the brief fonts from their packages."""
    from planner.briefs.fonts import BRIEF_FONTS
    from planner.briefs.pdf import StaticOnlyFetcher

    files = {}
    for font in BRIEF_FONTS:
        path = font.packaged_path()
        if path is None or not path.is_file():
            raise SystemExit(f"the brief font {font.filename} is missing: run `make install`")
        files[FONT_URL_PREFIX + font.filename] = path
    return StaticOnlyFetcher(REFERENCE / "static", "/static", BASE_URL, files)


def render_reference(name: str) -> bytes:
    """The frozen brief ``name`` as PDF, by WeasyPrint alone."""
    import weasyprint

    return weasyprint.HTML(string=reference_html(name), base_url=BASE_URL, url_fetcher=reference_fetcher()).write_pdf()


def freeze(sizes: list[int]) -> dict[str, object]:
    import sqlalchemy as sa
    from trips import generate_trip

    from planner import create_app
    from planner.briefs.options import BriefOptions
    from planner.briefs.pdf import StaticOnlyFetcher
    from planner.briefs.rendering import _brief_html
    from planner.extensions import db
    from planner.models import Delegation
    from planner.seed import load_seed

    workdir = Path(tempfile.mkdtemp(prefix="bench-freeze-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'freeze.sqlite3'}",
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "benchmark-only",
            "TESTING": True,
        }
    )
    if REFERENCE.exists():
        shutil.rmtree(REFERENCE)
    (REFERENCE / "static").mkdir(parents=True)
    briefs: dict[str, int] = {}
    with app.app_context():
        db.create_all()
        load_seed(db.session)
        db.session.commit()
        trips = {"keller": db.session.scalars(sa.select(Delegation.id).order_by(Delegation.id)).first()}
        for size in sizes:
            trips[str(size)] = generate_trip(size)[0]
        static = Path(app.static_folder or "")
        for name, delegation_id in trips.items():
            # As the job renders it (planner.briefs.rendering.build_pdf): the default brief, for the public address.
            with app.test_request_context(base_url=BASE_URL):
                html = _brief_html(delegation_id, BriefOptions())
            assert html is not None
            (REFERENCE / f"brief-{name}.html.gz").write_bytes(gzip.compress(html.encode("utf-8"), 9, mtime=0))
            briefs[name] = len(html.encode("utf-8"))
            # Copy what the HTML loads from the static folder (WeasyPrint asks for it through the fetcher).
            probe = StaticOnlyFetcher(static, "/static", BASE_URL)
            import weasyprint

            weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=probe).render()
            for url in probe.served:
                relative = url.split("/static/", 1)[1]
                target = REFERENCE / "static" / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(static / relative, target)
    shutil.rmtree(workdir, ignore_errors=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()
    from planner.briefs.fonts import BRIEF_FONTS

    manifest = {
        "frozen_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "html_bytes": briefs,
        "static_files": sorted(
            str(p.relative_to(REFERENCE / "static")) for p in (REFERENCE / "static").rglob("*") if p.is_file()
        ),
        "fonts_from_packages": {font.filename: font.distribution for font in BRIEF_FONTS},
        "fonts_from_system": ["DejaVu Sans"],
    }
    (REFERENCE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=sizes_argument, default=[300], help="generated trips to freeze besides Keller")
    args = parser.parse_args()
    print(json.dumps(freeze(args.sizes), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
