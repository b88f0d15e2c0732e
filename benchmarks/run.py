"""``make bench``: every speed and memory figure of the planner in one table, against floors of the same run.

    .venv/bin/python benchmarks/run.py [--quick] [--only pages,brief,server] [--sizes 300,3000]
                                       [--pdf-sizes 300] [--runs 5] [--seconds 10]

Four parts, each measuring the planner next to a floor measured moments
before or after on the same machine (benchmarks/README.md says which floor
and why):

* pages  (bench_pages.py):  SQL queries per page, programme page vs its template,
  feed build vs icalendar's serialization, the feed after one appointment
  changed vs a full build, 304 feed polls vs a constant view (informative);
* brief  (bench_brief.py):  the brief's first render vs the frozen reference
  (benchmarks/reference/), the PDF route vs WeasyPrint alone, a download when
  nothing changed vs a fresh render;
* import (bench_import.py): hostile-but-allowed 2 MB .ics files through upload,
  preview and confirm;
* server (bench_server.py): gunicorn (4 workers) on PostgreSQL under wrk (304
  polls vs /healthz), and the workers' peak memory.

Prints one table (figure, trip, value, floor, ratio, target, pass/fail) and the
machine, and writes it all to benchmarks/results/bench-<UTC timestamp>.json.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import describe_machine, machine, print_table, sizes_argument  # noqa: E402

RESULTS = HERE / "results"
PARTS = ("pages", "brief", "import", "server")


def parts_argument(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in parts if part not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(PARTS)}")
    return parts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", type=parts_argument, default=list(PARTS), help="parts to run: pages,brief,import,server")
    parser.add_argument("--sizes", type=sizes_argument, default=[300, 3000], help="generated trips for pages and server")
    parser.add_argument(
        "--pdf-sizes",
        type=sizes_argument,
        default=[300],
        help="generated trips for the PDF (default 300; 3000 takes several minutes per rendering)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per in-process figure (median reported)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per server figure")
    parser.add_argument("--quick", action="store_true", help="a first look: 300 appointments only, fewer runs, short wrk")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.pdf_sizes, args.runs, args.seconds = [300], [], 2, 3
    if not (1 <= args.runs <= 100 and 1 <= args.seconds <= 600):
        parser.error("--runs 1..100, --seconds 1..600")

    started = datetime.now(UTC)
    before = machine()
    rows: list[dict[str, Any]] = []
    durations = {}
    for part in args.only:
        print(f"[{part}] ...", flush=True)
        clock = time.perf_counter()
        if part == "pages":
            import bench_pages

            rows += [{"part": part, **row} for row in bench_pages.run(runs=args.runs, sizes=args.sizes)]
        elif part == "import":
            import bench_import

            rows += [{"part": part, **row} for row in bench_import.run()]
        elif part == "brief":
            import bench_brief

            rows += [{"part": part, **row} for row in bench_brief.run(runs=max(1, min(args.runs, 3)), sizes=args.pdf_sizes)]
        else:
            import bench_server

            rows += [{"part": part, **row} for row in bench_server.run(seconds=args.seconds, sizes=args.sizes)]
        durations[part] = round(time.perf_counter() - clock, 1)

    print()
    print_table(rows)
    after = machine()
    print()
    print(f"machine: {describe_machine(before)}; load at the end {after['load_average_1min']}")
    checked = [row for row in rows if row["passed"] is not None]
    missed = [row for row in checked if not row["passed"]]
    print(f"targets met: {len(checked) - len(missed)} of {len(checked)}")

    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"bench-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {
        "measured_at": started.isoformat(timespec="seconds"),
        "machine": before,
        "load_average_at_end": after["load_average_1min"],
        "settings": {
            "parts": args.only,
            "sizes": args.sizes,
            "pdf_sizes": args.pdf_sizes,
            "runs": args.runs,
            "wrk_seconds": args.seconds,
        },
        "seconds_per_part": durations,
        "rows": rows,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {path}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
