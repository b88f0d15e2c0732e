"""The programme as a table (CSV) and its places as a map (KML), for one audience.

For people who live in spreadsheets and maps. Both files hold exactly the items
a calendar of the same scope holds for the same reader: the items are chosen
by :func:`planner.calendar.export.calendar_request` (the whole trip, or one
member's own items; :func:`planner.audiences.shows_item` for the audience), so
a member's CSV, map and calendar never differ. Fields follow
:mod:`planner.audiences`: the internal notes column is the planning team's
alone; talking points and other briefing material are in neither file.

Times are written three ways, as the JSON API writes them: the local wall
time at the place with its IANA zone, and the instant in UTC (RFC 3339). The
CSV follows the reader's office conventions and guards every cell against
formulas (:mod:`planner.spreadsheets`); the KML is built as an element tree,
so every text is escaped by the XML writer, never pasted into markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from xml.etree import ElementTree as ET

from flask import Response
from flask_babel import force_locale
from flask_babel import gettext as _

from planner.audiences import Viewer, may_see
from planner.backup.export import utc_text
from planner.calendar.export import Scope, calendar_request, file_stem
from planner.calendar.ical import appointment_location, journey_connection
from planner.formatting import clock, day, end_clock, place_name
from planner.labels import label
from planner.models import Appointment, Audience, City, Delegation, ItemStatus, Journey, Member
from planner.spreadsheets import csv_bytes
from planner.timezones import to_local

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
KML_MEDIA_TYPE = "application/vnd.google-earth.kml+xml"
KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
# The KML namespace as the default one (no "ns0:" prefixes, which some map apps do not read).
ET.register_namespace("", KML_NAMESPACE)


@dataclass(frozen=True)
class ProgrammeExport:
    """The items of one programme as one reader gets them, and the name the files go by."""

    name: str  # the trip's title, with the member's name for a member's own programme
    viewer: Viewer
    appointments: list[Appointment]
    journeys: list[Journey]

    def filename(self, extension: str) -> str:
        return f"{file_stem(self.name)}.{extension}"


def programme_export(delegation: Delegation, member: Member | None, *, locale: str, today: date) -> ProgrammeExport:
    """The programme of ``delegation`` (loaded with its programme) for the team, or ``member``'s own as they see it."""
    viewer = Viewer.team() if member is None else Viewer(Audience.MEMBER, member)
    request = calendar_request(delegation, Scope(member=member), locale=locale, today=today, viewer=viewer)
    return ProgrammeExport(request.name, viewer, list(request.appointments), list(request.journeys))


# -- the table ----------------------------------------------------------------------


def _local(instant: datetime, zone: str) -> str:
    return to_local(instant, zone).strftime("%Y-%m-%d %H:%M")


def _names(members: list[Member]) -> str:
    return ", ".join(m.person.display_name for m in members)


def headings(viewer: Viewer) -> list[str]:
    """The column headings in the current locale; the internal notes only for a viewer who may read them."""
    found = [
        _("Tag"),
        _("Beginn (Ortszeit)"),
        _("Ende (Ortszeit)"),
        _("Zeitzone Beginn"),
        _("Zeitzone Ende"),
        _("Beginn (UTC)"),
        _("Ende (UTC)"),
        _("Art"),
        _("Titel"),
        _("Ort"),
        _("Adresse"),
        _("Status"),
        _("Teilnehmende"),
    ]
    if may_see(viewer, "notes"):
        found.append(_("Interne Hinweise"))
    return found


@dataclass(frozen=True)
class _Line:
    at: datetime
    order: tuple[int, int]
    cells: list[str | None]


def _appointment_line(a: Appointment, viewer: Viewer) -> _Line:
    if a.all_day:
        # start_at/end_at are the local midnights before the first and after the last day: the table names the days.
        first = to_local(a.start_at, a.timezone).date()
        last = to_local(a.end_at, a.timezone).date() - timedelta(days=1)
        start, end = first.isoformat(), max(first, last).isoformat()
    else:
        start, end = _local(a.start_at, a.timezone), _local(a.end_at, a.timezone)
    cells: list[str | None] = [
        to_local(a.start_at, a.timezone).date().isoformat(),
        start,
        end,
        a.timezone,
        a.timezone,
        utc_text(a.start_at),
        utc_text(a.end_at),
        label(a.kind),
        a.title,
        a.venue or place_name(a.timezone, a.city),
        a.address,
        label(a.status),
        _names(a.attendees),
    ]
    if may_see(viewer, "notes"):
        cells.append(a.notes)
    return _Line(a.start_at, (0, a.id), cells)


def _city_or(city: City | None, place: str) -> str:
    return city.name if city is not None else place


def _route(j: Journey) -> str:
    return f"{j.departure_place} → {j.arrival_place}"


def _journey_line(j: Journey, viewer: Viewer) -> _Line:
    connection = journey_connection(j)
    cells: list[str | None] = [
        to_local(j.depart_at, j.departure_timezone).date().isoformat(),
        _local(j.depart_at, j.departure_timezone),
        _local(j.arrive_at, j.arrival_timezone),
        j.departure_timezone,
        j.arrival_timezone,
        utc_text(j.depart_at),
        utc_text(j.arrive_at),
        label(j.mode),
        f"{_route(j)} ({connection})" if connection else _route(j),
        # The cities where known; else the places as typed (a zone's name may be another city: Chongqing keeps Shanghai time).
        f"{_city_or(j.departure_city, j.departure_place)} → {_city_or(j.arrival_city, j.arrival_place)}",
        None,
        label(j.status),
        _names(j.travellers),
    ]
    if may_see(viewer, "notes"):
        cells.append(j.notes)
    return _Line(j.depart_at, (1, j.id), cells)


def table(export: ProgrammeExport) -> list[list[str | None]]:
    """One line per appointment and journey, by start (the current locale's words for kinds and states)."""
    lines = [_appointment_line(a, export.viewer) for a in export.appointments]
    lines += [_journey_line(j, export.viewer) for j in export.journeys]
    return [line.cells for line in sorted(lines, key=lambda line: (line.at, line.order))]


def to_csv(export: ProgrammeExport, locale: str) -> bytes:
    """The programme as CSV for a spreadsheet in ``locale`` (headings and words in that language)."""
    with force_locale(locale):
        return csv_bytes(headings(export.viewer), table(export), locale)


# -- the map ------------------------------------------------------------------------


def _coordinates(a: Appointment) -> tuple[float, float] | None:
    """Where the appointment is: its own coordinates, else its city's (as the calendar's GEO), else None."""
    if a.latitude is not None and a.longitude is not None:
        return a.latitude, a.longitude
    if a.city is not None and a.city.latitude is not None and a.city.longitude is not None:
        return a.city.latitude, a.city.longitude
    return None


# What XML 1.0 cannot carry at all, escaped or not: C0 controls but tab and line breaks, U+FFFE, U+FFFF
# (and lone surrogates). The inputs strip controls (planner.text.CONTROL); old or imported data may not have.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{KML_NAMESPACE}}}{tag}")
    if text is not None:
        element.text = _text(text)
    return element


def _when(a: Appointment) -> str:
    place = place_name(a.timezone, a.city)
    if a.all_day:
        return f"{day(a.start_at, a.timezone)} ({place})"
    return _(
        "%(day)s, %(start)s–%(end)s (Ortszeit %(place)s)",
        day=day(a.start_at, a.timezone),
        start=clock(a.start_at, a.timezone),
        end=end_clock(a.end_at, a.timezone, a.start_at),
        place=place,
    )


def _placemark(folder: ET.Element, a: Appointment, at: tuple[float, float]) -> None:
    mark = _sub(folder, "Placemark")
    mark.set("id", f"appointment-{a.id}")
    _sub(mark, "name", a.title)
    lines = [_when(a), appointment_location(a), f"{label(a.kind)} · {label(a.status)}"]
    if (a.latitude, a.longitude) != at:
        lines.append(_("Lage: Stadt %(city)s (der Termin hat keine eigenen Koordinaten)", city=place_name(a.timezone, a.city)))
    _sub(mark, "description", "\n".join(line for line in lines if line))
    span = _sub(mark, "TimeSpan")
    _sub(span, "begin", utc_text(a.start_at))
    _sub(span, "end", utc_text(a.end_at))
    point = _sub(mark, "Point")
    latitude, longitude = at
    _sub(point, "coordinates", f"{longitude:.6f},{latitude:.6f}")  # KML writes longitude first


def places(export: ProgrammeExport) -> list[tuple[Appointment, tuple[float, float]]]:
    """The appointments the map shows, by start, with their coordinates: those with a place, not cancelled."""
    found = []
    for a in sorted(export.appointments, key=lambda a: (a.start_at, a.id)):
        at = _coordinates(a)
        if at is not None and a.status != ItemStatus.CANCELLED:
            found.append((a, at))
    return found


def to_kml(export: ProgrammeExport, locale: str) -> bytes:
    """The places of the programme as a KML 2.2 document (one placemark per appointment), words in ``locale``."""
    with force_locale(locale):
        root = ET.Element(f"{{{KML_NAMESPACE}}}kml")
        document = _sub(root, "Document")
        _sub(document, "name", _("%(name)s – Orte", name=export.name))
        _sub(document, "description", _("Orte der Termine mit Koordinaten; Zeiten in Ortszeit, Zeitspannen in UTC."))
        for appointment, at in places(export):
            _placemark(document, appointment, at)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


# -- the download ---------------------------------------------------------------------

KINDS = {"csv": (to_csv, CSV_MEDIA_TYPE), "kml": (to_kml, KML_MEDIA_TYPE)}


def download(export: ProgrammeExport, kind: str, locale: str) -> Response:
    """The file of ``kind`` ("csv" or "kml") as an attachment named after the programme."""
    build, media_type = KINDS[kind]
    response = Response(build(export, locale), content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename(kind)}"'
    # The team's file holds internal notes: no shared cache keeps a copy.
    response.headers["Cache-Control"] = "private, no-store"
    return response
