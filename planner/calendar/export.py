"""Which items go into which calendar, and what the calendar is called.

Routes, feeds and the CLI all come through :func:`export_calendar`, so a
member's download and a member's subscription can never differ. Each
calendar is made for a :class:`~planner.audiences.Viewer`; items the
viewer's audience may not know of are left out here
(:func:`planner.audiences.shows_item`). The one exception, a draft's feed
rebuilt from its kept event blocks (:mod:`planner.calendar.feed_build`),
reads the same rules from columns and uses this module's name and version
helpers; its tests compare its bytes with :func:`export_calendar`'s.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, url_for
from flask_babel import force_locale

from planner.audiences import Viewer, shows_item
from planner.calendar.ical import CalendarRequest, EventBlocks, Item, build_calendar, last_change
from planner.calendar.queries import items_for_member, items_on_day
from planner.formatting import day as format_day
from planner.models import Appointment, Delegation, Journey, Member
from planner.releases.shown import ShownVersion


@dataclass(frozen=True)
class Scope:
    """Part of a delegation's programme; all fields empty means the whole trip."""

    member: Member | None = None
    day: date | None = None
    appointment: Appointment | None = None


@dataclass(frozen=True)
class ExportedCalendar:
    body: bytes
    filename: str
    last_modified: datetime


def planner_link(item: Item | Delegation) -> str:
    """Absolute link back to the planner page showing ``item`` (needs a request context)."""
    if isinstance(item, Delegation):
        return url_for("delegations.show", delegation_id=item.id, _external=True)
    return url_for("delegations.show", delegation_id=item.delegation_id, _external=True, _anchor=_anchor(item))


def _anchor(item: Item) -> str:
    # Letters, digits and a hyphen: url_for leaves it as it is, so PlannerLinks may append it itself.
    return f"appointment-{item.id}" if isinstance(item, Appointment) else f"journey-{item.id}"


class PlannerLinks:
    """:func:`planner_link` for the items of one calendar, building each delegation page's address once.

    ``url_for`` per event was a noticeable part of building a large feed; the
    item links differ from the page's address only by their anchor.
    """

    def __init__(self) -> None:
        self._pages: dict[int, str] = {}

    def __call__(self, item: Item | Delegation) -> str:
        if isinstance(item, Delegation):
            return planner_link(item)
        page = self._pages.get(item.delegation_id)
        if page is None:
            page = self._pages[item.delegation_id] = url_for("delegations.show", delegation_id=item.delegation_id, _external=True)
        return f"{page}#{_anchor(item)}"


def file_stem(text: str) -> str:
    """A download's file name stem from ``text``: ASCII letters, digits and hyphens ("Reise nach Seoul" -> "reise-nach-seoul")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:60] or "kalender"


def export_calendar(
    delegation: Delegation,
    scope: Scope,
    *,
    locale: str,
    today: date,
    link_for: Callable[[Item | Delegation], str] = planner_link,
    source_url: str | None = None,
    viewer: Viewer | None = None,
    version: ShownVersion | None = None,
    method: str | None = None,
    blocks: EventBlocks | None = None,
) -> ExportedCalendar:
    """The calendar of ``scope`` for ``viewer`` (default: the planning team) as iCalendar bytes.

    With ``version`` (the feeds) its name and description say which version of the
    programme it is (see :mod:`planner.releases.shown`); the file name does not.
    ``method`` "PUBLISH" for a file sent as an e-mail attachment (see :class:`CalendarRequest`).
    ``blocks``: the events serialized by earlier builds (the feeds, :mod:`planner.calendar.feed_blocks`);
    the bytes are the same with or without them.
    """
    request = calendar_request(
        delegation, scope, locale=locale, today=today, link_for=link_for, source_url=source_url, viewer=viewer
    )
    request.method = method
    items: list[Item] = [*request.appointments, *request.journeys]
    members: dict[int, datetime] = {}  # each member's latest change, read once for all their items
    request.last_changes = {(type(item), item.id): last_change(item, members) for item in items}
    changed = name_version(request, version, max([delegation.updated_at, *request.last_changes.values()]))
    return ExportedCalendar(build_calendar(request, blocks), calendar_filename(request), changed)


def name_version(request: CalendarRequest, version: ShownVersion | None, changed: datetime) -> datetime:
    """Name ``version`` in the calendar of ``request`` (changed last at ``changed``); its Last-Modified."""
    if version is None:
        return changed
    with force_locale(request.locale):
        request.version_label, request.version_note = version.texts(changed, current_app.config["HOME_TIMEZONE"])
    return version.shown_since(changed)


def calendar_filename(request: CalendarRequest) -> str:
    """The file name of the calendar of ``request``."""
    return file_stem(request.name) + ".ics"


def calendar_name(delegation: Delegation, scope: Scope) -> str:
    """The calendar's name (in the current locale): the trip's title, and whose, which day or which item."""
    if scope.member is not None:
        return f"{delegation.title} – {scope.member.person.display_name}"
    if scope.day is not None:
        return f"{delegation.title} – {format_day(scope.day)}"
    if scope.appointment is not None:
        return f"{delegation.title} – {scope.appointment.title}"
    return delegation.title


def calendar_request(
    delegation: Delegation,
    scope: Scope,
    *,
    locale: str,
    today: date,
    link_for: Callable[[Item | Delegation], str] = planner_link,
    source_url: str | None = None,
    viewer: Viewer | None = None,
) -> CalendarRequest:
    """What goes into the calendar of ``scope`` for ``viewer`` (default: the planning team), and its name."""
    viewer = viewer or Viewer.team()
    if link_for is planner_link:
        link_for = PlannerLinks()  # the same links, each delegation's page address built once
    appointments: list[Appointment]
    journeys: list[Journey]
    with force_locale(locale):
        name = calendar_name(delegation, scope)
        if scope.member is not None:
            appointments, journeys = items_for_member(delegation, scope.member)
        elif scope.day is not None:
            appointments, journeys = items_on_day(delegation, scope.day)
        elif scope.appointment is not None:
            # Only this item: the delegation's programme is not read (nor loaded, if it was not).
            appointments, journeys = [scope.appointment], []
        else:
            appointments, journeys = list(delegation.appointments), list(delegation.journeys)
    appointments = [a for a in appointments if shows_item(viewer, a)]
    journeys = [j for j in journeys if shows_item(viewer, j)]
    return CalendarRequest(
        delegation=delegation,
        name=name,
        locale=locale,
        link_for=link_for,
        today=today,
        appointments=appointments,
        journeys=journeys,
        source_url=source_url,
        viewer=viewer,
    )
