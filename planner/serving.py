"""gunicorn start-up check for ``make serve`` (``gunicorn -c python:planner.serving``).

The sign-in limits (:mod:`planner.auth.ratelimit`) hold for the whole
deployment only when every worker counts in a shared Redis. Without one, each
worker counts on its own, and four workers would let four times the documented
number of guesses through. So, without a shared storage, the planner runs one
worker and says so clearly, rather than serving with limits that are not true.
"""

from __future__ import annotations

from typing import Any

MESSAGE = (
    "No shared rate-limit storage (REDIS_URL) is configured: sign-in limits are counted in each worker's "
    "memory, so the planner runs ONE worker instead of %d to keep them true. Set REDIS_URL to run several."
)


def on_starting(server: Any) -> None:
    """gunicorn hook, in the master before any worker starts: one worker unless the counters are shared."""
    workers = int(server.cfg.workers)
    if workers <= 1:
        return
    from planner import create_app
    from planner.auth.ratelimit import shared_storage

    # The app's own configuration decides (environment, instance/config.py), exactly as the workers will see it.
    if not shared_storage(create_app()):
        server.log.warning(MESSAGE, workers)
        server.cfg.set("workers", 1)  # also after a reload (HUP), which reads the setting again
        server.num_workers = 1
