"""Idle connections do not stop the production set-up: nginx (as shipped) in front of gunicorn (as configured).

A short version of the slow-client part of ``make load``: 20 connections that
send nothing or half a request line, held for 6 s, while ``/healthz`` and a
signed-in programme page must keep answering within 5 s each. With the old
sync workers four such connections stopped a four-worker server for three
minutes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import DatabaseFactory

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from harness import PASSWORD, Gunicorn, prepare_database  # noqa: E402
from load_slow_clients import run_slow_clients  # noqa: E402

needs_nginx = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="nginx is installed by .ci/install-system-deps (make test, make load)",
)


@needs_nginx
def test_idle_connections_through_the_proxy_leave_the_planner_answering(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.new()
    prepared = prepare_database(url, tmp_path / "instance", planners=0, viewers=1)
    with Gunicorn(url, tmp_path / "instance", tmp_path / "gunicorn.log", workers=2) as server:
        result = run_slow_clients(
            server.address, prepared.keller_id, prepared.viewers[0], PASSWORD, connections=20, seconds=6, bound=5.0
        )
    assert result.passed, result.as_dict()
    assert set(result.probes) == {"/healthz", "programme page"}
    assert all(probe["count"] >= 3 for probe in result.probes.values())
