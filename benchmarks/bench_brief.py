"""The trip brief's PDF: its first render against a frozen reference, and a download when nothing changed.

    .venv/bin/python benchmarks/bench_brief.py [--runs N] [--sizes 300]

Creates a throwaway SQLite database, seeds the Keller trip and generates
trips of the given sizes (benchmarks/trips.py), then measures, in one run:

* **first render vs the frozen reference** (issue #17): what the job worker
  does for a PDF request end to end (query, view model, template, WeasyPrint;
  ``planner.briefs.rendering.build_pdf``) against WeasyPrint alone rendering
  the brief's HTML as it was frozen when the issue started
  (``benchmarks/reference/``, made by ``freeze_reference.py``; fonts loaded
  from the installed packages). Target: at most 0.6 x the reference. Runs of
  the two alternate, so load on the machine hits both alike.
* **the route against WeasyPrint alone** on the HTML the print view sends
  today, same URL fetcher: what the planner adds around WeasyPrint. Target:
  at most 1.2 x.
* **a download when nothing changed** (Keller): through the app's own routes
  with the test client, signed in: ``brief.pdf`` answers 303 straight to the
  finished file, which is then fetched (both requests timed), after one
  render has gone through the real job queue (Huey's task, executed in this
  process). Floor: the fresh render of the same brief measured above.
  Target: at most 0.02 x.

``run()`` returns the rows for benchmarks/run.py (``make bench``); nothing here
asserts a time: numbers depend on the machine, which the output names.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sqlalchemy as sa  # noqa: E402
import weasyprint  # noqa: E402
from freeze_reference import reference_html, reference_names, render_reference  # noqa: E402
from harness import describe_machine, machine, print_table, row, sizes_argument  # noqa: E402
from trips import generate_trip  # noqa: E402

from planner import create_app  # noqa: E402
from planner.briefs.fonts import font_files_by_url  # noqa: E402
from planner.briefs.options import BriefOptions  # noqa: E402
from planner.briefs.pdf import StaticOnlyFetcher  # noqa: E402
from planner.briefs.rendering import build_pdf  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.jobs import jobs  # noqa: E402
from planner.models import Delegation, TeamMember, User, UserRole  # noqa: E402
from planner.seed import load_seed  # noqa: E402

PASSWORD = "benchmark password, not used elsewhere"
TARGET = 1.2
REFERENCE_TARGET = 0.6
CACHED_TARGET = 0.02
CACHED_DOWNLOADS = 20


def _timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _sign_in(app):
    client = app.test_client()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', login_page)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    response = client.post(
        "/auth/login", data={"csrf_token": token.group(1) or token.group(2), "email": "bench@example.org", "password": PASSWORD}
    )
    if response.status_code != 302:
        raise SystemExit("could not sign in for the benchmark")
    return client


def run(runs: int = 3, sizes: tuple[int, ...] | list[int] = (300,)) -> list[dict[str, Any]]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-brief-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "benchmark-only",
            "TESTING": True,
        }
    )
    with app.app_context():
        db.create_all()
        load_seed(db.session)
        user = User(email="bench@example.org", role=UserRole.VIEWER)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        trips = {"Keller": db.session.scalars(sa.select(Delegation.id).order_by(Delegation.id)).first()}
        for size in sizes:
            trips[f"{size} appointments"] = generate_trip(size)[0]
        # The reader is on every trip's team (planner.teams.access): a page outside it is a 404.
        db.session.add_all(TeamMember(delegation_id=trip_id, user_id=user.id) for trip_id in trips.values())
        db.session.commit()
    client = _sign_in(app)
    frozen = set(reference_names())

    rows: list[dict[str, Any]] = []
    fresh: dict[str, float] = {}
    for name, delegation_id in trips.items():
        reference = "keller" if name == "Keller" else name.split()[0]
        html = client.get(f"/delegations/{delegation_id}/brief").get_data(as_text=True)
        with app.test_request_context(base_url="http://localhost/"):
            files = font_files_by_url(app)
        fetcher = StaticOnlyFetcher(app.static_folder or "", app.static_url_path or "/static", "http://localhost/", files)

        def full_route() -> bytes:
            with app.app_context():
                body = build_pdf(delegation_id, BriefOptions(), "http://localhost/")  # noqa: B023
            assert body is not None and body.startswith(b"%PDF")
            return body

        def weasyprint_alone() -> bytes:
            return weasyprint.HTML(string=html, base_url="http://localhost/", url_fetcher=fetcher).write_pdf()  # noqa: B023

        # A generated trip's brief takes tens of seconds per rendering: one run of each there.
        n = runs if name == "Keller" else 1
        pdf = full_route()  # warm-up: fonts, caches, first-request set-up (for the reference too: same process)
        pages = len(weasyprint.HTML(string=html, base_url="http://localhost/", url_fetcher=fetcher).render().pages)
        series: dict[str, list[float]] = {"route": [], "alone": [], "reference": []}
        for _ in range(n):
            series["route"].append(_timed(full_route))
            series["alone"].append(_timed(weasyprint_alone))
            if reference in frozen:
                series["reference"].append(_timed(lambda: render_reference(reference)))  # noqa: B023
        value = statistics.median(series["route"])
        fresh[name] = value
        alone = statistics.median(series["alone"])
        extra = {
            "pages": pages,
            "html_bytes": len(html.encode()),
            "pdf_bytes": len(pdf),
            "value_runs_s": [round(t, 3) for t in series["route"]],
        }
        if series["reference"]:
            floor = statistics.median(series["reference"])
            rows.append(
                row(
                    "brief first render vs frozen reference",
                    name,
                    round(value, 3),
                    "s",
                    round(floor, 3),
                    round(value / floor, 3),
                    f"≤ {REFERENCE_TARGET} × reference",
                    value / floor <= REFERENCE_TARGET,
                    reference_html_bytes=len(reference_html(reference).encode()),
                    floor_runs_s=[round(t, 3) for t in series["reference"]],
                    **extra,
                )
            )
        rows.append(
            row(
                "PDF brief vs WeasyPrint alone",
                name,
                round(value, 3),
                "s",
                round(alone, 3),
                round(value / alone, 3),
                f"≤ {TARGET} × floor",
                value / alone <= TARGET,
                floor_runs_s=[round(t, 3) for t in series["alone"]],
                **extra,
            )
        )

    rows.append(_cached_download(app, client, trips["Keller"], fresh["Keller"]))
    return rows


def _cached_download(app, client, delegation_id: int, fresh_seconds: float) -> dict[str, Any]:
    """The Keller brief asked for again while nothing changed: 303 to the stored file, and the file."""
    url = f"/delegations/{delegation_id}/brief.pdf"
    first = client.get(url)
    if first.status_code != 303:
        raise SystemExit(f"{url} answered {first.status_code}, not 303")
    with app.app_context():
        huey = jobs(app).huey
        while (task := huey.dequeue()) is not None:  # the render the request queued, by Huey's own executor
            huey.execute(task)

    def download() -> bytes:
        answer = client.get(url)
        assert answer.status_code == 303 and answer.headers["Location"].endswith(".pdf"), answer.status_code
        body = client.get(answer.headers["Location"])
        assert body.status_code == 200 and body.data.startswith(b"%PDF"), body.status_code
        return body.data

    download()  # warm-up
    times = [_timed(download) for _ in range(CACHED_DOWNLOADS)]
    value = statistics.median(times)
    ratio = value / fresh_seconds
    return row(
        "brief download, nothing changed (route)",
        "Keller",
        round(value * 1000, 2),
        "ms",
        round(fresh_seconds * 1000),
        round(ratio, 4),
        f"≤ {CACHED_TARGET} × fresh render",
        ratio <= CACHED_TARGET,
        downloads=CACHED_DOWNLOADS,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure of the Keller brief (median is reported)")
    parser.add_argument(
        "--sizes", type=sizes_argument, default="300", help="generated trip sizes, comma-separated (empty: Keller only)"
    )
    args = parser.parse_args()
    rows = run(args.runs, args.sizes)
    print(f"Trip brief PDF (WeasyPrint {weasyprint.__version__})")
    print_table(rows)
    print("machine:", describe_machine(machine()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
