"""Independent iCalendar parsers for checking calendar exports like a user's calendar would.

Every parser here reads the raw bytes of an ``.ics`` file and works out the UTC
instants *itself*; nothing in ``planner`` converts anything. The six readers and
the zone definition each of them trusts:

==========================  ===================================================
``icalendar``               the file's VTIMEZONE, expanded by icalendar's own
                            ``Timezone.get_transitions()`` (packaged by its pytz
                            provider) -- *not* icalendar's default, which would
                            look ``Europe/Berlin`` up in zoneinfo by name
``vobject``                 the file's VTIMEZONE, via ``dateutil.tz.tzical``
``ical`` (allenporter)      the IANA database by TZID name (its default: it
                            prefers native zones over the file's VTIMEZONE);
                            strict validation errors propagate
``recurring_ical_events``   icalendar's default: the IANA database by TZID name
                            (the file's VTIMEZONE only for unknown TZIDs)
``libical``                 the file's VTIMEZONE, libical's own expansion
                            (``libical_parse.py`` under Debian's python3)
``icaljs``                  the file's VTIMEZONE, ical.js's own expansion with
                            the zones registered in ``ICAL.TimezoneService`` like
                            Thunderbird (``icaljs_parse.mjs`` under node)
==========================  ===================================================

So when all six agree, the events are at the right instants by the IANA database
*and* the VTIMEZONEs in the file say the same thing as the database, as read by
four unrelated VTIMEZONE implementations.

Every parser refuses floating times and TZIDs without a VTIMEZONE in the file
(RFC 5545 3.2.19), so such exports fail loudly rather than shifting quietly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from tests.npm import NpmError, ensure_npm_package

HERE = Path(__file__).resolve().parent
LIBICAL_PYTHON = "/usr/bin/python3"
LIBICAL_SCRIPT = HERE / "libical_parse.py"
ICALJS_SCRIPT = HERE / "icaljs_parse.mjs"
SUBPROCESS_TIMEOUT = 60

# Wide enough for any trip; recurring_ical_events only reports what lies inside.
WINDOW = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class ParsedEvent:
    """One VEVENT as a parser understood it.

    ``start``/``end`` are aware UTC datetimes for timed events and plain dates for
    ``VALUE=DATE`` all-day events (``end`` exclusive).
    """

    uid: str
    start: datetime | date
    end: datetime | date
    summary: str
    status: str | None
    sequence: int | None


class ParserError(AssertionError):
    """A parser could not pin the file's events to instants (or failed outright)."""


def _sort_key(event: ParsedEvent) -> tuple[str, datetime]:
    start = event.start
    if not isinstance(start, datetime):
        start = datetime(start.year, start.month, start.day, tzinfo=UTC)
    return event.uid, start


def sort_events(events: list[ParsedEvent]) -> list[ParsedEvent]:
    """Events in the order every parser returns them: by UID, then start."""
    return sorted(events, key=_sort_key)


def _to_utc(value: datetime | date, parser: str, what: str) -> datetime | date:
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ParserError(f"{parser}: {what} is a floating time {value!r}")
    return value.astimezone(UTC)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


# --------------------------------------------------------------------- icalendar


def parse_icalendar(data: bytes) -> list[ParsedEvent]:
    """icalendar, converting with the VTIMEZONE written in the file.

    ``Calendar.from_ical`` attaches zoneinfo's ``Europe/Berlin`` to a
    ``TZID=Europe/Berlin`` value and ignores the file's VTIMEZONE for every name
    zoneinfo knows. That would hide a wrong VTIMEZONE, so we take only the wall
    time and TZID from the property and localise with a tzinfo that icalendar
    builds from the file's VTIMEZONE: ``Timezone.get_transitions()`` (icalendar's
    own RRULE/RDATE expansion) wrapped by its pytz provider. This deliberately
    avoids ``Timezone.to_tz()`` under the default provider, which hands the
    component to ``dateutil.tz.tzical`` -- the same code vobject uses.
    """
    from icalendar import Calendar
    from icalendar.timezone.pytz import PYTZ

    calendar = Calendar.from_ical(data)
    definitions = {vtz.tz_name: vtz for vtz in calendar.timezones}
    provider = PYTZ()
    zones: dict[str, object] = {}

    def zone(tzid: str):
        if tzid not in zones:
            if tzid not in definitions:
                raise ParserError(f"icalendar: TZID={tzid} has no VTIMEZONE in the file")
            zones[tzid] = provider.create_timezone(definitions[tzid])
        return zones[tzid]

    def instant(prop, what: str) -> datetime | date:
        value = prop.dt
        if not isinstance(value, datetime):
            return value
        tzid = prop.params.get("TZID")
        if tzid:
            return provider.localize(value.replace(tzinfo=None), zone(tzid)).astimezone(UTC)
        return _to_utc(value, "icalendar", what)

    events = []
    for vevent in calendar.walk("VEVENT"):
        uid = str(vevent["UID"])
        start = instant(vevent["DTSTART"], f"{uid} DTSTART")
        if "DTEND" in vevent:
            end = instant(vevent["DTEND"], f"{uid} DTEND")
        elif "DURATION" in vevent:
            end = start + vevent["DURATION"].dt
        else:
            end = start if isinstance(start, datetime) else start + timedelta(days=1)
        events.append(
            ParsedEvent(
                uid=uid,
                start=start,
                end=end,
                summary=str(vevent.get("SUMMARY", "")),
                status=_text(vevent.get("STATUS")),
                sequence=int(vevent["SEQUENCE"]) if "SEQUENCE" in vevent else None,
            )
        )
    return sort_events(events)


# ----------------------------------------------------------------------- vobject


def parse_vobject(data: bytes) -> list[ParsedEvent]:
    """vobject, which turns each VTIMEZONE in the file into a ``dateutil.tz.tzical`` zone.

    vobject keeps a process-wide TZID -> tzinfo map and never overwrites an entry,
    so a second file with another ``Europe/Berlin`` definition would silently use
    the first one (or pytz's, if some file used the TZID without a VTIMEZONE).
    We drop the file's TZIDs from that map before parsing and restore it after,
    so each file is read with its own definitions.
    """
    import vobject
    import vobject.icalendar as vical

    text = data.decode("utf-8")
    raw = vobject.readOne(text, transform=False)
    defined = {str(vtz.tzid.value) for vtz in raw.contents.get("vtimezone", [])}
    for vevent in raw.contents.get("vevent", []):
        for name in ("dtstart", "dtend"):
            for line in vevent.contents.get(name, []):
                tzid = line.params.get("TZID")
                if tzid and tzid[0] not in defined:
                    raise ParserError(f"vobject: TZID={tzid[0]} has no VTIMEZONE in the file")

    registry: dict = vars(vical)["__tzidMap"]
    saved = dict(registry)
    for tzid in defined:
        registry.pop(tzid, None)
    try:
        calendar = vobject.readOne(text)
    finally:
        registry.clear()
        registry.update(saved)

    events = []
    for vevent in calendar.contents.get("vevent", []):
        uid = str(vevent.uid.value)
        start = _to_utc(vevent.dtstart.value, "vobject", f"{uid} DTSTART")
        if "dtend" in vevent.contents:
            end = _to_utc(vevent.dtend.value, "vobject", f"{uid} DTEND")
        elif "duration" in vevent.contents:
            end = start + vevent.duration.value
        else:
            end = start if isinstance(start, datetime) else start + timedelta(days=1)
        contents = vevent.contents
        events.append(
            ParsedEvent(
                uid=uid,
                start=start,
                end=end,
                summary=str(vevent.summary.value) if "summary" in contents else "",
                status=str(vevent.status.value) if "status" in contents else None,
                sequence=int(vevent.sequence.value) if "sequence" in contents else None,
            )
        )
    return sort_events(events)


# -------------------------------------------------------------------------- ical


def parse_ical(data: bytes) -> list[ParsedEvent]:
    """The strict ``ical`` package (allenporter). Its validation errors propagate.

    For TZIDs that name an IANA zone it uses the zone database, not the file's
    VTIMEZONE; it still requires the file to be valid RFC 5545 (DTSTAMP, UID, ...).
    """
    from ical.calendar_stream import IcsCalendarStream

    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    events = []
    for event in calendar.events:
        uid = str(event.uid)
        status = event.status
        events.append(
            ParsedEvent(
                uid=uid,
                start=_to_utc(event.dtstart, "ical", f"{uid} DTSTART"),
                # .end derives DTEND from DURATION (or the start) when absent.
                end=_to_utc(event.end, "ical", f"{uid} DTEND"),
                summary=event.summary or "",
                status=None if status is None else str(getattr(status, "value", status)),
                sequence=event.sequence,
            )
        )
    return sort_events(events)


# --------------------------------------------------------- recurring_ical_events


def parse_recurring_ical_events(data: bytes) -> list[ParsedEvent]:
    """recurring-ical-events over 2000-2100: the occurrences a calendar view would show.

    It uses icalendar's default zone resolution (the IANA database by TZID name).
    A recurring VEVENT yields one ParsedEvent per occurrence.
    """
    import recurring_ical_events
    from icalendar import Calendar

    calendar = Calendar.from_ical(data)
    events = []
    for occurrence in recurring_ical_events.of(calendar).between(*WINDOW):
        uid = str(occurrence["UID"])
        events.append(
            ParsedEvent(
                uid=uid,
                start=_to_utc(occurrence.start, "recurring_ical_events", f"{uid} DTSTART"),
                end=_to_utc(occurrence.end, "recurring_ical_events", f"{uid} DTEND"),
                summary=str(occurrence.get("SUMMARY", "")),
                status=_text(occurrence.get("STATUS")),
                sequence=int(occurrence["SEQUENCE"]) if "SEQUENCE" in occurrence else None,
            )
        )
    return sort_events(events)


# ---------------------------------------------------------- subprocess parsers


def _from_json_time(value: dict | None, parser: str, uid: str, what: str) -> datetime | date:
    if value is None:
        raise ParserError(f"{parser}: {uid} has no usable {what}")
    if "date" in value:
        return date.fromisoformat(value["date"])
    return datetime.fromtimestamp(value["utc"], tz=UTC)


def _events_from_json(payload: dict, parser: str) -> list[ParsedEvent]:
    if payload.get("problems"):
        raise ParserError(f"{parser}: " + "; ".join(payload["problems"]))
    events = []
    for item in payload["events"]:
        uid = item["uid"]
        events.append(
            ParsedEvent(
                uid=uid,
                start=_from_json_time(item["start"], parser, uid, "DTSTART"),
                end=_from_json_time(item["end"], parser, uid, "DTEND"),
                summary=item["summary"] or "",
                status=item["status"],
                sequence=item["sequence"],
            )
        )
    return sort_events(events)


def _run(command: list[str], data: bytes, parser: str, env: dict[str, str] | None = None) -> dict:
    try:
        result = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=SUBPROCESS_TIMEOUT,
            cwd=HERE,
            env=env,
            check=False,
        )
    except FileNotFoundError as error:
        raise ParserError(f"{parser}: cannot start {command[0]}: {error}") from error
    if result.returncode != 0:
        raise ParserError(
            f"{parser}: {' '.join(command)} exited with {result.returncode}:\n" + result.stderr.decode("utf-8", "replace")
        )
    return json.loads(result.stdout)


@lru_cache(maxsize=64)
def _libical_payload(data: bytes) -> dict:
    # Debian's python3 must not see the venv: PYTHONPATH/PYTHONHOME from a venv
    # shell would shadow its gi bindings.
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    return _run([LIBICAL_PYTHON, str(LIBICAL_SCRIPT)], data, "libical", env)


def parse_libical(data: bytes) -> list[ParsedEvent]:
    """libical 3 through GObject introspection (``libical_parse.py``)."""
    return _events_from_json(_libical_payload(data), "libical")


def libical_restriction_errors(data: bytes) -> list[str]:
    """The X-LIC-ERROR properties libical leaves after ``i_cal_component_check_restrictions``.

    Parse errors libical recorded while reading the file are included. ``[]``
    means libical found nothing to complain about.
    """
    return list(_libical_payload(data)["restriction_errors"])


def ensure_node_modules() -> Path:
    """Install ical.js into ``tests/calendar/node_modules`` if it is missing; return that dir.

    The installation (``npm ci`` from the lock file, under a file lock) is
    ``tests.npm.ensure_npm_package``, shared with the browser tests' axe-core.
    """
    try:
        ensure_npm_package(HERE, "ical.js")
    except NpmError as error:
        raise ParserError(f"icaljs: {error}") from error
    return HERE


def parse_icaljs(data: bytes) -> list[ParsedEvent]:
    """ical.js under node (``icaljs_parse.mjs``), the parser inside Thunderbird."""
    ensure_node_modules()
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise ParserError("icaljs: node is not installed (apt-get install nodejs, see .ci/)")
    return _events_from_json(_run([node, str(ICALJS_SCRIPT)], data, "icaljs"), "icaljs")


# ----------------------------------------------------------------------- public


PARSERS: dict[str, Callable[[bytes], list[ParsedEvent]]] = {
    "icalendar": parse_icalendar,
    "vobject": parse_vobject,
    "ical": parse_ical,
    "recurring_ical_events": parse_recurring_ical_events,
    "libical": parse_libical,
    "icaljs": parse_icaljs,
}


def parse_all(data: bytes) -> dict[str, list[ParsedEvent]]:
    """Run every parser on ``data``; each list is sorted by (uid, start).

    A parser that fails raises; the exception names the parser.
    """
    results = {}
    for name, parse in PARSERS.items():
        try:
            results[name] = parse(data)
        except ParserError:
            raise
        except Exception as error:
            raise ParserError(f"{name} failed: {type(error).__name__}: {error}") from error
    return results


def disagreements(results: dict[str, list[ParsedEvent]], expected: list[ParsedEvent]) -> dict[str, str]:
    """Parsers whose reading differs from ``expected`` -> a readable account of the difference."""
    wanted = sort_events(list(expected))
    report = {}
    for name, events in results.items():
        if events != wanted:
            got = {(e.uid, _sort_key(e)[1]): e for e in events}
            want = {(e.uid, _sort_key(e)[1]): e for e in wanted}
            lines = [f"  missing  {want[k]}" for k in want.keys() - got.keys()]
            lines += [f"  extra    {got[k]}" for k in got.keys() - want.keys()]
            lines += [f"  differs  {got[k]}\n     want  {want[k]}" for k in got.keys() & want.keys() if got[k] != want[k]]
            report[name] = "\n".join(sorted(lines)) or f"  order/duplicates differ: {events}"
    return report


def assert_parsers_agree(data: bytes, expected: list[ParsedEvent]) -> dict[str, list[ParsedEvent]]:
    """Parse ``data`` with every parser and fail with a per-parser diff unless all read ``expected``."""
    results = parse_all(data)
    report = disagreements(results, expected)
    if report:
        raise AssertionError(
            "calendar parsers disagree with the expected events:\n"
            + "\n".join(f"{name}:\n{text}" for name, text in report.items())
        )
    return results
