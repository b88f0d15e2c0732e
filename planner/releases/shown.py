"""Which version of a programme a link shows, and how the output names it.

A link (a calendar feed, and the personal page that opens with a member's
feed token) follows either the draft (the planning office: every edit at
once) or the released version (participants and press: only what was
approved, see :class:`planner.models.FeedFollows`). A released-following link
draws the programme rebuilt from the snapshot of the release in force
(:func:`planner.releases.queries.released_programme`), so later draft edits do
not reach it until the next approval. The feed
(:mod:`planner.calendar.feed_cache`) and the personal page
(:mod:`planner.personal.queries`) both choose through :func:`shown_programme`,
so the two can never show different versions of one link.

Every such output says which version it is: "Version 5 vom 12.10.2024" (the
day of the approval, in the home time zone) or "Entwurf, Stand 12.10.2024
14:30" (for a feed the last change of what it shows, for the personal page
the moment the server made it).

Downloads from the planner's pages are for planners and stay the draft: a
planner downloads what they are working on; the released version reaches
participants through their subscription.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from planner.formatting import clock, stamp_day
from planner.models import Delegation, Member, Release
from planner.releases.queries import released_programme


@dataclass(frozen=True)
class ShownVersion:
    """The version an output shows: a release, or the draft (``release`` None)."""

    release: Release | None = None
    # The link follows the released version but the trip has none yet, so it shows the draft.
    awaiting_release: bool = False

    def shown_since(self, last_change: datetime) -> datetime:
        """Last-Modified of the calendar: a new release is news even where its items did not change."""
        if self.release is not None and self.release.approved_at is not None:
            return max(last_change, self.release.approved_at)
        return last_change

    def label(self, stand: datetime, home_zone: str) -> str:
        """The version in words (current locale): "Version 5 vom 12.10.2024" or "Entwurf, Stand <stand>".

        ``stand`` is the moment a draft's label names (the output decides which);
        a release is named by its number and the day of its approval.
        """
        if self.release is not None and self.release.approved_at is not None:
            approved = stamp_day(self.release.approved_at, home_zone)
            return _("Version %(number)s vom %(day)s", number=self.release.number, day=approved)
        return _("Entwurf, Stand %(day)s %(time)s", day=stamp_day(stand, home_zone), time=clock(stand, home_zone))

    def texts(self, last_change: datetime, home_zone: str) -> tuple[str, str | None]:
        """The version as the calendar's name carries it, and a sentence for its description (in the current locale)."""
        label = self.label(last_change, home_zone)
        if self.awaiting_release:
            return label, _("Noch keine Fassung freigegeben: Bis zur ersten Freigabe zeigt dieser Kalender den Entwurf.")
        return label, None


@dataclass(frozen=True)
class ShownProgramme:
    """What a link draws: the programme (live or rebuilt from a release), the member in it, and its version."""

    programme: Delegation
    member: Member | None
    version: ShownVersion


def shown_programme(
    delegation: Delegation, member: Member | None, release_number: int | None, *, follows_release: bool
) -> ShownProgramme:
    """The programme a link of ``delegation`` (for ``member``, or the whole trip) shows.

    ``release_number`` is the release in force as the link's state read it
    (:attr:`planner.calendar.queries.FeedState.release_number`)
    (None: there is none, or the link follows the draft), so the body built
    is the one the validator stands for even if a release is approved meanwhile.
    """
    if release_number is not None:
        released = released_programme(delegation.id, release_number)
        if released is not None:
            return ShownProgramme(released.programme, _member_in(released.programme, member), ShownVersion(released.release))
    # Before a trip's first approved release a released-following feed shows the draft rather than
    # nothing: the links that existed before releases did are released-following now, and their
    # subscribers would otherwise find an empty calendar the day the planner is upgraded.
    return ShownProgramme(delegation, member, ShownVersion(None, awaiting_release=follows_release))


def _member_in(programme: Delegation, member: Member | None) -> Member | None:
    """The member as the release knows them (their attendance and briefings as approved).

    A member added after the release is not in it: their live record is
    returned, which attends nothing in the release, so their feed is empty
    (and never falls back to the whole trip) until a release includes them.
    """
    if member is None:
        return None
    return next((m for m in programme.members if m.id == member.id), member)
