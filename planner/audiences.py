"""Who gets to read what: the one definition of the audiences every output is built for.

Pages for participants, calendar feeds and downloads, and the printed brief
all ask the functions here instead of deciding for themselves, so a new
output cannot invent a looser rule. There are four audiences
(:class:`~planner.models.Audience`):

* **team** (the planning office): everything;
* **leadership**: the delegation's items with their objectives, talking
  points and background, but never the office's internal notes, booking
  references or internal-only items;
* **member**: their own items with times, places, dress code and on-site
  contacts; the briefing material (objectives, talking points, background)
  only for the appointments they are briefed for. The delegation leader is
  briefed for every appointment, so a leader's own outputs read like the
  leadership's;
* **press**: only items a planner marked public, with no personal data (no
  phone numbers, e-mail addresses or on-site contacts), no briefing
  material and no hotels.

A :class:`Viewer` is an audience plus, for personal outputs, the member
they belong to. Fields are classified once, in :data:`FIELDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.models import Appointment, AppointmentKind, Audience, Journey, Member, MemberRole, Visibility

__all__ = ["FIELDS", "PERSONAL_FEEDS", "Audience", "Viewer", "Visibility", "may_see", "shows", "shows_item"]

# What each field of the programme is for. "briefing" fields go to the team,
# the leadership and the members briefed for the appointment; "team" fields
# never leave the office; "members" fields go to everyone but the press.
FIELDS: dict[str, str] = {
    "notes": "team",  # appointment and journey notes, leg notes: the office's own remarks
    "booking_reference": "team",  # with a surname enough to change a booking; never in feeds
    "objectives": "briefing",
    "talking_points": "briefing",
    "background": "briefing",
    "dress_code": "members",
    "contact": "members",  # the on-site contact person with phone and e-mail
    "personal_data": "members",  # phone numbers and e-mail addresses of people
    "hotels": "members",
}

# Feed audiences that may be handed to the member a link belongs to (printed in
# their own brief); a member's link made for the team is never handed out.
PERSONAL_FEEDS = frozenset({Audience.MEMBER, Audience.LEADERSHIP})


@dataclass(frozen=True)
class Viewer:
    """An audience and, for a personal output, the member it is made for."""

    audience: Audience
    member: Member | None = None

    @classmethod
    def team(cls) -> Viewer:
        return cls(Audience.TEAM)

    def briefed_for(self, appointment: Appointment) -> bool:
        """Whether this viewer gets the briefing material of ``appointment``."""
        if self.audience in (Audience.TEAM, Audience.LEADERSHIP):
            return True
        if self.audience is Audience.PRESS or self.member is None:
            return False
        # The leader is briefed for everything; anyone else when a planner ticked them.
        return self.member.role == MemberRole.LEADER or any(m.id == self.member.id for m in appointment.briefed)


def shows_item(viewer: Viewer, item: Appointment | Journey) -> bool:
    """Whether ``item`` appears at all in an output for ``viewer`` (personal outputs also filter by attendance)."""
    return shows(viewer, item.visibility, item.kind if isinstance(item, Appointment) else None)


def shows(viewer: Viewer, visibility: Visibility, kind: AppointmentKind | None) -> bool:
    """:func:`shows_item` for an item read as columns: its visibility and, for an appointment, its kind (None: a journey)."""
    if viewer.audience is Audience.TEAM:
        return True
    if viewer.audience is Audience.PRESS:
        if kind is AppointmentKind.INTERNAL_BRIEFING:
            return False
        return visibility is Visibility.PUBLIC
    return visibility is not Visibility.INTERNAL


def may_see(viewer: Viewer, field: str, appointment: Appointment | None = None) -> bool:
    """Whether ``viewer`` may read ``field`` (a key of :data:`FIELDS`), of ``appointment`` for briefing fields."""
    kind = FIELDS[field]
    if viewer.audience is Audience.TEAM:
        return True
    if kind == "team":
        return False
    if kind == "briefing":
        return appointment is not None and viewer.briefed_for(appointment)
    return viewer.audience is not Audience.PRESS
