"""Tests of the calendar interoperability harness itself (``tests/calendar/parsers.py``).

Hand-written ``.ics`` files with hand-computed UTC instants: if all six parsers
read them as expected, the harness can be trusted to judge the exporter. The
trap tests show that the harness notices the classic zone mistakes (RDATE lists,
a wrong or missing VTIMEZONE, floating times).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.calendar import parsers
from tests.calendar.parsers import (
    PARSERS,
    ParsedEvent,
    ParserError,
    assert_parsers_agree,
    libical_restriction_errors,
    parse_all,
    sort_events,
)

ALL = list(PARSERS)
# Parsers that convert with the VTIMEZONE written in the file; the others resolve
# the TZID by name in the IANA database.
READ_FILE_VTIMEZONE = {"icalendar", "vobject", "libical", "icaljs"}


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def ics(*parts: str) -> bytes:
    """A VCALENDAR around ``parts``, with CRLF line ends as RFC 5545 wants."""
    text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Delegation planner//harness test//EN\nCALSCALE:GREGORIAN\n"
    text += "".join(parts) + "END:VCALENDAR\n"
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def vevent(uid: str, dtstart: str, dtend: str, summary: str, status: str = "CONFIRMED", sequence: int = 0) -> str:
    return (
        "BEGIN:VEVENT\n"
        f"UID:{uid}\n"
        "DTSTAMP:20240901T120000Z\n"
        f"{dtstart}\n{dtend}\n"
        f"SUMMARY:{summary}\n"
        f"STATUS:{status}\n"
        f"SEQUENCE:{sequence}\n"
        "END:VEVENT\n"
    )


# Europe/Berlin the way RFC 5545's examples (and Thunderbird, Outlook) write it:
# one yearly rule per observance. Spring: 02:00 CET -> 03:00 CEST; autumn:
# 03:00 CEST -> 02:00 CET (DTSTART is the local time *before* the change).
BERLIN_RRULE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZNAME:CEST
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZNAME:CET
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""

# Korea has had no daylight saving time since 1988: one fixed observance.
SEOUL_FIXED = """BEGIN:VTIMEZONE
TZID:Asia/Seoul
BEGIN:STANDARD
TZNAME:KST
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE
"""

# The shape icalendar's Timezone.from_tzinfo() generates (here for 2022-2025; by
# default it covers 1970-2038): one DAYLIGHT and one STANDARD observance whose
# later transitions are a comma-separated RDATE list.
BERLIN_RDATE_LIST = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
COMMENT:This timezone only works from 2022-01-01 to 2026-01-01.
BEGIN:STANDARD
DTSTART:20220101T000000
TZNAME:CET
TZOFFSETFROM:+0100
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20220327T020000
RDATE:20230326T020000,20240331T020000,20250330T020000
TZNAME:CEST
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20221030T030000
RDATE:20231029T030000,20241027T030000,20251026T030000
TZNAME:CET
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
"""

# The same transitions with one value per RDATE property: the fix that keeps an
# RDATE-based zone readable by ical.js and vobject.
BERLIN_RDATE_SPLIT = BERLIN_RDATE_LIST.replace(
    "RDATE:20230326T020000,20240331T020000,20250330T020000",
    "RDATE:20230326T020000\nRDATE:20240331T020000\nRDATE:20250330T020000",
).replace(
    "RDATE:20231029T030000,20241027T030000,20251026T030000",
    "RDATE:20231029T030000\nRDATE:20241027T030000\nRDATE:20251026T030000",
)

# A deliberately wrong Europe/Berlin (+05:00 all year).
BERLIN_WRONG = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
TZNAME:XXX
TZOFFSETFROM:+0500
TZOFFSETTO:+0500
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE
"""

# Saturday before the autumn change (still CEST), Monday after it (CET), and
# the spring-forward morning just after the gap (CEST).
BERLIN_EVENTS = (
    vevent(
        "ber-sat@test",
        "DTSTART;TZID=Europe/Berlin:20241026T100000",
        "DTEND;TZID=Europe/Berlin:20241026T113000",
        "Vorbesprechung im Rathaus Düsseldorf",
        sequence=2,
    )
    + vevent(
        "ber-mon@test",
        "DTSTART;TZID=Europe/Berlin:20241028T100000",
        "DTEND;TZID=Europe/Berlin:20241028T110000",
        "Nachbereitung",
        status="TENTATIVE",
    )
    + vevent(
        "ber-spring@test",
        "DTSTART;TZID=Europe/Berlin:20240331T033000",
        "DTEND;TZID=Europe/Berlin:20240331T043000",
        "Frühe Abfahrt",
    )
)
BERLIN_EXPECTED = [
    ParsedEvent(
        "ber-sat@test", utc(2024, 10, 26, 8, 0), utc(2024, 10, 26, 9, 30), "Vorbesprechung im Rathaus Düsseldorf", "CONFIRMED", 2
    ),
    ParsedEvent("ber-mon@test", utc(2024, 10, 28, 9, 0), utc(2024, 10, 28, 10, 0), "Nachbereitung", "TENTATIVE", 0),
    ParsedEvent("ber-spring@test", utc(2024, 3, 31, 1, 30), utc(2024, 3, 31, 2, 30), "Frühe Abfahrt", "CONFIRMED", 0),
]

# The SUMMARY is folded (at an ASCII boundary, well under 75 octets), has an
# escaped comma and carries Hangul, so every parser has to unfold, unescape and
# decode UTF-8.
SEOUL_EVENT = (
    "BEGIN:VEVENT\n"
    "UID:seoul-city-hall@test\n"
    "DTSTAMP:20240901T120000Z\n"
    "DTSTART;TZID=Asia/Seoul:20241014T140000\n"
    "DTEND;TZID=Asia/Seoul:20241014T153000\n"
    "SUMMARY:Antrittsbesuch beim Bürgermeister\\, Rathaus Seoul\n"
    "  (서울특별시청)\n"
    "STATUS:TENTATIVE\n"
    "SEQUENCE:1\n"
    "END:VEVENT\n"
)
SEOUL_EXPECTED = [
    ParsedEvent(
        "seoul-city-hall@test",
        utc(2024, 10, 14, 5, 0),
        utc(2024, 10, 14, 6, 30),
        "Antrittsbesuch beim Bürgermeister, Rathaus Seoul (서울특별시청)",
        "TENTATIVE",
        1,
    ),
]

# Departs Frankfurt 13 Oct 2024 20:35 CEST (18:35Z), lands Incheon 14 Oct 15:05 KST (06:05Z).
JOURNEY_EVENT = vevent(
    "flight-fra-icn@test",
    "DTSTART;TZID=Europe/Berlin:20241013T203500",
    "DTEND;TZID=Asia/Seoul:20241014T150500",
    "Flug LH 712 Frankfurt – Seoul-Incheon",
)
JOURNEY_EXPECTED = [
    ParsedEvent(
        "flight-fra-icn@test",
        utc(2024, 10, 13, 18, 35),
        utc(2024, 10, 14, 6, 5),
        "Flug LH 712 Frankfurt – Seoul-Incheon",
        "CONFIRMED",
        0,
    ),
]

ALL_DAY_EVENT = vevent(
    "chongqing-day@test",
    "DTSTART;VALUE=DATE:20241017",
    "DTEND;VALUE=DATE:20241018",
    "Tag in Chongqing",
)
ALL_DAY_EXPECTED = [
    ParsedEvent("chongqing-day@test", date(2024, 10, 17), date(2024, 10, 18), "Tag in Chongqing", "CONFIRMED", 0),
]

UTC_EVENT = vevent(
    "video-call@test",
    "DTSTART:20241016T010000Z",
    "DTEND:20241016T023000Z",
    "Videokonferenz mit dem Büro",
    status="CANCELLED",
    sequence=3,
)
UTC_EXPECTED = [
    ParsedEvent(
        "video-call@test", utc(2024, 10, 16, 1, 0), utc(2024, 10, 16, 2, 30), "Videokonferenz mit dem Büro", "CANCELLED", 3
    ),
]

CASES = {
    "berlin-rrule-zone": (ics(BERLIN_RRULE, BERLIN_EVENTS), BERLIN_EXPECTED),
    "seoul-fixed-zone": (ics(SEOUL_FIXED, SEOUL_EVENT), SEOUL_EXPECTED),
    "journey-two-zones": (ics(BERLIN_RRULE, SEOUL_FIXED, JOURNEY_EVENT), JOURNEY_EXPECTED),
    "all-day": (ics(ALL_DAY_EVENT), ALL_DAY_EXPECTED),
    "utc": (ics(UTC_EVENT), UTC_EXPECTED),
}
WHOLE_TRIP = ics(BERLIN_RRULE, SEOUL_FIXED, BERLIN_EVENTS, SEOUL_EVENT, JOURNEY_EVENT, ALL_DAY_EVENT, UTC_EVENT)
WHOLE_TRIP_EXPECTED = BERLIN_EXPECTED + SEOUL_EXPECTED + JOURNEY_EXPECTED + ALL_DAY_EXPECTED + UTC_EXPECTED


@pytest.mark.parametrize("parser", ALL)
@pytest.mark.parametrize("case", CASES)
def test_parser_reads_hand_computed_instants(case: str, parser: str) -> None:
    data, expected = CASES[case]
    assert PARSERS[parser](data) == sort_events(expected)


def test_all_parsers_agree_on_a_whole_trip() -> None:
    results = assert_parsers_agree(WHOLE_TRIP, WHOLE_TRIP_EXPECTED)
    assert set(results) == {"icalendar", "vobject", "ical", "recurring_ical_events", "libical", "icaljs"}
    assert libical_restriction_errors(WHOLE_TRIP) == []


def test_parsed_times_are_utc_datetimes_or_plain_dates() -> None:
    for name, events in parse_all(WHOLE_TRIP).items():
        for event in events:
            for value in (event.start, event.end):
                if isinstance(value, datetime):
                    assert value.utcoffset() == timedelta(0), (name, event)
                else:
                    assert type(value) is date, (name, event)


def _start_of(events: list[ParsedEvent], uid: str) -> datetime:
    (event,) = [event for event in events if event.uid == uid]
    return event.start


def test_rdate_list_trap_is_caught() -> None:
    """The DESIGN.md trap: a comma-separated RDATE list shifts events by an hour.

    ical.js (Thunderbird) reads only the first value of each RDATE property, so
    it knows the 2023 transitions and none after: from 2023-10-29 on it stays
    in CET. vobject does the same (it keeps only the first RDATE value before
    handing the zone to dateutil). The others read every value.
    """
    results = parse_all(ics(BERLIN_RDATE_LIST, BERLIN_EVENTS))
    hour = timedelta(hours=1)
    first_rdate_only = {"icaljs", "vobject"}
    for name, events in results.items():
        shift = hour if name in first_rdate_only else timedelta(0)
        # 26 Oct (CEST) and 31 Mar 03:30 (CEST) are read as CET: one hour late.
        assert _start_of(events, "ber-sat@test") == utc(2024, 10, 26, 8, 0) + shift, name
        assert _start_of(events, "ber-spring@test") == utc(2024, 3, 31, 1, 30) + shift, name
        # 28 Oct is CET anyway, so it comes out right by luck.
        assert _start_of(events, "ber-mon@test") == utc(2024, 10, 28, 9, 0), name

    report = parsers.disagreements(results, BERLIN_EXPECTED)
    assert set(report) == first_rdate_only
    assert "ber-sat@test" in report["icaljs"]


def test_split_rdates_and_rrules_are_read_alike_by_all() -> None:
    assert_parsers_agree(ics(BERLIN_RDATE_SPLIT, BERLIN_EVENTS), BERLIN_EXPECTED)
    assert_parsers_agree(ics(BERLIN_RRULE, BERLIN_EVENTS), BERLIN_EXPECTED)


def test_wrong_vtimezone_is_caught() -> None:
    """Four parsers trust the file's VTIMEZONE, two the IANA database: a wrong zone splits them."""
    results = parse_all(ics(BERLIN_WRONG, BERLIN_EVENTS))
    for name, events in results.items():
        if name in READ_FILE_VTIMEZONE:
            assert _start_of(events, "ber-sat@test") == utc(2024, 10, 26, 5, 0), name
        else:
            assert events == sort_events(BERLIN_EXPECTED), name
    assert set(parsers.disagreements(results, BERLIN_EXPECTED)) == READ_FILE_VTIMEZONE


def test_each_file_is_read_with_its_own_vtimezone() -> None:
    """vobject caches zones per process; the harness must not let one file's zone leak into the next."""
    parse_all(ics(BERLIN_WRONG, BERLIN_EVENTS))
    assert_parsers_agree(ics(BERLIN_RRULE, BERLIN_EVENTS), BERLIN_EXPECTED)


def test_missing_vtimezone_fails() -> None:
    """A TZID without its VTIMEZONE breaks RFC 5545 3.2.19; the file-reading parsers refuse it."""
    data = ics(BERLIN_EVENTS)
    for name in READ_FILE_VTIMEZONE:
        with pytest.raises(ParserError, match="Europe/Berlin"):
            PARSERS[name](data)
    with pytest.raises(ParserError):
        parse_all(data)


@pytest.mark.parametrize("parser", ALL)
def test_floating_time_fails(parser: str) -> None:
    data = ics(vevent("floating@test", "DTSTART:20241014T140000", "DTEND:20241014T150000", "Ohne Zone"))
    with pytest.raises(ParserError, match="floating"):
        PARSERS[parser](data)


def test_strict_ical_package_rejects_invalid_events() -> None:
    data = ics(vevent("mixed@test", "DTSTART;VALUE=DATE:20241017", "DTEND:20241018T100000Z", "Gemischt"))
    with pytest.raises(ParserError, match="ical failed"):
        parse_all(data)


def test_unescaped_comma_in_summary_is_caught() -> None:
    """TEXT values must escape commas (RFC 5545 3.3.11); vobject cuts an unescaped SUMMARY there."""
    data = ics(vevent("comma@test", "DTSTART:20241016T010000Z", "DTEND:20241016T020000Z", "Empfang, Rathaus"))
    expected = [ParsedEvent("comma@test", utc(2024, 10, 16, 1), utc(2024, 10, 16, 2), "Empfang, Rathaus", "CONFIRMED", 0)]
    report = parsers.disagreements(parse_all(data), expected)
    assert set(report) == {"vobject"}
    assert "summary='Empfang'" in report["vobject"]


def test_restriction_checker_is_clean_for_valid_files() -> None:
    for data, _expected in CASES.values():
        assert libical_restriction_errors(data) == []


def test_restriction_checker_reports_two_dtstarts() -> None:
    data = ics(vevent("twice@test", "DTSTART:20241016T010000Z\nDTSTART:20241016T020000Z", "DTEND:20241016T030000Z", "Doppelt"))
    errors = libical_restriction_errors(data)
    assert errors, "libical should reject two DTSTARTs"
    assert any("DTSTART" in error for error in errors)


def test_restriction_checker_reports_dtend_with_duration() -> None:
    data = ics(vevent("both@test", "DTSTART:20241016T010000Z", "DTEND:20241016T020000Z\nDURATION:PT1H", "Beides"))
    errors = libical_restriction_errors(data)
    # libical 3.0 adds the same X-LIC-ERROR dozens of times; the harness lists it once.
    assert len(errors) == 1
    assert "DURATION and DTEND" in errors[0]


def test_restriction_checker_dtstamp_needs_method() -> None:
    """libical only applies the iTIP tables when the calendar has a METHOD.

    Without METHOD a VEVENT lacking DTSTAMP passes; with METHOD:PUBLISH both
    DTSTAMP and ORGANIZER are required (RFC 5546 3.2.1).
    """
    without_dtstamp = "BEGIN:VEVENT\nUID:nostamp@test\nDTSTART:20241016T010000Z\nDTEND:20241016T020000Z\nSUMMARY:x\nEND:VEVENT\n"
    assert libical_restriction_errors(ics(without_dtstamp)) == []
    errors = libical_restriction_errors(ics("METHOD:PUBLISH\n", without_dtstamp))
    assert any("DTSTAMP" in error for error in errors)
    assert any("ORGANIZER" in error for error in errors)
    published = ics("METHOD:PUBLISH\n", UTC_EVENT.replace("END:VEVENT", "ORGANIZER:mailto:buero@example.org\nEND:VEVENT"))
    assert libical_restriction_errors(published) == []


def test_restriction_checker_reports_parse_errors() -> None:
    data = ics(vevent("garbage@test", "DTSTART:nonsense", "DTEND:20241016T020000Z", "Kaputt"))
    assert any("DTSTART" in error for error in libical_restriction_errors(data))


def test_node_dependencies_are_pinned_without_registry_urls() -> None:
    here = parsers.ensure_node_modules()
    assert (here / "node_modules" / "ical.js" / "package.json").exists()
    manifest = json.loads((here / "package.json").read_text())
    version = manifest["dependencies"]["ical.js"]
    assert version[0].isdigit(), "pin an exact version"
    installed = json.loads((here / "node_modules" / "ical.js" / "package.json").read_text())
    assert installed["version"] == version
    lock = here / "package-lock.json"
    if lock.exists():
        assert "://" not in lock.read_text(), "the lock file must not record registry hosts"
