"""A draft feed rebuilt from its kept blocks: the programme read as columns, ORM rows only for changed events.

After one change a feed's events are nearly all still kept
(:mod:`planner.calendar.feed_blocks`). Deciding that by loading the whole
programme as ORM rows (every appointment with its organization, contact,
city and attendees) cost most of such a rebuild, so this build reads the
programme as plain columns (:func:`planner.calendar.queries.programme_keys`):
which items the feed shows, their time zones, their LAST-MODIFIED and their
item keys (:func:`planner.calendar.feed_blocks.key_of`, the same key the
ORM build makes of the same rows). Only the items whose key finds no block
are loaded in full and worked out as the full build does
(:func:`planner.calendar.ical.serialize_events`).

Every rule here is the full build's, read from columns instead of objects:
which items (:func:`planner.audiences.shows`, attendance for a member's
feed, :func:`planner.calendar.ical.shows_status`), which VTIMEZONEs
(:func:`planner.calendar.ical.appointment_instants`), LAST-MODIFIED
(:func:`planner.calendar.ical.last_change`, mirrored in :func:`_appointment_change`
and :func:`_journey_change`). tests/calendar/test_feed_blocks.py compares the bytes
with a full build after each kind of change.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm.attributes import set_committed_value

from planner.audiences import Viewer, shows
from planner.calendar import feed_blocks, ical, queries
from planner.calendar.export import ExportedCalendar, PlannerLinks, Scope, calendar_filename, calendar_name, name_version
from planner.models import Appointment, Delegation, Journey, Member
from planner.releases.shown import ShownVersion

# Above this share of events without a kept block, loading them by id costs more than the full build.
MOST_STALE = 0.5


def export_feed(
    delegation: Delegation,
    member: Member | None,
    *,
    locale: str,
    today: date,
    source_url: str,
    viewer: Viewer,
    version: ShownVersion,
    blocks: feed_blocks.EventBlocks,
    most_stale: float = MOST_STALE,
) -> ExportedCalendar | None:
    """The draft's calendar for ``member`` (None: the whole trip), the bytes :func:`export_calendar` would give.

    ``delegation`` and ``member`` are single rows (the programme is not loaded). None when
    more than ``most_stale`` of the events have no kept block: then the full build (which
    keeps the blocks too) is cheaper.
    """
    keys = queries.programme_keys(delegation.id)
    members = {row.id: row for row in keys.members}
    position = {member_id: n for n, member_id in enumerate(sorted(members, key=lambda i: (members[i].sort_order, i)))}
    lists: dict[tuple[str, int], list[int]] = {}
    for kind, item_id, member_id in keys.pairs:
        if member_id in position:
            lists.setdefault((kind, item_id), []).append(member_id)
    for ids in lists.values():
        ids.sort(key=position.__getitem__)

    with force_locale(locale):
        name = calendar_name(delegation, Scope(member=member))
    request = ical.CalendarRequest(
        delegation=delegation,
        name=name,
        locale=locale,
        link_for=PlannerLinks(),
        today=today,
        source_url=source_url,
        viewer=viewer,
        last_changes={},
    )
    common = feed_blocks.reader_key(request)
    people = _People(members)
    last_changes: dict[tuple[type, int], datetime] = {}
    instants: list[tuple[str, datetime]] = []
    entries: list[tuple[ical.SortKey, bytes]] = []
    stale: dict[type, dict[int, str]] = {Appointment: {}, Journey: {}}
    shown = 0

    for row in keys.appointments:
        attending = lists.get(("attendees", row.id), [])
        if not shows(viewer, row.visibility, row.kind) or (member is not None and member.id not in attending):
            continue
        attendees, attendees_changed = people.of(attending)
        changed = last_changes[(Appointment, row.id)] = _appointment_change(row, attendees_changed)
        if not ical.shows_status(row.status, request):
            continue
        shown += 1
        instants += ical.appointment_instants(row.all_day, row.timezone, row.start_at, row.end_at)
        related = (
            None if row.organization_id is None else (row.organization_id, row.organization_version),
            None if row.contact_id is None else (row.contact_id, row.contact_version),
            None if row.city_id is None else (row.city_id, row.city_version),
        )
        parts = ("A", row.id, row.version, row.revision, related, attendees)
        _find(blocks, feed_blocks.key_of(parts, changed, row.created_at, row.uid, common), Appointment, row.id, entries, stale)

    for row in keys.journeys:
        travelling = lists.get(("travellers", row.id), [])
        if not shows(viewer, row.visibility, None) or (member is not None and member.id not in travelling):
            continue
        travellers, travellers_changed = people.of(travelling)
        changed = last_changes[(Journey, row.id)] = _journey_change(row, travellers_changed)
        if not ical.shows_status(row.status, request):
            continue
        shown += 1
        instants += ical.journey_instants(row.departure_timezone, row.depart_at, row.arrival_timezone, row.arrive_at)
        city = None if row.city_id is None else (row.city_id, row.city_version)
        journey_parts = ("J", row.id, row.version, row.revision, city, travellers)
        key = feed_blocks.key_of(journey_parts, changed, row.created_at, row.uid, common)
        _find(blocks, key, Journey, row.id, entries, stale)

    if sum(len(ids) for ids in stale.values()) > most_stale * shown:
        return None
    request.last_changes = last_changes
    modified = name_version(request, version, max([delegation.updated_at, *last_changes.values()]))
    items = _load(stale, lists)
    entries += ical.serialize_events(request, items, blocks.store)
    body = ical.splice(ical.calendar_head(request, instants), entries)
    return ExportedCalendar(body, calendar_filename(request), modified)


def _find(
    blocks: feed_blocks.EventBlocks,
    key: str,
    model: type,
    item_id: int,
    entries: list[tuple[ical.SortKey, bytes]],
    stale: dict[type, dict[int, str]],
) -> None:
    found = blocks.find(key)
    if found is None:
        stale[model][item_id] = key
    else:
        entries.append(found)


class _People:
    """Each member's part of the item keys and latest change, worked out once per build (they attend most items)."""

    def __init__(self, members: dict[int, sa.Row]) -> None:
        self._members = members
        self._known: dict[int, tuple[str, datetime]] = {}

    def of(self, ids: list[int]) -> tuple[str, datetime | None]:
        """The people part of an item key for the members ``ids`` (in list order), and their latest change (None: nobody)."""
        parts = []
        latest: datetime | None = None
        for member_id in ids:
            known = self._known.get(member_id)
            if known is None:
                row = self._members[member_id]
                part = feed_blocks.member_part(row.id, row.version, row.person_id, row.person_version)
                known = self._known[member_id] = (part, max(row.updated_at, row.person_updated_at))
            parts.append(known[0])
            if latest is None or known[1] > latest:
                latest = known[1]
        return ",".join(parts), latest


def _appointment_change(row: sa.Row, people: datetime | None) -> datetime:
    """:func:`planner.calendar.ical.last_change` of an appointment read as columns (``people``: its attendees' latest)."""
    latest = row.updated_at
    # GEO falls back to the city's coordinates: then the city counts.
    city = row.city_updated_at if row.latitude is None or row.longitude is None else None
    for stamp in (row.organization_updated_at, row.contact_updated_at, city, people):
        if stamp is not None and stamp > latest:
            latest = stamp
    return latest


def _journey_change(row: sa.Row, people: datetime | None) -> datetime:
    """:func:`planner.calendar.ical.last_change` of a journey read as columns (``people``: its travellers' latest)."""
    latest = row.updated_at
    for stamp in (row.city_updated_at, people):
        if stamp is not None and stamp > latest:
            latest = stamp
    return latest


def _load(stale: dict[type, dict[int, str]], lists: dict[tuple[str, int], list[int]]) -> list[tuple[str, ical.Item]]:
    """The stale items as ORM rows, with their attendance lists set from the pairs already read; each with its key."""
    appointments = queries.appointments_by_id(stale[Appointment]) if stale[Appointment] else []
    journeys = queries.journeys_by_id(stale[Journey]) if stale[Journey] else []
    named: list[tuple[str, int]] = [(kind, a.id) for a in appointments for kind in ("attendees", "briefed")]
    named += [("travellers", j.id) for j in journeys]
    needed = {member_id for name in named for member_id in lists.get(name, ())}
    by_id = {m.id: m for m in queries.members_by_id(needed)} if needed else {}
    items: list[tuple[str, ical.Item]] = []
    for appointment in appointments:
        for kind in ("attendees", "briefed"):
            set_committed_value(appointment, kind, [by_id[i] for i in lists.get((kind, appointment.id), ())])
        items.append((stale[Appointment][appointment.id], appointment))
    for journey in journeys:
        set_committed_value(journey, "travellers", [by_id[i] for i in lists.get(("travellers", journey.id), ())])
        items.append((stale[Journey][journey.id], journey))
    return items
