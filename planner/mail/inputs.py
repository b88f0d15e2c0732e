"""Typed input of the mail feature."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attachment:
    """A calendar file sent along (text/calendar; METHOD:PUBLISH or none, never an invitation)."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class MessageInput:
    """One e-mail to one recipient, written in that recipient's language by the caller."""

    recipient: str
    subject: str
    body: str
    kind: str
    delegation_id: int | None = None
    member_id: int | None = None
    attachment: Attachment | None = None
    # The release a notification announces: one message per release and member (see the model).
    release_id: int | None = None
