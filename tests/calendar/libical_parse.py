"""Read an iCalendar file on stdin with libical and print what libical sees, as JSON.

Run with Debian's ``/usr/bin/python3`` (python3-gi + gir1.2-ical-3.0); the project
venv cannot import ``gi``. ``tests/calendar/parsers.py`` drives this script; it is
not part of the application.

Output::

    {"events": [{"uid": ..., "start": {"utc": 1728882000} | {"date": "2024-10-17"},
                 "end": ..., "summary": ..., "status": ..., "sequence": ...}],
     "problems": ["..."],          # times libical could not pin to an instant
     "restriction_errors": ["..."]}  # X-LIC-ERROR after check_restrictions

Every instant is converted by libical itself: a TZID is resolved against the
VTIMEZONE components *in this file* (``i_cal_component_get_timezone`` on the
VCALENDAR, which does not fall back to libical's built-in zones) and turned into
a Unix time with ``i_cal_time_as_timet_with_zone``. Python only formats numbers.
"""

from __future__ import annotations

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

Kind = ICalGLib.ComponentKind
PropKind = ICalGLib.PropertyKind


def _children(component, kind=Kind.ANY_COMPONENT):
    child = component.get_first_component(kind)
    while child is not None:
        yield child
        child = component.get_next_component(kind)


def _properties(component, kind):
    prop = component.get_first_property(kind)
    while prop is not None:
        yield prop
        prop = component.get_next_property(kind)


def _walk(component):
    yield component
    for child in _children(component):
        yield from _walk(child)


def _time_value(calendar, prop, problems, uid, name):
    """Return {"utc": seconds} or {"date": "YYYY-MM-DD"} for a DTSTART/DTEND property."""
    value = prop.get_value()
    time = value.get_datetime() if value is not None else None
    if time is None or time.is_null_time():
        problems.append(f"{uid}: {name} has no DATE/DATE-TIME value")
        return None
    if time.is_date():
        return {"date": f"{time.get_year():04d}-{time.get_month():02d}-{time.get_day():02d}"}
    tzid = prop.get_parameter_as_string("TZID")
    if tzid:
        zone = calendar.get_timezone(tzid)
        if zone is None:
            problems.append(f"{uid}: {name} uses TZID={tzid} but the file has no such VTIMEZONE")
            return None
        return {"utc": int(time.as_timet_with_zone(zone))}
    if time.is_utc():
        return {"utc": int(time.as_timet_with_zone(ICalGLib.Timezone.get_utc_timezone()))}
    problems.append(f"{uid}: {name} is a floating time (no TZID, no Z)")
    return None


def _event(calendar, event, problems):
    uid = event.get_uid()
    starts = list(_properties(event, PropKind.DTSTART_PROPERTY))
    ends = list(_properties(event, PropKind.DTEND_PROPERTY))
    start = _time_value(calendar, starts[0], problems, uid, "DTSTART") if starts else None
    if start is None and not starts:
        problems.append(f"{uid}: no DTSTART")
    if ends:
        end = _time_value(calendar, ends[0], problems, uid, "DTEND")
    elif start is not None:
        # No DTEND: let libical derive it (DTSTART + DURATION), again with the
        # file's own zone attached by i_cal_component_get_dtend.
        derived = event.get_dtend()
        if derived is None or derived.is_null_time():
            end = None
            problems.append(f"{uid}: no DTEND and no DURATION")
        elif derived.is_date():
            end = {"date": f"{derived.get_year():04d}-{derived.get_month():02d}-{derived.get_day():02d}"}
        else:
            zone = derived.get_timezone() or ICalGLib.Timezone.get_utc_timezone()
            end = {"utc": int(derived.as_timet_with_zone(zone))}
    else:
        end = None
    statuses = list(_properties(event, PropKind.STATUS_PROPERTY))
    sequences = list(_properties(event, PropKind.SEQUENCE_PROPERTY))
    return {
        "uid": uid,
        "start": start,
        "end": end,
        "summary": event.get_summary(),
        "status": statuses[0].get_value_as_string() if statuses else None,
        "sequence": int(sequences[0].get_sequence()) if sequences else None,
    }


def _restriction_errors(calendar):
    """Run libical's restriction checker and collect every X-LIC-ERROR it (or the parser) left."""
    calendar.check_restrictions()
    errors = []
    for component in _walk(calendar):
        kind = ICalGLib.Component.kind_to_string(component.isa())
        for prop in _properties(component, PropKind.XLICERROR_PROPERTY):
            error_type = "ERROR"
            parameter = prop.get_first_parameter(ICalGLib.ParameterKind.XLICERRORTYPE_PARAMETER)
            if parameter is not None:
                # "X-LIC-ERRORTYPE=INVALID-ITIP" -> "INVALID-ITIP"
                error_type = parameter.as_ical_string().partition("=")[2] or error_type
            message = f"{kind}: {error_type}: {prop.get_xlicerror()}"
            # libical 3.0 repeats some restriction errors dozens of times.
            if message not in errors:
                errors.append(message)
    return errors


def main() -> int:
    text = sys.stdin.buffer.read().decode("utf-8")
    calendar = ICalGLib.Component.new_from_string(text)
    if calendar is None or calendar.isa() != Kind.VCALENDAR_COMPONENT:
        print(
            json.dumps(
                {
                    "events": [],
                    "problems": ["libical could not parse a VCALENDAR"],
                    "restriction_errors": ["VCALENDAR: PARSE-ERROR: not a VCALENDAR"],
                }
            )
        )
        return 0
    problems: list[str] = []
    events = [_event(calendar, event, problems) for event in _children(calendar, Kind.VEVENT_COMPONENT)]
    # The check mutates the tree (adds X-LIC-ERROR), so it runs after reading the events.
    errors = _restriction_errors(calendar)
    print(json.dumps({"events": events, "problems": problems, "restriction_errors": errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
