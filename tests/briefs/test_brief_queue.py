"""PDF briefs through the job queue: one render per brief, one pending render per user, bounded queue.

Everything here runs against the real queue (Huey on a SQLite file in the
test's instance folder, or on the Redis server at 127.0.0.1:6379) with
Huey's real consumer; tests that check what happens *before* a worker takes
a job simply start no worker.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from planner import PROJECT_ROOT
from planner.briefs import rendering
from planner.encryption import decrypt_bytes
from planner.extensions import db
from planner.jobs import jobs
from planner.jobs.store import FileStore, RedisStore
from planner.models import Delegation, Member, Person, UserRole
from planner.seed import load_seed
from tests.briefs.conftest import KELLER_TITLE, KellerBriefs, ensure_briefs, squash
from tests.conftest import DatabaseFactory, make_app, new_browser
from tests.jobs import follow_pdf, running_worker

RENDER = re.compile(r"^/delegations/(\d+)/brief/renders/([0-9a-f]{40})$")


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_a_pdf_request_shows_progress_and_then_the_file(keller: KellerBriefs) -> None:
    url = f"/delegations/{keller.delegation_id}/brief.pdf?audience=press&lang=en&sections=glance"
    first = keller.client.get(url)  # type: ignore[attr-defined]
    # Answered at once with the way to the progress page: the render is not in this request.
    assert first.status_code == 303
    match = RENDER.match(first.headers["Location"])
    assert match and int(match.group(1)) == keller.delegation_id
    progress = keller.client.get(first.headers["Location"])  # type: ignore[attr-defined]
    assert progress.status_code in (200, 303)
    if progress.status_code == 200:
        page = _text(progress)
        assert '<meta http-equiv="refresh" content="2">' in page
        assert "Reisebriefing wird erstellt" in page
        assert "no-store" in progress.headers["Cache-Control"]
    final, _seen = follow_pdf(keller.client, url)  # type: ignore[arg-type]
    assert final.status_code == 200 and final.data.startswith(b"%PDF-")
    assert final.headers["Content-Disposition"] == f'inline; filename="reisebriefing-{keller.delegation_id}-press-en.pdf"'
    assert "no-store" in final.headers["Cache-Control"] and "private" in final.headers["Cache-Control"]

    # Asked again while nothing changed: the finished file, without a second render.
    with keller.app.app_context():
        before = rendering.record(match.group(2))
        assert before is not None and before.state == rendering.DONE
    again = keller.client.get(url)  # type: ignore[attr-defined]
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"] + ".pdf"
    with keller.app.app_context():
        assert rendering.record(match.group(2)) == before
        assert jobs().pending() == 0


def test_the_same_brief_joins_one_render_and_a_second_brief_waits(app: Flask, keller_trip: int) -> None:
    anna, ben = new_browser(app, "anna@example.org", UserRole.VIEWER), new_browser(app, "ben@example.org", UserRole.VIEWER)
    # Two different briefs, each of one short section: what is tested is the queue, not the content
    # (the whole brief through the queue is tests/briefs/conftest.py's KellerBriefs.pdf).
    glance = f"/delegations/{keller_trip}/brief.pdf?sections=glance"
    press_glance = f"/delegations/{keller_trip}/brief.pdf?audience=press&sections=glance"

    a1, b1, a_again = anna.get(glance), ben.get(glance), anna.get(glance)
    assert a1.status_code == b1.status_code == a_again.status_code == 303
    assert a1.headers["Location"] == b1.headers["Location"] == a_again.headers["Location"]
    with app.app_context():
        assert jobs().pending() == 1  # three requests, one render

    # Anna has a render pending: another brief is refused until it is done, and says when to come back.
    refused = anna.get(press_glance)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(rendering.RETRY_AFTER_SECONDS)
    page = _text(refused)
    assert "bereits ein anderes Reisebriefing erstellt" in page
    assert f'href="{a1.headers["Location"]}"' in page  # the way to the pending one
    with app.app_context():
        assert jobs().pending() == 1
    assert ben.get(press_glance).status_code == 303  # Ben only joined Anna's render: his own is free
    with app.app_context():
        assert jobs().pending() == 2

    with running_worker(app):
        done, _seen = follow_pdf(anna, glance)
        assert done.status_code == 200 and done.data.startswith(b"%PDF-")
        follow_pdf(ben, press_glance)
    # Anna's render is finished: she may ask for the next one.
    assert anna.get(press_glance).status_code == 303


def test_the_progress_page_says_when_no_worker_takes_the_job(app: Flask, keller_trip: int) -> None:
    app.config["JOB_STALL_SECONDS"] = 0
    viewer = new_browser(app, "viewer@example.org", UserRole.VIEWER)
    location = viewer.get(f"/delegations/{keller_trip}/brief.pdf").headers["Location"]
    time.sleep(0.05)
    page = viewer.get(location)
    assert page.status_code == 200
    assert "Der Hintergrunddienst hat den Auftrag noch nicht angenommen" in _text(page)
    assert 'http-equiv="refresh"' in page.get_data(as_text=True)
    assert viewer.get("/healthz").status_code == 200  # the web side stays healthy without a worker
    # The file is not there yet: 404, never a half-written PDF.
    assert viewer.get(location + ".pdf").status_code == 404


def test_a_full_queue_refuses_new_renders_with_retry_after(app: Flask, keller_trip: int) -> None:
    app.config["JOB_MAX_PENDING"] = 1
    anna, ben = new_browser(app, "anna@example.org", UserRole.VIEWER), new_browser(app, "ben@example.org", UserRole.VIEWER)
    assert anna.get(f"/delegations/{keller_trip}/brief.pdf").status_code == 303
    full = ben.get(f"/delegations/{keller_trip}/brief.pdf?lang=en")
    assert full.status_code == 503 and full.headers["Retry-After"] == "30"
    assert "sehr viele PDFs" in _text(full)
    assert ben.get(f"/delegations/{keller_trip}/brief.pdf").status_code == 303  # joining costs nothing: allowed


def test_render_keys_belong_to_their_delegation(app: Flask, keller_trip: int) -> None:
    viewer = new_browser(app, "viewer@example.org", UserRole.VIEWER)
    location = viewer.get(f"/delegations/{keller_trip}/brief.pdf").headers["Location"]
    key = RENDER.match(location).group(2)  # type: ignore[union-attr]
    assert viewer.get(f"/delegations/{keller_trip + 1}/brief/renders/{key}").status_code == 404
    assert viewer.get(f"/delegations/{keller_trip}/brief/renders/{'0' * 40}").status_code == 404
    assert viewer.get(f"/delegations/{keller_trip}/brief/renders/..%2Fsecret_key").status_code == 404
    assert viewer.get(f"/delegations/{keller_trip}/brief/renders/not-a-key.pdf").status_code == 404


def test_a_change_to_the_trip_makes_a_new_render(app: Flask, keller_trip: int) -> None:
    viewer = new_browser(app, "viewer@example.org", UserRole.VIEWER)
    with running_worker(app):
        first, _ = follow_pdf(viewer, f"/delegations/{keller_trip}/brief.pdf?sections=glance")
        with app.app_context():
            db.session.get(Delegation, keller_trip).title = "Umbenannte Reise"
            db.session.commit()
        second, _ = follow_pdf(viewer, f"/delegations/{keller_trip}/brief.pdf?sections=glance")
    assert first.request.path != second.request.path  # a new key for the new state

    def pdf_text(body: bytes) -> str:
        return squash(subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout.decode())

    assert squash(KELLER_TITLE) in pdf_text(first.data) and "UmbenannteReise" not in pdf_text(first.data)
    assert "UmbenannteReise" in pdf_text(second.data)


def test_a_member_who_left_before_the_render_gets_a_clear_message(app: Flask, keller_trip: int) -> None:
    viewer = new_browser(app, "viewer@example.org", UserRole.VIEWER)
    with app.app_context():
        diener = db.session.scalars(sa.select(Person.id).filter_by(name="Wolfram Diener")).one()
    location = viewer.get(f"/delegations/{keller_trip}/brief.pdf?member={diener}").headers["Location"]
    with app.app_context():
        member = db.session.scalars(sa.select(Member).filter_by(delegation_id=keller_trip, person_id=diener)).one()
        db.session.delete(member)
        db.session.commit()
    with running_worker(app):
        deadline = time.monotonic() + 60
        while (page := viewer.get(location)).status_code == 200 and 'http-equiv="refresh"' in _text(page):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert page.status_code == 200
    assert "gibt es nicht mehr so, wie angefragt" in _text(page)
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)
    # Before the queue, the request itself answered 404 for a person outside the trip; it still does.
    assert viewer.get(f"/delegations/{keller_trip}/brief.pdf?member={diener}").status_code == 404


def test_the_worker_command_renders_in_its_own_process(app: Flask, keller_trip: int) -> None:
    """`flask jobs worker` (what `make run` starts) takes the job from the queue file and renders it."""
    viewer = new_browser(app, "viewer@example.org", UserRole.VIEWER)
    environment = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PLANNER_INSTANCE_PATH": app.instance_path,
        "PLANNER_RENDER_WORKERS": "1",
    }
    environment.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "planner", "jobs", "worker"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        response, _seen = follow_pdf(viewer, f"/delegations/{keller_trip}/brief.pdf?sections=glance")
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    assert response.status_code == 200 and response.data.startswith(b"%PDF-"), output[-3000:]
    assert "Job worker: 1 process worker(s)" in output


@pytest.fixture
def redis_app(databases: DatabaseFactory, tmp_path: Path) -> Iterator[Flask]:
    """An app whose queue, records and files live in Redis (db 13, a name of its own), cleaned up after."""
    name = f"planner-test-{uuid.uuid4().hex[:8]}"
    url = os.environ.get("PLANNER_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    application = ensure_briefs(make_app(databases.new(), tmp_path / "instance", REDIS_URL=url, JOB_QUEUE_NAME=name))
    with application.app_context():
        db.create_all()
        load_seed(db.session)
        db.session.commit()
    yield application
    queue = jobs(application)
    queue.huey.flush()
    store = queue.store
    assert isinstance(store, RedisStore)
    for key in store.client.scan_iter(f"{name}:*"):
        store.client.delete(key)
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_with_redis_the_queue_records_and_file_live_in_redis(redis_app: Flask) -> None:
    viewer = new_browser(redis_app, "viewer@example.org", UserRole.VIEWER)
    with redis_app.app_context():
        delegation_id = db.session.scalars(sa.select(Delegation.id)).one()
    location = viewer.get(f"/delegations/{delegation_id}/brief.pdf?sections=glance").headers["Location"]
    key = RENDER.match(location).group(2)  # type: ignore[union-attr]
    queue = jobs(redis_app)
    assert queue.pending() == 1 and type(queue.huey).__name__ == "RedisHuey"
    with running_worker(redis_app):
        response, _seen = follow_pdf(viewer, f"/delegations/{delegation_id}/brief.pdf?sections=glance")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    name = redis_app.config["JOB_QUEUE_NAME"]
    client = queue.store.client  # type: ignore[attr-defined]
    stored = client.get(f"{name}:store:brief-pdf:{key}")
    # Kept encrypted with the data keys: the PDF prints names and phone numbers.
    assert stored is not None and b"%PDF" not in stored and response.data not in stored
    with redis_app.app_context():
        assert decrypt_bytes(stored) == response.data
    assert 0 < client.ttl(f"{name}:store:brief-pdf:{key}") <= redis_app.config["JOB_OUTPUT_SECONDS"]
    assert not (Path(redis_app.instance_path) / "outputs").exists()  # nothing went to the instance folder
    assert not (Path(redis_app.instance_path) / "jobs.sqlite3").exists()


def test_file_store_expires_and_claims_atomically(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "outputs")
    assert store.add("brief-job:abc", b"first", 60)
    assert not store.add("brief-job:abc", b"second", 60)  # taken: the second claim joins
    assert store.get("brief-job:abc") == b"first"
    store.set("brief-job:old", b"stale", -1)  # already expired
    assert store.get("brief-job:old") is None
    assert store.add("brief-job:old", b"fresh", 60)  # an expired entry can be claimed again
    store.set("brief-job:gone", b"x", -1)
    assert store.prune() == 1 and store.get("brief-job:old") == b"fresh"
    with pytest.raises(ValueError):
        store.get("../secret_key")
