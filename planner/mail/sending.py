"""Delivering a queued message, in the job worker: SMTP when ``MAIL_SERVER`` is set, else an .eml in the outbox.

One code path either way: build the :class:`~email.message.EmailMessage`,
hand it to the transport, record the outcome. A temporary failure (no
connection, a 4xx reply) is recorded and raised again as :class:`SendFailed`,
so Huey tries again after ``MAIL_RETRY_SECONDS``, up to ``MAIL_RETRIES``
times; a permanent one (5xx) or the last attempt marks the message failed.
Neither the body nor the address reaches a log line: the errors are
described by code and server reply, and raised without their cause.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import smtplib
import socket
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from planner.extensions import db
from planner.jobs import TaskOptions, job
from planner.log_redaction import redact
from planner.models import MessageState, OutgoingMessage
from planner.timezones import utc_now

log = logging.getLogger(__name__)

# Kinds of message whose body carries a secret link nobody but the recipient may open (planner.care.link):
# the outbox keeps them with the link redacted once delivered.
REDACTED_AFTER_SENDING = frozenset({"travel_data_link"})


class SendFailed(Exception):
    """A temporary failure; Huey runs the task again. Its text names the message id only."""


def build_email(message: OutgoingMessage, sender: str, domain: str) -> EmailMessage:
    """The message as it goes out: plain text, UTF-8, and the calendar file as text/calendar; method=PUBLISH."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(f"planner.{message.id}", domain=domain)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a notification
    email.set_content(message.body)
    if message.attachment is not None:
        email.add_attachment(
            message.attachment,
            maintype="text",
            subtype="calendar",
            filename=message.attachment_name or "programm.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    return email


def outbox_folder() -> Path:
    """Where messages go without an SMTP server: ``MAIL_OUTBOX_FOLDER``, else ``instance/outbox``."""
    return Path(current_app.config.get("MAIL_OUTBOX_FOLDER") or Path(current_app.instance_path) / "outbox")


def _write_eml(message_id: int, email: EmailMessage) -> None:
    folder = outbox_folder()
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".tmp-{os.getpid()}-{secrets.token_hex(4)}"
    # Readable by the owner only: messages carry personal programmes.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(email.as_bytes())
    os.replace(temporary, folder / f"message-{message_id:06d}.eml")


def _smtp_send(email: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT_SECONDS"])
    # The server's certificate is always checked: against the system's CAs, or MAIL_CA_FILE (an in-house CA).
    context = ssl.create_default_context(cafile=config.get("MAIL_CA_FILE") or None)
    smtp: smtplib.SMTP
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)
    except BaseException:
        smtp.close()
        raise
    # Accepted is sent: a failing QUIT must not make the message look failed and go out twice.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.quit()


def describe(error: Exception) -> tuple[str, bool]:
    """(a readable reason without the body or address, whether it is permanent)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        replies = "; ".join(f"{code} {_text(reply)}" for code, reply in error.recipients.values())
        return f"SMTP: recipient refused: {replies}", all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"SMTP {error.smtp_code}: {_text(error.smtp_error)}", error.smtp_code >= 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "SMTP: the server closed the connection", False
    if isinstance(error, smtplib.SMTPNotSupportedError):
        # A setting to fix (MAIL_USE_TLS, MAIL_USERNAME); tried again, so a quick fix still delivers.
        return f"SMTP: not offered by the server: {error}", False
    if isinstance(error, ssl.SSLError):
        return f"TLS: {error.reason or type(error).__name__} (MAIL_CA_FILE, MAIL_USE_TLS, MAIL_USE_SSL)", False
    if isinstance(error, (ConnectionError, socket.timeout, socket.gaierror, OSError)):
        return f"no connection to the mail server: {type(error).__name__}: {error.strerror or error}", False
    return f"{type(error).__name__}", False


def _text(reply: bytes | str) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply))[:400]


def deliver(message: OutgoingMessage) -> MessageState:
    """Send ``message`` through the configured transport; raises what the transport raises."""
    config = current_app.config
    email = build_email(message, config["MAIL_DEFAULT_SENDER"], config.get("UID_DOMAIN") or "localhost")
    if config.get("MAIL_SERVER"):
        _smtp_send(email)
        return MessageState.SENT
    _write_eml(message.id, email)
    return MessageState.OUTBOX


def claim_seconds() -> float:
    """How long a sending job holds its message: one whole SMTP exchange, each step allowed ``MAIL_TIMEOUT_SECONDS``."""
    return 10 * float(current_app.config["MAIL_TIMEOUT_SECONDS"])


@job("send_message", TaskOptions(retries="MAIL_RETRIES", retry_delay="MAIL_RETRY_SECONDS", expires=False))
def send_message(message_id: int) -> None:
    """One attempt at delivering message ``message_id`` (the job worker runs it; Huey retries on SendFailed)."""
    # Claim the message before sending, in a statement of its own: of two jobs for one message (a requeue),
    # only the one whose update matched sends. Counting attempts alone was not enough: a duplicate that read
    # the row after the first job's claim but before its final commit claimed again and sent a second copy.
    now = utc_now()
    claimed = db.session.execute(
        sa.update(OutgoingMessage)
        .where(
            OutgoingMessage.id == message_id,
            OutgoingMessage.state == MessageState.QUEUED,
            sa.or_(OutgoingMessage.claimed_until.is_(None), OutgoingMessage.claimed_until < now),
        )
        .values(attempts=OutgoingMessage.attempts + 1, claimed_until=now + timedelta(seconds=claim_seconds()))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        state = db.session.scalar(sa.select(OutgoingMessage.state).where(OutgoingMessage.id == message_id))
        if state == MessageState.QUEUED:
            # Another job is sending it now, or died doing so and its claim runs out: look again later, when the
            # message is either delivered (nothing to do) or free to take.
            raise SendFailed(f"message {message_id}: being sent by another job")
        return  # rolled back, deleted with its trip, or already delivered by a duplicate job
    message = db.session.get(OutgoingMessage, message_id)
    if message is None:
        return  # deleted with its trip since the claim
    try:
        state = deliver(message)
    except Exception as error:  # noqa: BLE001  (every failure is recorded on the message, none reaches a page)
        reason, permanent = describe(error)
        last = permanent or message.attempts > int(current_app.config["MAIL_RETRIES"])
        message.last_error = reason[:1000]
        message.claimed_until = None
        if last:
            message.state = MessageState.FAILED
        db.session.commit()
        log.warning("message %s: attempt %s failed%s", message_id, message.attempts, " for good" if last else "")
        if not last:
            raise SendFailed(f"message {message_id}: attempt {message.attempts} failed") from None
        return
    message.state = state
    message.claimed_until = None
    message.sent_at = utc_now()
    message.last_error = None
    if message.kind in REDACTED_AFTER_SENDING:
        # A one-time link is the key to someone's passport data: once delivered, the copy kept here is redacted.
        message.body = redact(message.body)
    db.session.commit()
    log.info("message %s: %s after %s attempt(s)", message_id, state.value, message.attempts)
