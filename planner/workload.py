"""One whole programme in memory per worker process at a time.

A page or feed of a whole trip loads the trip's programme: every appointment,
journey and member with what they point to, for as long as the request runs
(a trip of 3,000 appointments: about 50 MiB more for a worker). A gunicorn worker
serves two requests at once (:mod:`planner.gunicorn_conf`: from CPython 3.12 on; one
on 3.11), as ``flask run`` serves several, and two such requests
at once doubled its peak while gaining nothing: loading and rendering are
Python, and Python runs one thread of a process at a time. So the second one
waits here until the first request has ended, while the worker's other
requests (feed polls, one item's pages, forms) go on beside it. Measured with
``make bench`` (README, "Performance"): lower peaks, and more whole pages per
second, since two renders no longer take turns holding the interpreter.

After such a request has been sent, the worker hands the memory it freed back to
the system (:func:`_release`).

Outside a request (the job worker, ``flask`` commands) nothing waits. A request
that has waited :data:`WAIT_SECONDS` goes ahead anyway: a slower page, never a
stuck one.
"""

from __future__ import annotations

import functools
import gc
import threading

from flask import Flask, Response, after_this_request, current_app, g, has_request_context

from planner import allocator

WAIT_SECONDS = 30.0
LARGE_GROWTH = 16 * 2**20  # bytes of resident memory a request grew the worker by, for a full collection
_KEY = "planner_whole_programmes"


def whole_programme() -> None:
    """Call before loading a whole programme: waits for the worker's turn, held until the request ends."""
    if not has_request_context() or "holds_whole_programme" in g:
        return
    turns: threading.Semaphore = current_app.extensions[_KEY]
    g.holds_whole_programme = turns.acquire(timeout=WAIT_SECONDS)
    after_this_request(functools.partial(_release_when_sent, allocator.resident_bytes()))


def _release_when_sent(resident_at_start: int, response: Response) -> Response:
    response.call_on_close(functools.partial(_release, resident_at_start))
    return response


def _release(resident_at_start: int) -> None:
    """Once the answer is sent: the programme's memory back to the system, so the worker's next large request starts lower.

    A programme's objects refer to each other (an appointment to its trip, the trip to its
    appointments), so they are freed by Python's cyclic collector, whose full pass runs rarely:
    the next large request used to load its programme on top of the last one's. A full pass
    costs about 0.1 s in a worker, so it runs only after a request that grew the worker by
    :data:`LARGE_GROWTH` (the 3,000-appointment page: about 30 MiB; Keller's: under 5 MiB).
    """
    if allocator.resident_bytes() - resident_at_start >= LARGE_GROWTH:
        gc.collect()
    allocator.trim()


def _end_of_request(_error: BaseException | None = None) -> None:
    if g.pop("holds_whole_programme", False):
        current_app.extensions[_KEY].release()


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = threading.Semaphore(1)
    # teardown_request runs for every request, also one that failed, and before the response is sent:
    # a slow client does not hold the turn.
    app.teardown_request(_end_of_request)
