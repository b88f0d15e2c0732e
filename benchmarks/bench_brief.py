"""How long the trip brief PDF takes, next to what WeasyPrint alone needs for the same HTML.

    .venv/bin/python benchmarks/bench_brief.py [--runs N] [--appointments 300]

Creates a throwaway SQLite database, seeds the Keller trip and generates a
trip with 300 appointments, then times, in the same run:

* the brief: the PDF route end to end (query, view model, template, WeasyPrint)
  through the test client, median of N runs;
* the floor: WeasyPrint alone on the HTML that route produced, with the same
  URL fetcher, median of N runs.

The ratio shows what the planner adds on top of WeasyPrint. Prints a table
and writes benchmarks/results/brief-<timestamp>.json. Nothing here asserts
a time: numbers depend on the machine, which the output names.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import weasyprint  # noqa: E402

from planner import create_app  # noqa: E402
from planner.briefs import register  # noqa: E402
from planner.briefs.pdf import StaticOnlyFetcher  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.models import Delegation, User, UserRole  # noqa: E402
from planner.seed import load_seed  # noqa: E402
from tests.briefs.synthetic import make_trip  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "benchmark password, not used elsewhere"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def median_seconds(action, runs: int) -> tuple[float, list[float]]:  # noqa: ANN001
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (median is reported)")
    parser.add_argument("--only-keller", action="store_true", help="skip the large trip (a quick look)")
    parser.add_argument("--appointments", type=int, default=300, help="size of the generated trip")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-brief-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "benchmark-only",
            "TESTING": True,
        }
    )
    register(app)  # no-op once create_app registers the briefs itself
    with app.app_context():
        db.create_all()
        load_seed(db.session)
        big = make_trip(db.session, appointments=args.appointments)
        user = User(email="bench@example.org", role=UserRole.VIEWER)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        keller_id = db.session.scalars(sa.select(Delegation.id).where(Delegation.id != big.id).order_by(Delegation.id)).first()
        trips = {"Keller trip": keller_id}
        if not args.only_keller:
            trips[f"{args.appointments}-appointment trip"] = big.id

    client = app.test_client()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', login_page)
    if token is None:
        print("no CSRF token on the sign-in page", file=sys.stderr)
        return 1
    token = token.group(1) or token.group(2)
    response = client.post("/auth/login", data={"csrf_token": token, "email": "bench@example.org", "password": PASSWORD})
    if response.status_code != 302:
        print("could not sign in for the benchmark", file=sys.stderr)
        return 1

    rows = []
    for name, delegation_id in trips.items():
        html = client.get(f"/delegations/{delegation_id}/brief").get_data(as_text=True)

        def full_route() -> bytes:
            answer = client.get(f"/delegations/{delegation_id}/brief.pdf")
            assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
            return answer.data

        def weasyprint_alone() -> bytes:
            fetcher = StaticOnlyFetcher(app.static_folder, app.static_url_path, "http://localhost/")
            return weasyprint.HTML(string=html, base_url="http://localhost/", url_fetcher=fetcher).write_pdf()

        pdf = full_route()  # warm-up: fonts, caches, first-request setup
        fetcher = StaticOnlyFetcher(app.static_folder, app.static_url_path, "http://localhost/")
        pages = len(weasyprint.HTML(string=html, base_url="http://localhost/", url_fetcher=fetcher).render().pages)
        value, value_runs = median_seconds(full_route, args.runs)
        floor, floor_runs = median_seconds(weasyprint_alone, args.runs)
        rows.append(
            {
                "figure": f"PDF, {name}",
                "value_s": round(value, 3),
                "floor_s": round(floor, 3),
                "ratio": round(value / floor, 3),
                "pages": pages,
                "html_bytes": len(html.encode()),
                "pdf_bytes": len(pdf),
                "value_runs_s": [round(t, 3) for t in value_runs],
                "floor_runs_s": [round(t, 3) for t in floor_runs],
            }
        )

    machine = {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "platform": platform.platform(),
        # Other work on the machine slows both columns alike; the ratio stays meaningful, the seconds do not.
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    print(f"Trip brief PDF: median of {args.runs} runs; floor = WeasyPrint alone on the same HTML, same fetcher")
    print(f"Machine: {machine['cpu_count']} CPUs, {machine['cpu_model']}; load average {machine['load_average']}; "
          f"Python {machine['python']}, WeasyPrint {machine['weasyprint']}")
    print()
    header = f"{'figure':<34} {'value':>9} {'floor':>9} {'ratio':>7} {'pages':>6}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['figure']:<34} {row['value_s']:>8.2f}s {row['floor_s']:>8.2f}s {row['ratio']:>7.2f} {row['pages']:>6}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = RESULTS / f"brief-{stamp}.json"
    target.write_text(
        json.dumps({"benchmark": "brief", "created_at": stamp, "runs": args.runs, "machine": machine, "results": rows}, indent=2)
        + "\n",
        encoding="utf-8",
    )
    print(f"\nWrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
