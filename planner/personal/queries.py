"""Reads for a participant's own programme at their personal link.

The link is the member's personal calendar feed token: whoever may subscribe
to the member's calendar may read the page, and rotating or revoking the feed
closes both. What the page lists is exactly what that feed lists: the items
come from :func:`planner.calendar.export.calendar_request` for the same
:class:`~planner.audiences.Viewer`, and the version from the feed's own
choice (:func:`planner.releases.shown.shown_programme`: the release in force
for a link that follows the released version, the default for personal links;
the draft for one that follows the draft, and before a trip's first release),
so the page and the feed cannot drift apart. The programme is loaded with
:func:`planner.delegations.queries.delegation_with_programme` (a fixed number
of queries however long the trip), or rebuilt from the release's snapshot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa

from planner.audiences import PERSONAL_FEEDS, Viewer, may_see
from planner.calendar import queries as calendar_queries
from planner.calendar.export import Scope, calendar_request
from planner.calendar.queries import FeedState
from planner.delegations.queries import ProgrammeDay, ProgrammeEntry, programme_of
from planner.extensions import db
from planner.models import Appointment, Delegation, FeedFollows, FeedToken, ItemStatus, Journey, Member, Person
from planner.releases.shown import ShownVersion, shown_programme
from planner.timezones import today_in


@dataclass(frozen=True)
class VersionInfo:
    """Which version of the programme a page shows: in words, and the release's number (None: the draft)."""

    label: str
    release_number: int | None


def programme_version(version: ShownVersion, *, generated_at: datetime, home_zone: str) -> VersionInfo:
    """The version line of the page: "Version 5 vom 12.10.2024", or for the draft "Entwurf, Stand …".

    The words are the feed's (:meth:`ShownVersion.label`); a draft's "Stand" is
    ``generated_at``, when the server made the page: a phone that keeps the
    page offline then shows how current its copy was.
    """
    number = version.release.number if version.release is not None else None
    return VersionInfo(version.label(generated_at, home_zone), number)


@dataclass(frozen=True)
class PersonalLink:
    """An active personal link: the feed it is, with its delegation (the draft) and member loaded."""

    state: FeedState
    delegation: Delegation
    member: Member

    @property
    def follows_release(self) -> bool:
        return self.state.follows == FeedFollows.RELEASED


def personal_link(token: str) -> PersonalLink | None:
    """The member's personal link for ``token``; None for unknown, revoked, whole-trip or team links.

    The token look-up is the feed's own (by digest, compared in constant
    time). Only feeds that may be handed to their member
    (:data:`planner.audiences.PERSONAL_FEEDS`) open a page: a member's link
    made for the planning team would show internal items.
    """
    state = calendar_queries.feed_state(token)
    if state is None or state.member_id is None or state.audience not in PERSONAL_FEEDS:
        return None
    delegation = calendar_queries.delegation_with_programme(state.delegation_id)
    if delegation is None:
        return None
    member = calendar_queries.member_in(delegation, state.member_id)
    if member is None:  # in the trash: their link rests with them
        return None
    return PersonalLink(state, delegation, member)


@dataclass(frozen=True)
class PersonalProgramme:
    """Everything the personal page shows, from the version the link follows."""

    link: PersonalLink
    # The programme shown (the live trip, or a release rebuilt from its snapshot) and the member in it.
    programme: Delegation
    shown_member: Member
    days: list[ProgrammeDay]
    current: ProgrammeEntry | None
    upcoming: ProgrammeEntry | None
    contacts: list[Person]
    version: VersionInfo
    generated_at: datetime

    @property
    def delegation(self) -> Delegation:
        return self.programme

    @property
    def member(self) -> Member:
        return self.shown_member


def personal_programme(link: PersonalLink, *, now: datetime, locale: str) -> PersonalProgramme:
    """The member's programme at ``now`` (UTC): the days, what is on now and next, and the on-site contacts.

    Of the version the link follows, chosen as the member's feed chooses it
    (the release in force its state read, see :func:`personal_link`).
    """
    shown = shown_programme(link.delegation, link.member, link.state.release_number, follows_release=link.follows_release)
    programme = shown.programme
    member = shown.member if shown.member is not None else link.member
    viewer = Viewer(link.state.audience, member)
    request = calendar_request(
        programme,
        Scope(member=member),
        locale=locale,
        today=today_in(programme.home_timezone, now=now),
        viewer=viewer,
        link_for=lambda _item: "",  # the page links to no planner page
    )
    days = programme_of(programme, request.appointments, request.journeys)
    entries = [entry for programme_day in days for entry in programme_day.entries]
    current, upcoming = now_and_next(entries, now)
    return PersonalProgramme(
        link=link,
        programme=programme,
        shown_member=member,
        days=days,
        current=current,
        upcoming=upcoming,
        contacts=contacts(viewer, request.appointments),
        version=programme_version(shown.version, generated_at=now, home_zone=programme.home_timezone),
        generated_at=now,
    )


def ends_at(item: Appointment | Journey) -> datetime:
    return item.end_at if isinstance(item, Appointment) else item.arrive_at


def now_and_next(entries: list[ProgrammeEntry], now: datetime) -> tuple[ProgrammeEntry | None, ProgrammeEntry | None]:
    """What is on at ``now`` and what starts next, from ``entries`` in order of start; cancelled ones are skipped."""
    going = [e for e in entries if e.item.status is not ItemStatus.CANCELLED]
    current = next((e for e in going if e.starts_at <= now < ends_at(e.item)), None)
    upcoming = next((e for e in going if e.starts_at > now), None)
    return current, upcoming


def contacts(viewer: Viewer, appointments: list[Appointment]) -> list[Person]:
    """The on-site contacts of ``appointments`` that ``viewer`` may see, each once, in programme order."""
    if not may_see(viewer, "contact"):
        return []
    found: dict[int, Person] = {}
    for appointment in appointments:
        person = appointment.contact_person
        if person is not None and appointment.status is not ItemStatus.CANCELLED:
            found.setdefault(person.id, person)
    return list(found.values())


def contact_of(programme: PersonalProgramme, person_id: int) -> Person | None:
    return next((p for p in programme.contacts if p.id == person_id), None)


# -- links a phone acts on -----------------------------------------------------------


def tel_link(phone: str | None) -> str | None:
    """``tel:`` URI of a phone number as typed ("+82 2 2133-1234" -> "tel:+8221331234"); None without digits."""
    if not phone:
        return None
    digits = re.sub(r"[^\d+]", "", phone)
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}" if re.search(r"\d", digits) else None


@dataclass(frozen=True)
class MapLinks:
    """Where an appointment is, for a map app (``geo:``) and for any browser (OpenStreetMap)."""

    geo: str | None
    osm: str


def map_links(appointment: Appointment) -> MapLinks | None:
    """Map links for ``appointment``'s place: its coordinates if known, else a search for venue and address."""
    if appointment.latitude is not None and appointment.longitude is not None:
        lat, lon = f"{appointment.latitude:.6f}", f"{appointment.longitude:.6f}"
        return MapLinks(f"geo:{lat},{lon}", f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}")
    query = ", ".join(part for part in (appointment.venue, appointment.address) if part)
    if not appointment.address:
        return None
    city = appointment.city.name if appointment.city is not None else ""
    if city and city not in query:
        query = f"{query}, {city}"
    return MapLinks(None, "https://www.openstreetmap.org/search?query=" + quote(query, safe=""))


def personal_feeds_of(member: Member) -> list[FeedToken]:
    """The active links that open ``member``'s personal page (and calendar), oldest first."""
    return list(
        db.session.scalars(
            sa.select(FeedToken)
            .where(
                FeedToken.member_id == member.id,
                FeedToken.revoked_at.is_(None),
                FeedToken.audience.in_(PERSONAL_FEEDS),
            )
            .order_by(FeedToken.id)
        )
    )
