"""The PDF flood of ``make load``: many brief downloads at once must not take the service down.

Before the job queue, 200 parallel brief downloads kept every gunicorn
worker busy rendering for minutes and ``/healthz`` answered 1 poll in 51.
This check runs the production set-up on loopback (gunicorn as
``make serve`` starts it, the job worker beside it, the same PostgreSQL
database) and, for a bounded time, lets ``--parallel`` clients from several
signed-in users ask for PDF briefs in varying options as fast as they can
(most abandon the request after the redirect, as a flood does), while a
monitor polls ``/healthz`` and the programme page twice a second.

Passes when at least 90 % of the monitor's polls of each page are answered
(200) within ``--answer-within`` seconds (default 10: generous, since the
flood, the renders, the web workers and PostgreSQL share the same cores), no
request got a 5xx, and the queue has drained within 5 minutes after the
flood stopped.

Called from benchmarks/load.py after the locust run; alone:
``.venv/bin/python benchmarks/load_flood.py [--parallel 40] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402
    Gunicorn,
    count_server_errors,
    count_worker_crashes,
    peak_memory_of,
    postgres_database,
    prepare_database,
    probe,
    signed_in_session,
    stop_process,
)

# Variants the flood asks for: different briefs (and so different renders) per user.
VARIANTS = [
    "",
    "?lang=en",
    "?audience=press",
    "?audience=press&lang=en",
    "?sections=programme",
    "?sections=glance&lang=en",
    "?sections=contacts",
    "?audience=press&sections=programme",
]


class JobWorker:
    """``flask jobs worker`` in a subprocess, as ``make serve`` starts it beside gunicorn."""

    def __init__(self, database_url: str, instance_path: Path, log_path: Path, workers: int) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PLANNER_INSTANCE_PATH": str(instance_path),
            "SECRET_KEY": "benchmark-only",
            "PLANNER_RENDER_WORKERS": str(workers),
        }
        self.env.pop("REDIS_URL", None)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> JobWorker:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "planner", "jobs", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    def peak_memory_mib(self) -> list[float]:
        """Peak resident memory (VmHWM) of the worker and its render processes, in MiB."""
        if self.process is None:
            return []
        pids = [self.process.pid]
        with contextlib.suppress(OSError):
            pids += [int(p) for p in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()]
        return [peak for peak in map(peak_memory_of, pids) if peak is not None]

    def __exit__(self, *_exc: object) -> None:
        stop_process(self.process)
        self._log.close()


def flood(
    base_url: str,
    delegation_id: int,
    emails: list[str],
    *,
    parallel: int,
    seconds: float,
    answer_within: float,
    follow_share: float = 0.1,
) -> dict[str, object]:
    """Run the flood and the monitor; return what both saw."""
    signed_in = [signed_in_session(base_url, email) for email in emails]
    stop = threading.Event()
    lock = threading.Lock()
    statuses: Counter[str] = Counter()
    finished_pdfs: list[float] = []
    polls: dict[str, list[float | None]] = {"healthz": [], "programme": []}

    def client(number: int) -> None:
        session = requests.Session()
        session.cookies.update(signed_in[number % len(signed_in)].cookies)
        rng = random.Random(number)
        while not stop.is_set():
            started = time.monotonic()
            try:
                answer = session.get(
                    f"{base_url}/delegations/{delegation_id}/brief.pdf{rng.choice(VARIANTS)}", allow_redirects=False, timeout=30
                )
                code = str(answer.status_code)
                if answer.status_code == 303 and rng.random() < follow_share:
                    # A patient user: follows the progress page until the file comes (bounded by the flood).
                    location = base_url + answer.headers["Location"]
                    while not stop.is_set():
                        page = session.get(location, timeout=30)
                        if page.headers.get("Content-Type") == "application/pdf":
                            with lock:
                                finished_pdfs.append(time.monotonic() - started)
                            break
                        time.sleep(2)
            except requests.RequestException as error:
                code = type(error).__name__
            with lock:
                statuses[code] += 1
            if code == "429":
                time.sleep(0.2)  # a retry loop, but not a polite one: the flood should press

    def monitor() -> None:
        session = requests.Session()
        session.cookies.update(signed_in[0].cookies)
        targets = {"healthz": f"{base_url}/healthz", "programme": f"{base_url}/delegations/{delegation_id}"}
        while not stop.is_set():
            for name, url in targets.items():
                polls[name].append(probe(session, url, answer_within))
            stop.wait(0.5)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(parallel)]
    watcher = threading.Thread(target=monitor, daemon=True)
    watcher.start()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in [*threads, watcher]:
        thread.join(timeout=60)

    def summary(samples: list[float | None]) -> dict[str, object]:
        answered = sorted(s for s in samples if s is not None)
        return {
            "polls": len(samples),
            "answered": len(answered),
            "p50_ms": round(statistics.median(answered) * 1000, 1) if answered else None,
            "max_ms": round(answered[-1] * 1000, 1) if answered else None,
        }

    return {
        "pdf_requests": dict(sorted(statuses.items())),
        "pdfs_followed_to_the_file": len(finished_pdfs),
        "healthz": summary(polls["healthz"]),
        "programme": summary(polls["programme"]),
    }


def queue_drain_seconds(instance_path: Path, limit: float) -> float | None:
    """Seconds until the queue file holds no waiting job (None if not within ``limit``)."""
    import sqlite3

    started = time.monotonic()
    while time.monotonic() - started < limit:
        with contextlib.closing(sqlite3.connect(instance_path / "jobs.sqlite3")) as connection:
            waiting = connection.execute("SELECT count(*) FROM task").fetchone()[0]
        if waiting == 0:
            return round(time.monotonic() - started, 1)
        time.sleep(1)
    return None


def run_flood(
    database_url: str,
    instance_path: Path,
    workdir: Path,
    delegation_id: int,
    emails: list[str],
    *,
    parallel: int = 40,
    seconds: int = 60,
    workers: int = 4,
    render_workers: int = 2,
    answer_within: float = 10.0,
) -> dict[str, object]:
    """Start gunicorn and the job worker on loopback, flood them, and report (``passed`` says the verdict)."""
    with (
        Gunicorn(database_url, instance_path, workdir / "gunicorn-flood.log", workers=workers) as server,
        JobWorker(database_url, instance_path, workdir / "jobs-worker.log", render_workers) as worker,
    ):
        print(
            f"PDF flood: {parallel} clients of {len(emails)} users for {seconds} s against {server.base_url} "
            f"({workers} web workers, {render_workers} render workers) ...",
            flush=True,
        )
        result = flood(server.base_url, delegation_id, emails, parallel=parallel, seconds=seconds, answer_within=answer_within)
        drained = queue_drain_seconds(instance_path, limit=300)
        result["queue_drained_after_s"] = drained
        result["render_worker_peak_memory_mib"] = worker.peak_memory_mib()
        result["web_worker_peak_memory_mib"] = sorted(server.peak_memory_mib().values())
    result["renders_stored"] = len([p for p in (instance_path / "outputs").glob("brief-pdf_*")])
    result["server_errors_5xx"] = count_server_errors(workdir / "gunicorn-flood.log")
    result["worker_crashes"] = count_worker_crashes(workdir / "gunicorn-flood.log")
    result["setup"] = {
        "parallel": parallel,
        "seconds": seconds,
        "users": len(emails),
        "web_workers": workers,
        "render_workers": render_workers,
        "answer_within_s": answer_within,
        "queue": "SQLite (instance folder)",
    }
    healthz, programme = result["healthz"], result["programme"]
    result["passed"] = bool(
        healthz["polls"]
        and healthz["answered"] >= 0.9 * healthz["polls"]  # type: ignore[index,operator]
        and programme["polls"]
        and programme["answered"] >= 0.9 * programme["polls"]  # type: ignore[index,operator]
        and result["server_errors_5xx"] == 0
        and result["worker_crashes"] == 0
        and drained is not None
    )
    return result


def print_flood(result: dict[str, object]) -> None:
    print("\nPDF flood")
    print(f"  brief.pdf answers: {result['pdf_requests']}  (303 = queued, joined or ready; 429 = one render per user)")
    for name in ("healthz", "programme"):
        part = result[name]
        print(f"  {name:10} answered {part['answered']}/{part['polls']} polls, p50 {part['p50_ms']} ms, max {part['max_ms']} ms")  # type: ignore[index]
    print(
        f"  PDFs followed to the file: {result['pdfs_followed_to_the_file']}; renders stored: {result['renders_stored']}; "
        f"queue empty {result['queue_drained_after_s']} s after the flood"
    )
    print(
        f"  peak memory: web workers {result['web_worker_peak_memory_mib']} MiB, "
        f"job worker and renders {result['render_worker_peak_memory_mib']} MiB; 5xx: {result['server_errors_5xx']}; "
        f"workers crashed: {result['worker_crashes']}"
    )
    print("  PASS" if result["passed"] else "  FAIL: the service did not keep answering during the flood")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parallel", type=int, default=40, help="parallel PDF clients (default 40)")
    parser.add_argument("--seconds", type=int, default=60, help="how long the flood runs (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--render-workers", type=int, default=2, help="job worker processes (default 2)")
    args = parser.parse_args()
    if not (1 <= args.parallel <= 400 and 5 <= args.seconds <= 600):
        parser.error("--parallel 1..400, --seconds 5..600")
    workdir = Path(tempfile.mkdtemp(prefix="planner-flood-"))
    with postgres_database("planner_flood") as database_url:
        prepared = prepare_database(database_url, workdir / "instance")
        result = run_flood(
            database_url,
            workdir / "instance",
            workdir,
            prepared.keller_id,
            prepared.viewers[:8],
            parallel=args.parallel,
            seconds=args.seconds,
            workers=args.workers,
            render_workers=args.render_workers,
        )
    print_flood(result)
    if result["passed"]:
        shutil.rmtree(workdir, ignore_errors=True)
        return 0
    print(f"server and worker logs in {workdir}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
