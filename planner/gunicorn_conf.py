"""gunicorn's settings for the planner, one place for ``make serve``, ``make load`` and the docs.

    gunicorn -c python:planner.gunicorn_conf --workers 4 --bind 127.0.0.1:8000 'planner:create_app()'

Command-line options win over these, so ``--workers`` and ``--bind`` stay per
deployment. What is fixed here, and why:

* **gthread workers.** A sync worker is one request at a time and waits for a
  client's headers until ``timeout``: four idle connections stopped a
  four-worker server for three minutes. A gthread worker keeps connections that
  have sent nothing in its poller, without holding a thread, and serves
  ``threads`` requests at once. It still reads a started request on a thread
  until it is complete, so a client that trickles its headers holds that thread:
  the real protection against slow clients is the reverse proxy in front
  (README, "Operations"; ``.ci/nginx.conf.template``), which hands gunicorn only
  complete requests.
* **Short keep-alive.** An idle kept-alive connection is closed after
  ``keepalive`` seconds, so a browser's open connection does not count against
  the worker for long.
* **timeout** is the worker's heartbeat: a gthread worker's main loop keeps
  beating while its threads work, so it never limited a request, but a worker
  that hangs altogether is replaced after it. It is gunicorn's usual 30 s
  again (it was 120 s while PDF renders and .ics parses ran in the request):
  briefs and sheets are rendered, large imports parsed, by the job worker.
* **One worker without a shared Redis.** The sign-in limits
  (:mod:`planner.auth.ratelimit`) hold for the whole deployment only when every
  worker counts in a shared Redis; without one each worker counts on its own,
  and four workers would let four times the documented number of guesses
  through. So without ``REDIS_URL`` the planner runs one worker and says so
  (:func:`on_starting`), rather than serving with limits that are not true.
* **One malloc arena per worker** (glibc): the request threads reuse each other's freed
  memory instead of each keeping its own (:mod:`planner.allocator`; README, "Performance").
* **No access log, redacted error log.** gunicorn's access line would print
  feed URLs with their secret tokens; the planner writes its own JSON request
  line with the tokens redacted (:mod:`planner.security`), and every other log
  record of master and workers is redacted too (:mod:`planner.log_redaction`).
"""

from __future__ import annotations

import faulthandler
import os
import sys
from typing import Any

from planner import allocator, log_redaction

# In the master already: its records (and those of workers forked from it) are redacted from the start.
log_redaction.install()

worker_class = "gthread"
# One thread per worker on CPython 3.11, two from 3.12 on. On 3.11 a worker whose second request thread
# ran while the first loaded a large programme died now and then of a corrupted heap (SIGSEGV in the
# garbage collector or the allocator; a core dump showed a freed block written to): 4 crashes in 64
# requests of the 3,000-appointment page with two threads, none in 180 with one, none in 135 with two
# on CPython 3.12.1; with every compiled library it uses swapped for another build or removed in turn
# it still crashed (README, "Performance"). Two threads: in `make load` four threads per worker let a
# worker hold four large pages at once and peak at 250 MiB; two kept every worker under 185 MiB at the
# same throughput. Of two whole-trip pages or feed builds, one waits for the other (planner.workload).
threads = int(os.environ.get("PLANNER_THREADS", "2" if sys.version_info >= (3, 12) else "1"))
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 30
accesslog = None
errorlog = "-"
# Requests are complete when the proxy hands them over; these limits refuse what no browser sends.
limit_request_line = 8190
limit_request_fields = 100

ONE_WORKER_MESSAGE = (
    "No shared rate-limit storage (REDIS_URL) is configured: sign-in limits are counted in each worker's "
    "memory, so the planner runs ONE worker instead of %d to keep them true. Set REDIS_URL to run several."
)


def on_starting(server: Any) -> None:
    """gunicorn hook, in the master before any worker starts: one malloc arena; one worker unless the counters are shared."""
    # Inherited by every worker forked from here, before their request threads start (planner.allocator).
    allocator.one_arena()
    requested = int(server.cfg.workers)
    if requested <= 1:
        return
    from planner import create_app
    from planner.auth.ratelimit import shared_storage

    # The app's own configuration decides (environment, instance/config.py), exactly as the workers will see it.
    if not shared_storage(create_app()):
        server.log.warning(ONE_WORKER_MESSAGE, requested)
        server.cfg.set("workers", 1)  # also after a reload (HUP), which reads the setting again
        server.num_workers = 1


def post_fork(server: Any, worker: Any) -> None:
    """gunicorn hook, in each new worker: a crash in native code leaves the Python stack of every thread in the log.

    gunicorn itself only says "Worker was sent SIGSEGV". The stacks name files, lines and
    functions, never values, so nothing secret reaches the log.
    """
    faulthandler.enable()
