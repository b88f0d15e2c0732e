"""How long the trip brief PDF takes, next to what WeasyPrint alone needs for the same HTML.

    .venv/bin/python benchmarks/bench_brief.py [--runs N] [--sizes 300]

Creates a throwaway SQLite database, seeds the Keller trip and generates
trips of the given sizes (benchmarks/trips.py), then times, in the same run:

* the brief: what the job worker does for a PDF request end to end (query,
  view model, template, WeasyPrint; ``planner.briefs.rendering.build_pdf``),
  median of N runs; the web request itself only enqueues it;
* the floor: WeasyPrint alone on the HTML of the print view, with the same
  URL fetcher, median of N runs.

Target: the render at most 1.2x its floor. ``run()`` returns the rows for
benchmarks/run.py (``make bench``); nothing here asserts a time: numbers
depend on the machine, which the output names.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sqlalchemy as sa  # noqa: E402
import weasyprint  # noqa: E402
from harness import describe_machine, machine, sizes_argument  # noqa: E402
from trips import generate_trip  # noqa: E402

from planner import create_app  # noqa: E402
from planner.briefs.options import BriefOptions  # noqa: E402
from planner.briefs.pdf import StaticOnlyFetcher  # noqa: E402
from planner.briefs.rendering import build_pdf  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.models import Delegation, TeamMember, User, UserRole  # noqa: E402
from planner.seed import load_seed  # noqa: E402

PASSWORD = "benchmark password, not used elsewhere"
TARGET = 1.2


def median_seconds(action, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


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

    rows = []
    for name, delegation_id in trips.items():
        html = client.get(f"/delegations/{delegation_id}/brief").get_data(as_text=True)
        fetcher = StaticOnlyFetcher(app.static_folder, app.static_url_path, "http://localhost/")

        def full_route() -> bytes:
            with app.app_context():
                body = build_pdf(delegation_id, BriefOptions(), "http://localhost/")  # noqa: B023
            assert body is not None and body.startswith(b"%PDF")
            return body

        def weasyprint_alone() -> bytes:
            return weasyprint.HTML(string=html, base_url="http://localhost/", url_fetcher=fetcher).write_pdf()  # noqa: B023

        pdf = full_route()  # warm-up: fonts, caches, first-request setup
        pages = len(weasyprint.HTML(string=html, base_url="http://localhost/", url_fetcher=fetcher).render().pages)
        value, value_runs = median_seconds(full_route, runs)
        floor, floor_runs = median_seconds(weasyprint_alone, runs)
        ratio = value / floor
        rows.append(
            {
                "figure": "PDF brief vs WeasyPrint alone",
                "trip": name,
                "value": round(value, 3),
                "unit": "s",
                "floor": round(floor, 3),
                "ratio": round(ratio, 3),
                "target": f"≤ {TARGET} × floor",
                "passed": ratio <= TARGET,
                "pages": pages,
                "html_bytes": len(html.encode()),
                "pdf_bytes": len(pdf),
                "value_runs_s": [round(t, 3) for t in value_runs],
                "floor_runs_s": [round(t, 3) for t in floor_runs],
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (median is reported)")
    parser.add_argument(
        "--sizes", type=sizes_argument, default="300", help="generated trip sizes, comma-separated (empty: Keller only)"
    )
    args = parser.parse_args()
    rows = run(args.runs, args.sizes)
    print(
        f"Trip brief PDF (WeasyPrint {weasyprint.__version__}): median of {args.runs} runs; "
        "floor = WeasyPrint alone on the same HTML"
    )
    for row in rows:
        print(
            f"{row['trip']:<20} {row['value']:>8.2f} s  floor {row['floor']:>8.2f} s  "
            f"ratio {row['ratio']:.2f}  {row['pages']} pages"
        )
    print("machine:", describe_machine(machine()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
