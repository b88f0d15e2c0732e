"""Build iCalendar documents from a delegation's programme.

One builder serves every output: the downloads (whole trip, one member, one
day, one appointment), the subscription feeds and the command line. It is a
pure function of the data it is handed, with no clock inside: the same
programme always gives the same bytes, so feeds can answer with a stable
ETag, and DTSTAMP is the item's last change (RFC 5545 3.8.7.2, for calendars
without METHOD).

Choices that real clients force on us:
* no ATTENDEE or ORGANIZER: with them Outlook and Google treat the file as a
  meeting invitation and offer to send replies;
* no METHOD: a published calendar, not an iTIP message (RFC 5546 would then
  require ORGANIZER and more); only a file sent by e-mail says METHOD:PUBLISH,
  to match its MIME part (:attr:`CalendarRequest.method`), never REQUEST;
* VTIMEZONEs with RRULEs (see :mod:`planner.calendar.vtimezone`);
* cancelled appointments keep their UID and stay in the feed, with STATUS
  CANCELLED *and* a visible prefix in SUMMARY (Outlook ignores STATUS), until
  the trip is over;
* booking references are left out: a feed link is easily forwarded, and a
  reference plus a surname is enough to change a booking;
* every calendar is built for a :class:`~planner.audiences.Viewer`: which
  items it holds is decided by :func:`planner.calendar.export.calendar_request`,
  what each DESCRIPTION says by :mod:`planner.audiences` (internal notes for
  the team only, briefing material only where the viewer is briefed, no
  contact data for the press).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any, Protocol

from flask_babel import force_locale, gettext
from icalendar import Calendar, Event, Timezone, vCategory, vDDDTypes, vGeo, vInt, vText, vUri
from icalendar.timezone import tzp

from planner import labels
from planner.audiences import Viewer, may_see
from planner.calendar.vtimezone import build_vtimezone
from planner.models import Appointment, Delegation, ItemStatus, Journey, Member
from planner.text import CALENDAR_CONTROL, single_line
from planner.timezones import UTC, ensure_utc, shows_unique_wall_time, to_local, utc_offset

PRODID = "-//Delegationsplaner//Delegation Planner 1.0//DE"
REFRESH = timedelta(hours=1)

_STATUS = {
    ItemStatus.TENTATIVE: "TENTATIVE",
    ItemStatus.CONFIRMED: "CONFIRMED",
    ItemStatus.CANCELLED: "CANCELLED",
}

Item = Appointment | Journey


@dataclass
class CalendarRequest:
    """What to put in one calendar, and how to phrase it."""

    delegation: Delegation
    name: str
    locale: str
    link_for: Callable[[Item | Delegation], str]
    today: date  # in the home zone: cancelled items drop out once the trip is over
    appointments: list[Appointment] = field(default_factory=list)
    journeys: list[Journey] = field(default_factory=list)
    source_url: str | None = None  # the feed's own address, for subscriptions
    viewer: Viewer = field(default_factory=Viewer.team)  # whom the descriptions are written for
    # Which version of the programme this is ("Version 5 vom 12.10.2024"), for the name and description.
    version_label: str | None = None
    version_note: str | None = None  # a sentence more about the version, for the description
    # None for feeds and downloads (a published calendar); "PUBLISH" for a file sent by e-mail, whose
    # MIME part says method=PUBLISH and must match (RFC 6047). Never REQUEST: that is an invitation.
    method: str | None = None
    # Each item's :func:`last_change` by (type, id), when the caller worked them out already (the export does).
    last_changes: dict[tuple[type, int], datetime] | None = None


# Translations already looked up for the calendar being built (one locale per calendar): flask-babel's
# lookup of the same dozen texts for every event cost more than building the rest of the event.
_phrasebook: ContextVar[dict[Any, str] | None] = ContextVar("calendar_phrasebook", default=None)


def _(text: str, **variables: Any) -> str:
    """``gettext``, remembered while one calendar is built; the same result, text for text."""
    book = _phrasebook.get()
    if book is None:
        return gettext(text, **variables)
    translated = book.get(text)
    if translated is None:
        translated = book[text] = gettext(text)
    return translated % variables if variables else translated


def label(value: Enum) -> str:
    """:func:`planner.labels.label`, remembered while one calendar is built."""
    book = _phrasebook.get()
    if book is None:
        return labels.label(value)
    key = (type(value), value)  # StrEnum members of different enums can share a value ("press")
    translated = book.get(key)
    if translated is None:
        translated = book[key] = labels.label(value)
    return translated


def clean(text: str | None) -> str:
    """``text`` without control characters (tab and newline stay).

    iCalendar forbids them in text, and strict parsers reject the whole file for one.
    """
    return CALENDAR_CONTROL.sub("", text or "").strip()


def one_line(text: str | None) -> str:
    """:func:`clean` for one-line fields (titles, names, places): every line break becomes a space.

    The models apply the same rule when a value is set (:mod:`planner.text`); a database written
    past them (an old one, a hand-edited one) must still give a valid calendar.
    """
    return clean(single_line(text or ""))


@lru_cache(maxsize=64)
def _vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    # Cached per zone and span of years; the component is never modified after building.
    return build_vtimezone(zone_name, datetime(first_year, 1, 1, tzinfo=UTC), datetime(last_year, 12, 31, tzinfo=UTC))


def _visible(item: Item, request: CalendarRequest) -> bool:
    return shows_status(item.status, request)


def shows_status(status: ItemStatus, request: CalendarRequest) -> bool:
    """Whether an item of ``status`` is an event of the calendar: cancelled ones only until the trip is over."""
    if status != ItemStatus.CANCELLED:
        return True
    return request.today <= request.delegation.end_date


def build_calendar(request: CalendarRequest, blocks: EventBlocks | None = None) -> bytes:
    """Return the calendar as iCalendar bytes (UTF-8, CRLF, folded at 75 octets).

    With ``blocks`` (a feed's serialized events from earlier builds) only the
    events whose values changed are serialized; the rest are copied from
    ``blocks``. The bytes are the same either way: an event's block is a pure
    function of its values (:func:`event_from_values`), and it is stored under
    a digest of exactly those values.
    """
    if blocks is None:
        return make_calendar(request).to_ical()
    with force_locale(request.locale):
        remembered = _phrasebook.set({})
        try:
            calendar, items = _calendar_parts(request)
            entries = []
            for item in items:
                found = blocks.of_item(item, request)
                if found is None:
                    sort_key, values = _item_values(item, request)
                    found = blocks.keep(item, request, sort_key, values)
                entries.append(found)
        finally:
            _phrasebook.reset(remembered)
    return splice(calendar, entries)


def serialize_events(
    request: CalendarRequest,
    items: Iterable[tuple[str, Item]],
    store: Callable[[str, SortKey, EventValues], tuple[SortKey, bytes]],
) -> list[tuple[SortKey, bytes]]:
    """The events of ``items`` (each with its key for ``store``), worked out as :func:`build_calendar` does.

    ``store`` turns the key, sort key and values into the event's bytes
    (:meth:`planner.calendar.feed_blocks.EventBlocks.store`).
    """
    with force_locale(request.locale):
        remembered = _phrasebook.set({})
        try:
            return [store(key, *_item_values(item, request)) for key, item in items]
        finally:
            _phrasebook.reset(remembered)


def splice(head: Calendar, entries: list[tuple[SortKey, bytes]]) -> bytes:
    """The bytes of ``head`` (a calendar without events) with the serialized events of ``entries``, in calendar order."""
    entries.sort(key=_sort_key)
    written = head.to_ical()
    if not written.endswith(_END):  # icalendar always ends a calendar so; anything else is no calendar to splice into
        raise ValueError("unexpected calendar ending")
    return b"".join([written[: -len(_END)], *(block for _key, block in entries), _END])


def make_calendar(request: CalendarRequest) -> Calendar:
    """The calendar as an icalendar object, every component built, not yet serialized."""
    with force_locale(request.locale):
        remembered = _phrasebook.set({})
        try:
            return _make_calendar(request)
        finally:
            _phrasebook.reset(remembered)


def _make_calendar(request: CalendarRequest) -> Calendar:
    calendar, items = _calendar_parts(request)
    # (sort key, values) pairs: the key is the start as written (its ISO form) and the UID.
    entries = [_item_values(item, request) for item in items]
    entries.sort(key=_sort_key)
    calendar.subcomponents.extend(event_from_values(values) for _key, values in entries)  # what add_component does
    return calendar


def _item_values(item: Item, request: CalendarRequest) -> tuple[tuple[str, str], EventValues]:
    if isinstance(item, Appointment):
        return _appointment_values(item, request)
    return _journey_values(item, request)


def _calendar_parts(request: CalendarRequest) -> tuple[Calendar, list[Item]]:
    """The calendar with its properties and time zones but no events, and the items that become its events."""
    appointments = [a for a in request.appointments if _visible(a, request)]
    journeys = [j for j in request.journeys if _visible(j, request)]
    instants = [
        *(pair for a in appointments for pair in appointment_instants(a.all_day, a.timezone, a.start_at, a.end_at)),
        *(
            pair
            for j in journeys
            for pair in journey_instants(j.departure_timezone, j.depart_at, j.arrival_timezone, j.arrive_at)
        ),
    ]
    return calendar_head(request, instants), [*appointments, *journeys]


def appointment_instants(all_day: bool, zone: str, start: datetime, end: datetime) -> tuple[tuple[str, datetime], ...]:
    """The (zone, instant) pairs an appointment's event needs VTIMEZONEs for (none for an all-day one: dates only)."""
    return () if all_day else ((zone, start), (zone, end))


def journey_instants(
    departure_zone: str, depart: datetime, arrival_zone: str, arrive: datetime
) -> tuple[tuple[str, datetime], ...]:
    """The (zone, instant) pairs a journey's event needs VTIMEZONEs for: departure and arrival each in its own zone."""
    return ((departure_zone, depart), (arrival_zone, arrive))


def calendar_head(request: CalendarRequest, instants: Iterable[tuple[str, datetime]]) -> Calendar:
    """The calendar's properties and the VTIMEZONEs of ``instants`` (zone, instant pairs of its events); no events."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if request.method:
        calendar.add("method", request.method)
    # icalendar does not know NAME (RFC 7986) or X-WR-CALNAME and would write them unescaped: a
    # comma would cut the name short, a line break would end the content line (and make to_ical raise).
    # Both are TEXT, so they get vText's escaping explicitly.
    title = one_line(request.name)
    if request.version_label:
        title = f"{title} ({one_line(request.version_label)})"
    name = vText(title)
    calendar["NAME"] = name
    calendar["X-WR-CALNAME"] = name
    paragraphs = [clean(text) for text in (request.version_label, request.version_note, request.delegation.purpose)]
    description = "\n\n".join(text for text in paragraphs if text)
    if description:
        # DESCRIPTION (RFC 7986) and X-WR-CALDESC (Apple, Outlook): the same text, escaped as TEXT.
        calendar["DESCRIPTION"] = vText(description)
        calendar["X-WR-CALDESC"] = vText(description)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook reads this one; kept equal to REFRESH
    if request.source_url:
        calendar.add("source", request.source_url, parameters={"VALUE": "URI"})
    for component in _timezones(instants):
        calendar.add_component(component)
    return calendar


def _sort_key(keyed: tuple[tuple[str, str], Any]) -> tuple[str, str]:
    return keyed[0]


_END = b"END:VCALENDAR\r\n"

# An event as plain values: (property name, value) in the order they are set. Everything the
# event's bytes depend on is in here (texts already translated and filtered for the viewer),
# so equal values give equal bytes, and a digest of them names the serialized block.
EventValues = tuple[tuple[str, Any], ...]
SortKey = tuple[str, str]  # an event's place in the calendar: its start as written (ISO form) and its UID

_TYPES: dict[str, Callable[[Any], Any]] = {
    "UID": vText,
    "DTSTAMP": vDDDTypes,
    "CREATED": vDDDTypes,
    "LAST-MODIFIED": vDDDTypes,
    "SEQUENCE": vInt,
    "STATUS": vText,
    "TRANSP": vText,
    "SUMMARY": vText,
    "DTSTART": vDDDTypes,
    "DTEND": vDDDTypes,
    "LOCATION": vText,
    "GEO": vGeo,
    "CATEGORIES": lambda value: vCategory([value]),
    "DESCRIPTION": vText,
    "URL": lambda link: _url(link),
}


def event_from_values(values: EventValues) -> Event:
    """The VEVENT of ``values``, each value made with the type ``Component.add`` would choose."""
    event = Event()
    for name, value in values:
        event[name] = _TYPES[name](value)
    return event


class EventBlocks(Protocol):
    """Serialized events from earlier builds (see :mod:`planner.calendar.feed_blocks`)."""

    def of_item(self, item: Item, request: CalendarRequest) -> tuple[tuple[str, str], bytes] | None:
        """The sort key and bytes of ``item``'s event if nothing it shows changed since they were kept, else None."""
        ...

    def keep(
        self, item: Item, request: CalendarRequest, sort_key: tuple[str, str], values: EventValues
    ) -> tuple[tuple[str, str], bytes]:
        """The sort key and the bytes of ``event_from_values(values).to_ical()``, kept for ``item``."""
        ...


def _timezones(instants: Iterable[tuple[str, datetime]]) -> list:
    spans: dict[str, list[datetime]] = {}
    for zone, instant in instants:
        spans.setdefault(zone, []).append(instant)
    return [_vtimezone(zone, min(times).year, max(times).year) for zone, times in sorted(spans.items())]


# Events are filled by assigning property values (``event["SUMMARY"] = vText(...)``) rather than
# through ``Component.add``, whose per-call work (finding the property type by name, inferring
# VALUE, checking for an earlier value) was most of the time spent building a feed. Each value
# is made with the very type and parameters ``add`` would choose (vText, vDDDTypes, vInt,
# vCategory, vGeo, vUri with VALUE=URI), so the calendar serializes to the same bytes; the six
# parsers of tests/calendar check the result.


def _utc_stamp(instant: datetime) -> datetime:
    """What ``Component.add`` does to DTSTAMP, CREATED and LAST-MODIFIED values: UTC, as icalendar spells it."""
    return tzp.localize_utc(instant)


def last_change(item: Item, members: dict[int, datetime] | None = None) -> datetime:
    """When anything that the item's event shows last changed: its LAST-MODIFIED.

    Not only the item itself: its organization, contact person, the city
    whose coordinates stand in for its own, the members attending or
    travelling and who they are. A client that updates per event compares
    LAST-MODIFIED, so a contact's new phone number in DESCRIPTION must move
    it too. SEQUENCE is the item's own revision: it rises only for time,
    place and status (RFC 5545 3.8.7.4), never for such a text change.
    Everything read here is loaded with the programme (no query per event).
    ``members`` remembers each member's latest change (theirs or their person's) for one build:
    the same fifty members attend most of a large trip's appointments.
    """
    sources: list[Any]
    people: list[Member]
    if isinstance(item, Appointment):
        sources = [item, item.organization, item.contact_person]
        if item.latitude is None or item.longitude is None:
            sources.append(item.city)  # GEO falls back to the city's coordinates
        people = item.attendees
    else:
        sources = [item, item.departure_city]
        people = item.travellers
    latest = max(source.updated_at for source in sources if source is not None)
    memo = {} if members is None else members
    for member in people:
        changed = memo.get(member.id)
        if changed is None:
            changed = memo[member.id] = max(member.updated_at, member.person.updated_at)
        if changed > latest:
            latest = changed
    return latest


def _names(members: Iterable[Member]) -> list[str]:
    """The members' display names, each person's worked out once while one calendar is built.

    A trip's members attend most of its appointments: the same fifty names would
    otherwise be composed again for every event.
    """
    book = _phrasebook.get()
    if book is None:
        return [m.person.display_name for m in members]
    names = []
    for member in members:
        key = ("person", member.person_id)
        name = book.get(key)
        if name is None:
            name = book[key] = member.person.display_name
        names.append(name)
    return names


def _common(item: Item, request: CalendarRequest) -> list[tuple[str, Any]]:
    changed = request.last_changes.get((type(item), item.id)) if request.last_changes is not None else None
    updated = _utc_stamp(changed or last_change(item))
    return [
        ("UID", item.uid),
        ("DTSTAMP", updated),
        ("CREATED", _utc_stamp(item.created_at)),
        ("LAST-MODIFIED", updated),
        ("SEQUENCE", item.revision),
        ("STATUS", _STATUS[item.status]),
        # A cancelled item should not block anyone's free/busy time.
        ("TRANSP", "TRANSPARENT" if item.status == ItemStatus.CANCELLED else "OPAQUE"),
    ]


def _url(link: str) -> vUri:
    return vUri(link, params={"VALUE": "URI"})


def _summary(title: str, status: ItemStatus) -> str:
    """SUMMARY: the title with the status made visible (Outlook ignores STATUS)."""
    title = one_line(title)
    if status == ItemStatus.CANCELLED:
        return _("Abgesagt: %(title)s", title=title)
    if status == ItemStatus.TENTATIVE:
        return _("%(title)s (vorläufig)", title=title)
    return title


def _ends(start: datetime, start_zone: str, end: datetime, end_zone: str) -> tuple[datetime, datetime]:
    """The DTSTART and DTEND values of a timed item: both as wall time with their zone, or both in UTC.

    A wall time in a transition hour is ambiguous in a file: in the repeated
    (fall-back) hour RFC 5545 3.3.5 says readers take the first occurrence,
    but libical and ical.js (Thunderbird) take the second (the interop tests
    show it). Such an instant is written in UTC, which every client places
    right and shows in its own zone. The *other* end goes to UTC with it:
    recurring-ical-events (and clients like it) turn a UTC DTEND into the
    start's zone and lose the hour when the start is a wall time, so an item
    never mixes the two forms because of a transition hour.
    """
    if shows_unique_wall_time(start, start_zone) and shows_unique_wall_time(end, end_zone):
        return to_local(start, start_zone), to_local(end, end_zone)
    return ensure_utc(start), ensure_utc(end)


def _appointment_values(appointment: Appointment, request: CalendarRequest) -> tuple[tuple[str, str], EventValues]:
    """The event's values and its sort key (start as written, UID)."""
    event = _common(appointment, request)
    event.append(("SUMMARY", _summary(appointment.title, appointment.status)))
    start: date | datetime
    end: date | datetime
    if appointment.all_day:
        start = to_local(appointment.start_at, appointment.timezone).date()
        end = to_local(appointment.end_at, appointment.timezone).date()  # exclusive, RFC 5545 3.6.1
    else:
        start, end = _ends(appointment.start_at, appointment.timezone, appointment.end_at, appointment.timezone)
    event += [("DTSTART", start), ("DTEND", end)]
    location = appointment_location(appointment)
    if location:
        event.append(("LOCATION", location))
    latitude, longitude = appointment.latitude, appointment.longitude
    if (latitude is None or longitude is None) and appointment.city is not None:
        latitude, longitude = appointment.city.latitude, appointment.city.longitude
    if latitude is not None and longitude is not None:
        event.append(("GEO", (latitude, longitude)))
    kind = label(appointment.kind)
    event.append(("CATEGORIES", kind))
    link = request.link_for(appointment)
    event.append(("DESCRIPTION", _appointment_description(appointment, link, kind, request.viewer)))
    event.append(("URL", link))
    return (start.isoformat(), appointment.uid), tuple(event)


def appointment_location(appointment: Appointment) -> str:
    """LOCATION as the export writes it: venue and address on one line."""
    return ", ".join(part for part in (clean(appointment.venue), clean(appointment.address)) if part)


def appointment_summary(appointment: Appointment) -> str:
    """SUMMARY of an appointment as the export writes it, in the current locale."""
    return _summary(appointment.title, appointment.status)


def journey_summary(journey: Journey) -> str:
    """SUMMARY of a journey as the export writes it, in the current locale."""
    return _summary(_journey_title(journey), journey.status)


def journey_connection(journey: Journey) -> str:
    """Carrier and number as one text ("Lufthansa LH 712"), as the journey's SUMMARY shows them."""
    return " ".join(part for part in (one_line(journey.carrier), one_line(journey.number)) if part)


def _journey_title(journey: Journey) -> str:
    route = f"{one_line(journey.departure_place)} → {one_line(journey.arrival_place)}"
    number = journey_connection(journey)
    return f"{label(journey.mode)} {route}" + (f" ({number})" if number else "")


def _appointment_description(appointment: Appointment, link: str, kind: str, viewer: Viewer) -> str:
    lines: list[str] = []

    def section(heading: str, text: str | None) -> None:
        text = clean(text)
        if text:
            lines.extend((f"{heading}:", text, ""))

    lines.append(f"{kind} · {label(appointment.status)}")
    lines.append("")
    if appointment.organization is not None:
        section(_("Organisation"), appointment.organization.name)
    if may_see(viewer, "objectives", appointment):
        section(_("Ziele"), appointment.objectives)
    if may_see(viewer, "talking_points", appointment):
        section(_("Gesprächspunkte"), appointment.talking_points)
    contact = appointment.contact_person
    if contact is not None and may_see(viewer, "contact"):
        details = (clean(contact.display_name), clean(contact.function), clean(contact.phone), clean(contact.email))
        text = "\n".join(d for d in details if d)
        if contact.contact_is_placeholder:
            text += "\n" + _("(Kontaktdaten sind Platzhalter)")
        section(_("Ansprechperson vor Ort"), text)
    if may_see(viewer, "dress_code"):
        section(_("Kleiderordnung"), appointment.dress_code)
    attendees = ", ".join(_names(appointment.attendees))
    section(_("Teilnehmende"), attendees)
    if may_see(viewer, "notes"):
        section(_("Hinweise"), appointment.notes)
    lines.append(_("Im Delegationsplaner: %(url)s", url=link))
    return "\n".join(lines)


def _journey_values(journey: Journey, request: CalendarRequest) -> tuple[tuple[str, str], EventValues]:
    """The event's values and its sort key (start as written, UID)."""
    event = _common(journey, request)
    departure_place = one_line(journey.departure_place)
    route = f"{departure_place} → {one_line(journey.arrival_place)}"
    number = journey_connection(journey)
    mode = label(journey.mode)
    event.append(("SUMMARY", journey_summary(journey)))
    # Departure in the departure zone, arrival in the arrival zone (RFC 5545 allows different TZIDs),
    # both in UTC when either falls in a transition hour (see _ends).
    start, end = _ends(journey.depart_at, journey.departure_timezone, journey.arrive_at, journey.arrival_timezone)
    # Exception: when the departure zone changes its offset while under way (a
    # night flight over the October DST change), clients that compute the end
    # as "start + duration" on the start's wall clock (recurring-ical-events
    # does) would land an hour off; a UTC start keeps them exact.
    if utc_offset(journey.depart_at, journey.departure_timezone) != utc_offset(journey.arrive_at, journey.departure_timezone):
        start = ensure_utc(journey.depart_at)
    event += [("DTSTART", start), ("DTEND", end), ("LOCATION", departure_place)]
    city = journey.departure_city
    # Both coordinates or none: a city with only one of them has no position to give.
    if city is not None and city.latitude is not None and city.longitude is not None:
        event.append(("GEO", (city.latitude, city.longitude)))
    event.append(("CATEGORIES", mode))
    lines = [route, label(journey.status), ""]
    if number:
        lines += [_("Verbindung: %(number)s", number=number), ""]
    travellers = ", ".join(_names(journey.travellers))
    if travellers:
        lines += [_("Reisende: %(names)s", names=travellers), ""]
    notes = clean(journey.notes) if may_see(request.viewer, "notes") else ""
    if notes:
        lines += [_("Hinweise") + ":", notes, ""]
    link = request.link_for(journey)
    lines.append(_("Im Delegationsplaner: %(url)s", url=link))
    event.append(("DESCRIPTION", "\n".join(lines)))
    event.append(("URL", link))
    return (start.isoformat(), journey.uid), tuple(event)
