"""A 304 poll is answered by any worker once one worker has built the feed (issue #17).

Two app instances on one database and one store are two gunicorn workers (or two
hosts): the store is the instance folder they share, or Redis when one answers at
127.0.0.1:6379. A poll that reaches the worker which did not build the feed costs
what a poll costs the worker that did (the feed's look-up, no build); after a
change, the other worker answers 200 with the new calendar, never a stale 304.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from benchmarks.harness import counted
from planner.encryption import encrypt_bytes
from planner.extensions import db
from planner.jobs import jobs
from planner.jobs.store import RedisStore
from planner.models import Appointment, Delegation, FeedToken
from tests.conftest import KellerSeeder, make_app
from tests.test_security import redis_reachable

REDIS = os.environ.get("PLANNER_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture(params=["files", "redis"])
def workers(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    """Two apps on one database sharing one store: the instance folder, or Redis (under a name of their own)."""
    overrides: dict[str, object] = {}
    if request.param == "redis":
        if not redis_reachable():
            pytest.skip(f"no Redis server answers at {REDIS}")
        overrides = {"REDIS_URL": REDIS, "JOB_QUEUE_NAME": f"planner-test-{uuid.uuid4().hex[:8]}"}
    pair = (
        make_app(database_url, tmp_path / "instance", **overrides),
        make_app(database_url, tmp_path / "instance", **overrides),
    )
    yield pair
    store = jobs(pair[0]).store
    if isinstance(store, RedisStore):
        for key in store.client.scan_iter(f"{overrides['JOB_QUEUE_NAME']}:*"):
            store.client.delete(key)
    for application in pair:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _member_feed(app: Flask) -> tuple[str, int]:
    """A member's feed of the Keller trip (its file name is the member's name) and an appointment it shows."""
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        member = next(m for m in delegation.members if any(m in a.attendees for a in delegation.appointments))
        appointment = next(a for a in delegation.appointments if member in a.attendees and a.deleted_at is None)
        feed = FeedToken.issue(delegation, member)
        db.session.add(feed)
        db.session.commit()
        return f"/feeds/{feed.token}.ics", appointment.id


def _poll(app: Flask, feed: str, etag: str) -> tuple[int, list[str], dict[str, str]]:
    with counted(app) as statements:
        response = app.test_client().get(feed, headers={"If-None-Match": etag})
    return response.status_code, statements, dict(response.headers)


def test_a_feed_built_by_one_worker_is_answered_304_by_another_without_a_build(
    workers: tuple[Flask, Flask], seed_keller: KellerSeeder
) -> None:
    a, b = workers
    seed_keller(a)
    feed, appointment_id = _member_feed(a)
    token = feed.removeprefix("/feeds/").removesuffix(".ics")

    with counted(a) as build:
        first = a.test_client().get(feed)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    status, known_poll, known_headers = _poll(a, feed, etag)  # A built it: answered from its memory
    assert status == 304
    assert len(known_poll) < len(build)

    # B never built this feed: 304 all the same, with the headers of A's 304, and no more statements than A's poll.
    status, statements, headers = _poll(b, feed, etag)
    assert status == 304, statements
    assert len(statements) == len(known_poll), statements
    assert headers["ETag"] == etag
    assert {k: v for k, v in headers.items() if k != "Date"} == {k: v for k, v in known_headers.items() if k != "Date"}

    # The shared entry names no token and holds the member's name (the file name) only encrypted.
    store = jobs(a).store
    if isinstance(store, RedisStore):
        names = [key.decode() for key in store.client.scan_iter(f"{a.config['JOB_QUEUE_NAME']}:*")]
        stored = [store.client.get(name) or b"" for name in names]
    else:
        paths = list((Path(a.instance_path) / "outputs").iterdir())
        names, stored = [path.name for path in paths], [path.read_bytes() for path in paths]
    assert any(re.search(r"feed-poll[:_][0-9a-f]{32}$", name) for name in names), names
    assert not any(token in name for name in names)
    filename = first.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert not any(filename.removesuffix(".ics").encode() in value or etag.encode() in value for value in stored)

    # A change: B answers the old ETag with the new calendar, not a 304.
    with a.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        assert appointment is not None
        appointment.title += " (verlegt auf Mittwoch)"
        db.session.commit()
    changed = b.test_client().get(feed, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.data != first.data and b"(verlegt auf Mittwoch)" in changed.data.replace(b"\r\n ", b"")
    new_etag = changed.headers["ETag"]
    assert new_etag != etag

    # A, which built only the old state, learns the new one from B's build: 304 for the new ETag, no build ...
    status, statements, _ = _poll(a, feed, new_etag)
    assert status == 304 and len(statements) == len(known_poll), statements
    # ... and the old ETag gets the same new calendar from A as from B.
    again = a.test_client().get(feed, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.data == changed.data


def test_an_unreadable_shared_entry_means_a_build_not_an_error(workers: tuple[Flask, Flask], seed_keller: KellerSeeder) -> None:
    a, b = workers
    seed_keller(a)
    feed, _ = _member_feed(a)
    first = a.test_client().get(feed)
    etag = first.headers["ETag"]
    status, known_poll, _ = _poll(a, feed, etag)
    assert status == 304
    _damage_the_entry(a, "feed-poll")
    # B cannot use it: it builds (the same body, so the client's copy is still current: 304 after the build).
    status, statements, _ = _poll(b, feed, etag)
    assert status == 304 and len(statements) > len(known_poll), statements
    # B's build wrote a readable entry again: a third worker answers 304 without a build.
    third = make_app(a.config["SQLALCHEMY_DATABASE_URI"], Path(a.instance_path), **_store_config(a))
    try:
        status, statements, _ = _poll(third, feed, etag)
        assert status == 304 and len(statements) == len(known_poll), statements
    finally:
        with third.app_context():
            db.engine.dispose()


def _damage_the_entry(app: Flask, kind: str, replacement: bytes = b"not an entry") -> None:
    """Overwrite the one store entry of ``kind`` with ``replacement`` (by default: damaged, or another data key's)."""
    store = jobs(app).store
    if isinstance(store, RedisStore):
        prefix = f"{app.config['JOB_QUEUE_NAME']}:store:"
        names = [key.decode().removeprefix(prefix) for key in store.client.scan_iter(f"{prefix}{kind}:*")]
    else:
        names = [path.name.replace("_", ":") for path in (Path(app.instance_path) / "outputs").glob(f"{kind}_*")]
    assert len(names) == 1
    store.set(names[0], replacement, 60)


def _store_config(app: Flask) -> dict[str, object]:
    if not app.config["REDIS_URL"]:
        return {}
    return {"REDIS_URL": app.config["REDIS_URL"], "JOB_QUEUE_NAME": app.config["JOB_QUEUE_NAME"]}


def test_a_plain_get_of_an_unchanged_feed_is_the_stored_body_from_any_worker(
    workers: tuple[Flask, Flask], seed_keller: KellerSeeder
) -> None:
    # Many calendar services poll without If-None-Match: the body built once is handed out again, not rebuilt.
    a, b = workers
    seed_keller(a)
    feed, appointment_id = _member_feed(a)
    first = a.test_client().get(feed)
    assert first.status_code == 200
    status, poll, _ = _poll(a, feed, first.headers["ETag"])
    assert status == 304
    for worker in (b, a):
        with counted(worker) as statements:
            again = worker.test_client().get(feed)
        assert again.status_code == 200
        assert again.data == first.data  # byte for byte
        assert {k: v for k, v in again.headers.items() if k != "Date"} == {k: v for k, v in first.headers.items() if k != "Date"}
        assert len(statements) == len(poll), statements  # the feed's look-up only: no build

    # After a change neither worker hands out the stored body: both give the new calendar.
    with a.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        assert appointment is not None
        appointment.title += " (verlegt auf Mittwoch)"
        db.session.commit()
    changed = b.test_client().get(feed)
    assert changed.data != first.data and b"(verlegt auf Mittwoch)" in changed.data.replace(b"\r\n ", b"")
    with counted(a) as statements:
        from_a = a.test_client().get(feed)
    assert from_a.data == changed.data and len(statements) == len(poll), statements


@pytest.mark.parametrize("damage", ["not an entry", "opens but does not decompress"])
def test_an_unreadable_stored_body_means_a_build_not_an_error(
    workers: tuple[Flask, Flask], seed_keller: KellerSeeder, damage: str
) -> None:
    a, b = workers
    seed_keller(a)
    feed, _ = _member_feed(a)
    first = a.test_client().get(feed)
    replacement = b"not an entry"
    if damage == "opens but does not decompress":
        # The body is kept compressed inside the token: one under the right key whose body is not (written by
        # an earlier version of the planner, or cut short) is a miss like any other unreadable entry.
        with a.app_context():
            replacement = encrypt_bytes(b'{"state":"x","etag":"y"}\n' + first.data)
    _damage_the_entry(a, "feed-body", replacement)
    with counted(b) as statements:
        rebuilt = b.test_client().get(feed)
    assert rebuilt.status_code == 200 and rebuilt.data == first.data
    assert any("appointments" in statement for statement in statements), statements  # built, from the database


def test_feeds_are_served_while_the_shared_store_is_down(database_url: str, tmp_path: Path, seed_keller: KellerSeeder) -> None:
    # REDIS_URL names a server that does not answer (Redis restarting, say): what is kept there is only a cache,
    # so calendar clients get their calendar built from the database, not a 500.
    app = make_app(database_url, tmp_path / "instance", REDIS_URL="redis://127.0.0.1:9/0", JOB_QUEUE_NAME="planner-down")
    try:
        seed_keller(app)
        feed, _ = _member_feed(app)
        client = app.test_client()
        first = client.get(feed)
        assert first.status_code == 200 and b"BEGIN:VCALENDAR" in first.data
        again = client.get(feed)
        assert again.status_code == 200 and again.data == first.data
        assert client.get(feed, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
