"""Slow clients against the production set-up: idle connections must not stop the planner.

Part of ``make load`` (called from load.py), and runnable on its own against
a running gunicorn. nginx (.ci/nginx.conf.template) is started on a free
loopback port in front of gunicorn; then ``connections`` TCP connections are
held open for ``seconds``: half of them send nothing at all, half send the
start of a request line and never finish it. Connections the proxy closes
(its header timeout) are opened again at once, so the pressure stays for the
whole time. Meanwhile, once a second, ``/healthz`` and the programme page of a
signed-in viewer are fetched through the proxy; each must answer 200 within
``bound`` seconds. That is a liveness check with generous bounds, not a speed test.

Before: gunicorn's sync workers waited for a request's headers until the
180 s timeout, so four such connections stopped a four-worker server for three
minutes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests
from harness import ROOT, free_port, probe, signed_in_session, stop_process

TEMPLATE = ROOT / ".ci" / "nginx.conf.template"
# Half the idle connections send this and stop: a request line that never ends.
PARTIAL_REQUEST = b"GET /healthz HT"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise SystemExit("nginx is not installed: make load puts it in front of gunicorn (.ci/install-system-deps installs it)")
    return found


class Nginx:
    """nginx with the shipped configuration on a free loopback port, in front of ``upstream`` (host:port)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.prefix = Path(tempfile.mkdtemp(prefix="planner-nginx-"))
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Nginx:
        # nginx started as root runs its worker as "nobody", which must reach the temporary folders.
        self.prefix.chmod(0o755)
        config = (
            TEMPLATE.read_text(encoding="utf-8")
            .replace("@PREFIX@", str(self.prefix))
            .replace("@LISTEN@", f"127.0.0.1:{self.port}")
            .replace("@UPSTREAM@", self.upstream)
        )
        conf = self.prefix / "nginx.conf"
        conf.write_text(config, encoding="utf-8")
        error_log = self.prefix / "error.log"
        self.process = subprocess.Popen(
            [nginx_binary(), "-p", str(self.prefix), "-c", str(conf), "-e", str(error_log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"nginx exited with {self.process.returncode}: {self.error_log()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base_url + "/healthz", timeout=2).status_code == 200:
                    return self
            time.sleep(0.2)
        raise SystemExit(f"nginx did not answer within 20 s: {self.error_log()}")

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def __exit__(self, *_exc: object) -> None:
        stop_process(self.process)
        shutil.rmtree(self.prefix, ignore_errors=True)


class IdleConnections:
    """``count`` connections to ``port`` that never complete a request, reopened whenever the server closes one."""

    def __init__(self, port: int, count: int) -> None:
        self.port, self.count = port, count
        self.reopened = 0
        self.failed_connects = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _open(self, index: int) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        except OSError:
            self.failed_connects += 1
            return None
        if index % 2:
            sock.sendall(PARTIAL_REQUEST)
        sock.setblocking(False)
        return sock

    def _hold(self) -> None:
        sockets: list[socket.socket | None] = [self._open(i) for i in range(self.count)]
        while not self._stop.wait(0.5):
            for index, sock in enumerate(sockets):
                if sock is not None and not self._closed_by_server(sock):
                    continue
                if sock is not None:
                    sock.close()
                    self.reopened += 1
                sockets[index] = self._open(index)
        for sock in sockets:
            if sock is not None:
                sock.close()

    @staticmethod
    def _closed_by_server(sock: socket.socket) -> bool:
        try:
            return sock.recv(4096) == b""  # any data is read away; b"" is the close
        except BlockingIOError:
            return False
        except OSError:
            return True

    def __enter__(self) -> IdleConnections:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@dataclass
class SlowClientsResult:
    """What ``make load`` reports about the slow clients."""

    connections: int
    seconds: int
    bound_s: float
    probes: dict[str, dict[str, float]] = field(default_factory=dict)
    connections_closed_by_proxy_and_reopened: int = 0
    passed: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run_slow_clients(
    gunicorn_address: str,
    delegation_id: int,
    email: str,
    password: str,
    *,
    connections: int = 50,
    seconds: int = 30,
    bound: float = 5.0,
) -> SlowClientsResult:
    """Start nginx before ``gunicorn_address`` (host:port), hold the idle connections, probe the planner through it."""
    result = SlowClientsResult(connections=connections, seconds=seconds, bound_s=bound)
    with Nginx(gunicorn_address) as proxy:
        session = signed_in_session(proxy.base_url, email, password)
        targets = {"/healthz": proxy.base_url + "/healthz", "programme page": f"{proxy.base_url}/delegations/{delegation_id}"}
        timings: dict[str, list[float]] = {name: [] for name in targets}
        failures = dict.fromkeys(targets, 0)
        with IdleConnections(proxy.port, connections) as idle:
            time.sleep(1)  # every idle connection is open before the first probe
            ends = time.monotonic() + seconds
            while time.monotonic() < ends:
                tick = time.monotonic()
                for name, url in targets.items():
                    started = time.monotonic()
                    answered = probe(session, url, bound)
                    timings[name].append(time.monotonic() - started)
                    failures[name] += answered is None
                time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        result.connections_closed_by_proxy_and_reopened = idle.reopened
    for name, values in timings.items():
        result.probes[name] = {
            "count": len(values),
            "failed_or_slower_than_bound": failures[name],
            "max_s": round(max(values, default=0.0), 3),
            "median_s": round(sorted(values)[len(values) // 2], 3) if values else 0.0,
        }
    result.passed = all(p["count"] >= seconds // 2 and p["failed_or_slower_than_bound"] == 0 for p in result.probes.values())
    return result


def print_slow_clients(result: SlowClientsResult) -> None:
    print(
        f"\nslow clients: {result.connections} idle connections for {result.seconds} s through nginx "
        f"({result.connections_closed_by_proxy_and_reopened} closed by its header timeout and reopened)"
    )
    for name, figures in result.probes.items():
        print(
            f"  {name:16} {figures['count']:>4} probes, "
            f"{figures['failed_or_slower_than_bound']} failed or over {result.bound_s:g} s, "
            f"median {figures['median_s'] * 1000:.0f} ms, max {figures['max_s'] * 1000:.0f} ms"
        )
    print("  " + ("PASS: the planner kept answering" if result.passed else "FAIL: the planner stopped answering"))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Slow clients against a running gunicorn, through nginx")
    parser.add_argument("gunicorn", help="gunicorn's address, e.g. 127.0.0.1:8000")
    parser.add_argument("--delegation", type=int, default=1)
    parser.add_argument("--email", default=os.environ.get("PLANNER_LOAD_EMAIL", "viewer0@example.org"))
    parser.add_argument("--password", default=os.environ.get("PLANNER_LOAD_PASSWORD", ""))
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    arguments = parser.parse_args()
    outcome = run_slow_clients(
        arguments.gunicorn,
        arguments.delegation,
        arguments.email,
        arguments.password,
        connections=arguments.connections,
        seconds=arguments.seconds,
    )
    print_slow_clients(outcome)
    raise SystemExit(0 if outcome.passed else 1)
