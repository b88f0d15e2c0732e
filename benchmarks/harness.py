"""What the benchmark and load scripts share.

* :func:`machine` — what the figures were measured on (they mean nothing without it).
* :func:`postgres_database` — a throwaway database on the PostgreSQL server, dropped afterwards.
* :func:`prepare_database` — migrate, seed the Keller trip, add sign-in accounts and a feed.
* :class:`Gunicorn` — the planner as it runs in production (``make serve``), on a free
  loopback port, until the ``with`` block ends.

Everything runs on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

POSTGRES_SERVER = os.environ.get("PLANNER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "benchmark password, used nowhere else"


# -- the machine ----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, object]:
    """CPU count and model, memory, load and software versions: the context of every figure."""
    memory_kb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1) if memory_kb else None,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def describe_machine(info: dict[str, object]) -> str:
    return (
        f"{info['cpus']} CPUs ({info['cpu_model']}), {info['memory_gib']} GiB, "
        f"load {info['load_average_1min']}, Python {info['python']}"
    )


# -- counting and arguments --------------------------------------------------------------


# SQL queries a page may cost (the same for every trip size): ten, except the brief, whose sections each read
# their own table (programme in six, organizations, partnerships, feed links, emergency numbers, etiquette notes,
# seating plans, diet counts, plus the options form's trip and members) — constant, but more than ten since
# protocol and logistics joined it (issue #17's note). Shared by `make bench` and tests/test_query_counts.py.
QUERY_CAP = 10
QUERY_CAPS = {"/delegations/{id}/brief": 18}


def query_cap(path: str) -> int:
    """The most SQL queries the page at ``path`` (a pattern with ``{id}``) may run."""
    return QUERY_CAPS.get(path, QUERY_CAP)


@contextlib.contextmanager
def counted(app: Any) -> Iterator[list[str]]:
    """The SQL statements ``app``'s engine runs inside the block (also used by tests/test_query_counts.py)."""
    from planner.extensions import db

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def sizes_argument(text: str) -> list[int]:
    """``--sizes 300,3000`` for argparse: trip sizes, each between 1 and 20,000 appointments."""
    try:
        sizes = [int(size) for size in text.split(",") if size.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("whole numbers separated by commas, e.g. 300,3000") from None
    if any(not 1 <= size <= 20000 for size in sizes):
        raise argparse.ArgumentTypeError("each size between 1 and 20000")
    return sizes


# -- the table ----------------------------------------------------------------------------


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


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
    """One figure of a benchmark's table: its value, and against which floor and target it is judged."""
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


def print_table(rows: list[dict[str, Any]]) -> None:
    """One line per figure; this table is what the README's performance section shows."""
    header = f"| {'figure':<46} | {'trip':<17} | {'value':>14} | {'floor':>8} | {'ratio':>6} | {'target':<26} | pass |"
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for row in rows:
        value = f"{_number(row['value'])} {row['unit']}"
        passed = {True: "yes", False: "NO", None: ""}[row["passed"]]
        print(
            f"| {row['figure']:<46} | {row['trip']:<17} | {value:>14} | {_number(row['floor']):>8} | {_number(row['ratio']):>6} "
            f"| {row['target']:<26} | {passed:<4} |"
        )


# -- databases -----------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_database(prefix: str = "planner_bench") -> Iterator[str]:
    """A new, empty database on the PostgreSQL server; dropped (with its connections) at the end."""
    server = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with server.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        raise SystemExit(
            f"PostgreSQL is not reachable at {POSTGRES_SERVER} (set PLANNER_TEST_POSTGRES_URL): {error.orig}"
        ) from None
    try:
        yield sa.make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@dataclass
class Prepared:
    """What :func:`prepare_database` made: ids and secrets the load needs."""

    keller_id: int
    feed_token: str
    appointment_ids: list[int]
    planners: list[str]
    viewers: list[str]
    extra: dict[str, object] = field(default_factory=dict)


def prepare_database(database_url: str, instance_path: Path, *, planners: int = 10, viewers: int = 10) -> Prepared:
    """Migrate, seed the Keller trip, create accounts (all with :data:`PASSWORD`) and one trip feed."""
    import flask_migrate

    from planner import create_app
    from planner.extensions import db
    from planner.models import Appointment, Delegation, FeedToken, TeamMember, User, UserRole
    from planner.seed import load_seed

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(instance_path),
            "SECRET_KEY": "benchmark-only",
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.NullPool},
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        load_seed(db.session)
        keller = db.session.scalars(sa.select(Delegation).order_by(Delegation.id)).first()
        emails = {
            UserRole.PLANNER: [f"planner{i}@example.org" for i in range(planners)],
            UserRole.VIEWER: [f"viewer{i}@example.org" for i in range(viewers)],
        }
        for role, addresses in emails.items():
            for email in addresses:
                user = User(email=email, role=role)
                user.set_password(PASSWORD)
                db.session.add(user)
                # On the trip's team, as every account that works on a trip is (planner.teams.access).
                db.session.add(TeamMember(delegation=keller, user=user, may_edit=role == UserRole.PLANNER))
        feed = FeedToken.issue(keller)
        db.session.add(feed)
        db.session.commit()
        appointment_ids = list(
            db.session.scalars(sa.select(Appointment.id).where(Appointment.delegation_id == keller.id).order_by(Appointment.id))
        )
        prepared = Prepared(keller.id, feed.token, appointment_ids, emails[UserRole.PLANNER], emails[UserRole.VIEWER])
        db.engine.dispose()
    return prepared


# -- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """``make serve`` in a subprocess: ``with Gunicorn(url, instance) as server: server.base_url``.

    The request log (one JSON line per request) goes to ``log_path``; the
    workers' peak memory is read from /proc whenever asked, and kept for
    workers that have gone since (one that crashed took its peak with it).
    """

    def __init__(
        self, database_url: str, instance_path: Path, log_path: Path, *, workers: int = 4, extra_env: dict[str, str] | None = None
    ) -> None:
        self.database_url = database_url
        self.instance_path = instance_path
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.base_url = f"http://{self.address}"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self._peaks: dict[int, float] = {}

    def __enter__(self) -> Gunicorn:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "PLANNER_INSTANCE_PATH": str(self.instance_path),
            "SECRET_KEY": "benchmark-only",
        }
        env.pop("REDIS_URL", None)  # the job queue in the instance folder unless the caller asks for Redis
        # Several workers need shared sign-in counters (planner/gunicorn_conf.py runs one worker without);
        # the machine's Redis holds them under a prefix of this run's own.
        env["PLANNER_RATELIMIT_STORAGE"] = os.environ.get("PLANNER_LOAD_REDIS_URL", "redis://127.0.0.1:6379/0")
        env["PLANNER_RATELIMIT_PREFIX"] = f"planner-load-{self.port}-{os.getpid()}"
        env.update(self.extra_env)
        # The production settings (planner/gunicorn_conf.py), as `make serve` uses them.
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:planner.gunicorn_conf",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "planner:create_app()",
        ]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as answer,
            ):
                if answer.status == 200 and len(self.worker_pids()) == self.workers:
                    return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not become healthy within {timeout:.0f} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_memory_mib(self) -> dict[int, float]:
        """Each worker's peak resident memory so far (VmHWM), in MiB: the living ones, and those seen here before."""
        for pid in self.worker_pids():
            peak = peak_memory_of(pid)
            if peak is not None:
                self._peaks[pid] = max(peak, self._peaks.get(pid, 0.0))
        return dict(self._peaks)

    def __exit__(self, *_exc: object) -> None:
        stop_process(self.process)
        self._log.close()


def peak_memory_of(pid: int) -> float | None:
    """A process's peak resident memory so far (VmHWM), in MiB; None once it is gone."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, as a service manager stops it; killed if it has not ended within 30 s."""
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def signed_in_session(base_url: str, email: str, password: str = PASSWORD, *, timeout: float = 30) -> requests.Session:
    """A ``requests`` session signed in through the real sign-in form (CSRF token included)."""
    session = requests.Session()
    page = session.get(base_url + "/auth/login", timeout=timeout).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    answer = session.post(
        base_url + "/auth/login",
        data={"csrf_token": token.group(1), "email": email, "password": password},
        allow_redirects=False,
        timeout=timeout,
    )
    if answer.status_code != 302:
        raise SystemExit(f"signing in as {email} failed: {answer.status_code}")
    return session


def probe(session: requests.Session, url: str, within: float) -> float | None:
    """Seconds ``url`` took to answer 200, or None when it failed or took longer than ``within``."""
    started = time.monotonic()
    try:
        ok = session.get(url, timeout=within).status_code == 200
    except requests.RequestException:
        ok = False
    elapsed = time.monotonic() - started
    return elapsed if ok and elapsed <= within else None


def count_server_errors(log: Path) -> int:
    """5xx answers in the planner's JSON request lines, plus requests gunicorn had to answer itself."""
    count = 0
    for line in _log_lines(log):
        # An exception that escaped the planner: gunicorn sent its own 500 page, and no JSON line was written.
        count += "Error handling request" in line
        if line.startswith("{"):
            try:
                count += json.loads(line).get("status", 0) >= 500
            except json.JSONDecodeError:
                continue
    return count


def count_worker_crashes(log: Path) -> int:
    """Workers that died instead of being stopped: killed by a signal (a segfault), exited with an error, or a fatal error.

    A worker that crashes between requests costs no client an error, so the request counts alone would pass
    such a run; gunicorn's arbiter and faulthandler (gunicorn_conf.post_fork) write these lines.
    """
    markers = ("was sent SIG", "exited with code", "Fatal Python error")
    return sum(any(marker in line for marker in markers) for line in _log_lines(log))


def _log_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
