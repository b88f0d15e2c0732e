"""A real job worker for tests, and a client that follows a PDF request to its file.

The worker is Huey's own consumer with thread workers, started in the test
process against the app's real queue (a SQLite file in the test's instance
folder, or Redis): nothing is run "immediately" or faked.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from huey.consumer import Consumer
from werkzeug.test import TestResponse

from planner.jobs import jobs


@contextmanager
def running_worker(app: Flask, workers: int = 2) -> Iterator[Consumer]:
    """Huey's consumer for ``app``'s queue, in threads of this process, until the block ends."""
    consumer = jobs(app).huey.create_consumer(
        workers=workers, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.2, check_worker_health=False
    )
    # The consumer sets signal handlers for a process of its own; pytest keeps its own.
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for number, handler in saved.items():
        signal.signal(number, handler)
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


def follow_pdf(client: FlaskClient, url: str, *, timeout: float = 180) -> tuple[TestResponse, list[str]]:
    """Request ``url`` (a brief.pdf) and follow it as a browser would: 303, progress page, file.

    Returns the final response and the kinds of page passed on the way
    ("progress" for each progress page seen).
    """
    seen: list[str] = []
    response = client.get(url)
    deadline = time.monotonic() + timeout
    while response.status_code in (200, 303) and time.monotonic() < deadline:
        if response.status_code == 303:
            response = client.get(response.headers["Location"])
            continue
        if response.mimetype == "application/pdf":
            return response, seen
        seen.append("progress")
        assert 'http-equiv="refresh"' in response.get_data(as_text=True), response.get_data(as_text=True)[:2000]
        time.sleep(0.2)
        response = client.get(response.request.path)
    return response, seen
