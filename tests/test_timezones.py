"""The time-zone module: wall time <-> UTC, including both DST edges of 2024 in Europe/Berlin.

Expected instants are worked out by hand from the published rules
(CET = UTC+1, CEST = UTC+2, switching at 01:00 UTC on the last Sundays of
March and October; KST = UTC+9 and CST = UTC+8 all year).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from planner.timezones import (
    UTC,
    AmbiguousLocalTime,
    NaiveDateTimeError,
    NonexistentLocalTime,
    UnknownTimeZone,
    ensure_utc,
    get_zone,
    is_ambiguous,
    is_known_zone,
    local_day_bounds,
    offset_between,
    read_wall_time,
    shows_unique_wall_time,
    to_local,
    to_utc,
    today_in,
    zone_names,
)

BERLIN = "Europe/Berlin"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("wall", "zone", "expected"),
    [
        (datetime(2024, 10, 16, 9, 30), "Asia/Seoul", utc(2024, 10, 16, 0, 30)),
        (datetime(2024, 10, 17, 9, 30), "Asia/Shanghai", utc(2024, 10, 17, 1, 30)),
        (datetime(2024, 10, 13, 13, 40), BERLIN, utc(2024, 10, 13, 11, 40)),
        (datetime(2024, 1, 15, 12, 0), BERLIN, utc(2024, 1, 15, 11, 0)),
        # Just before and after the spring gap.
        (datetime(2024, 3, 31, 1, 59), BERLIN, utc(2024, 3, 31, 0, 59)),
        (datetime(2024, 3, 31, 3, 0), BERLIN, utc(2024, 3, 31, 1, 0)),
        # Just outside the autumn overlap.
        (datetime(2024, 10, 27, 1, 59), BERLIN, utc(2024, 10, 26, 23, 59)),
        (datetime(2024, 10, 27, 3, 0), BERLIN, utc(2024, 10, 27, 2, 0)),
    ],
)
def test_to_utc_unambiguous(wall: datetime, zone: str, expected: datetime) -> None:
    result = to_utc(wall, zone)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


@pytest.mark.parametrize("minute", [0, 1, 30, 59])
def test_spring_forward_gap_does_not_exist(minute: int) -> None:
    wall = datetime(2024, 3, 31, 2, minute)
    with pytest.raises(NonexistentLocalTime) as info:
        to_utc(wall, BERLIN)
    assert info.value.wall == wall
    assert info.value.zone_name == BERLIN
    # Choosing an occurrence does not make a non-existent time exist.
    for fold in (0, 1):
        with pytest.raises(NonexistentLocalTime):
            to_utc(wall, BERLIN, fold=fold)


@pytest.mark.parametrize("minute", [0, 30, 59])
def test_fall_back_overlap_is_ambiguous(minute: int) -> None:
    wall = datetime(2024, 10, 27, 2, minute)
    with pytest.raises(AmbiguousLocalTime) as info:
        to_utc(wall, BERLIN)
    # First occurrence still in summer time (UTC+2), second in winter time (UTC+1).
    assert info.value.earlier == utc(2024, 10, 27, 0, minute)
    assert info.value.later == utc(2024, 10, 27, 1, minute)
    assert to_utc(wall, BERLIN, fold=0) == info.value.earlier
    assert to_utc(wall, BERLIN, fold=1) == info.value.later


def test_is_ambiguous_tells_which_instants_share_a_wall_time() -> None:
    assert is_ambiguous(utc(2024, 10, 27, 0, 30), BERLIN)
    assert is_ambiguous(utc(2024, 10, 27, 1, 30), BERLIN)
    assert not is_ambiguous(utc(2024, 10, 27, 2, 30), BERLIN)
    assert not is_ambiguous(utc(2024, 10, 27, 0, 30), "Asia/Seoul")


def test_unique_wall_time_outside_transition_hours_only() -> None:
    # Both occurrences of 02:30 on 27 Oct, and the instants around the spring gap, which show 01:59 and 03:00.
    assert not shows_unique_wall_time(utc(2024, 10, 27, 0, 30), BERLIN)
    assert not shows_unique_wall_time(utc(2024, 10, 27, 1, 59), BERLIN)
    assert shows_unique_wall_time(utc(2024, 10, 27, 2, 0), BERLIN)
    assert shows_unique_wall_time(utc(2024, 10, 26, 23, 59), BERLIN)
    assert shows_unique_wall_time(utc(2024, 3, 31, 0, 59), BERLIN)
    assert shows_unique_wall_time(utc(2024, 3, 31, 1, 0), BERLIN)
    assert shows_unique_wall_time(utc(2024, 10, 27, 0, 30), "Asia/Seoul")


def test_round_trip_every_quarter_hour_of_2024_in_berlin() -> None:
    zone = get_zone(BERLIN)
    instant = utc(2024, 1, 1)
    seen_ambiguous = 0
    while instant.year == 2024:
        local = to_local(instant, BERLIN)
        assert local.tzinfo is zone
        wall = local.replace(tzinfo=None)
        try:
            back = to_utc(wall, BERLIN)
        except AmbiguousLocalTime as error:
            seen_ambiguous += 1
            back = error.earlier if local.fold == 0 else error.later
        assert back == instant
        instant += timedelta(minutes=15)
    # 02:00-02:59 on 27 Oct happens twice: 4 quarter hours, each seen twice.
    assert seen_ambiguous == 8


def test_to_utc_refuses_aware_input_and_bad_fold() -> None:
    with pytest.raises(TypeError):
        to_utc(datetime(2024, 10, 16, 9, 30, tzinfo=UTC), "Asia/Seoul")
    with pytest.raises(ValueError):
        to_utc(datetime(2024, 10, 16, 9, 30), "Asia/Seoul", fold=2)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", " Europe/Berlin", "../../etc/passwd", "Europe/Berlin\x00", "CEST"])
def test_unknown_zone(name: str) -> None:
    assert not is_known_zone(name)
    with pytest.raises(UnknownTimeZone):
        to_utc(datetime(2024, 10, 16, 9, 30), name)


def test_known_zones_for_select_boxes() -> None:
    names = zone_names()
    assert {"Europe/Berlin", "Asia/Seoul", "Asia/Shanghai"} <= set(names)
    assert list(names) == sorted(names)
    assert all(is_known_zone(n) for n in names[:50])


def test_ensure_utc() -> None:
    with pytest.raises(NaiveDateTimeError):
        ensure_utc(datetime(2024, 10, 16, 9, 30))
    with pytest.raises(TypeError):
        ensure_utc(date(2024, 10, 16))  # type: ignore[arg-type]
    seoul = datetime(2024, 10, 16, 9, 30, tzinfo=timezone(timedelta(hours=9)))
    assert ensure_utc(seoul) == utc(2024, 10, 16, 0, 30)
    assert ensure_utc(seoul).tzinfo is UTC


def test_offset_to_home_changes_with_berlin_dst() -> None:
    before = utc(2024, 10, 26, 12)
    after = utc(2024, 10, 28, 12)
    assert offset_between(before, "Asia/Seoul", BERLIN) == timedelta(hours=7)
    assert offset_between(after, "Asia/Seoul", BERLIN) == timedelta(hours=8)
    assert offset_between(before, "Asia/Shanghai", BERLIN) == timedelta(hours=6)


def test_local_day_bounds_follow_dst() -> None:
    short = local_day_bounds(date(2024, 3, 31), BERLIN)
    assert (short.start, short.end) == (utc(2024, 3, 30, 23), utc(2024, 3, 31, 22))
    assert short.end - short.start == timedelta(hours=23)
    long = local_day_bounds(date(2024, 10, 27), BERLIN)
    assert long.end - long.start == timedelta(hours=25)
    seoul = local_day_bounds(date(2024, 10, 16), "Asia/Seoul")
    assert seoul.start == utc(2024, 10, 15, 15)


def test_day_starting_inside_a_gap() -> None:
    # America/Santiago springs forward at midnight (00:00 -> 01:00) on 8 Sep 2024.
    bounds = local_day_bounds(date(2024, 9, 8), "America/Santiago")
    assert to_local(bounds.start, "America/Santiago").replace(tzinfo=None) == datetime(2024, 9, 8, 1, 0)
    assert bounds.end - bounds.start == timedelta(hours=23)


# -- calendar files: RFC 5545 3.3.5 instead of asking -------------------------------------


def test_read_wall_time_follows_rfc_5545() -> None:
    plain = read_wall_time(datetime(2024, 10, 15, 9, 0), "Europe/Berlin")
    assert (plain.instant, plain.ambiguous, plain.shifted_to) == (datetime(2024, 10, 15, 7, 0, tzinfo=UTC), False, None)

    twice = read_wall_time(datetime(2024, 10, 27, 2, 30), "Europe/Berlin")
    assert twice.ambiguous and twice.shifted_to is None
    assert twice.instant == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # the first occurrence, still CEST
    assert twice.offset == timedelta(hours=2)

    # In the gap: read with the offset before it (+01:00), i.e. moved forward by the gap's hour.
    skipped = read_wall_time(datetime(2024, 3, 31, 2, 30), "Europe/Berlin")
    assert not skipped.ambiguous
    assert skipped.instant == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert skipped.shifted_to == datetime(2024, 3, 31, 3, 30)

    # Lord Howe Island moves its clocks by half an hour.
    half = read_wall_time(datetime(2024, 10, 6, 2, 15), "Australia/Lord_Howe")
    assert half.shifted_to == datetime(2024, 10, 6, 2, 45)


def test_read_wall_time_takes_naive_wall_times_only() -> None:
    with pytest.raises(TypeError):
        read_wall_time(datetime(2024, 10, 15, 9, 0, tzinfo=UTC), "Europe/Berlin")


def test_today_depends_on_where() -> None:
    # 16:00 UTC on 15 Oct 2024: 18:00 in Düsseldorf (CEST), already 01:00 on the 16th in Seoul (KST).
    afternoon = utc(2024, 10, 15, 16)
    assert today_in(BERLIN, now=afternoon) == date(2024, 10, 15)
    assert today_in("Asia/Seoul", now=afternoon) == date(2024, 10, 16)
    # 22:30 UTC: past midnight in Düsseldorf, still the evening of the 15th in New York (EDT).
    late = utc(2024, 10, 15, 22, 30)
    assert today_in(BERLIN, now=late) == date(2024, 10, 16)
    assert today_in("America/New_York", now=late) == date(2024, 10, 15)
