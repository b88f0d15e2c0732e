"""Import of an uploaded .ics file into one delegation: parse, plan (preview), apply.

The three steps are separate so the upload page can show what *would* happen
before anything is written:

* :func:`parse_ics` turns the file's bytes into :class:`ImportItem` values.
  It is pure (no database) and refuses anything it cannot read exactly, with
  a message a planner understands (:class:`ImportRejected`).
* :func:`plan_import` matches the items by UID against the database and marks
  each as ``create``, ``update`` or ``unchanged``.
* :func:`apply_import` writes the plan through the programme's operations
  (:mod:`planner.program.operations`, as the edit pages do); :func:`import_ics`
  does all three in one savepoint, so a file is imported completely or not at
  all. Like every operation it flushes and leaves the commit to its caller.

Decisions worth knowing (the issue left them open):

* **Mapping.** A VEVENT whose start and end lie in the same zone becomes an
  :class:`Appointment` (kind "other"); one whose start and end zones differ
  (a flight Düsseldorf -> Seoul) becomes a :class:`Journey`.
* **Time zones.** A TZID that names an IANA zone is read with the real IANA
  zone, *even if the file carries a VTIMEZONE of that name*: a file cannot
  redefine Europe/Berlin. Windows names ("W. Europe Standard Time", as
  Outlook writes them) map through icalendar's Windows table, and "globally
  unique" TZIDs such as ``/mozilla.org/20050126_1/Europe/Berlin`` through
  their IANA suffix. Only any other TZID is computed from the file's own
  VTIMEZONE, for this file only; the item is then stored in the leg's zone
  if that zone agrees with the file's offsets, else in a fixed ``Etc/GMT±N``
  zone, else the file is refused.
* **No global state.** icalendar 7 remembers every VTIMEZONE with a non-IANA
  TZID in a process-wide cache (``icalendar.timezone.tzp``), first definition
  wins, and resolves TZIDs through that cache while parsing. One upload
  could thereby change how every later upload (and every other icalendar
  user in the process) reads that TZID. We therefore parse with a parser
  subclass that neither fills nor reads that cache: it leaves wall times
  naive, and this module resolves TZIDs itself.
* **Floating times** (no TZID, no ``Z``) are read in the zone of the leg the
  delegation is in at that wall time (home zone outside legs; the rule is
  :class:`planner.delegations.itinerary.Itinerary`'s) and flagged
  (``floating=True``) for the preview. A floating or UTC end takes the
  start's zone: an event is only a journey when the file says so with two
  different TZIDs.
* **Ambiguous wall times** (autumn fall-back) mean the first occurrence, and
  **non-existent ones** (spring-forward gap) are moved forward by the length
  of the gap, both as RFC 5545 3.3.5 prescribes (a file cannot be asked, unlike
  a planner at a form). Either case is listed on the item
  (:class:`TimeNote`), and the preview says what was taken and why.
* **All-day events** (VALUE=DATE) span local midnights in the zone of the
  leg the delegation is in at noon of the first day; ``all_day=True``. A date
  has no time of day to get wrong, so they are not flagged as floating.
* **Missing end.** No DTEND and no DURATION: all-day events last one day,
  timed events one hour (``end_assumed=True``, shown in the preview).
  DTEND equal to DTSTART (zero length) and an end before the start are
  refused. DURATION is added as elapsed time.
* **UID** is required (RFC 5545 requires it too): an event without one is
  refused rather than given a made-up UID, since a UID derived from the
  content would turn a rescheduled event into a duplicate on re-import.
  A UID that occurs twice in the file, or that belongs to another
  delegation, refuses the file.
* **Recurring events** (RRULE, RDATE, RECURRENCE-ID) are refused
  ("Serientermine werden nicht unterstützt"): trips are planned item by item.
* **Encodings.** UTF-8 (with or without BOM) and UTF-16 with BOM (what some
  Windows editors write) are accepted; anything else is refused.
* **Re-import.** Fields are only written when they differ, so an unchanged
  re-import bumps no revision. Fields the file does not carry (no STATUS,
  no LOCATION, no DESCRIPTION) keep what the planners entered; the kind and
  city of an appointment and the mode of a journey are set only on creation.
* **Our own export** imported back changes nothing
  (:mod:`planner.calendar.own_export`): the status decorations of SUMMARY
  ("Abgesagt: …", "… (vorläufig)", in every UI language) are taken off, a
  journey SUMMARY in our format gives its places and connection, and a
  generated DESCRIPTION is never copied into notes. For a UID of this trip,
  each field is also compared with what our export writes for the row as it
  is (SUMMARY, LOCATION), and a time the file gives without a zone (UTC,
  all-day) keeps the row's zone: only real changes are applied. A
  same-zone event whose UID is a journey of this trip and whose SUMMARY is
  in our journey format updates that journey (a train within one zone).
* **Other components.** VTODO, VJOURNAL and VFREEBUSY are ignored next to
  events; a file with none of the events is refused.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, ClassVar, cast

import sqlalchemy as sa
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar.cal import Event, Timezone
from icalendar.parser.ical.calendar import CalendarIcalParser
from icalendar.prop import vBroken
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from planner.calendar import ical
from planner.calendar.own_export import OwnExport, summaries
from planner.delegations.itinerary import Itinerary
from planner.editing import EditConflict
from planner.formatting import utc_offset_label
from planner.models import Appointment, AppointmentKind, Delegation, ItemStatus, Journey, JourneyMode
from planner.models.trash import include_trashed
from planner.program.inputs import AppointmentInput, JourneyInput
from planner.program.operations import save_appointment, save_journey
from planner.text import CALENDAR_CONTROL
from planner.timezones import (
    UTC,
    TimeZoneError,
    WallTimeReading,
    canonical_zone,
    get_zone,
    local_day_bounds,
    read_wall_time,
    to_local,
)

MAX_BYTES = 2 * 1024 * 1024
MAX_ITEMS = 500
# Generous for real files (a long e-ticket text is a few KB; 500 events with
# 30 properties each are 15,000 lines) yet small enough that a hostile file
# cannot make icalendar churn for long.
MAX_LINE_CHARS = 32 * 1024
MAX_LINES = 20_000
MAX_COMPONENTS = 10 * MAX_ITEMS
MAX_DEPTH = 4  # VCALENDAR > VEVENT > VALARM is 3; one spare level for X- components
MAX_TIMEZONES = 50
# What icalendar costs is per parameter and per list value (about 20-40 µs each
# on the CI machine): a 2 MB file of nothing but parameters or CATEGORIES values
# took 12-18 s. These limits are far above real files (Outlook writes at most
# eight parameters on an ATTENDEE, a handful of CATEGORIES) and, with the lines
# the reader never uses left out before icalendar parses (_checked_lines), keep
# the parse of any allowed file well under a second.
MAX_PARAMETERS = 20  # per property, parameter values of a list counted singly
MAX_VALUES = 100  # per property with a list value (CATEGORIES, RDATE, EXDATE, RRULE parts ...)
MAX_PROPERTIES = 200  # per component (an event with 150 attendees still fits)
MAX_TIMEZONE_LINES = 2_000  # all VTIMEZONE definitions together; a real one has 10 to 40 lines
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
DEFAULT_DURATION = timedelta(hours=1)

TITLE_LENGTH = 200  # Appointment.title
PLACE_LENGTH = 200  # Appointment.venue, Journey.departure_place/arrival_place
UID_LENGTH = 255  # Appointment.uid, Journey.uid
NUMBER_LENGTH = 20  # Journey.number
ELLIPSIS = "…"

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"


class ImportRejected(ValueError):
    """The file cannot be imported; ``message`` says why, in the user's language.

    Nothing has been written when this is raised.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class TimeNote:
    """A wall time of the file that RFC 5545 3.3.5 had to settle (DST change); the preview explains it."""

    ending: bool  # DTEND rather than DTSTART
    reading: WallTimeReading
    zone: str  # as the file names it (IANA name or its own TZID)

    def message(self) -> str:
        """What was taken and why, in the user's language."""
        values: dict[str, str | int] = {
            "day": self.reading.wall.strftime("%d.%m.%Y"),
            "time": self.reading.wall.strftime("%H:%M"),
            "zone": _shorten(self.zone, 80),
        }
        if self.reading.shifted_to is not None:
            gap = int((self.reading.shifted_to - self.reading.wall).total_seconds() // 60)
            values["shifted"] = self.reading.shifted_to.strftime("%H:%M")
            values["minutes"] = gap
            if self.ending:
                return _(
                    "Das Ende am %(day)s um %(time)s (%(zone)s) gibt es wegen der Zeitumstellung nicht. "
                    "Wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt, wurde es um die Länge der Lücke "
                    "(%(minutes)d Minuten) auf %(shifted)s Uhr verschoben. Bitte prüfen.",
                    **values,
                )
            return _(
                "Den Beginn am %(day)s um %(time)s (%(zone)s) gibt es wegen der Zeitumstellung nicht. "
                "Wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt, wurde er um die Länge der Lücke "
                "(%(minutes)d Minuten) auf %(shifted)s Uhr verschoben. Bitte prüfen.",
                **values,
            )
        values["offset"] = utc_offset_label(self.reading.offset)
        if self.ending:
            return _(
                "Das Ende am %(day)s um %(time)s (%(zone)s) gibt es wegen der Zeitumstellung zweimal. "
                "Übernommen wurde das erste Mal (%(offset)s), wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt. "
                "Bitte prüfen.",
                **values,
            )
        return _(
            "Den Beginn am %(day)s um %(time)s (%(zone)s) gibt es wegen der Zeitumstellung zweimal. "
            "Übernommen wurde das erste Mal (%(offset)s), wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt. "
            "Bitte prüfen.",
            **values,
        )


@dataclass(frozen=True)
class ImportItem:
    """One event of the file, read and resolved, as the preview shows it."""

    uid: str
    summary: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    start_zone: str  # IANA zone of the start
    end_zone: str
    all_day: bool
    floating: bool  # the file gave no zone; read in the leg's (or home) zone
    status: ItemStatus
    location: str | None
    description: str | None
    is_journey: bool  # start_zone != end_zone: becomes a Journey
    action: str = CREATE  # create | update | unchanged, set by plan_import
    existing_id: int | None = None
    # -- details beyond the minimum, for the preview and for apply_import --
    status_explicit: bool = False  # the file had a STATUS (else an update keeps the planners' status)
    end_assumed: bool = False  # no DTEND/DURATION in the file; DEFAULT_DURATION (or one day) assumed
    source_tzids: tuple[str, ...] = ()  # non-IANA TZIDs as written in the file ("W. Europe Standard Time")
    mode: JourneyMode | None = None  # journeys only
    number: str | None = None  # flight number found in the summary ("LH 712"), journeys only
    departure_place: str | None = None  # journeys only; None when the file names no places
    arrival_place: str | None = None
    changes: tuple[str, ...] = ()  # for updates: the model fields that will change
    outside_trip: bool = False  # starts outside the delegation's dates (set by plan_import)
    time_notes: tuple[TimeNote, ...] = ()  # ambiguous or skipped wall times and how they were read
    # -- what plan_import needs to tell real changes from our own export's decorations --
    raw_summary: str = ""  # SUMMARY as written (cleaned, not shortened, decorations kept)
    description_generated: bool = False  # DESCRIPTION was generated by our export; not used as notes
    own_journey_format: bool = False  # SUMMARY is "<mode> <from> → <to> (<connection>)" as we write it
    start_zone_open: bool = False  # the file gave the start as UTC or as a date: the zone is our guess
    end_zone_open: bool = False
    all_day_dates: tuple[date, date] | None = None  # first day and the day after the last, all-day events
    updates: tuple[tuple[str, Any], ...] = ()  # for updates: (field, value) pairs apply_import writes

    @property
    def line(self) -> str:
        """A short label for messages: the summary, or the UID when there is none."""
        return self.summary or self.uid


# -- parsing without icalendar's process-wide time-zone cache ---------------


class _IsolatedParser(CalendarIcalParser):
    """icalendar's calendar parser minus its process-wide VTIMEZONE cache.

    The stock parser (icalendar 7.3) calls ``tzp.cache_timezone_component``
    for every VTIMEZONE and resolves each TZID parameter through ``tzp`` while
    parsing; a VTIMEZONE with a custom or Windows TZID therefore changes how
    every later file in the process is read. Here TZIDs are not resolved at
    all (wall times stay naive; the TZID stays in the parameters) and nothing
    is cached: :func:`parse_ics` resolves zones per file.
    """

    datetime_names: ClassVar[tuple[str, ...]] = ()

    def handle_end_component(self, vals: str) -> None:
        if not self._stack:
            raise ValueError("END encountered without an accompanying BEGIN!")
        component = self._stack.pop()
        if not self._stack:
            self._components.append(component)
        else:
            self._stack[-1].add_component(component)

    def prepare_components(self) -> None:
        # The stock version re-parses the file when a VTIMEZONE follows the
        # events, relying on the cache; we resolve zones afterwards anyway.
        return None


class _UploadCalendar(Calendar):
    @classmethod
    def _get_ical_parser(cls, st: str | bytes) -> CalendarIcalParser:
        return _IsolatedParser(st, cls._get_component_factory(), cls.types_factory)


# -- step 1: parse ----------------------------------------------------------

_BINARY_SIGNATURES = (
    b"\x1f\x8b",  # gzip
    b"PK\x03\x04",  # zip (also .docx, .xlsx)
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
    b"7z\xbc\xaf",
    b"\xd0\xcf\x11\xe0",  # old MS Office / Outlook .msg
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = "\ufeff"
_CONTENT_LINE = re.compile(r"([A-Za-z0-9-]+)[;:]")
_COMPONENT_NAME = re.compile(r"[A-Za-z0-9-]+")
# Bidirectional overrides can make a title read differently from what it is.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_FLIGHT_NUMBER = re.compile(r"\b([A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])\s?([0-9]{1,4})[A-Z]?\b")
# "Düsseldorf → Seoul", "DUS-ICN", "Seoul nach Chongqing", "Seoul to Chongqing"
_ROUTE_SEPARATOR = re.compile(r"\s*(?:→|->|–|—|\s-\s|(?-i:(?<=\b[A-Z]{3})-(?=[A-Z]{3}\b))|\bnach\b|\bto\b)\s*", re.IGNORECASE)
_FLIGHT_WORDS = re.compile(r"^\s*(?:flug|flight|flugreise)\b[\s:]*", re.IGNORECASE)
_SERIES_PROPERTIES = ("RRULE", "RDATE", "EXRULE", "RECURRENCE-ID")
_SINGLE_PROPERTIES = ("UID", "DTSTART", "DTEND", "DURATION", "SUMMARY", "STATUS", "LOCATION", "DESCRIPTION")
_STATUSES = {
    "TENTATIVE": ItemStatus.TENTATIVE,
    "CONFIRMED": ItemStatus.CONFIRMED,
    "CANCELLED": ItemStatus.CANCELLED,
}
_OBSERVANCE_RRULE_KEYS = {"FREQ", "INTERVAL", "BYMONTH", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT", "WKST"}


def parse_ics(
    data: bytes,
    *,
    fallback_zone_for: Callable[[datetime], str],
    zone_for_instant: Callable[[datetime], str] | None = None,
) -> list[ImportItem]:
    """Read the events of an uploaded .ics file.

    ``data`` is the file's content as bytes; paths and text are refused with
    :class:`TypeError` (the upload never touches the file system).
    ``fallback_zone_for(naive_wall)`` names the zone in which a floating wall
    time is read (the leg's zone that day); ``zone_for_instant(utc)`` the
    zone an event given in UTC is shown in (default: the fallback zone of the
    UTC wall time). :func:`zone_lookups` builds both from a delegation.

    Raises :class:`ImportRejected` for anything that cannot be read exactly.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse_ics() takes the file's bytes, not {type(data).__name__}")
    data = bytes(data)
    if zone_for_instant is None:

        def zone_for_instant(instant: datetime) -> str:
            return fallback_zone_for(instant.astimezone(UTC).replace(tzinfo=None))

    text = _decode(data)
    lines = _checked_lines(text)
    try:
        components = _UploadCalendar.from_ical("\r\n".join(lines) + "\r\n", multiple=True)
    except Exception as exc:  # hostile input may raise anything; never a 500
        raise ImportRejected(_("Die Datei ist keine gültige iCalendar-Datei und konnte nicht gelesen werden.")) from exc
    if len(components) != 1 or components[0].name != "VCALENDAR":
        raise ImportRejected(_("Die Datei muss genau einen Kalender (VCALENDAR) enthalten."))
    calendar = components[0]
    reader = _Reader(calendar, fallback_zone_for, zone_for_instant)
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    if not events:
        others = {str(c.name) for c in calendar.subcomponents} & {"VTODO", "VJOURNAL"}
        if others:
            raise ImportRejected(
                _("Die Datei enthält nur Aufgaben oder Notizen (%(kinds)s), keine Termine.", kinds=", ".join(sorted(others)))
            )
        raise ImportRejected(_("Die Datei enthält keine Termine."))
    items = []
    for event in events:
        try:
            items.append(reader.item(cast(Event, event)))  # icalendar parses every VEVENT as an Event
        except (ImportRejected, TimeZoneError):
            raise  # TimeZoneError: a zone lookup returned a bad zone, a bug not a bad file
        except (ValueError, TypeError, OverflowError, LookupError, AttributeError) as exc:
            # Whatever else a hostile event makes icalendar or dateutil trip over.
            raise ImportRejected(_("Ein Termin in der Datei ist fehlerhaft und konnte nicht gelesen werden.")) from exc
    seen: set[str] = set()
    for item in items:
        if item.uid in seen:
            raise ImportRejected(_("Die UID „%(uid)s“ kommt in der Datei mehrfach vor.", uid=_shorten(item.uid, 80)))
        seen.add(item.uid)
    return items


def check_size(data: bytes) -> None:
    """Refuse a file above :data:`MAX_BYTES` (:class:`ImportRejected`) without reading it."""
    if len(data) > MAX_BYTES:
        raise ImportRejected(_("Die Datei ist größer als %(size)s und wird nicht importiert.", size=_size_label(MAX_BYTES)))


def _decode(data: bytes) -> str:
    check_size(data)
    if not data.strip():
        raise ImportRejected(_("Die Datei ist leer."))
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRejected(_("Die Datei ist als UTF-16 gekennzeichnet, aber beschädigt.")) from None
    else:
        if data.startswith(_BINARY_SIGNATURES) or b"\x00" in data:
            raise ImportRejected(
                _("Die Datei ist keine Textdatei (sondern z. B. ein Bild, PDF oder Archiv) und damit keine iCalendar-Datei.")
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                _(
                    "Die Datei ist nicht UTF-8-kodiert (ungültiges Byte an Position %(position)d). "
                    "Bitte als UTF-8 speichern oder erneut exportieren.",
                    position=exc.start + 1,
                )
            ) from None
    text = text.removeprefix(_UTF8_BOM)
    if "\x00" in text:
        raise ImportRejected(_("Die Datei enthält Nullbytes und ist damit keine iCalendar-Datei."))
    if not text.strip():
        raise ImportRejected(_("Die Datei ist leer."))
    return text


def _checked_lines(text: str) -> list[str]:
    """Unfold the content lines, check the structure and limits, and keep what the reader uses.

    The parser is fed exactly the lines returned, so what is checked here is
    what is parsed. Limits keep hostile files (megabyte lines, deep nesting,
    thousands of components, parameters or list values) from costing more
    than a moment. Lines the reader never looks at (ATTENDEE, CATEGORIES,
    X- properties, alarms ...) are checked but not handed to icalendar, whose
    cost per line and per parameter made a legal 2 MB file take seconds; of
    the lines kept, only the parameters the reader uses (TZID, VALUE) stay.
    """
    head = text.lstrip()[:200]
    if not head.upper().startswith("BEGIN:VCALENDAR"):
        upper = head.upper()
        if upper.startswith("BEGIN:VCARD"):
            raise ImportRejected(_("Die Datei ist eine Kontaktdatei (vCard), keine Kalenderdatei."))
        if head.startswith("<"):
            raise ImportRejected(_("Die Datei ist eine HTML- oder XML-Datei, keine iCalendar-Datei."))
        if head.startswith(("{", "[")):
            raise ImportRejected(_("Die Datei ist eine JSON-Datei, keine iCalendar-Datei."))
        raise ImportRejected(_("Die Datei ist keine iCalendar-Datei: Sie beginnt nicht mit BEGIN:VCALENDAR."))

    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    logical: list[list[str]] = []  # parts of each logical line
    numbers: list[int] = []  # physical line number where each logical line starts
    length = 0
    for number, raw in enumerate(physical, 1):
        if raw[:1] in (" ", "\t") and logical:
            # A fold: RFC 5545 removes the line break and the one blank after it.
            length += len(raw) - 1
            if length > MAX_LINE_CHARS:
                raise _line_too_long(numbers[-1])
            logical[-1].append(raw[1:])
            continue
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_CHARS:
            raise _line_too_long(number)
        if len(logical) >= MAX_LINES:
            raise ImportRejected(_("Die Datei hat mehr als %(limit)d Zeilen und wird nicht importiert.", limit=MAX_LINES))
        logical.append([raw])
        numbers.append(number)
        length = len(raw)
    lines = ["".join(parts) for parts in logical]

    kept: list[str] = []
    stack: list[str] = []
    properties: list[int] = []  # properties seen so far in each open component
    seen: list[Counter[str]] = []  # kept properties by name, per open component
    skipping = 0  # depth of the component being left out (0: none)
    calendars = events = components = timezones = timezone_lines = 0
    for line, number in zip(lines, numbers, strict=True):
        match = _CONTENT_LINE.match(line)
        if not match:
            raise ImportRejected(_("Zeile %(line)d ist keine gültige iCalendar-Zeile.", line=number))
        name = match.group(1).upper()
        if name in ("BEGIN", "END"):
            value = line[len(name) + 1 :].strip().upper() if line[len(name)] == ":" else ""
            if not _COMPONENT_NAME.fullmatch(value):
                raise ImportRejected(_("Zeile %(line)d ist keine gültige iCalendar-Zeile.", line=number))
            if name == "BEGIN":
                if value == "VCALENDAR":
                    if stack:
                        raise ImportRejected(_("Die Datei enthält einen Kalender im Kalender (Zeile %(line)d).", line=number))
                    calendars += 1
                    if calendars > 1:
                        raise ImportRejected(
                            _(
                                "Die Datei enthält mehrere Kalender; bitte jeweils einen importieren (Zeile %(line)d).",
                                line=number,
                            )
                        )
                elif not stack:
                    raise ImportRejected(_("Zeile %(line)d steht außerhalb des Kalenders.", line=number))
                stack.append(value)
                properties.append(0)
                seen.append(Counter())
                components += 1
                if len(stack) > MAX_DEPTH:
                    raise ImportRejected(_("Die Datei ist zu tief verschachtelt (Zeile %(line)d).", line=number))
                if components > MAX_COMPONENTS:
                    raise ImportRejected(
                        _(
                            "Die Datei enthält mehr als %(limit)d Einträge (Termine, Erinnerungen, Zeitzonen ...) "
                            "und wird nicht importiert.",
                            limit=MAX_COMPONENTS,
                        )
                    )
                if value == "VEVENT":
                    events += 1
                    if events > MAX_ITEMS:
                        raise ImportRejected(
                            _("Die Datei enthält mehr als %(count)d Termine und wird nicht importiert.", count=MAX_ITEMS)
                        )
                if value == "VTIMEZONE" and len(stack) == 2:
                    timezones += 1
                    if timezones > MAX_TIMEZONES:
                        raise ImportRejected(_("Die Datei enthält zu viele Zeitzonen-Definitionen."))
                if not skipping and not _component_kept(stack):
                    skipping = len(stack)
            else:
                if not stack:
                    raise ImportRejected(_("Zeile %(line)d: END:%(name)s ohne passendes BEGIN.", line=number, name=value))
                if stack[-1] != value:
                    raise ImportRejected(
                        _(
                            "Zeile %(line)d: END:%(name)s passt nicht zu BEGIN:%(expected)s.",
                            line=number,
                            name=value,
                            expected=stack[-1],
                        )
                    )
                if skipping == len(stack):
                    skipping = 0
                    kept_now = False
                else:
                    kept_now = not skipping
                stack.pop()
                properties.pop()
                seen.pop()
                if kept_now:
                    kept.append(line)
                continue
            if not skipping:
                kept.append(line)
            continue
        if not stack:
            raise ImportRejected(_("Zeile %(line)d steht außerhalb des Kalenders.", line=number))
        properties[-1] += 1
        if properties[-1] > MAX_PROPERTIES:
            raise ImportRejected(
                _(
                    "Der Eintrag %(component)s hat bei Zeile %(line)d mehr als %(limit)d Angaben und wird nicht importiert.",
                    component=stack[-1],
                    line=number,
                    limit=MAX_PROPERTIES,
                )
            )
        value, parameters = _split_line(line, len(match.group(1)), number)
        count = len(parameters) + sum(_QUOTED.sub("", p).count(",") if '"' in p else p.count(",") for p in parameters)
        if count > MAX_PARAMETERS:
            raise ImportRejected(
                _(
                    "Zeile %(line)d (%(name)s) hat %(count)d Parameter; erlaubt sind höchstens %(limit)d.",
                    line=number,
                    name=_shorten(name, 40),
                    count=count,
                    limit=MAX_PARAMETERS,
                )
            )
        if name in _LIST_PROPERTIES:
            values = value.count(",") - value.count("\\,") + 1
            if name in ("RRULE", "EXRULE"):
                values += value.count(";")
            if values > MAX_VALUES:
                raise ImportRejected(
                    _(
                        "Zeile %(line)d (%(name)s) hat %(count)d Werte; erlaubt sind höchstens %(limit)d.",
                        line=number,
                        name=name,
                        count=values,
                        limit=MAX_VALUES,
                    )
                )
        if skipping:
            continue
        if "VTIMEZONE" in stack:
            timezone_lines += 1
            if timezone_lines > MAX_TIMEZONE_LINES:
                raise ImportRejected(
                    _(
                        "Die Zeitzonen-Definitionen der Datei haben zusammen mehr als %(limit)d Zeilen "
                        "und werden nicht importiert.",
                        limit=MAX_TIMEZONE_LINES,
                    )
                )
            kept.append(line)
            continue
        wanted = _KEPT_PROPERTIES.get(stack[-1], ())
        # Twice at most: a second DTSTART is enough for the reader to refuse the event by name.
        if name in wanted and seen[-1][name] < 2:
            seen[-1][name] += 1
            used = [p for p in parameters if p.split("=", 1)[0].strip().upper() in _USED_PARAMETERS]
            kept.append(match.group(1) + "".join(";" + p for p in used) + ":" + value)
    if stack:
        raise ImportRejected(_("Die Datei ist unvollständig (abgeschnitten?): END:%(name)s fehlt.", name=stack[-1]))
    return kept


# The components whose content the reader looks at, by their place in the file; the
# contents of others (alarms, X- components) are left out. Tasks and journal entries
# stay, empty, for the message that a file has nothing but those.
_KEPT_COMPONENTS = {("VCALENDAR",), ("VCALENDAR", "VEVENT"), ("VCALENDAR", "VTODO"), ("VCALENDAR", "VJOURNAL")}
_KEPT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "VCALENDAR": ("METHOD",),
    "VEVENT": (*_SINGLE_PROPERTIES, *_SERIES_PROPERTIES),
}
_USED_PARAMETERS = ("TZID", "VALUE")
# Properties whose value icalendar splits into a list, one object per value.
_LIST_PROPERTIES = frozenset({"CATEGORIES", "RESOURCES", "RDATE", "EXDATE", "FREEBUSY", "RRULE", "EXRULE"})
# A parameter: ";" up to the next ";" outside double quotes (a quoted value may hold ";" and ":").
_PARAMETER = re.compile(r';((?:[^";]|"[^"]*")*)')
_QUOTED = re.compile(r'"[^"]*"')
_HEADER = re.compile(r'(?:[^":]|"[^"]*")*')


def _component_kept(stack: list[str]) -> bool:
    return tuple(stack) in _KEPT_COMPONENTS or stack[:2] == ["VCALENDAR", "VTIMEZONE"]


def _split_line(line: str, name_length: int, number: int) -> tuple[str, list[str]]:
    """The value and the parameters of a content line: split at the first colon outside double quotes."""
    if '"' not in line:  # the usual line, without the regular expressions' cost
        header, colon, value = line.partition(":")
        if not colon:
            raise ImportRejected(_("Zeile %(line)d ist keine gültige iCalendar-Zeile.", line=number))
        return value, header.split(";")[1:]
    end = _HEADER.match(line)
    position = end.end() if end is not None else 0
    if line[position : position + 1] != ":":
        raise ImportRejected(_("Zeile %(line)d ist keine gültige iCalendar-Zeile.", line=number))
    header = line[:position]
    return line[position + 1 :], _PARAMETER.findall(header, name_length)


def _line_too_long(number: int) -> ImportRejected:
    return ImportRejected(_("Zeile %(line)d ist zu lang und wird nicht importiert.", line=number))


@dataclass(frozen=True)
class _Moment:
    instant: datetime  # aware UTC
    zone: str
    floating: bool
    source_tzid: str | None  # a non-IANA TZID as written in the file
    zone_open: bool = False  # UTC or a date: exact, but the file named no zone
    note: TimeNote | None = None  # how an ambiguous or non-existent wall time was read


class _Reader:
    """Turns the VEVENTs of one parsed calendar into :class:`ImportItem` values."""

    def __init__(
        self,
        calendar: Calendar,
        fallback_zone_for: Callable[[datetime], str],
        zone_for_instant: Callable[[datetime], str],
    ) -> None:
        self._fallback_zone_for = fallback_zone_for
        self._zone_for_instant = zone_for_instant
        self._cancel_all = str(calendar.get("METHOD", "")).strip().upper() == "CANCEL"
        self._vtimezones: dict[str, Timezone] = {}
        timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
        if len(timezones) > MAX_TIMEZONES:
            raise ImportRejected(_("Die Datei enthält zu viele Zeitzonen-Definitionen."))
        for component in timezones:
            tzid = component.get("TZID")
            if isinstance(tzid, str) and tzid.strip():
                self._vtimezones.setdefault(tzid.strip(), cast(Timezone, component))  # parsed as a Timezone
        self._custom: dict[str, tzinfo] = {}  # built lazily, for this file only
        self._own = OwnExport.current()

    # -- one event ---------------------------------------------------------

    def item(self, event: Event) -> ImportItem:
        raw_summary = _clean_line(self._text(event, "SUMMARY") or "")
        label = _shorten(raw_summary, TITLE_LENGTH) or _("(ohne Titel)")
        for name in _SINGLE_PROPERTIES:
            if isinstance(event.get(name), list):
                raise ImportRejected(_("Der Termin „%(summary)s“ enthält %(name)s mehrfach.", summary=label, name=name))
        for name in _SERIES_PROPERTIES:
            if name in event:
                raise ImportRejected(
                    _(
                        "Serientermine werden nicht unterstützt („%(summary)s“). Bitte die Termine einzeln exportieren.",
                        summary=label,
                    )
                )
        uid = self._uid(event, label)

        start_prop = event.get("DTSTART")
        if start_prop is None:
            raise ImportRejected(_("Der Termin „%(summary)s“ hat keinen Beginn (DTSTART).", summary=label))
        start_value = self._value(start_prop, "DTSTART", label)
        end_prop = event.get("DTEND")
        duration_prop = event.get("DURATION")
        if end_prop is not None and duration_prop is not None:
            raise ImportRejected(
                _("Der Termin „%(summary)s“ hat sowohl ein Ende (DTEND) als auch eine Dauer (DURATION).", summary=label)
            )

        all_day_dates = None
        if isinstance(start_value, datetime):
            start, end, end_assumed = self._timed(start_prop, start_value, end_prop, duration_prop, label)
            all_day = False
        elif isinstance(start_value, date):
            start, end, end_assumed, all_day_dates = self._all_day(start_value, end_prop, duration_prop, label)
            all_day = True
        else:
            raise _invalid_value("DTSTART", label)

        if end.instant == start.instant:
            raise ImportRejected(_("Der Termin „%(summary)s“ hat die Dauer null (Ende gleich Beginn).", summary=label))
        if end.instant < start.instant:
            raise ImportRejected(_("Der Termin „%(summary)s“ endet vor seinem Beginn.", summary=label))

        status_text = (self._text(event, "STATUS") or "").strip().upper()
        status = _STATUSES.get(status_text)
        status_explicit = status is not None
        # The decoration our export puts on SUMMARY matches the STATUS it writes beside it.
        title = self._own.title(raw_summary, status)
        summary = _shorten(title, TITLE_LENGTH)
        if self._cancel_all:
            status, status_explicit = ItemStatus.CANCELLED, True
        location = _clean_text(self._text(event, "LOCATION"), keep_newlines=True)
        description = _clean_text(self._text(event, "DESCRIPTION"), keep_newlines=True)
        description_generated = self._own.is_generated_description(description)
        if description_generated:
            description = None

        # Journey details are read for every event: plan_import may find that
        # a same-zone event is a journey of this trip (a train within China).
        route = self._own.journey_route(title)
        number: str | None
        departure_place: str | None
        arrival_place: str | None
        if route is not None:
            mode = route.mode
            departure_place = _shorten(route.departure, PLACE_LENGTH)
            arrival_place = _shorten(route.arrival, PLACE_LENGTH)
            number = _flight_number(route.connection or "")
        else:
            number = _flight_number(summary)
            mode = JourneyMode.FLIGHT if number else JourneyMode.OTHER
            departure_place, arrival_place = _route(location, summary)
        is_journey = start.zone != end.zone
        tzids = tuple(dict.fromkeys(t for t in (start.source_tzid, end.source_tzid) if t))
        return ImportItem(
            uid=uid,
            summary=summary,
            start=start.instant,
            end=end.instant,
            start_zone=start.zone,
            end_zone=end.zone,
            all_day=all_day,
            floating=start.floating or end.floating,
            status=status or ItemStatus.TENTATIVE,
            location=location,
            description=description,
            is_journey=is_journey,
            status_explicit=status_explicit,
            end_assumed=end_assumed,
            source_tzids=tzids,
            mode=mode,
            number=number,
            departure_place=departure_place,
            arrival_place=arrival_place,
            time_notes=tuple(moment.note for moment in (start, end) if moment.note is not None),
            raw_summary=raw_summary,
            description_generated=description_generated,
            own_journey_format=route is not None,
            start_zone_open=start.zone_open,
            end_zone_open=end.zone_open,
            all_day_dates=all_day_dates,
        )

    def _timed(
        self, start_prop: Any, start_value: datetime, end_prop: Any, duration_prop: Any, label: str
    ) -> tuple[_Moment, _Moment, bool]:
        start = self._moment(start_prop, start_value, label, start_of=None)
        if end_prop is not None:
            end_value = self._value(end_prop, "DTEND", label)
            if not isinstance(end_value, datetime):
                raise _mixed_kinds(label)
            return start, self._moment(end_prop, end_value, label, start_of=start), False
        if duration_prop is not None:
            duration = self._value(duration_prop, "DURATION", label)
            if not isinstance(duration, timedelta):
                raise _invalid_value("DURATION", label)
            return start, self._after(start, duration, label), False
        return start, self._after(start, DEFAULT_DURATION, label), True

    def _after(self, start: _Moment, duration: timedelta, label: str) -> _Moment:
        try:
            instant = start.instant + duration
        except OverflowError:
            raise _out_of_range(label) from None
        _check_year(to_local(instant, start.zone), label)
        return dataclasses.replace(start, instant=instant, note=None)

    def _all_day(
        self, first_day: date, end_prop: Any, duration_prop: Any, label: str
    ) -> tuple[_Moment, _Moment, bool, tuple[date, date]]:
        _check_year(first_day, label)
        end_assumed = False
        if end_prop is not None:
            end_day = self._value(end_prop, "DTEND", label)
            if isinstance(end_day, datetime) or not isinstance(end_day, date):
                raise _mixed_kinds(label)
        elif duration_prop is not None:
            duration = self._value(duration_prop, "DURATION", label)
            if not isinstance(duration, timedelta) or duration % timedelta(days=1):
                raise ImportRejected(_("Der ganztägige Termin „%(summary)s“ muss ganze Tage dauern.", summary=label))
            try:
                end_day = first_day + duration
            except OverflowError:
                raise _out_of_range(label) from None
        else:
            end_day, end_assumed = first_day + timedelta(days=1), True
        _check_year(end_day, label)
        if end_day == first_day:
            raise ImportRejected(_("Der Termin „%(summary)s“ hat die Dauer null (Ende gleich Beginn).", summary=label))
        if end_day < first_day:
            raise ImportRejected(_("Der Termin „%(summary)s“ endet vor seinem Beginn.", summary=label))
        # The zone where the delegation is at noon of the first day: on an
        # arrival day that is the new city, not the one left at midnight.
        zone = self._fallback(datetime.combine(first_day, time(12, 0)))
        start = local_day_bounds(first_day, zone).start
        end = local_day_bounds(end_day - timedelta(days=1), zone).end
        return (
            _Moment(start, zone, False, None, zone_open=True),
            _Moment(end, zone, False, None, zone_open=True),
            end_assumed,
            (first_day, end_day),
        )

    def _moment(self, prop: Any, value: datetime, label: str, *, start_of: _Moment | None) -> _Moment:
        """Resolve a DTSTART (``start_of`` None) or DTEND to an instant and a zone."""
        _check_year(value, label)
        tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
        if value.tzinfo is not None:
            # Only a UTC value ("Z") is aware: _IsolatedParser leaves TZID
            # values naive. Anything else means icalendar resolved a zone
            # through its global cache after all, which we must not trust.
            if value.utcoffset() != timedelta(0) or value.dst() not in (None, timedelta(0)):
                raise RuntimeError("icalendar resolved a TZID; the upload parser is not isolated")
            instant = value.astimezone(UTC)
            zone = start_of.zone if start_of is not None else self._zone_for_instant(instant)
            return _Moment(instant, _known(zone), False, None, zone_open=True)
        ending = start_of is not None
        if not tzid or not str(tzid).strip():
            # Floating: the leg's zone for a start, the start's zone for an end.
            zone = start_of.zone if start_of is not None else self._fallback(value)
            reading = read_wall_time(value, zone)
            return _Moment(reading.instant, zone, True, None, note=_note(reading, zone, ending=ending))
        tzid = str(tzid).strip()
        iana = _iana_name(tzid)
        if iana is not None:
            source = None if iana == tzid else tzid
            reading = read_wall_time(value, iana)
            return _Moment(reading.instant, iana, False, source, note=_note(reading, tzid, ending=ending))
        custom = self._custom_zone(tzid, label)
        reading = _custom_to_utc(value, custom, tzid)
        instant = reading.instant
        offset = instant.astimezone(custom).utcoffset()
        preferred = [start_of.zone] if start_of is not None and start_of.source_tzid == tzid else []
        zone = self._equivalent_zone([*preferred, self._fallback(value)], instant, offset, tzid)
        return _Moment(instant, zone, False, tzid, note=_note(reading, tzid, ending=ending))

    def _fallback(self, wall: datetime) -> str:
        return _known(self._fallback_zone_for(wall))

    def _equivalent_zone(self, candidates: Sequence[str], instant: datetime, offset: timedelta | None, tzid: str) -> str:
        """An IANA zone that shows ``instant`` with the file's ``offset``, to store the item in."""
        if offset is not None:
            for zone in candidates:
                if to_local(instant, zone).utcoffset() == offset:
                    return zone
            hours, rest = divmod(offset, timedelta(hours=1))
            if not rest and -12 <= hours <= 14:
                # POSIX sign convention: Etc/GMT-9 is nine hours *ahead* of UTC.
                return "Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
        raise ImportRejected(
            _("Die Zeitzone „%(tzid)s“ aus der Datei lässt sich keiner bekannten Zeitzone zuordnen.", tzid=_shorten(tzid, 80))
        )

    def _custom_zone(self, tzid: str, label: str) -> tzinfo:
        if tzid in self._custom:
            return self._custom[tzid]
        component = self._vtimezones.get(tzid)
        if component is None:
            raise ImportRejected(
                _(
                    "Der Termin „%(summary)s“ nennt die unbekannte Zeitzone „%(tzid)s“, "
                    "und die Datei enthält keine Definition (VTIMEZONE) dafür.",
                    summary=label,
                    tzid=_shorten(tzid, 80),
                )
            )
        _check_vtimezone(component, tzid)
        try:
            # lookup_tzid=False: build from this component only, never from
            # (or into) icalendar's process-wide cache.
            zone = component.to_tz(lookup_tzid=False)
            zone.utcoffset(datetime(2000, 1, 1))
        except Exception as exc:
            raise _bad_vtimezone(tzid) from exc
        self._custom[tzid] = zone
        return zone

    # -- single properties -------------------------------------------------

    def _uid(self, event: Event, label: str) -> str:
        raw = event.get("UID")
        uid = str(raw).strip() if raw is not None and not isinstance(raw, vBroken) else ""
        if not uid:
            raise ImportRejected(
                _("Der Termin „%(summary)s“ hat keine UID und kann deshalb nicht sicher importiert werden.", summary=label)
            )
        if len(uid) > UID_LENGTH or CALENDAR_CONTROL.search(uid):
            raise ImportRejected(_("Der Termin „%(summary)s“ hat eine ungültige UID.", summary=label))
        return uid

    @staticmethod
    def _text(event: Event, name: str) -> str | None:
        value = event.get(name)
        if value is None:
            return None
        if isinstance(value, vBroken):
            return str(value.to_ical(), "utf-8", "replace") if hasattr(value, "to_ical") else None
        return str(value)

    @staticmethod
    def _value(prop: Any, name: str, label: str) -> Any:
        if isinstance(prop, vBroken) or not hasattr(prop, "dt"):
            raise _invalid_value(name, label)
        try:
            return prop.dt
        except Exception:  # noqa: BLE001  (icalendar raises assorted errors for a malformed value; all mean "invalid")
            raise _invalid_value(name, label) from None


def _check_vtimezone(component: Timezone, tzid: str) -> None:
    """Refuse VTIMEZONEs that are wrong or that would make offset lookups slow.

    Real zones use yearly rules (one per STANDARD/DAYLIGHT part); a rule of
    FREQ=SECONDLY or with dozens of BYxxx values would make every lookup
    enumerate millions of transitions.
    """
    observances = [c for c in component.subcomponents if c.name in ("STANDARD", "DAYLIGHT")]
    if not observances or len(observances) > 50:
        raise _bad_vtimezone(tzid)
    rdates = 0
    for observance in observances:
        start = observance.get("DTSTART")
        if isinstance(start, (list, vBroken)) or start is None or not isinstance(getattr(start, "dt", None), datetime):
            raise _bad_vtimezone(tzid)
        if not 1583 <= start.dt.year <= LATEST_YEAR:
            raise _bad_vtimezone(tzid)
        for name in ("TZOFFSETFROM", "TZOFFSETTO"):
            offset = observance.get(name)
            delta = None if isinstance(offset, (list, vBroken)) else getattr(offset, "td", None)
            if not isinstance(delta, timedelta) or abs(delta) > timedelta(hours=18):
                raise _bad_vtimezone(tzid)
        rule = observance.get("RRULE")
        if isinstance(rule, list):
            raise _bad_vtimezone(tzid)
        if rule is not None:
            if isinstance(rule, vBroken) or not hasattr(rule, "keys"):
                raise _bad_vtimezone(tzid)
            keys = {str(k).upper() for k in rule}
            freq = [str(f).upper() for f in rule.get("FREQ", [])]
            interval = rule.get("INTERVAL", [1])
            if (
                not keys <= _OBSERVANCE_RRULE_KEYS
                or freq != ["YEARLY"]
                or len(rule.get("BYMONTH", [])) > 1
                or len(rule.get("BYDAY", [])) > 1
                or len(rule.get("BYMONTHDAY", [])) > 7
                or not all(isinstance(i, int) and 1 <= i <= 100 for i in interval)
            ):
                raise _bad_vtimezone(tzid)
        dates = observance.get("RDATE")
        for entry in dates if isinstance(dates, list) else [dates] if dates is not None else []:
            rdates += len(getattr(entry, "dts", [entry]))
        if rdates > 200:
            raise _bad_vtimezone(tzid)


def _custom_to_utc(wall: datetime, zone: tzinfo, tzid: str) -> WallTimeReading:
    """Wall time -> UTC for a zone defined by the file itself (RFC 5545 3.3.5, as for IANA zones)."""
    try:
        return read_wall_time(wall, zone)
    except Exception as exc:  # a broken definition may fail only when used
        raise _bad_vtimezone(tzid) from exc


def _iana_name(tzid: str) -> str | None:
    """The IANA zone a TZID stands for, or None when only the file can define it."""
    candidates = [tzid]
    if tzid in WINDOWS_TO_OLSON:
        candidates.append(WINDOWS_TO_OLSON[tzid])
    if tzid.startswith("/"):
        # "Globally unique" TZIDs (RFC 5545, 3.2.19) as libical and Mozilla
        # write them: /mozilla.org/20050126_1/Europe/Berlin.
        parts = tzid.strip("/").split("/")
        candidates.extend("/".join(parts[i:]) for i in range(1, len(parts)))
    for name in candidates:
        # Canonical names only, an old alias as its zone: "localtime" or "right/..." are files, not places.
        canonical = canonical_zone(name)
        if canonical is not None:
            return canonical
    return None


def _known(zone: str) -> str:
    get_zone(zone)  # a lookup returning a bad zone is a programming error, not bad input
    return zone


def _check_year(value: date, label: str) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise _out_of_range(label)


def _out_of_range(label: str) -> ImportRejected:
    return ImportRejected(
        _(
            "Der Termin „%(summary)s“ liegt außerhalb der Jahre %(first)d bis %(last)d.",
            summary=label,
            first=EARLIEST_YEAR,
            last=LATEST_YEAR,
        )
    )


def _invalid_value(name: str, label: str) -> ImportRejected:
    return ImportRejected(_("Der Termin „%(summary)s“ hat einen ungültigen Wert für %(name)s.", summary=label, name=name))


def _mixed_kinds(label: str) -> ImportRejected:
    return ImportRejected(
        _(
            "Beim Termin „%(summary)s“ müssen Beginn und Ende entweder beide ein Datum oder beide eine Uhrzeit sein.",
            summary=label,
        )
    )


def _note(reading: WallTimeReading, zone: str, *, ending: bool) -> TimeNote | None:
    if reading.ambiguous or reading.shifted_to is not None:
        return TimeNote(ending=ending, reading=reading, zone=zone)
    return None


def _bad_vtimezone(tzid: str) -> ImportRejected:
    return ImportRejected(_("Die Zeitzonen-Definition „%(tzid)s“ in der Datei ist ungültig.", tzid=_shorten(tzid, 80)))


# -- text clean-up ----------------------------------------------------------


def _clean_line(value: str) -> str:
    """One line of text without controls and bidi overrides, blanks collapsed; not shortened."""
    text = _BIDI.sub("", CALENDAR_CONTROL.sub(" ", value))
    text = " ".join(text.split())  # newlines and runs of blanks -> one space
    return unicodedata.normalize("NFC", text)


def _clean_text(value: str | None, *, keep_newlines: bool = False) -> str | None:
    if value is None:
        return None
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if keep_newlines:
        # CALENDAR_CONTROL spares tab and newline: paragraphs survive, tabs become blanks.
        text = CALENDAR_CONTROL.sub("", text.replace("\t", " "))
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    else:
        text = " ".join(CALENDAR_CONTROL.sub(" ", text).split())
    text = unicodedata.normalize("NFC", _BIDI.sub("", text)).strip()
    return text or None


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + ELLIPSIS


def _flight_number(summary: str) -> str | None:
    match = _FLIGHT_NUMBER.search(summary)
    if match is None:
        return None
    return _shorten(f"{match.group(1)} {match.group(2)}", NUMBER_LENGTH)


def _route(location: str | None, summary: str) -> tuple[str | None, str | None]:
    """Departure and arrival place from "A → B" in LOCATION or SUMMARY.

    Without such a route, LOCATION names the departure (where a calendar
    client would send you) and the arrival stays open.
    """
    for text in (location, summary):
        if not text:
            continue
        text = " ".join(text.split())
        stripped = _FLIGHT_WORDS.sub("", _FLIGHT_NUMBER.sub("", text, count=1)).strip(" :,-")
        parts = [p.strip(" :,") for p in _ROUTE_SEPARATOR.split(stripped, maxsplit=1)]
        if len(parts) == 2 and all(parts):
            return _shorten(parts[0], PLACE_LENGTH), _shorten(parts[1], PLACE_LENGTH)
    if location:
        return _shorten(" ".join(location.split()), PLACE_LENGTH), None
    return None, None


def _size_label(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


# -- zones of a delegation ---------------------------------------------------


def zone_lookups(delegation: Delegation) -> dict[str, Callable[[datetime], str]]:
    """The keyword arguments of :func:`parse_ics` for a delegation: its itinerary's zones.

    A floating wall time and a UTC instant are placed by the same rule
    (:meth:`Itinerary.zone_at_wall`, :meth:`Itinerary.zone_at`): the leg of
    the stay, else the nearest leg on an arrival or departure day, else home.
    """
    itinerary = Itinerary.of(delegation)
    return {"fallback_zone_for": itinerary.zone_at_wall, "zone_for_instant": itinerary.zone_at}


def parse_for_delegation(delegation: Delegation, data: bytes) -> list[ImportItem]:
    """:func:`parse_ics` with floating times read in the delegation's leg zones."""
    return parse_ics(data, **zone_lookups(delegation))


# -- step 2: plan -------------------------------------------------------------


def plan_import(session: Session, delegation: Delegation, items: Iterable[ImportItem]) -> list[ImportItem]:
    """Decide for each item whether it creates, updates or leaves a row alone.

    Items are matched by UID against appointments and journeys. A UID that
    belongs to another delegation refuses the whole file: an import never
    moves or overwrites another trip's data.
    """
    items = list(items)
    uids = [item.uid for item in items]
    appointments: dict[str, Appointment] = {}
    journeys: dict[str, Journey] = {}
    # Trashed rows too: their UIDs are taken, and an import must not update what nobody can see.
    for chunk in _chunks(uids, 400):
        for appointment in session.scalars(
            sa.select(Appointment).where(Appointment.uid.in_(chunk)), execution_options=include_trashed()
        ):
            appointments[appointment.uid] = appointment
        for journey in session.scalars(sa.select(Journey).where(Journey.uid.in_(chunk)), execution_options=include_trashed()):
            journeys[journey.uid] = journey

    planned = []
    own = OwnExport.current()
    for item in items:
        same_kind, other_kind = (journeys, appointments) if item.is_journey else (appointments, journeys)
        existing: Appointment | Journey | None = same_kind.get(item.uid)
        other: Appointment | Journey | None = other_kind.get(item.uid)
        for row in (existing, other):
            if row is not None and row.delegation_id != delegation.id:
                raise ImportRejected(
                    _(
                        "„%(summary)s“ gehört bereits zu einer anderen Delegationsreise und wird hier nicht importiert.",
                        summary=item.line,
                    )
                )
            if row is not None and row.deleted_at is not None:
                raise ImportRejected(
                    _(
                        "„%(summary)s“ liegt im Papierkorb dieser Reise. Bitte dort wiederherstellen oder aus der Datei nehmen.",
                        summary=item.line,
                    )
                )
        if existing is None and isinstance(other, Journey) and item.own_journey_format:
            # One zone in the file, but the UID is a journey of this trip and
            # SUMMARY is a journey as we write it: a journey that starts and
            # ends in the same zone (a train within China), from our own export.
            item = dataclasses.replace(item, is_journey=True)
            existing, other = other, None
        elif existing is None and isinstance(other, Appointment) and item.start_zone_open:
            # Two zones only because the start came in UTC (our export writes a
            # fall-back-hour start so) and was placed in the leg's zone: the
            # appointment keeps its zone (see _keep_zones).
            existing, other = other, None
        if existing is None and other is not None:
            if item.is_journey:
                message = _(
                    "„%(summary)s“ ist hier als Termin angelegt, die Datei beschreibt aber eine Verbindung.", summary=item.line
                )
            else:
                message = _(
                    "„%(summary)s“ ist hier als Verbindung angelegt, die Datei beschreibt aber einen Termin.", summary=item.line
                )
            raise ImportRejected(message)
        if existing is not None:
            item = _keep_zones(item, existing)
        outside = not delegation.start_date <= to_local(item.start, item.start_zone).date() <= delegation.end_date
        if existing is None:
            planned.append(
                dataclasses.replace(item, action=CREATE, existing_id=None, changes=(), updates=(), outside_trip=outside)
            )
            continue
        updates = {name: value for name, value in _real_updates(own, item, existing).items() if getattr(existing, name) != value}
        planned.append(
            dataclasses.replace(
                item,
                action=UPDATE if updates else UNCHANGED,
                existing_id=existing.id,
                changes=tuple(updates),
                updates=tuple(updates.items()),
                outside_trip=outside,
            )
        )
    return planned


def _keep_zones(item: ImportItem, row: Appointment | Journey) -> ImportItem:
    """Where the file gave an instant without its zone (UTC, a date), keep the row's zone.

    Our export writes a fall-back-hour instant in UTC and an all-day event
    as dates; the zone the reader guessed for them (the leg's) may not be the
    one the row has, and is no change the file asks for.
    """
    if isinstance(row, Journey):
        start_zone = row.departure_timezone if item.start_zone_open else item.start_zone
        end_zone = row.arrival_timezone if item.end_zone_open else item.end_zone
        return dataclasses.replace(item, start_zone=start_zone, end_zone=end_zone)
    if not item.start_zone_open:
        return item
    if item.all_day_dates is not None:
        first_day, end_day = item.all_day_dates
        start = local_day_bounds(first_day, row.timezone).start
        end = local_day_bounds(end_day - timedelta(days=1), row.timezone).end
        return dataclasses.replace(item, start=start, end=end, start_zone=row.timezone, end_zone=row.timezone)
    return dataclasses.replace(item, is_journey=False, start_zone=row.timezone, end_zone=row.timezone)


def _real_updates(own: OwnExport, item: ImportItem, row: Appointment | Journey) -> dict[str, Any]:
    """:func:`_updates`, minus what is only our own export's rendering of ``row`` as it is.

    A SUMMARY or LOCATION exactly as our export writes it for the row (in
    any language) says nothing new; reading it back field by field could
    only lose information (a title that ends in brackets, the split between
    venue and address).
    """
    values = _updates(item)
    unchanged_summary = item.raw_summary in {_clean_line(text) for text in summaries(row)}
    if isinstance(row, Journey):
        if unchanged_summary:
            for name in ("departure_place", "arrival_place", "number"):
                values.pop(name, None)
        elif item.own_journey_format:
            route = own.journey_route(own.title(item.raw_summary, item.status), arrival_hint=row.arrival_place)
            if route is not None:
                values["departure_place"] = _shorten(route.departure, PLACE_LENGTH)
                values["arrival_place"] = _shorten(route.arrival, PLACE_LENGTH)
                values.pop("number", None)
                if (route.connection or "") != ical.journey_connection(row):
                    number = _flight_number(route.connection or "")
                    if number is not None:
                        values["number"] = number
        return values
    if unchanged_summary:
        values.pop("title", None)
    if item.location is not None:
        written = _clean_text(ical.appointment_location(row), keep_newlines=True)
        venue = _clean_text(ical.clean(row.venue), keep_newlines=True)
        if item.location == written:
            values.pop("venue", None)
            values.pop("address", None)
        elif venue and item.location.startswith(venue + ", "):
            # Our "venue, address" with a changed address: the venue stays.
            values["venue"] = row.venue
            values["address"] = item.location[len(venue) + 2 :]
    return values


def _chunks(values: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for index in range(0, len(values), size):
        yield values[index : index + size]


def _updates(item: ImportItem) -> dict[str, Any]:
    """The model fields an import of ``item`` writes into an existing row.

    What the file does not say (STATUS, LOCATION, DESCRIPTION, places) is left
    as the planners entered it.
    """
    values: dict[str, Any]
    if item.is_journey:
        values = {
            "depart_at": item.start,
            "arrive_at": item.end,
            "departure_timezone": item.start_zone,
            "arrival_timezone": item.end_zone,
        }
        if item.departure_place is not None:
            values["departure_place"] = item.departure_place
        if item.arrival_place is not None:
            values["arrival_place"] = item.arrival_place
        if item.number is not None:
            values["number"] = item.number
    else:
        values = {
            "title": item.summary or _("(ohne Titel)"),
            "start_at": item.start,
            "end_at": item.end,
            "timezone": item.start_zone,
            "all_day": item.all_day,
        }
        if item.location is not None:
            values.update(_venue_and_address(item.location))
    if item.status_explicit:
        values["status"] = item.status
    if item.description is not None:
        values["notes"] = item.description
    return values


def _venue_and_address(location: str) -> dict[str, str | None]:
    # The whole LOCATION is the venue when it fits; otherwise the venue is
    # its first line, shortened, and the address keeps it complete.
    single_line = " ".join(location.split())
    if len(single_line) <= PLACE_LENGTH and "\n" not in location:
        return {"venue": single_line, "address": None}
    return {"venue": _shorten(location.split("\n", 1)[0].strip(), PLACE_LENGTH), "address": location}


# -- step 3: apply --------------------------------------------------------------


def apply_import(session: Session, delegation: Delegation, planned: Iterable[ImportItem]) -> Counter[str]:
    """Create and update rows as planned, through the programme's operations; flushes, never commits.

    Each item is written by :func:`~planner.program.operations.save_appointment`
    or :func:`~planner.program.operations.save_journey`, exactly as a planner's
    save on the edit page is, so versions, revisions and the change history
    come out the same. Those operations write through the application's
    session (``db.session``); ``session`` must be that one. Returns how many
    items were created, updated and left unchanged.
    """
    counts: Counter[str] = Counter({"created": 0, "updated": 0, "unchanged": 0})
    for item in planned:
        if item.action == CREATE:
            _create(delegation, item)
            counts["created"] += 1
        elif item.action == UPDATE:
            row: Journey | Appointment | None = (
                session.get(Journey, item.existing_id) if item.is_journey else session.get(Appointment, item.existing_id)
            )
            if row is None or row.delegation_id != delegation.id or row.uid != item.uid:
                raise ImportRejected(_changed_since_preview())
            try:
                _update(delegation, row, dict(item.updates))
            except EditConflict:
                # Another save of this row won the race: import_ics rolls back its SAVEPOINT,
                # so nothing of the file stays either.
                raise ImportRejected(_changed_since_preview()) from None
            counts["updated"] += 1
        elif item.action == UNCHANGED:
            counts["unchanged"] += 1
        else:
            raise ValueError(f"unknown import action {item.action!r}")
    return counts


def _changed_since_preview() -> str:
    return _("Die Daten haben sich seit der Vorschau geändert. Bitte die Datei erneut hochladen.")


def _create(delegation: Delegation, item: ImportItem) -> None:
    """A new appointment or journey for ``item``; planners add attendees, city and the rest later."""
    if item.is_journey:
        save_journey(
            delegation,
            JourneyInput(
                # Without places in the file the zone names stand in; planners refine them.
                departure_place=item.departure_place or item.start_zone,
                depart_at=item.start,
                departure_timezone=item.start_zone,
                arrival_place=item.arrival_place or item.end_zone,
                arrive_at=item.end,
                arrival_timezone=item.end_zone,
                mode=item.mode or JourneyMode.OTHER,
                status=item.status,
                number=item.number,
                # A summary in our own format says nothing the journey's fields do not.
                notes=item.description or (None if item.own_journey_format else item.summary) or None,
                uid=item.uid,
            ),
        )
        return
    location = _venue_and_address(item.location) if item.location else {"venue": None, "address": None}
    save_appointment(
        delegation,
        AppointmentInput(
            title=item.summary or _("(ohne Titel)"),
            start_at=item.start,
            end_at=item.end,
            timezone=item.start_zone,
            kind=AppointmentKind.OTHER,
            status=item.status,
            all_day=item.all_day,
            notes=item.description,
            uid=item.uid,
            **location,
        ),
    )


def _update(delegation: Delegation, row: Appointment | Journey, updates: dict[str, Any]) -> None:
    """``row`` as saved with ``updates`` (planned field values) applied; every other field stays."""
    if isinstance(row, Journey):
        save_journey(delegation, dataclasses.replace(JourneyInput.of(row), **updates), row)
    else:
        save_appointment(delegation, dataclasses.replace(AppointmentInput.of(row), **updates), row)


def import_ics(session: Session, delegation: Delegation, data: bytes) -> Counter[str]:
    """Parse, plan and apply ``data`` for ``delegation`` as one unit.

    Everything is read and checked before the first write; the writes run in
    a savepoint, so a failure while writing (a concurrent import of the same
    UIDs, say) undoes all of them. The caller commits. Raises
    :class:`ImportRejected`; the database is then as it was.
    """
    return import_items(session, delegation, parse_for_delegation(delegation, data))


def import_items(session: Session, delegation: Delegation, items: Iterable[ImportItem]) -> Counter[str]:
    """Plan and apply already parsed ``items`` (a stored plan) as one unit, as :func:`import_ics` does a file.

    The items are matched against the database again: UIDs may have been
    taken or rows changed since the items were parsed. Raises
    :class:`ImportRejected`; the database is then as it was.
    """
    planned = plan_import(session, delegation, items)
    try:
        _begin_for_real(session)
        with session.begin_nested():
            return apply_import(session, delegation, planned)
    except ImportRejected:
        raise
    except SQLAlchemyError as exc:
        raise ImportRejected(
            _("Der Import konnte nicht gespeichert werden; es wurde nichts geändert. Bitte erneut versuchen.")
        ) from exc


def _begin_for_real(session: Session) -> None:
    """Make sure the database itself is inside a transaction before the SAVEPOINT.

    Python's sqlite3 driver only opens a transaction before a write. A
    SAVEPOINT issued outside one starts a transaction of its own, and its
    RELEASE then commits: the import would be committed behind the caller's
    back. PostgreSQL is always inside a transaction here.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite3.Connection) and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN")
