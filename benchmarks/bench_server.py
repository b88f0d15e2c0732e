"""Throughput, latency and memory of the planner as it runs in production.

    .venv/bin/python benchmarks/bench_server.py [--seconds 10] [--sizes 300,3000]

gunicorn with 4 workers (``make serve``'s command) on a throwaway PostgreSQL
database, driven by wrk on loopback (2 threads, 16 connections) for the
programme page (signed in) and the trip feed, for the Keller trip and the
generated trips. The floor, measured in the same run against the same server,
is ``/healthz``: the cheapest request that still goes through the whole stack
(WSGI, the app's request hooks, a database round trip). The ratio is the
share of that throughput a page keeps. Afterwards each worker's peak resident
memory (VmHWM) is read from /proc; target: under 200 MB.

``run()`` returns the rows for benchmarks/run.py (``make bench``).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "load"))

from forms import csrf_token  # noqa: E402
from harness import PASSWORD, Gunicorn, describe_machine, machine, postgres_database, prepare_database, sizes_argument  # noqa: E402

WRK_THREADS = 2
WRK_CONNECTIONS = 16
MEMORY_TARGET_MB = 200


def sign_in(base_url: str, email: str) -> str:
    """The session cookie of a signed-in viewer, as ``name=value`` for wrk's Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base_url + "/auth/login") as page:
        token = csrf_token(page.read().decode())
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD}).encode()
    with opener.open(base_url + "/auth/login", data=form) as answer:
        if answer.status != 200 or answer.url.rstrip("/").endswith("/auth/login"):
            raise SystemExit(f"could not sign in as {email}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> dict[str, float]:
    """Requests/s and latency percentiles (ms) from one wrk run; non-2xx/3xx answers counted as errors."""
    command = [
        "wrk",
        "--threads",
        str(WRK_THREADS),
        "--connections",
        str(WRK_CONNECTIONS),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "60s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    result = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "90", "99"):
        match = re.search(rf"^\s+{percentile}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        value, unit = float(match.group(1)), match.group(2)
        result[f"p{percentile}_ms"] = round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 1)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["errors"] = (int(errors.group(1)) if errors else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return result


def row(
    figure: str,
    trip: str,
    value: float,
    unit: str,
    floor: float | None = None,
    ratio: float | None = None,
    target: str = "",
    passed: bool | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "figure": figure,
        "trip": trip,
        "value": value,
        "unit": unit,
        "floor": floor,
        "ratio": ratio,
        "target": target,
        "passed": passed,
        **extra,
    }


def run(seconds: int = 10, sizes: tuple[int, ...] | list[int] = (300, 3000), workers: int = 4) -> list[dict[str, Any]]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it (Debian package wrk)")
    from trips import generate_trip

    from planner import create_app
    from planner.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="planner-bench-server-"))
    rows: list[dict[str, Any]] = []
    with postgres_database("planner_bench") as database_url:
        prepared = prepare_database(database_url, workdir / "instance", planners=1, viewers=1)
        trips = {"Keller": (prepared.keller_id, prepared.feed_token)}
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(workdir / "instance"), "SECRET_KEY": "benchmark-only"}
        )
        with app.app_context():
            for size in sizes:
                trips[f"{size} appointments"] = generate_trip(size)
            db.engine.dispose()

        with Gunicorn(database_url, workdir / "instance", workdir / "gunicorn.log", workers=workers) as server:
            cookie = sign_in(server.base_url, prepared.viewers[0])
            wrk(server.base_url + "/healthz", 2)  # warm-up: every worker imports, connects, compiles templates
            floor = wrk(server.base_url + "/healthz", seconds)
            rows.append(row("floor: /healthz under gunicorn", "-", floor["requests_per_s"], "req/s", **_latency(floor)))
            for trip, (delegation_id, token) in trips.items():
                page = server.base_url + f"/delegations/{delegation_id}"
                feed = server.base_url + f"/feeds/{token}.ics"
                wrk(page, 2, {"Cookie": cookie})
                for figure, url, headers in (
                    ("programme page under gunicorn", page, {"Cookie": cookie}),
                    ("feed under gunicorn", feed, {}),
                    ("feed poll 304 under gunicorn", feed, {"If-None-Match": _etag(feed)}),
                ):
                    measured = wrk(url, seconds, headers)
                    rows.append(
                        row(
                            figure,
                            trip,
                            measured["requests_per_s"],
                            "req/s",
                            floor["requests_per_s"],
                            round(measured["requests_per_s"] / floor["requests_per_s"], 3),
                            **_latency(measured),
                        )
                    )
            peaks = server.peak_memory_mib()
        log_errors = _server_errors(workdir / "gunicorn.log")
    peak = max(peaks.values()) if peaks else float("nan")
    rows.append(
        row(
            "peak memory per gunicorn worker",
            "all trips",
            peak,
            "MiB",
            target=f"< {MEMORY_TARGET_MB} MB",
            passed=peak * 1.048576 < MEMORY_TARGET_MB,
            workers=sorted(peaks.values()),
        )
    )
    errors = sum(r.get("errors", 0) for r in rows)
    rows.append(
        row(
            "errors under wrk (non-2xx/3xx, socket) and 5xx in the log",
            "all trips",
            errors + log_errors,
            "count",
            target="0",
            passed=errors + log_errors == 0,
        )
    )
    shutil.rmtree(workdir, ignore_errors=True)
    return rows


def _latency(measured: dict[str, float]) -> dict[str, float]:
    return {key: measured[key] for key in ("p50_ms", "p90_ms", "p99_ms", "errors")}


def _etag(url: str) -> str:
    with urllib.request.urlopen(url) as answer:
        return answer.headers["ETag"]


def _server_errors(log: Path) -> int:
    return sum(1 for line in log.read_text(encoding="utf-8").splitlines() if re.search(r'"status": 5\d\d', line))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per figure")
    parser.add_argument("--sizes", type=sizes_argument, default="300,3000", help="generated trip sizes, comma-separated")
    args = parser.parse_args()
    rows = run(args.seconds, args.sizes)
    print(f"{'figure':36} {'trip':18} {'value':>9} {'unit':6} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7}")
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
        print(
            f"{r['figure']:36} {r['trip']:18} {r['value']:>9} {r['unit']:6} {ratio:>6} "
            f"{r.get('p50_ms', ''):>7} {r.get('p99_ms', ''):>7}"
        )
    print("machine:", describe_machine(machine()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
