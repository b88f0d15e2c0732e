"""Outgoing mail through the real job queue: a real SMTP server on loopback, Huey's real consumer.

Every test queues a message the way a feature will (``queue_message`` and a
commit), lets the worker deliver it, and looks at what arrived, what the
database says and what the outbox pages show.
"""

from __future__ import annotations

import asyncio
import email
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import icalendar
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from flask import Flask

from planner.editing import Rejected
from planner.extensions import db
from planner.jobs import jobs
from planner.mail.inputs import Attachment, MessageInput
from planner.mail.operations import queue_message, requeue_stranded, requeue_stranded_mail
from planner.mail.sending import SendFailed, send_message
from planner.models import Delegation, Member, MessageState, OutgoingMessage, UserRole
from planner.seed import load_seed
from planner.timezones import utc_now
from tests.conftest import DatabaseFactory, KellerSeeder, login, make_app, make_user
from tests.jobs import running_worker
from tests.mail.conftest import (
    MAIL_LOGIN,
    MAIL_SECRET,
    Recorder,
    SmtpServer,
    TlsSmtpServer,
    free_port,
    wait_until_done,
)

RECIPIENT = "kim.participant@example.org"
BODY_MARKER = "BODY-MARKER-7f3a: Ihr Programm, Version 5"


def _smtp_app(database_url: str, instance: Path, port: int, **overrides: object) -> Flask:
    settings: dict[str, object] = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_DEFAULT_SENDER": "Delegationsplaner <planner@example.org>",
        "MAIL_RETRIES": 2,
        "MAIL_RETRY_SECONDS": 0,
    }
    settings.update(overrides)
    return make_app(database_url, instance, **settings)


def _keller_calendar(app: Flask) -> tuple[int, int, bytes]:
    """The Keller trip's ids and the personal calendar of its first member, as the app serves it."""
    with app.app_context():
        delegation_id = db.session.scalars(sa.select(Delegation.id)).one()
        members = sa.select(Member.id).where(Member.delegation_id == delegation_id).order_by(Member.id)
        member_id = db.session.scalars(members).first()
        make_user(UserRole.VIEWER, "reader@example.org")
    client = app.test_client()
    login(client, "reader@example.org")
    response = client.get(f"/delegations/{delegation_id}/members/{member_id}/calendar.ics")
    assert response.status_code == 200 and response.data.startswith(b"BEGIN:VCALENDAR")
    return delegation_id, member_id, response.data  # type: ignore[return-value]


def _queue(app: Flask, delegation_id: int | None = None, member_id: int | None = None, ics: bytes | None = None) -> int:
    with app.app_context():
        message = queue_message(
            MessageInput(
                recipient=RECIPIENT,
                subject="Programm der Delegationsreise, Version 5",
                body=f"Guten Tag,\n\n{BODY_MARKER}\n\nÄnderungen: keine.\n",
                kind="release",
                delegation_id=delegation_id,
                member_id=member_id,
                attachment=Attachment("programm-keller.ics", ics) if ics is not None else None,
            )
        )
        db.session.commit()
        return message.id


def _parsed(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_queued_message_arrives_once_with_subject_body_and_calendar(
    database_url: str, tmp_path: Path, seed_keller: KellerSeeder, smtp_server: SmtpServer
) -> None:
    app = _smtp_app(database_url, tmp_path / "instance", smtp_server.port)
    seed_keller(app)
    delegation_id, member_id, ics = _keller_calendar(app)
    message_id = _queue(app, delegation_id, member_id, ics)
    with running_worker(app):
        message = wait_until_done(app, message_id)

    assert message.state == MessageState.SENT and message.attempts == 1 and message.last_error is None
    assert message.sent_at is not None
    assert len(smtp_server.handler.received) == 1
    envelope = smtp_server.handler.received[0]
    assert envelope.rcpt_tos == [RECIPIENT]
    received = _parsed(envelope.original_content or envelope.content)  # type: ignore[arg-type]
    assert received["Subject"] == "Programm der Delegationsreise, Version 5"
    assert received["To"] == RECIPIENT
    text = received.get_body(preferencelist=("plain",))
    assert text is not None and BODY_MARKER in text.get_content() and "Änderungen: keine." in text.get_content()
    attachments = list(received.iter_attachments())
    assert len(attachments) == 1
    calendar_part = attachments[0]
    assert calendar_part.get_content_type() == "text/calendar"
    assert calendar_part.get_param("method") == "PUBLISH"
    assert calendar_part.get_filename() == "programm-keller.ics"
    assert calendar_part.get_payload(decode=True) == ics
    parsed = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True))
    assert parsed.get("METHOD") in (None, "PUBLISH")
    assert len(parsed.walk("VEVENT")) > 0
    assert not (Path(app.instance_path) / "outbox").exists()  # with a server, nothing is kept locally


def test_starttls_and_login_with_a_verified_certificate(
    database_url: str, tmp_path: Path, tls_smtp_server: TlsSmtpServer
) -> None:
    settings = {"MAIL_USE_TLS": True, "MAIL_USERNAME": MAIL_LOGIN, "MAIL_PASSWORD": MAIL_SECRET}
    app = _smtp_app(
        database_url, tmp_path / "instance", tls_smtp_server.port, MAIL_CA_FILE=str(tls_smtp_server.ca_file), **settings
    )
    message_id = _queue(app)
    with running_worker(app):
        message = wait_until_done(app, message_id)
    assert message.state == MessageState.SENT, message.last_error
    [(over_tls, login)] = tls_smtp_server.handler.sessions
    assert over_tls and login.login == MAIL_LOGIN.encode()


def test_a_certificate_the_planner_cannot_verify_is_refused(
    database_url: str, tmp_path: Path, tls_smtp_server: TlsSmtpServer
) -> None:
    settings = {"MAIL_USE_TLS": True, "MAIL_USERNAME": MAIL_LOGIN, "MAIL_PASSWORD": MAIL_SECRET, "MAIL_RETRIES": 0}
    app = _smtp_app(database_url, tmp_path / "instance", tls_smtp_server.port, **settings)  # no MAIL_CA_FILE
    message_id = _queue(app)
    with running_worker(app):
        message = wait_until_done(app, message_id)
    assert message.state == MessageState.FAILED and tls_smtp_server.handler.received == []
    assert message.last_error is not None and message.last_error.startswith("TLS: CERTIFICATE_VERIFY_FAILED")


def test_a_refusing_server_gets_retries_then_the_message_is_failed_and_visible(
    database_url: str,
    tmp_path: Path,
    seed_keller: KellerSeeder,
    refusing_smtp_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # One second between attempts: the retries go through Huey's schedule, as in production.
    app = _smtp_app(database_url, tmp_path / "instance", refusing_smtp_server.port, MAIL_RETRY_SECONDS=1)
    seed_keller(app)
    with app.app_context():
        delegation_id = db.session.scalars(sa.select(Delegation.id)).one()
    caplog.set_level(logging.DEBUG)
    message_id = _queue(app, delegation_id)  # no exception to the caller: queuing only stores
    with running_worker(app):
        message = wait_until_done(app, message_id)

    assert message.state == MessageState.FAILED
    assert message.attempts == 3 == refusing_smtp_server.handler.attempts  # the first try and two retries
    assert message.last_error is not None and "451" in message.last_error and "try later" in message.last_error
    assert BODY_MARKER not in message.last_error
    # Neither the address nor the text went to a log line of the app or of Huey (the test's SMTP
    # server, logger "mail.log", logs the whole conversation: it stands for the outside world).
    ours = "\n".join(caplog.handler.format(record) for record in caplog.records if not record.name.startswith("mail.log"))
    assert RECIPIENT not in ours and BODY_MARKER not in ours
    assert f"message {message_id}" in ours and "Unhandled exception" in ours  # the retries were logged, by id

    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        make_user(UserRole.PLANNER, "planner@example.org")
    admin = app.test_client()
    login(admin, "admin@example.org")
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert RECIPIENT in page and "Fehlgeschlagen" in page and "451" in page
    planner = app.test_client()
    login(planner, "planner@example.org")
    trip = planner.get(f"/delegations/{delegation_id}/messages")
    assert trip.status_code == 200
    assert RECIPIENT in trip.get_data(as_text=True) and "Fehlgeschlagen" in trip.get_data(as_text=True)


def test_a_server_that_refuses_for_good_is_not_asked_again(
    database_url: str, tmp_path: Path, rejecting_smtp_server: SmtpServer
) -> None:
    app = _smtp_app(database_url, tmp_path / "instance", rejecting_smtp_server.port)
    message_id = _queue(app)
    with running_worker(app):
        message = wait_until_done(app, message_id)
    assert message.state == MessageState.FAILED and message.attempts == 1 == rejecting_smtp_server.handler.attempts
    assert message.last_error is not None and message.last_error.startswith("SMTP 550")


def test_nothing_listening_is_retried_and_then_failed(database_url: str, tmp_path: Path) -> None:
    app = _smtp_app(database_url, tmp_path / "instance", free_port(), MAIL_RETRIES=1)
    message_id = _queue(app)
    with running_worker(app):
        message = wait_until_done(app, message_id)
    assert message.state == MessageState.FAILED and message.attempts == 2
    assert message.last_error is not None and message.last_error.startswith("no connection to the mail server")


def test_without_a_mail_server_the_message_lands_in_the_outbox(app: Flask, client, seed_keller: KellerSeeder) -> None:
    seed_keller(app)
    delegation_id, member_id, ics = _keller_calendar(app)
    message_id = _queue(app, delegation_id, member_id, ics)
    with running_worker(app):
        message = wait_until_done(app, message_id)

    assert message.state == MessageState.OUTBOX and message.attempts == 1 and message.sent_at is not None
    files = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert [path.name for path in files] == [f"message-{message_id:06d}.eml"]
    assert files[0].stat().st_mode & 0o077 == 0  # personal programmes: the owner's only
    stored = _parsed(files[0].read_bytes())
    assert stored["To"] == RECIPIENT and stored["Subject"] == "Programm der Delegationsreise, Version 5"
    body = stored.get_body(preferencelist=("plain",))
    assert body is not None and BODY_MARKER in body.get_content()
    [attachment] = list(stored.iter_attachments())
    assert attachment.get_payload(decode=True) == ics and attachment.get_param("method") == "PUBLISH"

    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
    login(client, "admin@example.org")
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert RECIPIENT in text and "Im Postausgang (kein Mailserver)" in text and "kein Mailserver eingerichtet" in text
    opened = client.get(f"/admin/outbox/{message_id}")
    assert opened.status_code == 200
    shown = opened.get_data(as_text=True)
    assert BODY_MARKER in shown and "programm-keller.ics" in shown and RECIPIENT in shown
    assert client.get("/admin/outbox/999999").status_code == 404


def test_only_admins_read_the_outbox_and_only_planners_a_trips_messages(app: Flask, seed_keller: KellerSeeder) -> None:
    seed_keller(app)
    with app.app_context():
        delegation_id = db.session.scalars(sa.select(Delegation.id)).one()
    message_id = _queue(app, delegation_id)  # stays queued: no worker runs here
    with app.app_context():
        for role in (UserRole.VIEWER, UserRole.PLANNER):
            make_user(role, f"{role.value}@example.org")
    for role in ("viewer", "planner"):
        client = app.test_client()
        login(client, f"{role}@example.org")
        assert client.get("/admin/outbox").status_code == 403
        assert client.get(f"/admin/outbox/{message_id}").status_code == 403
    viewer = app.test_client()
    login(viewer, "viewer@example.org")
    assert viewer.get(f"/delegations/{delegation_id}/messages").status_code == 403
    planner = app.test_client()
    login(planner, "planner@example.org")
    page = planner.get(f"/delegations/{delegation_id}/messages")
    assert page.status_code == 200 and "Wartet auf Versand" in page.get_data(as_text=True)
    assert BODY_MARKER not in page.get_data(as_text=True)  # the trip's list shows states, not texts
    assert planner.get("/delegations/999999/messages").status_code == 404
    anonymous = app.test_client().get("/admin/outbox")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_invitations_and_bad_addresses_are_refused_and_nothing_is_queued(app: Flask) -> None:
    request = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    with app.app_context():
        with pytest.raises(Rejected):
            queue_message(MessageInput(RECIPIENT, "Betreff", "Text", "release", attachment=Attachment("x.ics", request)))
        with pytest.raises(Rejected):
            queue_message(MessageInput("not an address", "Betreff", "Text", "release"))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMessage)) == 0
    assert jobs(app).pending() == 0


def test_a_rolled_back_message_is_never_enqueued(app: Flask) -> None:
    with app.app_context():
        queue_message(MessageInput(RECIPIENT, "Betreff", "Text", "release"))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMessage)) == 0
    assert jobs(app).pending() == 0


@pytest.fixture
def redis_mail_app(databases: DatabaseFactory, tmp_path: Path, smtp_server: SmtpServer) -> Iterator[Flask]:
    """An app whose job queue lives in Redis (db 13, a queue name of its own), sending to the loopback server."""
    name = f"planner-test-{uuid.uuid4().hex[:8]}"
    url = os.environ.get("PLANNER_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    application = _smtp_app(databases.new(), tmp_path / "instance", smtp_server.port, REDIS_URL=url, JOB_QUEUE_NAME=name)
    with application.app_context():
        db.create_all()
        load_seed(db.session)
        db.session.commit()
    yield application
    queue = jobs(application)
    queue.huey.flush()
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_with_redis_the_same_flow_delivers_once(redis_mail_app: Flask, smtp_server: SmtpServer) -> None:
    delegation_id, member_id, ics = _keller_calendar(redis_mail_app)
    message_id = _queue(redis_mail_app, delegation_id, member_id, ics)
    queue = jobs(redis_mail_app)
    assert type(queue.huey).__name__ == "RedisHuey" and queue.pending() == 1
    with running_worker(redis_mail_app):
        message = wait_until_done(redis_mail_app, message_id)
    assert message.state == MessageState.SENT and len(smtp_server.handler.received) == 1
    [attachment] = list(_parsed(smtp_server.handler.received[0].original_content).iter_attachments())  # type: ignore[arg-type]
    assert attachment.get_payload(decode=True) == ics
    assert not (Path(redis_mail_app.instance_path) / "jobs.sqlite3").exists()


def _queued_minutes_ago(app: Flask, minutes: int, *message_ids: int) -> None:
    """The messages as if queued ``minutes`` ago: the sweep leaves younger ones to the jobs on their way."""
    with app.app_context():
        db.session.execute(
            sa.update(OutgoingMessage)
            .where(OutgoingMessage.id.in_(message_ids))
            .values(created_at=utc_now() - timedelta(minutes=minutes))
        )
        db.session.commit()


def test_after_a_lost_queue_the_worker_requeues_each_waiting_message_and_it_is_sent_once(app: Flask) -> None:
    first = _queue(app)
    second = _queue(app)
    jobs(app).huey.flush()  # the queue is lost (a Redis flushed, a file deleted): the rows still wait
    assert jobs(app).pending() == 0
    _queued_minutes_ago(app, 2, first, second)
    # The job worker's scheduler runs the sweep every five minutes; an admin need not wait for it.
    periodic = {task.name for task in jobs(app).huey._registry.periodic_tasks}
    assert "requeue_stranded_mail" in periodic
    result = app.test_cli_runner().invoke(args=["mail", "requeue"])
    assert result.exit_code == 0 and "2 message(s) queued again" in result.output
    with app.app_context():
        requeue_stranded_mail()  # then the worker's sweep: each message has its job on the queue now
    assert jobs(app).pending() == 2
    jobs(app).enqueue("send_message", first)  # should a message be queued twice anyway, it is sent once
    with running_worker(app):
        done = [wait_until_done(app, message_id) for message_id in (first, second)]
        while jobs(app).pending():  # let the duplicate job run too before counting
            time.sleep(0.1)
    assert [message.state for message in done] == [MessageState.OUTBOX, MessageState.OUTBOX]
    assert [message.attempts for message in done] == [1, 1]
    files = sorted(path.name for path in (Path(app.instance_path) / "outbox").glob("*.eml"))
    assert files == [f"message-{first:06d}.eml", f"message-{second:06d}.eml"]


def test_the_sweep_leaves_every_message_that_a_job_will_send(app: Flask) -> None:
    stranded, young, claimed, on_queue, retrying, sent = (_queue(app) for _ in range(6))
    jobs(app).huey.flush()
    _queued_minutes_ago(app, 10, stranded, claimed, on_queue, retrying, sent)
    with app.app_context():
        now = utc_now()
        db.session.get_one(OutgoingMessage, claimed).claimed_until = now + timedelta(minutes=5)  # a job sends it now
        db.session.get_one(OutgoingMessage, sent).state = MessageState.SENT
        db.session.commit()
    jobs(app).enqueue("send_message", on_queue)
    # A retry waits on Huey's schedule until its time, where Huey puts a task that failed and has a retry_delay.
    retry = jobs(app).tasks["send_message"].s(retrying)
    retry.eta = now + timedelta(minutes=2)
    jobs(app).huey.add_schedule(retry)
    with app.app_context():
        assert requeue_stranded(utc_now()) == [stranded]
        assert jobs(app).waiting_arguments("send_message") == {(stranded,), (on_queue,), (retrying,)}
        # The young one is the sweep's after a minute, when its job has had every chance to arrive.
        assert requeue_stranded(utc_now() + timedelta(minutes=2)) == [young]


def test_with_redis_the_sweep_sees_the_jobs_on_the_queue_and_refills_a_lost_one(redis_mail_app: Flask) -> None:
    app = redis_mail_app
    waiting, lost = _queue(app), _queue(app)
    _queued_minutes_ago(app, 2, waiting, lost)
    queue = jobs(app)
    queue.huey.flush()  # Redis restarted without its data
    queue.enqueue("send_message", waiting)
    with app.app_context():
        assert requeue_stranded(utc_now()) == [lost]
    assert queue.waiting_arguments("send_message") == {(waiting,), (lost,)}


@dataclass
class HoldingRecorder(Recorder):
    """Accepts every message, but keeps the first DATA open until the test lets it through."""

    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if not self.arrived.is_set():
            self.arrived.set()
            # Waited for off the event loop, so a second connection would still be served meanwhile.
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return await super().handle_DATA(server, session, envelope)


def test_a_duplicate_job_sends_nothing_while_the_first_is_still_delivering(database_url: str, tmp_path: Path) -> None:
    handler = HoldingRecorder()
    server = Controller(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        app = _smtp_app(database_url, tmp_path / "instance", server.port)
        message_id = _queue(app)
        with running_worker(app, workers=1):
            assert handler.arrived.wait(60), "the worker never reached the SMTP server"
            # The first delivery is now between its claim and its final commit: a requeued job runs here.
            with app.app_context(), pytest.raises(SendFailed, match="being sent by another job"):
                send_message(message_id)
            handler.release.set()
            message = wait_until_done(app, message_id)
        with app.app_context():
            send_message(message_id)  # the same duplicate once the message is sent: nothing to do
    finally:
        handler.release.set()
        server.stop()
    assert message.state == MessageState.SENT and message.attempts == 1 and message.claimed_until is None
    assert handler.attempts == 1 and len(handler.received) == 1


def test_a_claim_left_by_a_worker_that_died_runs_out_and_the_message_is_sent(app: Flask) -> None:
    message_id = _queue(app)
    jobs(app).huey.flush()  # the worker that took the job died mid-delivery: only the row is left
    outbox = Path(app.instance_path) / "outbox"
    with app.app_context():
        db.session.execute(
            sa.update(OutgoingMessage)
            .where(OutgoingMessage.id == message_id)
            .values(attempts=1, claimed_until=utc_now() + timedelta(seconds=30))
        )
        db.session.commit()
        with pytest.raises(SendFailed):  # requeued while the claim still holds: tried again later
            send_message(message_id)
        assert not outbox.exists()
        db.session.execute(
            sa.update(OutgoingMessage)
            .where(OutgoingMessage.id == message_id)
            .values(claimed_until=utc_now() - timedelta(seconds=1))
        )
        db.session.commit()
        send_message(message_id)
        message = db.session.get(OutgoingMessage, message_id)
        assert message is not None
        assert (message.state, message.attempts, message.claimed_until) == (MessageState.OUTBOX, 2, None)
    assert [path.name for path in outbox.glob("*.eml")] == [f"message-{message_id:06d}.eml"]
