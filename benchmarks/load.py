"""``make load``: the planner under concurrent use, as it runs in production.

    .venv/bin/python benchmarks/load.py [--users 50] [--seconds 60] [--workers 4]

1. creates a throwaway PostgreSQL database (127.0.0.1:5432), migrates it, seeds
   the Keller trip, adds planner and viewer accounts and a trip feed;
2. starts gunicorn (``make serve``'s command) with 4 workers on a free loopback port;
3. runs locust headless (benchmarks/load/locustfile.py) for 60 s with 50 users
   mixing programme views, timeline and appointment pages, feed polls with
   ETags and appointment edits;
4. holds 50 idle connections for 30 s through nginx in front of gunicorn
   (benchmarks/load_slow_clients.py) while /healthz and the programme page must
   keep answering;
5. checks the database afterwards: every save the server acknowledged is in it
   (no lost update) and no save it refused is;
6. prints requests/s, p50/p95/p99 latency and errors per kind of request, the
   workers' peak memory and the machine, and writes them as JSON to
   benchmarks/results/load-<UTC timestamp>.json;
7. floods the same set-up (plus the job worker) with PDF brief requests for a
   bounded time and checks that ``/healthz`` and the programme keep answering
   (benchmarks/load_flood.py; ``--flood-seconds 0`` leaves it out).

Exits 1 when there was any error or lost update, or the planner stopped answering. Nothing leaves 127.0.0.1;
the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402
    PASSWORD,
    Gunicorn,
    count_server_errors,
    count_worker_crashes,
    describe_machine,
    machine,
    postgres_database,
    prepare_database,
)
from load_flood import print_flood, run_flood  # noqa: E402
from load_slow_clients import print_slow_clients, run_slow_clients  # noqa: E402

RESULTS = HERE / "results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="how long the load runs (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--slow-clients", type=int, default=50, help="idle connections held through nginx after the load, 0 to skip (default 50)"
    )
    parser.add_argument("--slow-seconds", type=int, default=30, help="how long they are held (default 30)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON (default benchmarks/results)")
    parser.add_argument("--flood-seconds", type=int, default=60, help="PDF flood after the load, 0 = none (default 60)")
    parser.add_argument("--flood-parallel", type=int, default=40, help="parallel PDF clients in the flood (default 40)")
    args = parser.parse_args()
    if not (
        1 <= args.users <= 1000
        and 5 <= args.seconds <= 3600
        and 1 <= args.workers <= 64
        and 0 <= args.slow_clients <= 1000
        and 5 <= args.slow_seconds <= 600
    ):
        parser.error("--users 1..1000, --seconds 5..3600, --workers 1..64, --slow-clients 0..1000, --slow-seconds 5..600")

    workdir = Path(tempfile.mkdtemp(prefix="planner-load-"))
    started = datetime.now(UTC)
    with postgres_database("planner_load") as database_url:
        prepared = prepare_database(database_url, workdir / "instance")
        plan = {
            "delegation_id": prepared.keller_id,
            "appointment_ids": prepared.appointment_ids,
            "feed_token": prepared.feed_token,
            "planners": prepared.planners,
            "viewers": prepared.viewers,
            "password": PASSWORD,
            "ack_file": str(workdir / "acknowledged.jsonl"),
            "conflict_file": str(workdir / "conflicts.txt"),
        }
        with Gunicorn(database_url, workdir / "instance", workdir / "gunicorn.log", workers=args.workers) as server:
            print(
                f"gunicorn with {args.workers} workers on {server.base_url}, "
                f"PostgreSQL database {database_url.rsplit('/', 1)[-1]}"
            )
            print(f"{args.users} users for {args.seconds} s ...", flush=True)
            locust = subprocess.run(
                [
                    str(locust_python()),
                    "-m",
                    "locust",
                    "-f",
                    str(HERE / "load" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(args.users),
                    "--run-time",
                    f"{args.seconds}s",
                    "--host",
                    server.base_url,
                    "--json-file",
                    str(workdir / "locust"),
                    "--stop-timeout",
                    "10",
                    "--loglevel",
                    "WARNING",
                ],
                env={**os.environ, "PLANNER_LOAD_PLAN": json.dumps(plan)},
                capture_output=True,
                text=True,
            )
            peaks = server.peak_memory_mib()
            slow = None
            if args.slow_clients:
                print(f"{args.slow_clients} idle connections for {args.slow_seconds} s through nginx ...", flush=True)
                slow = run_slow_clients(
                    server.address,
                    prepared.keller_id,
                    prepared.viewers[0],
                    PASSWORD,
                    connections=args.slow_clients,
                    seconds=args.slow_seconds,
                )
        stats = read_stats(workdir / "locust.json")
        lost, phantom, acknowledged = check_edits(database_url, plan)
        flood = None
        if args.flood_seconds > 0:
            flood = run_flood(
                database_url,
                workdir / "instance",
                workdir,
                prepared.keller_id,
                prepared.viewers[:8],
                parallel=args.flood_parallel,
                seconds=args.flood_seconds,
                workers=args.workers,
            )
    server_errors = count_server_errors(workdir / "gunicorn.log")
    crashes = count_worker_crashes(workdir / "gunicorn.log")
    conflicts = _lines(Path(plan["conflict_file"]))

    total = stats.get("Aggregated", {})
    errors = int(total.get("failures", 0))
    saves = stats.get("save appointment", {"requests": 0, "failures": 0})
    result = {
        "measured_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "setup": {
            "users": args.users,
            "seconds": args.seconds,
            "gunicorn_workers": args.workers,
            "database": "PostgreSQL",
            "trip": "Keller (seed)",
            "appointments": len(prepared.appointment_ids),
        },
        "requests": stats,
        "errors": errors,
        "server_errors_5xx": server_errors,
        "worker_crashes": crashes,
        "edits_acknowledged": acknowledged,
        "edits_refused_as_conflicts": conflicts,
        # Every save locust counted ended as acknowledged, refused as a conflict, or an error.
        "saves_unaccounted": saves["requests"] - saves["failures"] - acknowledged - conflicts,
        "lost_updates": lost,
        "saves_in_database_not_acknowledged": phantom,
        "worker_peak_memory_mib": sorted(peaks.values()),
        "slow_clients": slow.as_dict() if slow is not None else None,
        "pdf_flood": flood,
    }
    print_report(result)
    if slow is not None:
        print_slow_clients(slow)
    if flood is not None:
        print_flood(flood)
    if locust.returncode not in (0, 1):  # locust exits 1 when a request failed; that is reported above
        print(locust.stdout[-3000:], locust.stderr[-3000:], sep="\n", file=sys.stderr)
        print(f"locust exited with {locust.returncode}", file=sys.stderr)
        return 1
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"load-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {path}")
    ok = (
        errors == 0
        and server_errors == 0
        and crashes == 0
        and lost == 0
        and phantom == 0
        and acknowledged > 0
        and result["saves_unaccounted"] == 0
        and (slow is None or slow.passed)
        and (flood is None or bool(flood["passed"]))
    )
    if ok:
        print("PASS: no errors, no lost updates")
        shutil.rmtree(workdir, ignore_errors=True)
        return 0
    print(f"FAIL: see errors / lost updates above; server log and locust files in {workdir}")
    return 1


def locust_python() -> Path:
    """The Python of the environment locust is installed in (``make load`` makes it): not the app's, see pyproject.toml."""
    python = Path(os.environ.get("PLANNER_LOCUST_PYTHON") or HERE.parent / ".venv-load" / "bin" / "python")
    if not python.exists():
        raise SystemExit(f"locust is not installed at {python}: run `make load`, which installs it there")
    return python


def read_stats(path: Path) -> dict[str, dict[str, float]]:
    """Locust's final figures per kind of request, and all together: count, failures, req/s, p50/p95/p99 in ms.

    Read from ``--json-file``, which locust writes after the last user has
    stopped; its CSV is written periodically and can miss the final seconds.
    """
    entries = json.loads(path.read_text(encoding="utf-8"))
    if not entries:
        return {}
    started = min(entry["start_time"] for entry in entries)
    ended = max(entry["last_request_timestamp"] or started for entry in entries)
    seconds = max(ended - started, 1e-9)
    total: dict[str, object] = {
        "name": "Aggregated",
        "num_requests": 0,
        "num_failures": 0,
        "response_times": {},
        "max_response_time": 0,
    }
    for entry in entries:
        total["num_requests"] += entry["num_requests"]
        total["num_failures"] += entry["num_failures"]
        total["max_response_time"] = max(total["max_response_time"], entry["max_response_time"] or 0)
        for ms, count in entry["response_times"].items():
            total["response_times"][ms] = total["response_times"].get(ms, 0) + count
    stats = {}
    for entry in [*sorted(entries, key=lambda e: e["name"]), total]:
        times = {float(ms): count for ms, count in entry["response_times"].items()}
        stats[entry["name"]] = {
            "requests": entry["num_requests"],
            "failures": entry["num_failures"],
            "requests_per_s": round(entry["num_requests"] / seconds, 1),
            "p50_ms": _percentile(times, 0.50),
            "p95_ms": _percentile(times, 0.95),
            "p99_ms": _percentile(times, 0.99),
            "max_ms": round(entry["max_response_time"] or 0, 1),
        }
    return stats


def _percentile(times: dict[float, int], share: float) -> float:
    """The response time (ms, as locust rounds it) below which ``share`` of the requests finished."""
    total = sum(times.values())
    if not total:
        return 0.0
    seen = 0
    for ms in sorted(times):
        seen += times[ms]
        if seen >= share * total:
            return ms
    return max(times)


def check_edits(database_url: str, plan: dict) -> tuple[int, int, int]:
    """(lost, phantom, acknowledged): acknowledged markers missing from the notes, and markers saved but refused."""
    import re

    import sqlalchemy as sa

    acknowledged = [json.loads(line) for line in _read(Path(plan["ack_file"]))]
    refused = set(_read(Path(plan["conflict_file"])))
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        notes = dict(
            connection.execute(
                sa.text("SELECT id, coalesce(notes, '') FROM appointments WHERE delegation_id = :d"), {"d": plan["delegation_id"]}
            ).all()
        )
    engine.dispose()
    lost = [edit for edit in acknowledged if edit["marker"] not in notes.get(edit["appointment_id"], "")]
    saved = {marker for text in notes.values() for marker in re.findall(r"\[[0-9a-f]{10}\]", text)}
    phantom = saved & refused
    for edit in lost[:10]:
        print(f"LOST: appointment {edit['appointment_id']} lacks acknowledged save {edit['marker']}", file=sys.stderr)
    return len(lost), len(phantom), len(acknowledged)


def _read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _lines(path: Path) -> int:
    return len(_read(path))


def print_report(result: dict) -> None:
    print()
    print(f"{'request':32} {'count':>7} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, row in result["requests"].items():
        print(
            f"{name:32} {row['requests']:>7} {row['failures']:>6} {row['requests_per_s']:>7} "
            f"{row['p50_ms']:>7.0f} {row['p95_ms']:>7.0f} {row['p99_ms']:>7.0f}"
        )
    print()
    print(
        f"errors: {result['errors']} (5xx in the server log: {result['server_errors_5xx']}; "
        f"workers crashed: {result['worker_crashes']})"
    )
    print(
        f"edits acknowledged: {result['edits_acknowledged']}, "
        f"refused as conflicting (409): {result['edits_refused_as_conflicts']}"
        f" (saves not accounted for: {result['saves_unaccounted']})"
    )
    print(
        f"lost updates: {result['lost_updates']}, "
        f"refused saves found in the database: {result['saves_in_database_not_acknowledged']}"
    )
    print(f"peak memory per worker (MiB): {result['worker_peak_memory_mib']}")
    print(f"machine: {describe_machine(result['machine'])}")


if __name__ == "__main__":
    sys.exit(main())
