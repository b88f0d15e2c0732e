"""The one place where local wall time and UTC instants are converted.

Instants are stored in UTC; every place has an IANA zone. Planners type the
wall time of the place, so conversion must be exact about the two awkward
cases of daylight saving time:

* a wall time inside the spring-forward gap does not exist (02:30 in
  Europe/Berlin on 31 March 2024) -> :class:`NonexistentLocalTime`;
* a wall time inside the fall-back overlap happens twice (02:30 in
  Europe/Berlin on 27 October 2024) -> :class:`AmbiguousLocalTime` unless the
  caller says which occurrence it means (``fold=0`` the first, summer-time
  one; ``fold=1`` the second).

``zoneinfo`` never raises for either case by itself; it silently picks an
offset. That silent pick is exactly what we must not do with a mayor's
programme, hence the explicit checks below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Dates outside these years are typing mistakes (and overflow date arithmetic near
# year 1 and 9999 in some zones): forms and imports refuse them.
FIRST_YEAR, LAST_YEAR = 1900, 2200


class TimeZoneError(ValueError):
    """Base class of the conversion errors; each carries what a form needs to explain it."""


class UnknownTimeZone(TimeZoneError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown time zone {name!r}")
        self.name = name


class NaiveDateTimeError(TimeZoneError):
    """A datetime without a UTC offset reached code that needs an instant."""


class NonexistentLocalTime(TimeZoneError):
    def __init__(self, wall: datetime, zone_name: str) -> None:
        super().__init__(f"{wall:%Y-%m-%d %H:%M} does not exist in {zone_name} (clocks skip it)")
        self.wall = wall
        self.zone_name = zone_name


class AmbiguousLocalTime(TimeZoneError):
    def __init__(self, wall: datetime, zone_name: str, earlier: datetime, later: datetime) -> None:
        super().__init__(f"{wall:%Y-%m-%d %H:%M} happens twice in {zone_name}; say which")
        self.wall = wall
        self.zone_name = zone_name
        self.earlier = earlier  # UTC instant of the first occurrence (fold=0)
        self.later = later  # UTC instant of the second occurrence (fold=1)


@cache
def get_zone(name: str) -> ZoneInfo:
    """Return the IANA zone called ``name`` or raise :class:`UnknownTimeZone`."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise UnknownTimeZone(str(name))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError/OSError: names such as "../etc" or with NUL bytes.
        raise UnknownTimeZone(name) from None


@lru_cache(maxsize=1)
def _tz_database() -> tuple[frozenset[str], dict[str, str]]:
    """The canonical zone names of the tz database and its links (alias -> zone).

    Read from the ``tzdata`` package we pin, not from the file system:
    ``zoneinfo`` happily opens any file under /usr/share/zoneinfo, including
    ``localtime`` (whatever /etc/localtime is on this server), ``posixrules``,
    ``Factory`` and the leap-second ``right/...`` copies, none of which is a
    place. Canonical are the zones of ``tzdata.zi`` (its ``Z`` lines, less
    ``Factory``) and every name of ``zone.tab``: since 2022 the tz database
    builds some country zones (Europe/Amsterdam, Europe/Oslo) as links to a
    neighbour, yet ``zone.tab`` still lists them as the zone of their country,
    and a planner must be able to choose them. ``UTC`` is accepted too. Backward
    links (``US/Eastern``, ``Asia/Calcutta``) are not canonical.
    """
    package = resources.files("tzdata") / "zoneinfo"
    zones: set[str] = set()
    links: dict[str, str] = {}
    for line in (package / "tzdata.zi").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "Z":
            zones.add(parts[1])
        elif len(parts) >= 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    for line in (package / "zone.tab").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if not line.startswith("#") and len(parts) >= 3:
            zones.add(parts[2])
    zones.discard("Factory")
    # "UTC" is a link to Etc/UTC in the database, but it is the name every program writes and
    # means exactly one offset, so it cannot put a time an hour off as the other aliases can.
    zones.add("UTC")
    return frozenset(zones), links


@lru_cache(maxsize=1)
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    # zone1970.tab lists each zone once with every country it covers (comma-separated codes);
    # zone.tab adds the country zones that are now links (Europe/Oslo), see _tz_database.
    package = resources.files("tzdata") / "zoneinfo"
    found: dict[str, list[str]] = {}
    for name in ("zone1970.tab", "zone.tab"):
        for line in (package / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("#") or len(parts) < 3:
                continue
            for code in parts[0].split(","):
                zones = found.setdefault(code, [])
                if parts[2] not in zones:
                    zones.append(parts[2])
    return {code: tuple(sorted(zones)) for code, zones in found.items()}


def zones_of_country(iso_code: str) -> tuple[str, ...]:
    """The zones the tz database gives for the country ``iso_code`` (ISO 3166 alpha-2), sorted; () if none."""
    return _zones_by_country().get(iso_code.upper(), ())


@lru_cache(maxsize=1)
def _country_by_zone() -> dict[str, str]:
    # zone.tab names one country per zone (its main one), where zone1970.tab lists every country a zone serves.
    package = resources.files("tzdata") / "zoneinfo"
    found: dict[str, str] = {}
    for line in (package / "zone.tab").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if not line.startswith("#") and len(parts) >= 3:
            found[parts[2]] = parts[0]
    return found


def country_of_zone(zone_name: str) -> str | None:
    """The country (ISO code) whose zone ``zone_name`` is in the tz database's zone.tab; None for UTC and the like.

    Asia/Seoul is KR's, Europe/Berlin DE's (zone.tab names one country per zone, the one it is named for).
    """
    return _country_by_zone().get(zone_name)


def canonical_zone_names() -> frozenset[str]:
    """Every zone name the planner accepts for a place (see :func:`_tz_database`)."""
    return _tz_database()[0]


def check_zone(name: str) -> ZoneInfo:
    """Return the zone called ``name`` if it is a canonical IANA name, else raise :class:`UnknownTimeZone`.

    Every write path (forms, the .ics and backup imports, the column type)
    checks with this; :func:`get_zone` stays lenient for reading what is stored.
    """
    if not isinstance(name, str) or name not in canonical_zone_names():
        raise UnknownTimeZone(str(name))
    return get_zone(name)


def canonical_zone(name: str) -> str | None:
    """``name`` if canonical, the zone a backward link such as ``US/Eastern`` stands for, else None.

    For names written by other programs (a TZID in an .ics file), where an
    old alias means exactly its zone.
    """
    if is_known_zone(name):
        return name
    target = _tz_database()[1].get(name)
    return target if target is not None and is_known_zone(target) else None


def is_known_zone(name: str) -> bool:
    """Whether ``name`` is a canonical IANA zone name (see :func:`check_zone`)."""
    try:
        check_zone(name)
    except UnknownTimeZone:
        return False
    return True


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Sorted canonical zone names of places, for select boxes (no ``Etc/GMT+5``, no ``EST5EDT``)."""
    return tuple(sorted(n for n in canonical_zone_names() if "/" in n and not n.startswith("Etc/")))


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` converted to UTC; refuse naive datetimes."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDateTimeError(f"naive datetime {value.isoformat()} has no UTC offset")
    return value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def today_in(zone_name: str, *, now: datetime | None = None) -> date:
    """The calendar day it is at ``zone_name`` (at ``now``, by default the present instant).

    "Today" depends on where: at 23:30 in Düsseldorf it is already tomorrow
    in Seoul, and the server's own clock may run in UTC or anywhere else.
    """
    return to_local(now or utc_now(), zone_name).date()


def to_utc(wall: datetime, zone_name: str, *, fold: int | None = None) -> datetime:
    """Convert a naive wall-clock time at ``zone_name`` to an aware UTC instant.

    ``fold`` resolves the fall-back overlap: ``None`` (the default) raises
    :class:`AmbiguousLocalTime`; 0 takes the first occurrence, 1 the second.
    Outside an overlap ``fold`` is ignored.
    """
    if wall.tzinfo is not None:
        raise TypeError("to_utc() takes a naive wall-clock time; it is already an instant")
    if fold not in (None, 0, 1):
        raise ValueError("fold must be None, 0 or 1")
    zone = get_zone(zone_name)
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    earlier, later = first.astimezone(UTC), second.astimezone(UTC)
    # Round trip: a wall time in the gap comes back as a different wall time.
    if earlier.astimezone(zone).replace(tzinfo=None) != wall and later.astimezone(zone).replace(tzinfo=None) != wall:
        raise NonexistentLocalTime(wall, zone_name)
    if earlier != later:
        if fold is None:
            raise AmbiguousLocalTime(wall, zone_name, earlier, later)
        return earlier if fold == 0 else later
    return earlier


@dataclass(frozen=True)
class WallTimeReading:
    """How a wall time from a calendar file was read under RFC 5545, 3.3.5 (see :func:`read_wall_time`)."""

    wall: datetime  # naive, as the file wrote it
    instant: datetime  # aware, UTC
    ambiguous: bool = False  # the wall time happens twice; the first occurrence was taken
    shifted_to: datetime | None = None  # the wall time does not exist; this (naive) one was taken instead

    @property
    def offset(self) -> timedelta:
        """The UTC offset the wall time was read with (after a gap: the offset before it)."""
        return self.wall - self.instant.replace(tzinfo=None)


def read_wall_time(wall: datetime, zone: str | tzinfo) -> WallTimeReading:
    """Read a wall time of a calendar file as RFC 5545, section 3.3.5 prescribes.

    Unlike :func:`to_utc` (for what planners type, where we ask), a file
    cannot be asked, and the RFC settles both awkward cases:

    * a wall time that happens twice (fall-back) is its *first* occurrence;
    * a wall time that does not exist (spring-forward gap) "is interpreted
      using the UTC offset before the gap", which moves it forward by the
      length of the gap (02:30 on 31 March 2024 in Berlin becomes 03:30 CEST).

    The result says which case applied, so the caller can tell the user.
    ``zone`` is an IANA name or a tzinfo (a zone a file defined itself); only
    the offsets the zone reports are used, so it works for zones that ignore
    ``fold`` too.
    """
    if wall.tzinfo is not None:
        raise TypeError("read_wall_time() takes a naive wall-clock time; it is already an instant")
    tz = get_zone(zone) if isinstance(zone, str) else zone
    # The offsets in force around this wall time: at both folds, and a day
    # either side (transitions are never closer together than that).
    probes = [wall.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)]
    probes += [(wall + step).replace(tzinfo=UTC) for step in (timedelta(days=-1), timedelta(days=1))]
    offsets = {offset for offset in (probe.astimezone(tz).utcoffset() for probe in probes) if offset is not None}
    readings = sorted((wall - offset).replace(tzinfo=UTC) for offset in offsets)
    valid = [instant for instant in readings if instant.astimezone(tz).replace(tzinfo=None) == wall]
    if valid:
        # Earliest instant = first occurrence (RFC 5545 3.3.5).
        return WallTimeReading(wall, valid[0], ambiguous=len(valid) > 1)
    # In the gap. Read with the largest offset, the wall time lies before the
    # jump, so the zone reports the offset in force before the gap there.
    before_gap = readings[0].astimezone(tz).utcoffset()
    assert before_gap is not None
    instant = (wall - before_gap).replace(tzinfo=UTC)
    return WallTimeReading(wall, instant, shifted_to=instant.astimezone(tz).replace(tzinfo=None))


def to_local(instant: datetime, zone_name: str) -> datetime:
    """Return the aware wall-clock time of ``instant`` at ``zone_name``."""
    return ensure_utc(instant).astimezone(get_zone(zone_name))


def is_ambiguous(instant: datetime, zone_name: str) -> bool:
    """Whether the wall time that ``instant`` shows at ``zone_name`` happens twice.

    Forms use it to pre-select the right occurrence when editing.
    """
    local = to_local(instant, zone_name)
    wall = local.replace(tzinfo=None)
    try:
        to_utc(wall, zone_name)
    except AmbiguousLocalTime:
        return True
    return False


def shows_unique_wall_time(instant: datetime, zone_name: str) -> bool:
    """Whether the wall time of ``instant`` at ``zone_name`` names this instant and no other.

    False inside a transition hour: in the repeated (fall-back) hour the
    same wall time names two instants; a wall time in the skipped
    (spring-forward) hour names none, so if conversion ever produced one it
    would not lead back here. Writers of wall times (the calendar export)
    use UTC for such instants instead.
    """
    wall = to_local(instant, zone_name).replace(tzinfo=None)
    try:
        return to_utc(wall, zone_name) == ensure_utc(instant)
    except (AmbiguousLocalTime, NonexistentLocalTime):
        return False


def utc_offset(instant: datetime, zone_name: str) -> timedelta:
    offset = to_local(instant, zone_name).utcoffset()
    assert offset is not None  # ZoneInfo always has an offset for an aware datetime
    return offset


def offset_between(instant: datetime, zone_name: str, home_zone_name: str) -> timedelta:
    """How far ``zone_name`` is ahead of ``home_zone_name`` at ``instant`` (e.g. Seoul vs. Düsseldorf: +7 h)."""
    return utc_offset(instant, zone_name) - utc_offset(instant, home_zone_name)


@dataclass(frozen=True)
class LocalDayBounds:
    start: datetime
    end: datetime


def local_day_bounds(day: date, zone_name: str) -> LocalDayBounds:
    """UTC instants at which the local calendar ``day`` begins and ends at ``zone_name``.

    Days are not always 24 hours long (23 or 25 around DST changes), and in a
    few zones midnight itself falls in a gap; then the day starts at the first
    instant that exists.
    """
    return LocalDayBounds(_start_of_day(day, zone_name), _start_of_day(day + timedelta(days=1), zone_name))


def _start_of_day(day: date, zone_name: str) -> datetime:
    wall = datetime.combine(day, time(0, 0))
    try:
        return to_utc(wall, zone_name, fold=0)
    except NonexistentLocalTime:
        # Midnight skipped: the day starts when the clocks jump, i.e. at the
        # instant the previous offset would call midnight.
        zone = get_zone(zone_name)
        return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
