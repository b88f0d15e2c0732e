"""Writes for calendars: issuing, rotating and revoking subscription feeds (they flush; the caller commits)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from planner.extensions import db
from planner.models import Audience, Delegation, FeedFollows, FeedToken, Member, User
from planner.timezones import utc_now

log = logging.getLogger(__name__)

# How often a link's last fetch is written down: once an hour, not at every poll of every client.
FETCH_NOTED_EVERY = timedelta(hours=1)


def issue_feed(
    delegation: Delegation,
    member: Member | None,
    user: User | None,
    locale: str | None = None,
    audience: Audience | None = None,
    follows: FeedFollows | None = None,
) -> FeedToken:
    """A new subscription link.

    ``user`` None: issued by the planner itself (a release notification for a member without a link).
    ``locale`` None: a member's link speaks the member's language, the whole trip's German.
    ``audience`` None means the default (member feeds: member, whole trip: team); ``follows``
    None the default of that audience (team: the draft, everyone else: the released version).
    """
    locale = locale or (member.language if member is not None else "de")
    feed = FeedToken.issue(delegation, member, locale=locale, audience=audience, follows=follows, created_by=user)
    db.session.add(feed)
    db.session.flush()
    return feed


def revoke_feed(feed: FeedToken) -> None:
    """End a subscription link for good (again: nothing happens)."""
    if feed.revoked_at is None:
        feed.revoked_at = utc_now()
    db.session.flush()


def rotate_feed(feed: FeedToken, user: User) -> FeedToken:
    """Replace a feed's secret: the old link stops working at once, the new one shows the same calendar."""
    feed.revoked_at = utc_now()
    replacement = FeedToken.issue(
        feed.delegation, feed.member, locale=feed.locale, audience=feed.audience, follows=feed.follows, created_by=user
    )
    db.session.add(replacement)
    db.session.flush()
    return replacement


def note_fetched(feed_id: int, last_fetched_at: datetime | None, now: datetime) -> bool:
    """Record that a calendar client fetched feed ``feed_id``, unless that was done within the last hour.

    ``last_fetched_at`` is the value the feed's look-up read, so a poll within the hour costs no
    statement at all. Written on a connection of its own and committed at once (the feed route has
    no session to commit), as a plain UPDATE: it is no change of the trip (no history, no revision,
    so the feed's validator stays the same). The WHERE repeats the hour rule, so two workers
    answering polls of one link at the same moment write it once. True if this call wrote it.
    """
    if last_fetched_at is not None and now - last_fetched_at < FETCH_NOTED_EVERY:
        return False
    stale = sa.or_(FeedToken.last_fetched_at.is_(None), FeedToken.last_fetched_at < now - FETCH_NOTED_EVERY)
    try:
        with db.engine.begin() as connection:
            result = connection.execute(sa.update(FeedToken).where(FeedToken.id == feed_id, stale).values(last_fetched_at=now))
    except SQLAlchemyError:
        # Bookkeeping, not the answer: a busy database (SQLite locked by a writer) must not fail the poll;
        # the next poll notes it.
        log.warning("feed %s: could not note the fetch", feed_id, exc_info=True)
        return False
    return bool(result.rowcount)
