"""Release notifications end to end: a real SMTP server on loopback, Huey's real consumer, the Keller trip.

Releases are approved through the approval page (the web request only
commits; the job worker writes and sends the messages). Five members have
e-mail addresses, two have none. The mayor subscribes to his calendar (his
personal feed was fetched), the others do not. The expected change sentences
are written by hand: what a participant should read.
"""

from __future__ import annotations

import dataclasses
import email
import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from html import unescape
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from planner.calendar import operations as calendar_operations
from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.jobs import jobs
from planner.models import (
    Appointment,
    Audience,
    Delegation,
    FeedFollows,
    FeedToken,
    Member,
    MessageState,
    OutgoingMessage,
    Release,
    ReleaseState,
    UserRole,
)
from planner.program import operations as program_operations
from planner.program.inputs import AppointmentInput, MoveInput
from planner.releases.notifications import queue_notifications
from tests.calendar.parsers import parse_all
from tests.conftest import KellerSeeder, csrf_token, join_team, login, make_app, make_user
from tests.jobs import running_worker
from tests.mail.conftest import (  # noqa: F401  (fixtures of the mail tests, used here by name)
    SmtpServer,
    refusing_smtp_server,
    smtp_server,
)

BASE_URL = "https://planner.example.org"
CATALOGUE = Path(__file__).parents[2] / "planner" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

WCICO = "Gespräche mit der Western China International Communication Organization (WCICO)"
GOVERNMENT = "Gespräche mit Vertretern der südkoreanischen Regierung"
NOTE_MARKER = "INTERN-7c1d: Zugang nur über den Hintereingang"

# Who gets mail: (family name as seeded, address); the interpreter and the project lead have none.
ADDRESSES = {
    "Keller": "keller@example.org",  # attends the WCICO talks; subscribes to his calendar
    "Diener": "diener@example.org",  # not at the WCICO talks; already holds a personal link
    "Referent/in Korea Desk (Platzhalter)": "korea@example.org",  # only at the talks whose internal note changes
    "Referent/in Büro Oberbürgermeister (Platzhalter)": "referat@example.org",  # at the WCICO talks
    "Pressereferent/in Oberbürgermeister (Platzhalter)": "press@example.org",  # at the WCICO talks, reads English
}
NO_ADDRESS = ("Projektleitung Delegationsreise (Platzhalter)", "Dolmetscher/in (Platzhalter)")
ENGLISH = "Pressereferent/in Oberbürgermeister (Platzhalter)"
SUBSCRIBER = "Keller"
AFFECTED_BY_VERSION_2 = {"Keller", "Referent/in Büro Oberbürgermeister (Platzhalter)", ENGLISH}

MOVED_DE = f"Do., 17. Okt.: {WCICO} verschoben von 15:00 auf 16:30 (Ortszeit Chongqing)"
MOVED_EN = f"Thu, 17 Oct: {WCICO} moved from 15:00 to 16:30 (Chongqing time)"


def _catalogue_has(*msgids: str) -> bool:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    return all(catalogue.get(m) is not None and catalogue.get(m).string for m in msgids)


@dataclasses.dataclass
class Trip:
    app: Flask
    delegation_id: int
    members: dict[str, int]  # family name -> member id
    links: dict[str, str]  # family name -> token of a personal link made before the first release

    def signed_in(self, address: str) -> FlaskClient:
        client = self.app.test_client()
        login(client, address)
        return client


def _mail_app(database_url: str, instance: Path, port: int, **overrides: object) -> Flask:
    settings: dict[str, object] = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_DEFAULT_SENDER": "Delegationsplaner <planner@example.org>",
        "MAIL_RETRIES": 2,
        "MAIL_RETRY_SECONDS": 0,
        "BASE_URL": BASE_URL,
    }
    settings.update(overrides)
    return make_app(database_url, instance, **settings)


def _prepare_trip(app: Flask, seed_keller: KellerSeeder) -> Trip:
    """The Keller trip with the addresses above, two planners who may approve, and links for the mayor and Diener."""
    seed_keller(app)
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        anna = make_user(UserRole.PLANNER, "anna@example.org")
        join_team(anna, delegation, may_approve=True)
        join_team(make_user(UserRole.PLANNER, "ben@example.org"), delegation, may_approve=True)
        members = {}
        for member in delegation.members:
            name = member.person.family_name
            members[name] = member.id
            member.person.email = ADDRESSES.get(name)
            member.language = "en" if name == ENGLISH else "de"
        assert set(members) == set(ADDRESSES) | set(NO_ADDRESS)
        links = {}
        for name in (SUBSCRIBER, "Diener"):
            member = db.session.get(Member, members[name])
            links[name] = calendar_operations.issue_feed(delegation, member, anna).token
        db.session.commit()
        return Trip(app, delegation.id, members, links)


def _approve_next(trip: Trip) -> int:
    """Anna prepares the next release on its page, Ben approves it on his: the number approved."""
    anna, ben = trip.signed_in("anna@example.org"), trip.signed_in("ben@example.org")
    url = f"/delegations/{trip.delegation_id}/releases/new"
    assert anna.post(url, data={"csrf_token": csrf_token(anna, url), "note": ""}).status_code == 302
    with trip.app.app_context():
        number = db.session.scalar(sa.select(sa.func.max(Release.number)).where(Release.delegation_id == trip.delegation_id))
    url = f"/delegations/{trip.delegation_id}/releases/{number}/approve"
    page = ben.get(url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page)
    assert version is not None
    response = ben.post(url, data={"csrf_token": csrf_token(ben, url), "version": version.group(1), "reason": ""})
    assert response.status_code == 302, response.status_code
    return number


def _messages(app: Flask, number: int) -> list[OutgoingMessage]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                sa.select(OutgoingMessage).join(Release).where(Release.number == number).order_by(OutgoingMessage.member_id)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def _wait_until_delivered(app: Flask, number: int, count: int, timeout: float = 180) -> None:
    """Until release ``number`` has ``count`` messages and none is still queued; on timeout, say where each stands."""
    deadline = time.monotonic() + timeout
    while True:
        messages = _messages(app, number)
        if len(messages) >= count and all(m.state != MessageState.QUEUED for m in messages):
            return
        if time.monotonic() > deadline:
            with app.app_context():
                pending = jobs(app).pending()
            states = [(m.member_id, m.state.value, m.attempts, m.claimed_until, m.last_error) for m in messages]
            raise AssertionError(f"after {timeout} s: {len(messages)} of {count} messages {states}, jobs waiting {pending}")
        time.sleep(0.1)


def _received(server: SmtpServer) -> dict[str, EmailMessage]:
    """What the server accepted, by recipient (each recipient once: a second message fails the test)."""
    by_recipient: dict[str, EmailMessage] = {}
    for envelope in server.handler.received:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)  # type: ignore[arg-type]
        assert isinstance(parsed, EmailMessage)
        [recipient] = envelope.rcpt_tos
        assert recipient not in by_recipient, f"two messages to {recipient}"
        by_recipient[recipient] = parsed
    return by_recipient


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def _attachment(message: EmailMessage) -> bytes | None:
    attachments = list(message.iter_attachments())
    if not attachments:
        return None
    [part] = attachments
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "PUBLISH"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def _personal_token(body: str) -> str:
    found = re.findall(re.escape(BASE_URL) + r"/p/([A-Za-z0-9_-]{43})/", body)
    assert len(found) == 1, body
    return found[0]


def _edit_for_version_2(trip: Trip) -> datetime:
    """The WCICO talks move from 15:00 to 16:30 Chongqing time; the government talks get a new internal note.

    Returns the new start of the WCICO talks.
    """
    with trip.app.test_request_context():
        delegation = delegation_with_programme(trip.delegation_id)
        assert delegation is not None
        wcico = next(a for a in delegation.appointments if a.title == WCICO)
        program_operations.move_appointment(delegation, wcico, MoveInput(wcico.start_at + timedelta(minutes=90), wcico.version))
        db.session.commit()
        moved = wcico.start_at
        db.session.expire_all()
        delegation = delegation_with_programme(trip.delegation_id)
        assert delegation is not None
        government = next(a for a in delegation.appointments if a.title == GOVERNMENT)
        data = dataclasses.replace(AppointmentInput.of(government), notes=NOTE_MARKER)
        program_operations.save_appointment(delegation, data, government)
        db.session.commit()
        return moved


@pytest.fixture
def trip(database_url: str, tmp_path: Path, seed_keller: KellerSeeder, smtp_server: SmtpServer) -> Trip:  # noqa: F811
    return _prepare_trip(_mail_app(database_url, tmp_path / "instance", smtp_server.port), seed_keller)


def test_each_affected_member_gets_one_message_in_their_language_with_their_changes_link_and_calendar(
    trip: Trip,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    app = trip.app
    # The mayor's calendar app fetches his personal feed: he is a subscriber. A second fetch within
    # the hour is not written down again.
    client = app.test_client()
    assert client.get(f"/feeds/{trip.links[SUBSCRIBER]}.ics").status_code == 200
    with app.app_context():
        fetched = db.session.scalars(sa.select(FeedToken.last_fetched_at).where(FeedToken.token == trip.links[SUBSCRIBER])).one()
    assert fetched is not None
    assert client.get(f"/feeds/{trip.links[SUBSCRIBER]}.ics").status_code == 200
    with app.app_context():
        again = db.session.scalars(sa.select(FeedToken.last_fetched_at).where(FeedToken.token == trip.links[SUBSCRIBER])).one()
    assert again == fetched

    # Version 1: the approval itself sends nothing; the worker writes one message per member with an address.
    assert _approve_next(trip) == 1
    assert smtp_server.handler.received == [] and _messages(app, 1) == []
    with running_worker(app):
        _wait_until_delivered(app, 1, len(ADDRESSES))
    first = _messages(app, 1)
    assert sorted(m.recipient for m in first) == sorted(ADDRESSES.values())
    assert all(m.state == MessageState.SENT and m.kind == "release" for m in first)
    received = _received(smtp_server)
    assert set(received) == set(ADDRESSES.values())
    first_files: dict[str, bytes | None] = {}
    for name, address in ADDRESSES.items():
        message = received[address]
        body = _body(message)
        first_files[name] = _attachment(message)
        token = _personal_token(body)
        with app.app_context():
            link = db.session.scalars(sa.select(FeedToken).where(FeedToken.token == token)).one()
            assert link.member_id == trip.members[name] and link.revoked_at is None
            assert link.audience in (Audience.MEMBER, Audience.LEADERSHIP) and link.follows == FeedFollows.RELEASED
        if name in trip.links:
            assert token == trip.links[name]  # the link they hold, not a new one
        assert "Programm" in message["Subject"] and "Version 1" in message["Subject"]
        assert "Version 1" in body and "ersetzt" not in body and "replaces" not in body
        assert NOTE_MARKER not in body
    # Only the subscriber gets no file: his calendar updates itself.
    assert first_files[SUBSCRIBER] is None
    assert all(first_files[name] is not None for name in ADDRESSES if name != SUBSCRIBER)
    # The personal link in the message opens the member's page.
    referent = "Referent/in Büro Oberbürgermeister (Platzhalter)"
    page = client.get(f"/p/{_personal_token(_body(received[ADDRESSES[referent]]))}/")
    assert page.status_code == 200 and "Referent/in Büro Oberbürgermeister" in unescape(page.get_data(as_text=True))

    # Version 2: the WCICO talks move; the only other change is an internal note.
    moved_start = _edit_for_version_2(trip)
    smtp_server.handler.received.clear()
    assert _approve_next(trip) == 2
    with running_worker(app):
        _wait_until_delivered(app, 2, len(AFFECTED_BY_VERSION_2))
    # The worker has stopped (running jobs finished): nobody else got a message, nobody a second one.
    second = _messages(app, 2)
    assert sorted(m.recipient for m in second) == sorted(ADDRESSES[name] for name in AFFECTED_BY_VERSION_2)
    assert all(m.state == MessageState.SENT for m in second)
    received = _received(smtp_server)
    assert set(received) == {ADDRESSES[name] for name in AFFECTED_BY_VERSION_2}
    for name in AFFECTED_BY_VERSION_2:
        body = _body(received[ADDRESSES[name]])
        assert "Version 2" in received[ADDRESSES[name]]["Subject"]
        assert NOTE_MARKER not in body and "interne Hinweise" not in body and "internal notes" not in body
        assert _personal_token(body)
        if name == ENGLISH:
            assert MOVED_EN in body and MOVED_DE not in body
            if _catalogue_has("Sie ersetzt Version %(number)s."):
                assert "replaces version 1" in body.lower()
        else:
            assert MOVED_DE in body
            assert "Sie ersetzt Version 1." in body

    # The file for a non-subscriber: the same events as version 1's, the moved one with a higher SEQUENCE.
    raw = _attachment(received[ADDRESSES[referent]])
    assert raw is not None and first_files[referent] is not None
    parsed = icalendar.Calendar.from_ical(raw)
    assert parsed["METHOD"] == "PUBLISH"
    assert b"ATTENDEE" not in raw and b"ORGANIZER" not in raw
    with app.app_context():
        wcico_uid = db.session.scalars(sa.select(Appointment.uid).where(Appointment.title == WCICO)).one()
    before, after = parse_all(first_files[referent]), parse_all(raw)
    assert set(after) == {"icalendar", "vobject", "ical", "recurring_ical_events", "libical", "icaljs"}
    for parser, events in after.items():
        old = {event.uid: event for event in before[parser]}
        new = {event.uid: event for event in events}
        assert set(new) == set(old) and wcico_uid in new, parser
        assert new[wcico_uid].start == moved_start.astimezone(UTC) == old[wcico_uid].start + timedelta(minutes=90), parser
        assert (new[wcico_uid].sequence or 0) > (old[wcico_uid].sequence or 0), parser
        assert all((new[uid].sequence or 0) >= (old[uid].sequence or 0) for uid in new), parser

    # Running the job again writes nothing: one message per release and member.
    with app.app_context():
        release_id = db.session.scalars(sa.select(Release.id).where(Release.number == 2)).one()
    with app.test_request_context(base_url=BASE_URL):
        assert queue_notifications(release_id) == []
    assert len(_messages(app, 2)) == len(AFFECTED_BY_VERSION_2)

    # The releases page counts them and links to the messages page, which lists each recipient's state.
    anna = trip.signed_in("anna@example.org")
    releases_page = unescape(anna.get(f"/delegations/{trip.delegation_id}/releases").get_data(as_text=True))
    assert "Benachrichtigungen: 5 versandt" in releases_page and "Benachrichtigungen: 3 versandt" in releases_page
    assert f"/delegations/{trip.delegation_id}/messages#release-2" in releases_page
    messages_page = anna.get(f"/delegations/{trip.delegation_id}/messages")
    assert messages_page.status_code == 200
    section = unescape(messages_page.get_data(as_text=True)).split('id="release-2"', 1)[1].split("</table>", 1)[0]
    assert all(ADDRESSES[name] in section for name in AFFECTED_BY_VERSION_2) and "Versendet" in section
    assert ADDRESSES["Diener"] not in section


def test_a_failing_mail_server_gets_retries_then_each_failure_shows_and_the_release_stays(
    database_url: str,
    tmp_path: Path,
    seed_keller: KellerSeeder,
    refusing_smtp_server: SmtpServer,  # noqa: F811
) -> None:
    trip = _prepare_trip(_mail_app(database_url, tmp_path / "instance", refusing_smtp_server.port), seed_keller)
    app = trip.app
    assert _approve_next(trip) == 1  # the approval page answers as always: the mail server is not asked here
    with running_worker(app):
        _wait_until_delivered(app, 1, len(ADDRESSES))
    messages = _messages(app, 1)
    assert len(messages) == len(ADDRESSES) and refusing_smtp_server.handler.received == []
    for message in messages:
        assert message.state == MessageState.FAILED and message.attempts == 3  # the first try and two retries
        assert message.last_error is not None and "451" in message.last_error
    assert refusing_smtp_server.handler.attempts == 3 * len(ADDRESSES)
    with app.app_context():
        assert db.session.scalars(sa.select(Release.state)).one() == ReleaseState.APPROVED

    anna = trip.signed_in("anna@example.org")
    releases_page = anna.get(f"/delegations/{trip.delegation_id}/releases")
    assert releases_page.status_code == 200
    assert "Benachrichtigungen: 5 fehlgeschlagen" in unescape(releases_page.get_data(as_text=True))
    page = anna.get(f"/delegations/{trip.delegation_id}/messages")
    assert page.status_code == 200
    section = unescape(page.get_data(as_text=True)).split('id="release-1"', 1)[1].split("</table>", 1)[0]
    for address in ADDRESSES.values():
        row = section.split(address, 1)[1].split("</tr>", 1)[0]
        assert "Fehlgeschlagen" in row and "451" in row


@pytest.fixture
def redis_trip(database_url: str, tmp_path: Path, seed_keller: KellerSeeder, smtp_server: SmtpServer) -> Iterator[Trip]:  # noqa: F811
    """The same trip with the job queue in Redis (db 13, a queue name of its own), as on a shared deployment."""
    url = os.environ.get("PLANNER_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    name = f"planner-test-{uuid.uuid4().hex[:8]}"
    app = _mail_app(database_url, tmp_path / "instance", smtp_server.port, REDIS_URL=url, JOB_QUEUE_NAME=name)
    yield _prepare_trip(app, seed_keller)
    jobs(app).huey.flush()


def test_with_the_redis_queue_each_member_gets_one_message(redis_trip: Trip, smtp_server: SmtpServer) -> None:  # noqa: F811
    app = redis_trip.app
    assert _approve_next(redis_trip) == 1
    queue = jobs(app)
    assert type(queue.huey).__name__ == "RedisHuey" and queue.pending() == 1  # the notification job, nothing sent yet
    with running_worker(app):
        _wait_until_delivered(app, 1, len(ADDRESSES))
    assert sorted(m.recipient for m in _messages(app, 1)) == sorted(ADDRESSES.values())
    assert set(_received(smtp_server)) == set(ADDRESSES.values())
    assert not (Path(app.instance_path) / "jobs.sqlite3").exists()
