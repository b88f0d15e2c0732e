"""Writes of the mail feature: queue a message (flushes; the job goes on the queue when the caller commits)."""

from __future__ import annotations

import logging
import re
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from planner.editing import Rejected
from planner.extensions import db
from planner.jobs import jobs
from planner.mail.inputs import MessageInput
from planner.models import MessageState, OutgoingMessage

log = logging.getLogger(__name__)

_PENDING = "planner_mail_pending"
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
        except Exception:  # the queue is down: the row stays queued, `flask mail requeue` sends it
            log.exception("could not put message %s on the job queue", message_id)


@sa.event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def requeue_waiting() -> list[int]:
    """Put every message still queued on the job queue again (after the queue was lost or down); their ids."""
    ids = list(db.session.scalars(sa.select(OutgoingMessage.id).where(OutgoingMessage.state == MessageState.QUEUED)))
    queue = jobs()
    for message_id in ids:
        queue.enqueue("send_message", message_id)
    return ids
