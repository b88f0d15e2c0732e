"""Writes of the mail feature: queue a message (flushes; the job goes on the queue when the caller commits)."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from planner.editing import Rejected
from planner.extensions import db
from planner.jobs import jobs
from planner.jobs.queue import periodic_job
from planner.mail.inputs import MessageInput
from planner.models import MessageState, OutgoingMessage
from planner.timezones import utc_now

log = logging.getLogger(__name__)

_PENDING = "planner_mail_pending"
# A message this young may still be between its commit and its job's arrival on the queue.
REQUEUE_GRACE = timedelta(minutes=1)
# An iTIP method other than PUBLISH makes the client treat the file as an invitation to answer.
_METHOD = re.compile(rb"^METHOD:(.*?)\r?$", re.MULTILINE | re.IGNORECASE)


def queue_message(data: MessageInput) -> OutgoingMessage:
    """Store ``data`` as a queued message; it is handed to the job worker once the caller commits.

    Refuses (:class:`~planner.editing.Rejected`) an address that is not one and a calendar
    attachment that is an invitation (METHOD other than PUBLISH).
    """
    try:
        recipient = validate_email(data.recipient, check_deliverability=False).normalized
    except EmailNotValidError:
        raise Rejected("recipient", _("Diese E-Mail-Adresse ist ungültig.")) from None
    if data.attachment is not None:
        methods = {value.strip().upper() for value in _METHOD.findall(data.attachment.content)}
        if methods - {b"PUBLISH"}:
            raise Rejected("attachment", _("Kalenderanhänge werden nur veröffentlicht, nie als Einladung verschickt."))
    message = OutgoingMessage(
        delegation_id=data.delegation_id,
        member_id=data.member_id,
        release_id=data.release_id,
        kind=data.kind,
        recipient=recipient,
        subject=" ".join(data.subject.split()),  # a header holds one line
        body=data.body,
        attachment_name=data.attachment.filename if data.attachment else None,
        attachment=data.attachment.content if data.attachment else None,
        state=MessageState.QUEUED,
        attempts=0,
    )
    db.session.add(message)
    db.session.flush()
    # The worker must find the row: enqueue only after the caller's commit (nothing if it rolls back).
    db.session().info.setdefault(_PENDING, []).append((current_app._get_current_object(), message.id))  # type: ignore[attr-defined]
    return message


@sa.event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    pending: list[tuple[Any, int]] = session.info.pop(_PENDING, [])
    for app, message_id in pending:
        try:
            jobs(app).enqueue("send_message", message_id)
        except Exception:  # the queue is down: the row stays queued, and requeue_stranded_mail sends it
            log.exception("could not put message %s on the job queue", message_id)


@sa.event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def requeue_stranded(now: datetime) -> list[int]:
    """Put each queued message that no job will send on the job queue again; their ids.

    Stranded: its job never reached the queue (the queue was down when the message was
    queued) or the queue lost it (a Redis flushed or restarted without its data, with a
    first attempt or a retry waiting). A message with a job on the queue (waiting, or
    waiting for its retry) or claimed by a job sending it now is left alone, and so is one
    queued in the last :data:`REQUEUE_GRACE` (its job goes on the queue after its commit).
    Should a job be queued twice anyway, the message is still sent once
    (:func:`planner.mail.sending.send_message` claims it).
    """
    queue = jobs()
    on_queue = {args[0] for args in queue.waiting_arguments("send_message") if args}
    waiting = db.session.scalars(
        sa.select(OutgoingMessage.id).where(
            OutgoingMessage.state == MessageState.QUEUED,
            OutgoingMessage.created_at < now - REQUEUE_GRACE,
            sa.or_(OutgoingMessage.claimed_until.is_(None), OutgoingMessage.claimed_until < now),
        )
    )
    stranded = [message_id for message_id in waiting if message_id not in on_queue]
    for message_id in stranded:
        queue.enqueue("send_message", message_id)
    return stranded


@periodic_job("requeue_stranded_mail", minute="*/5")
def requeue_stranded_mail() -> None:
    """Every five minutes on the job worker: :func:`requeue_stranded` (no message waits for ``flask mail requeue``)."""
    ids = requeue_stranded(utc_now())
    if ids:
        log.warning("%s stranded message(s) queued again: %s", len(ids), ", ".join(map(str, ids)))
