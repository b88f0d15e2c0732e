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
  require ORGANIZER and more);
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

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from contextvars import ContextVar
from enum import Enum
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext
from icalendar import Calendar, Event, Timezone, vCategory, vDDDTypes, vGeo, vInt, vText, vUri
from icalendar.timezone import tzp

from planner import labels
from planner.audiences import Viewer, may_see
from planner.calendar.vtimezone import build_vtimezone
from planner.models import Appointment, Delegation, ItemStatus, Journey
from planner.timezones import UTC, is_ambiguous, to_local, utc_offset

PRODID = "-//Delegationsplaner//Delegation Planner 1.0//DE"
REFRESH = timedelta(hours=1)

# Control characters other than tab and newline are invalid in iCalendar text
# and make strict parsers reject the whole file.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

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
    return _CONTROL.sub("", text or "").strip()


@lru_cache(maxsize=64)
def _vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    # Cached per zone and span of years; the component is never modified after building.
    return build_vtimezone(zone_name, datetime(first_year, 1, 1, tzinfo=UTC), datetime(last_year, 12, 31, tzinfo=UTC))


def _visible(item: Item, request: CalendarRequest) -> bool:
    if item.status != ItemStatus.CANCELLED:
        return True
    return request.today <= request.delegation.end_date


def build_calendar(request: CalendarRequest) -> bytes:
    """Return the calendar as iCalendar bytes (UTF-8, CRLF, folded at 75 octets)."""
    return make_calendar(request).to_ical()


def make_calendar(request: CalendarRequest) -> Calendar:
    """The calendar as an icalendar object, every component built, not yet serialized."""
    with force_locale(request.locale):
        remembered = _phrasebook.set({})
        try:
            return _make_calendar(request)
        finally:
            _phrasebook.reset(remembered)


def _make_calendar(request: CalendarRequest) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", clean(request.name))
    calendar.add("x-wr-calname", clean(request.name))
    if request.delegation.purpose:
        calendar.add("description", clean(request.delegation.purpose))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook reads this one; kept equal to REFRESH
    if request.source_url:
        calendar.add("source", request.source_url, parameters={"VALUE": "URI"})

    appointments = [a for a in request.appointments if _visible(a, request)]
    journeys = [j for j in request.journeys if _visible(j, request)]
    for component in _timezones(appointments, journeys):
        calendar.add_component(component)
    # (sort key, event) pairs: the key is the start as written (its ISO form) and the UID.
    events = [_appointment_event(a, request) for a in appointments]
    events += [_journey_event(j, request) for j in journeys]
    events.sort(key=_sort_key)
    calendar.subcomponents.extend(event for _key, event in events)  # what add_component does, one by one
    return calendar


def _sort_key(keyed: tuple[tuple[str, str], Event]) -> tuple[str, str]:
    return keyed[0]


def _timezones(appointments: Iterable[Appointment], journeys: Iterable[Journey]) -> list:
    spans: dict[str, list[datetime]] = {}
    for a in appointments:
        if not a.all_day:
            spans.setdefault(a.timezone, []).extend((a.start_at, a.end_at))
    for j in journeys:
        spans.setdefault(j.departure_timezone, []).append(j.depart_at)
        spans.setdefault(j.arrival_timezone, []).append(j.arrive_at)
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


def _common(event: Event, item: Item) -> None:
    updated = _utc_stamp(item.updated_at)
    event["UID"] = vText(item.uid)
    event["DTSTAMP"] = vDDDTypes(updated)
    event["CREATED"] = vDDDTypes(_utc_stamp(item.created_at))
    event["LAST-MODIFIED"] = vDDDTypes(updated)
    event["SEQUENCE"] = vInt(item.revision)
    event["STATUS"] = vText(_STATUS[item.status])
    # A cancelled item should not block anyone's free/busy time.
    event["TRANSP"] = vText("TRANSPARENT" if item.status == ItemStatus.CANCELLED else "OPAQUE")


def _url(link: str) -> vUri:
    return vUri(link, params={"VALUE": "URI"})


def _summary(title: str, status: ItemStatus) -> str:
    title = clean(title)
    if status == ItemStatus.CANCELLED:
        return _("Abgesagt: %(title)s", title=title)
    if status == ItemStatus.TENTATIVE:
        return _("%(title)s (vorläufig)", title=title)
    return title


def _local(instant: datetime, zone: str) -> datetime:
    """The value to write for ``instant``: wall time at ``zone`` (DTSTART;TZID=...), or UTC.

    A wall time that happens twice (the fall-back hour) is ambiguous in a
    file: RFC 5545 3.3.5 says readers take the first occurrence, but libical
    and ical.js (Thunderbird) take the second (the interop tests show it).
    Such instants are written in UTC instead, which every client places
    right and shows in its own zone.
    """
    if is_ambiguous(instant, zone):
        return instant
    return to_local(instant, zone)


def _appointment_event(appointment: Appointment, request: CalendarRequest) -> tuple[tuple[str, str], Event]:
    """The event and its sort key (start as written, UID)."""
    event = Event()
    _common(event, appointment)
    event["SUMMARY"] = vText(_summary(appointment.title, appointment.status))
    if appointment.all_day:
        start = _local(appointment.start_at, appointment.timezone).date()
        end = _local(appointment.end_at, appointment.timezone).date()  # exclusive, RFC 5545 3.6.1
    else:
        start = _local(appointment.start_at, appointment.timezone)
        end = _local(appointment.end_at, appointment.timezone)
    event["DTSTART"] = vDDDTypes(start)
    event["DTEND"] = vDDDTypes(end)
    location = ", ".join(part for part in (clean(appointment.venue), clean(appointment.address)) if part)
    if location:
        event["LOCATION"] = vText(location)
    latitude, longitude = appointment.latitude, appointment.longitude
    if (latitude is None or longitude is None) and appointment.city is not None:
        latitude, longitude = appointment.city.latitude, appointment.city.longitude
    if latitude is not None and longitude is not None:
        event["GEO"] = vGeo((latitude, longitude))
    kind = label(appointment.kind)
    event["CATEGORIES"] = vCategory([kind])
    link = request.link_for(appointment)
    event["DESCRIPTION"] = vText(_appointment_description(appointment, link, kind, request.viewer))
    event["URL"] = _url(link)
    return (start.isoformat(), appointment.uid), event


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
    attendees = ", ".join(m.person.display_name for m in appointment.attendees)
    section(_("Teilnehmende"), attendees)
    if may_see(viewer, "notes"):
        section(_("Hinweise"), appointment.notes)
    lines.append(_("Im Delegationsplaner: %(url)s", url=link))
    return "\n".join(lines)


def _journey_event(journey: Journey, request: CalendarRequest) -> tuple[tuple[str, str], Event]:
    """The event and its sort key (start as written, UID)."""
    event = Event()
    _common(event, journey)
    departure_place = clean(journey.departure_place)
    route = f"{departure_place} → {clean(journey.arrival_place)}"
    number = " ".join(part for part in (clean(journey.carrier), clean(journey.number)) if part)
    mode = label(journey.mode)
    title = f"{mode} {route}" + (f" ({number})" if number else "")
    event["SUMMARY"] = vText(_summary(title, journey.status))
    # Departure in the departure zone, arrival in the arrival zone (RFC 5545 allows different TZIDs).
    # Exception: when the departure zone changes its offset while under way (a
    # night flight over the October DST change), clients that compute the end
    # as "start + duration" on the start's wall clock (recurring-ical-events
    # does) would land an hour off; a UTC start keeps them exact.
    if utc_offset(journey.depart_at, journey.departure_timezone) != utc_offset(journey.arrive_at, journey.departure_timezone):
        start = journey.depart_at
    else:
        start = _local(journey.depart_at, journey.departure_timezone)
    event["DTSTART"] = vDDDTypes(start)
    event["DTEND"] = vDDDTypes(_local(journey.arrive_at, journey.arrival_timezone))
    event["LOCATION"] = vText(departure_place)
    if journey.departure_city is not None and journey.departure_city.latitude is not None:
        event["GEO"] = vGeo((journey.departure_city.latitude, journey.departure_city.longitude))
    event["CATEGORIES"] = vCategory([mode])
    lines = [route, label(journey.status), ""]
    if number:
        lines += [_("Verbindung: %(number)s", number=number), ""]
    travellers = ", ".join(m.person.display_name for m in journey.travellers)
    if travellers:
        lines += [_("Reisende: %(names)s", names=travellers), ""]
    notes = clean(journey.notes) if may_see(request.viewer, "notes") else ""
    if notes:
        lines += [_("Hinweise") + ":", notes, ""]
    link = request.link_for(journey)
    lines.append(_("Im Delegationsplaner: %(url)s", url=link))
    event["DESCRIPTION"] = vText("\n".join(lines))
    event["URL"] = _url(link)
    return (start.isoformat(), journey.uid), event
