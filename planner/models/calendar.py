"""Calendar subscriptions (secret feed tokens) and .ics uploads awaiting confirmation."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, enum_column
from planner.models.delegations import Delegation, Member
from planner.models.users import User
from planner.timezones import utc_now


class Audience(enum.StrEnum):
    """Who an output is made for; the rules for each live in :mod:`planner.audiences`."""

    TEAM = "team"  # the planning office: everything
    LEADERSHIP = "leadership"  # the leader and briefed members: adds briefing material, never internal notes
    MEMBER = "member"  # a participant: their own items, briefing material only where briefed
    PRESS = "press"  # public items only, no personal data, no hotels


class FeedFollows(enum.StrEnum):
    """Which version of the programme a subscription shows."""

    RELEASED = "released"  # the approved version in force (participants, press): no half-finished drafts
    DRAFT = "draft"  # every edit at once (the planning office)


def default_follows(audience: Audience) -> FeedFollows:
    """What a link follows unless chosen: the planning team the draft, everyone else the released version."""
    return FeedFollows.DRAFT if audience == Audience.TEAM else FeedFollows.RELEASED


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class FeedToken(Base):
    """A secret URL under which one delegation's (or one member's) calendar can be subscribed to.

    The token itself is kept so planners can hand the link out again; lookups
    go through its SHA-256 digest and the final comparison is constant-time,
    so response timing reveals nothing about valid tokens.
    """

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    # None: the whole delegation; otherwise only what this member attends.
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(sa.String(64))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="de")
    # Chosen when the link is made (issue() picks member/team by default); see planner.audiences.
    # The column default is the narrower member view, so a row made another way never shows more.
    audience: Mapped[Audience] = enum_column(Audience, default=Audience.MEMBER)
    # Chosen with the audience (issue() derives it from the audience by default); the column default is
    # the released version, so a row made another way never shows an unapproved draft.
    follows: Mapped[FeedFollows] = enum_column(FeedFollows, default=FeedFollows.RELEASED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When a calendar client last fetched the feed (None: never), kept to the hour: the feed route
    # writes it at most once an hour per link (planner.calendar.operations.note_fetched), not at every
    # poll. A personal link fetched at least once counts as a subscription (planner.releases.notifications).
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    delegation: Mapped[Delegation] = relationship()
    member: Mapped[Member | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @classmethod
    def issue(cls, delegation: Delegation, member: Member | None = None, **kwargs: object) -> FeedToken:
        # 32 random bytes: 256 bits, far beyond guessing; URL-safe, 43 characters.
        token = secrets.token_urlsafe(32)
        if "audience" not in kwargs or kwargs["audience"] is None:
            kwargs["audience"] = Audience.MEMBER if member is not None else Audience.TEAM
        if kwargs.get("follows") is None:
            kwargs["follows"] = default_follows(kwargs["audience"])  # type: ignore[arg-type]
        return cls(delegation=delegation, member=member, token=token, digest=token_digest(token), **kwargs)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# An upload nobody confirmed lapses after this long.
IMPORT_LIFETIME = timedelta(hours=24)


def _import_expiry() -> datetime:
    return utc_now() + IMPORT_LIFETIME


class ImportState(enum.StrEnum):
    """Where an upload is between the file and its preview (see :mod:`planner.calendar.import_jobs`)."""

    QUEUED = "queued"  # a large file waits for the job worker to parse it
    RUNNING = "running"  # the job worker parses it
    READY = "ready"  # parsed: ``plan`` holds the items, the preview can be shown
    IMPORTING = "importing"  # confirmed; a plan of many items is written by the job worker
    IMPORTED = "imported"  # written by the job worker: ``counts`` says how many were created, updated, unchanged
    FAILED = "failed"  # refused: ``error`` says why, in the uploader's language


class PendingImport(Base):
    """An uploaded .ics file between upload and confirmation: its parsed items (the plan), or the file until parsed.

    Kept in the database rather than on local disk, in a process or in the
    session, so any app server behind the load balancer (and the job worker)
    can read what another one stored; it belongs to the user who uploaded it
    and lapses at ``expires_at``.
    """

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(24))
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    # The file, only until it is parsed (a large one waits here for the job worker); None afterwards.
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    state: Mapped[ImportState] = enum_column(ImportState, default=ImportState.QUEUED)
    # The parsed items as JSON (planner.calendar.import_plan), once READY.
    plan: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)  # why the file was refused, once FAILED
    counts: Mapped[dict[str, int] | None] = mapped_column(sa.JSON)  # created/updated/unchanged, once IMPORTED
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_import_expiry)
