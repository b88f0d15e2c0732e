"""VTIMEZONE components built from the IANA database, with RRULEs instead of RDATE lists.

Why not icalendar's own generator: it describes a zone's history as RDATE
lists. ical.js (Thunderbird) reads only the first RDATE value and Outlook
effectively ignores RDATE, so events after the first listed transition shift
by an hour there. Here every run of yearly transitions that follows one rule
("last Sunday of March at 02:00") becomes one observance with an RRULE; a
transition that follows no rule gets an observance of its own with a single
DTSTART. No RDATE is ever written.

The description covers a window around the calendar's events (from a year
before the first to a year after the last), which is all a client needs to
place them, and keeps the component small: it starts with the rule in
force at the window's start, not with the zone's history.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

from planner.timezones import UTC, get_zone

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    at: datetime  # UTC instant of the change
    offset_from: timedelta
    offset_to: timedelta
    is_dst: bool  # daylight saving time after the change
    name: str  # abbreviation after the change ("CEST")

    @property
    def onset(self) -> datetime:
        """The wall-clock time of the change, on the clock before it (RFC 5545 3.6.5)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def _state(zone_name: str, instant: datetime) -> tuple[timedelta, bool, str]:
    local = instant.astimezone(get_zone(zone_name))
    offset = local.utcoffset() or timedelta(0)
    dst = local.dst() or timedelta(0)
    return offset, dst != timedelta(0), local.tzname() or ""


def transitions(zone_name: str, start: datetime, end: datetime) -> list[Transition]:
    """Every change of UTC offset or DST flag at ``zone_name`` between two UTC instants."""
    found: list[Transition] = []
    step = timedelta(hours=12)
    before = _state(zone_name, start)
    cursor = start
    while cursor < end:
        following = min(cursor + step, end)
        after = _state(zone_name, following)
        if after[:2] != before[:2]:
            # Bisect to the second: transitions never come closer than 12 h apart.
            low, high = cursor, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _state(zone_name, middle)[:2] == before[:2]:
                    low = middle
                else:
                    high = middle
            found.append(Transition(high.replace(microsecond=0), before[0], after[0], after[1], after[2]))
        before = after
        cursor = following
    return found


def _position(day: int, year: int, month: int) -> tuple[int, bool]:
    """(n, is_last): the n-th such weekday of the month, and whether it is the last one."""
    return (day - 1) // 7 + 1, day + 7 > _calendar.monthrange(year, month)[1]


def _rule_key(t: Transition) -> tuple:
    onset = t.onset
    return (t.is_dst, t.offset_from, t.offset_to, t.name, onset.month, onset.weekday(), onset.time())


def _byday(group: list[Transition]) -> str | None:
    positions = [_position(t.onset.day, t.onset.year, t.onset.month) for t in group]
    weekday = _WEEKDAYS[group[0].onset.weekday()]
    if all(is_last for _n, is_last in positions):
        return f"-1{weekday}"
    if len({n for n, _is_last in positions}) == 1:
        return f"{positions[0][0]}{weekday}"
    return None


def _observance(t: Transition, rrule: dict | None = None) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if t.is_dst else TimezoneStandard()
    component.add("dtstart", t.onset)
    component.add("tzoffsetfrom", t.offset_from)
    component.add("tzoffsetto", t.offset_to)
    if t.name:
        component.add("tzname", t.name)
    if rrule:
        component.add("rrule", rrule)
    return component


def _split_into_runs(items: list[Transition]) -> list[list[Transition]]:
    """Split same-key transitions into runs of consecutive years following one BYDAY rule."""
    runs: list[list[Transition]] = []
    for t in items:
        run = runs[-1] if runs else None
        if run and t.onset.year == run[-1].onset.year + 1 and _byday([*run, t]) is not None:
            run.append(t)
        else:
            runs.append([t])
    return runs


# How far back to look for the transition that set the clock in force at the window's start.
# Zones with summer time change twice a year, so one year suffices for them; two leave room.
_LOOKBACK = timedelta(days=2 * 366)


def build_vtimezone(zone_name: str, first: datetime, last: datetime) -> Timezone:
    """A VTIMEZONE for ``zone_name`` valid for events between the UTC instants ``first`` and ``last``.

    A zone with a current summer-time rule gets exactly one STANDARD and one
    DAYLIGHT observance, each with its RRULE, as Microsoft's iCalendar
    profile (MS-OXCICAL) expects: Outlook reads the first STANDARD it finds,
    so a rule-less STANDARD for "the state before the first transition"
    would leave it without an end of summer. The rules start at the last
    transition before the window (which the zone really made), so every
    instant in the window already lies under one of them. Further
    observances appear only where the zone changed its rules within the
    window; a zone without transitions there has one STANDARD block.
    """
    window_start = datetime(first.year - 1, 1, 1, tzinfo=UTC)
    window_end = datetime(last.year + 2, 1, 1, tzinfo=UTC)
    changes = transitions(zone_name, window_start - _LOOKBACK, window_end)
    # Earlier transitions than the one in force at the window's start say nothing about the window.
    in_force = [i for i, t in enumerate(changes) if t.at <= window_start]
    if in_force:
        changes = changes[in_force[-1] :]

    zone = Timezone()
    zone.add("tzid", zone_name)
    if not changes or changes[0].at > window_start:
        # No transition in the look-back: the state at the window's start as an observance of its
        # own, so that any instant in the window has an observance before it.
        offset, is_dst, name = _state(zone_name, window_start)
        zone.add_component(_observance(Transition(window_start, offset, offset, is_dst, name)))

    by_key: dict[tuple, list[Transition]] = {}
    for t in changes:
        by_key.setdefault(_rule_key(t), []).append(t)
    last_year = window_end.year - 1
    for items in by_key.values():
        for run in _split_into_runs(items):
            head = run[0]
            if len(run) == 1:
                zone.add_component(_observance(head))
                continue
            rrule: dict = {"freq": "yearly", "bymonth": head.onset.month, "byday": _byday(run)}
            if run[-1].onset.year < last_year:
                # The rule ended inside the window (the zone changed its rules):
                # say so, or clients would keep applying it.
                rrule["until"] = run[-1].at
            zone.add_component(_observance(head, rrule))
    return zone
