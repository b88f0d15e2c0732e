"""Writes for calendars: issuing, rotating and revoking subscription feeds (they flush; the caller commits)."""

from __future__ import annotations

from planner.extensions import db
from planner.models import Audience, Delegation, FeedFollows, FeedToken, Member, User
from planner.timezones import utc_now


def issue_feed(
    delegation: Delegation,
    member: Member | None,
    user: User,
    locale: str | None = None,
    audience: Audience | None = None,
    follows: FeedFollows | None = None,
) -> FeedToken:
    """A new subscription link.

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
