"""``make serve`` under real gunicorn: the documented sign-in limit holds for the whole server.

The module starts ``make serve`` (migrations, then gunicorn with the
``planner.gunicorn_conf`` start-up check) once per configuration it tests,
each on a free port with its own SQLite database, sends real HTTP requests,
each on a new connection so that they spread over the workers, and stops the
process groups it started. The two configurations (without Redis, and with a
shared Redis when one answers) start side by side: a start is ~15 s of make,
migrations and three processes importing the app, and the two overlap.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener, urlopen

import pytest

from tests.test_load_harness import count_worker_crashes
from tests.test_security import REDIS_URL, redis_reachable

PROJECT = Path(__file__).resolve().parent.parent
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``make serve`` in its own process group, with its output collected in a file."""

    def __init__(self, tmp_path: Path, workers: int, extra_env: dict[str, str]) -> None:
        self.port = free_port()
        self.log_path = tmp_path / "serve.log"
        env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "MAKEFLAGS", "MAKELEVEL"}}
        env.update(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'planner.sqlite3'}",
                "PLANNER_INSTANCE_PATH": str(tmp_path / "instance"),
                "SECRET_KEY": uuid.uuid4().hex,
                **extra_env,
            }
        )
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"WORKERS={workers}", f"PORT={self.port}"],
            cwd=PROJECT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_healthy(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"make serve stopped:\n{self.output()}")
            try:
                with urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"the server did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def booted_workers(self) -> int:
        return len(re.findall(r"Booting worker with pid", self.output()))

    def terminate(self) -> None:
        """Ask the process group this module started (make, gunicorn, its workers, the job worker) to stop."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def wait_stopped(self) -> None:
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


@dataclass
class Servers:
    """``make serve`` as configured without Redis (``alone``), and with a shared Redis (``shared``) if one answers."""

    alone: Server
    shared: Server | None
    prefix: str  # the shared server's rate-limit key prefix in Redis


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    prefix = f"planner-serve-test-{uuid.uuid4().hex}"  # parallel test runs on one Redis never meet
    # Both processes are started before either is waited for, so their start-ups overlap.
    started = Servers(
        alone=Server(tmp_path_factory.mktemp("alone"), workers=2, extra_env={}),
        shared=Server(
            tmp_path_factory.mktemp("shared"),
            workers=2,
            extra_env={"REDIS_URL": REDIS_URL, "PLANNER_RATELIMIT_PREFIX": prefix},
        )
        if redis_reachable()
        else None,
        prefix=prefix,
    )
    running = [server for server in (started.alone, started.shared) if server is not None]
    try:
        for server in running:
            server.wait_until_healthy()
        yield started
    finally:
        for server in running:
            server.terminate()
        for server in running:
            server.wait_stopped()
        if started.shared is not None:
            import redis

            store = redis.Redis.from_url(REDIS_URL)
            for key in store.scan_iter(f"*{prefix}*"):
                store.delete(key)


def failed_sign_in(server: Server, email: str) -> int:
    """One wrong password for ``email`` from a fresh browser (new connections, so any worker may answer)."""
    opener = build_opener(HTTPCookieProcessor(CookieJar()))
    with opener.open(server.url + "/auth/login", timeout=30) as page:
        token = _CSRF.search(page.read().decode()).group(1)
    data = urlencode({"csrf_token": token, "email": email, "password": "not the password at all"}).encode()
    try:
        with opener.open(Request(server.url + "/auth/login", data=data), timeout=30) as answer:
            return answer.status
    except HTTPError as error:
        return error.code


def test_without_redis_make_serve_runs_one_worker_and_says_so(servers: Servers) -> None:
    server = servers.alone
    output = server.output()
    assert "runs ONE worker instead of 2" in output and "REDIS_URL" in output
    assert server.booted_workers() == 1
    # So the documented limit is the real one: the 11th failure is refused.
    assert [failed_sign_in(server, "mayor@example.org") for _ in range(11)] == [200] * 10 + [429]


@pytest.mark.skipif(not redis_reachable(), reason=f"no Redis server answers at {REDIS_URL}")
def test_with_redis_several_workers_share_the_limit(servers: Servers) -> None:
    import redis

    server = servers.shared
    assert server is not None
    store = redis.Redis.from_url(REDIS_URL)
    assert "ONE worker" not in server.output()
    deadline = time.monotonic() + 30
    while server.booted_workers() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.booted_workers() == 2
    assert [failed_sign_in(server, "mayor@example.org") for _ in range(11)] == [200] * 10 + [429]
    with urlopen(server.url + "/healthz", timeout=5) as answer:
        assert json.loads(answer.read()) == {"status": "ok", "database": "ok", "rate_limit_storage": "ok"}
    # The counters are in Redis, under this server's prefix, which is what the workers share.
    assert any(b"mayor@example.org" in key for key in store.scan_iter(f"*{servers.prefix}*"))


def test_a_crashed_worker_leaves_its_python_stacks_in_the_log_and_is_replaced(servers: Servers) -> None:
    # A crash in native code (the segfault of a C extension) said only "Worker was sent SIGSEGV!": without the
    # Python stacks nobody can tell which request or library it was (planner.gunicorn_conf.post_fork).
    server = servers.alone
    pids = [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", server.output())]
    assert pids
    os.kill(pids[-1], signal.SIGSEGV)
    deadline = time.monotonic() + 60
    while server.booted_workers() < len(pids) + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    output = server.output()
    assert "Fatal Python error: Segmentation fault" in output, output[-3000:]
    assert re.search(r'File ".*/(gunicorn|selectors|threading)[^"]*\.py", line \d+', output), output[-3000:]
    assert server.booted_workers() == len(pids) + 1
    server.wait_until_healthy()
    # `make load` counts such a death as a failure even when no request was cut off by it.
    assert count_worker_crashes(server.log_path) >= 1


def test_a_web_worker_loads_no_library_that_only_other_processes_use(tmp_path: Path) -> None:
    # Each would cost every web worker its memory (README, "Performance": memory per worker): WeasyPrint with
    # Pango ~26 MiB and openpyxl 9 (the job worker renders, exports run there), Flask-Migrate with Alembic and
    # Mako ~11 (only `flask db` and the tests migrate), gevent with greenlet 4 (Huey imports it whenever it is
    # installed; only make load's locust needs it, in .venv-load).
    env = {
        **os.environ,
        "PLANNER_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}",
        "SECRET_KEY": "start-check-not-a-secret",
    }
    unwanted = {"weasyprint", "openpyxl", "alembic", "flask_migrate", "mako", "gevent", "greenlet"}
    script = f"import sys; from planner import create_app; create_app(); print(sorted({unwanted!r} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout
