"""Importing .ics files: good files, re-imports, time-zone isolation and many kinds of bad file.

Every test runs on the real database (``app_ctx``). A rejected file must leave
the database exactly as it was, so the bad-file tests compare a full snapshot
of the affected tables before and after, having committed whatever the
session held after the failure (the worst a careless caller could do).
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from icalendar.timezone import tzp

from planner.calendar import import_operations, importing
from planner.calendar.export import Scope, calendar_request
from planner.calendar.ical import build_calendar
from planner.calendar.importing import (
    MAX_BYTES,
    MAX_ITEMS,
    ImportRejected,
    apply_import,
    import_ics,
    parse_for_delegation,
    parse_ics,
    plan_import,
    zone_lookups,
)
from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    ChangeRecord,
    Delegation,
    ItemStatus,
    Journey,
    JourneyMode,
    Leg,
    Member,
    PendingImport,
    Person,
    Visibility,
)
from planner.timezones import UTC, local_day_bounds, to_utc
from tests.conftest import make_appointment, make_city, make_delegation, make_user

pytestmark = pytest.mark.usefixtures("app_ctx")

FILES = Path(__file__).parent / "files"
EXISTING_APPOINTMENT = "existing-appointment@planner.test"
EXISTING_JOURNEY = "existing-journey@planner.test"
FOREIGN_UID = "foreign-appointment@other-trip.test"


# -- building files ------------------------------------------------------------


def calendar(*parts: str, header: str = "") -> bytes:
    """A VCALENDAR around ``parts`` (events, time zones), CRLF line endings."""
    body = "".join(parts)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Planner tests//DE\r\n{header}{body}END:VCALENDAR\r\n".encode()


def event(uid: str = "event-1@test", summary: str = "Termin", *lines: str, start: str | None = None) -> str:
    """A VEVENT; without explicit DTSTART/DTEND lines one hour in Seoul on 15 Oct 2024."""
    props = [f"UID:{uid}"] if uid is not None else []
    if summary is not None:
        props.append(f"SUMMARY:{summary}")
    if not any(line.startswith(("DTSTART", "DTEND", "DURATION")) for line in lines) and start is None:
        props += ["DTSTART;TZID=Asia/Seoul:20241015T090000", "DTEND;TZID=Asia/Seoul:20241015T100000"]
    props += lines
    return "BEGIN:VEVENT\r\n" + "".join(p + "\r\n" for p in props) + "END:VEVENT\r\n"


def vtimezone(tzid: str, *observances: tuple[str, str, str, str, str | None]) -> str:
    """A VTIMEZONE; each observance is (kind, dtstart, offset_from, offset_to, rrule)."""
    text = f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n"
    for kind, dtstart, offset_from, offset_to, rrule in observances:
        text += f"BEGIN:{kind}\r\nDTSTART:{dtstart}\r\nTZOFFSETFROM:{offset_from}\r\nTZOFFSETTO:{offset_to}\r\n"
        if rrule:
            text += f"RRULE:{rrule}\r\n"
        text += f"END:{kind}\r\n"
    return text + "END:VTIMEZONE\r\n"


def fixed_vtimezone(tzid: str, offset: str) -> str:
    return vtimezone(tzid, ("STANDARD", "19700101T000000", offset, offset, None))


def berlin_like_vtimezone(tzid: str) -> str:
    # The rules Outlook writes for "W. Europe Standard Time".
    return vtimezone(
        tzid,
        ("STANDARD", "16011028T030000", "+0200", "+0100", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
        ("DAYLIGHT", "16010325T020000", "+0100", "+0200", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- the trip and its database state ---------------------------------------------


@dataclass
class Trip:
    delegation: Delegation
    other: Delegation
    appointment_id: int
    journey_id: int


@pytest.fixture
def trip() -> Trip:
    """Düsseldorf -> Seoul (14-17 Oct 2024) -> Chongqing (17-20 Oct), with one row of each kind.

    A second delegation owns FOREIGN_UID, which no import into the first may touch.
    """
    home = make_city("Düsseldorf", "Europe/Berlin", "DE")
    seoul = make_city("Seoul", "Asia/Seoul", "KR")
    chongqing = make_city("Chongqing", "Asia/Shanghai", "CN")
    delegation = make_delegation(home)
    db.session.add_all(
        [
            Leg(
                delegation=delegation,
                city=seoul,
                arrive_at=to_utc(datetime(2024, 10, 14, 8, 55), "Asia/Seoul"),
                depart_at=to_utc(datetime(2024, 10, 17, 10, 15), "Asia/Seoul"),
            ),
            Leg(
                delegation=delegation,
                city=chongqing,
                arrive_at=to_utc(datetime(2024, 10, 17, 12, 30), "Asia/Shanghai"),
                depart_at=to_utc(datetime(2024, 10, 20, 11, 0), "Asia/Shanghai"),
            ),
        ]
    )
    appointment = make_appointment(
        delegation, datetime(2024, 10, 16, 14, 0), title="Besuch Rathaus Seoul", uid=EXISTING_APPOINTMENT
    )
    journey = Journey(
        delegation=delegation,
        uid=EXISTING_JOURNEY,
        mode=JourneyMode.TRAIN,
        departure_place="Chongqing Nord",
        arrival_place="Chengdu Ost",
        depart_at=to_utc(datetime(2024, 10, 19, 8, 0), "Asia/Shanghai"),
        arrive_at=to_utc(datetime(2024, 10, 19, 9, 30), "Asia/Shanghai"),
        departure_timezone="Asia/Shanghai",
        arrival_timezone="Asia/Shanghai",
    )
    db.session.add(journey)
    other = make_delegation(home, title="Andere Reise")
    make_appointment(other, datetime(2024, 11, 5, 10, 0), zone="Europe/Berlin", uid=FOREIGN_UID, title="Fremder Termin")
    db.session.commit()
    return Trip(delegation, other, appointment.id, journey.id)


def snapshot(*, expire: bool = True) -> dict[str, list[tuple]]:
    """Every row of the tables an import could touch, straight from the database.

    ``expire=False`` leaves the session's loaded objects as they are (a test that needs one stale).
    """
    if expire:
        db.session.expire_all()
    tables = (Appointment.__table__, Journey.__table__, Delegation.__table__, Leg.__table__)
    return {t.name: [tuple(row) for row in db.session.execute(sa.select(t).order_by(t.c.id))] for t in tables}


def appointment_by_uid(uid: str) -> Appointment:
    return db.session.scalars(sa.select(Appointment).where(Appointment.uid == uid)).one()


def journey_by_uid(uid: str) -> Journey:
    return db.session.scalars(sa.select(Journey).where(Journey.uid == uid)).one()


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def seoul_only(_wall: datetime) -> str:
    return "Asia/Seoul"


# -- good files --------------------------------------------------------------------


def test_travel_agency_flight_becomes_a_journey_of_12h15(trip: Trip) -> None:
    counts = import_ics(db.session, trip.delegation, (FILES / "travel-agency-booking.ics").read_bytes())
    db.session.commit()
    assert counts == {"created": 3, "updated": 0, "unchanged": 0}

    flight = journey_by_uid("K7QX2M-1@buchung.reisebuero.example")
    assert flight.delegation_id == trip.delegation.id
    assert flight.depart_at == utc(2024, 10, 13, 11, 40)  # 13:40 CEST
    assert flight.arrive_at == utc(2024, 10, 13, 23, 55)  # 08:55 KST next day
    assert flight.arrive_at - flight.depart_at == timedelta(hours=12, minutes=15)
    assert (flight.departure_timezone, flight.arrival_timezone) == ("Europe/Berlin", "Asia/Seoul")
    assert flight.mode == JourneyMode.FLIGHT
    assert flight.number == "LH 712"
    assert flight.departure_place == "Flughafen Düsseldorf (DUS)"
    assert flight.arrival_place == "Seoul Incheon (ICN)"
    assert flight.status == ItemStatus.CONFIRMED
    assert flight.notes.splitlines() == [
        "Buchungscode K7QX2M (Beispieldaten, keine echte Buchung)",
        "Bitte 2 Stunden vor Abflug am Schalter sein.",  # folded line joined
        "Freigepäck: 1 x 23 kg",
    ]

    onward = journey_by_uid("K7QX2M-2@buchung.reisebuero.example")
    assert (onward.departure_timezone, onward.arrival_timezone) == ("Asia/Seoul", "Asia/Shanghai")
    assert onward.arrive_at - onward.depart_at == timedelta(hours=3, minutes=15)

    check_in = appointment_by_uid("K7QX2M-3@buchung.reisebuero.example")
    assert check_in.title == "Hotel Check-in"
    assert check_in.kind == AppointmentKind.OTHER
    assert check_in.status == ItemStatus.TENTATIVE  # no STATUS in the file
    assert check_in.timezone == "Asia/Seoul"
    assert check_in.start_at == utc(2024, 10, 14, 6, 0)
    assert check_in.venue == "Beispielhotel Seoul, 30 Eulji-ro, Jung-gu, Seoul"
    assert check_in.city_id is None


def test_utc_time_is_exact_and_shown_in_the_legs_zone(trip: Trip) -> None:
    data = calendar(event("utc@test", "Frühstück", "DTSTART:20241015T230000Z", "DTEND:20241016T000000Z"))
    (item,) = parse_for_delegation(trip.delegation, data)
    assert (item.start, item.end) == (utc(2024, 10, 15, 23), utc(2024, 10, 16, 0))
    assert item.start_zone == item.end_zone == "Asia/Seoul"  # 08:00 on 16 Oct in Seoul
    assert not item.floating and not item.is_journey

    (before_trip,) = parse_for_delegation(
        trip.delegation, calendar(event("utc2@test", "Vorbereitung", "DTSTART:20241010T080000Z", "DTEND:20241010T090000Z"))
    )
    assert before_trip.start_zone == "Europe/Berlin"  # home, before the first leg


def test_floating_time_takes_the_legs_zone_and_is_flagged(trip: Trip) -> None:
    data = calendar(
        event("floating-seoul@test", "Arbeitsfrühstück", "DTSTART:20241015T090000", "DTEND:20241015T100000"),
        event("floating-chongqing@test", "Empfang", "DTSTART:20241018T190000", "DTEND:20241018T210000"),
        event("floating-home@test", "Abschlussbericht", "DTSTART:20241022T090000", "DTEND:20241022T100000"),
        # Arrival day in Seoul, before the plane lands: still the Seoul day.
        event("floating-arrival@test", "Transfer", "DTSTART:20241014T080000", "DTEND:20241014T083000"),
    )
    items = {item.uid: item for item in parse_for_delegation(trip.delegation, data)}
    assert all(item.floating for item in items.values())
    assert items["floating-seoul@test"].start_zone == "Asia/Seoul"
    assert items["floating-seoul@test"].start == utc(2024, 10, 15, 0, 0)
    assert items["floating-chongqing@test"].start_zone == "Asia/Shanghai"
    assert items["floating-chongqing@test"].start == utc(2024, 10, 18, 11, 0)
    assert items["floating-home@test"].start_zone == "Europe/Berlin"
    assert items["floating-home@test"].start == utc(2024, 10, 22, 7, 0)
    assert items["floating-arrival@test"].start_zone == "Asia/Seoul"

    import_ics(db.session, trip.delegation, data)
    db.session.commit()
    stored = appointment_by_uid("floating-seoul@test")
    assert (stored.timezone, stored.start_at, stored.end_at) == ("Asia/Seoul", utc(2024, 10, 15, 0), utc(2024, 10, 15, 1))


def test_all_day_events_span_local_midnights(trip: Trip) -> None:
    data = calendar(
        event("allday-1@test", "Chuseok-Nachfeier", "DTSTART;VALUE=DATE:20241015", "DTEND;VALUE=DATE:20241016"),
        event("allday-2@test", "Messe", "DTSTART;VALUE=DATE:20241018", "DTEND;VALUE=DATE:20241020"),
        event("allday-3@test", "Ohne Ende", "DTSTART;VALUE=DATE:20241016"),
        event("allday-4@test", "Mit Dauer", "DTSTART;VALUE=DATE:20241015", "DURATION:P2D"),
    )
    counts = import_ics(db.session, trip.delegation, data)
    db.session.commit()
    assert counts["created"] == 4
    one = appointment_by_uid("allday-1@test")
    assert one.all_day and one.timezone == "Asia/Seoul"
    assert (one.start_at, one.end_at) == (utc(2024, 10, 14, 15), utc(2024, 10, 15, 15))
    fair = appointment_by_uid("allday-2@test")
    assert fair.timezone == "Asia/Shanghai"
    assert (fair.start_at, fair.end_at) == (utc(2024, 10, 17, 16), utc(2024, 10, 19, 16))
    assert appointment_by_uid("allday-3@test").end_at - appointment_by_uid("allday-3@test").start_at == timedelta(days=1)
    assert appointment_by_uid("allday-4@test").end_at == utc(2024, 10, 16, 15)
    (item,) = parse_for_delegation(trip.delegation, calendar(event("allday-3@test", "x", "DTSTART;VALUE=DATE:20241016")))
    assert item.all_day and item.end_assumed and not item.floating


def test_cancelled_event_keeps_its_status(trip: Trip) -> None:
    import_ics(db.session, trip.delegation, calendar(event("cancel@test", "Abgesagtes Treffen", "STATUS:CANCELLED")))
    db.session.commit()
    assert appointment_by_uid("cancel@test").status == ItemStatus.CANCELLED


def test_method_cancel_cancels_every_event(trip: Trip) -> None:
    items = parse_for_delegation(trip.delegation, calendar(event("m@test", "Storniert"), header="METHOD:CANCEL\r\n"))
    assert items[0].status == ItemStatus.CANCELLED and items[0].status_explicit


def test_real_vtimezone_for_europe_berlin(trip: Trip) -> None:
    data = calendar(
        berlin_like_vtimezone("Europe/Berlin"),
        event("summer@test", "Sommer", "DTSTART;TZID=Europe/Berlin:20240701T090000", "DTEND;TZID=Europe/Berlin:20240701T100000"),
        event("winter@test", "Winter", "DTSTART;TZID=Europe/Berlin:20241201T090000", "DTEND;TZID=Europe/Berlin:20241201T100000"),
    )
    summer, winter = parse_for_delegation(trip.delegation, data)
    assert summer.start == utc(2024, 7, 1, 7) and winter.start == utc(2024, 12, 1, 8)
    assert summer.start_zone == winter.start_zone == "Europe/Berlin"
    assert summer.source_tzids == ()


def test_vtimezone_after_the_events_is_found(trip: Trip) -> None:
    data = calendar(
        event("late@test", "Vorwärtsverweis", "DTSTART;TZID=Büro Seoul:20241015T090000", "DTEND;TZID=Büro Seoul:20241015T100000"),
        fixed_vtimezone("Büro Seoul", "+0900"),
    )
    (item,) = parse_for_delegation(trip.delegation, data)
    assert item.start == utc(2024, 10, 15, 0)


def test_outlook_windows_zone_names(trip: Trip) -> None:
    counts = import_ics(db.session, trip.delegation, (FILES / "outlook-windows-zones.ics").read_bytes())
    db.session.commit()
    assert counts["created"] == 2
    briefing = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Vorbesprechung Delegationsreise")).one()
    assert briefing.timezone == "Europe/Berlin"
    assert (briefing.start_at, briefing.end_at) == (utc(2024, 10, 10, 8, 0), utc(2024, 10, 10, 9, 30))
    assert briefing.notes == "Vorbesprechung im Rathaus, Raum 2.14"
    visit = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Unternehmensbesuch (Beispiel)")).one()
    assert (visit.timezone, visit.start_at) == ("Asia/Seoul", utc(2024, 10, 16, 0, 30))
    assert visit.notes is None  # Outlook's empty "\n" description
    items = parse_for_delegation(trip.delegation, (FILES / "outlook-windows-zones.ics").read_bytes())
    assert items[0].source_tzids == ("W. Europe Standard Time",)


def test_custom_tzid_is_computed_from_the_files_vtimezone(trip: Trip) -> None:
    data = calendar(
        berlin_like_vtimezone("Mitteleuropa (Büro)"),
        fixed_vtimezone("Customized Time Zone", "+0900"),
        fixed_vtimezone("Odd Zone", "+0500"),
        event("c-summer@test", "Sommer", "DTSTART;TZID=Mitteleuropa (Büro):20240701T090000", "DURATION:PT1H"),
        event("c-winter@test", "Winter", "DTSTART;TZID=Mitteleuropa (Büro):20241201T090000", "DURATION:PT1H"),
        # Autumn fall-back: 02:30 happens twice; RFC 5545 means the first (CEST).
        event("c-twice@test", "Doppelt", "DTSTART;TZID=Mitteleuropa (Büro):20241027T023000", "DURATION:PT30M"),
        event(
            "c-seoul@test",
            "Seoul",
            "DTSTART;TZID=Customized Time Zone:20241015T090000",
            "DTEND;TZID=Customized Time Zone:20241015T100000",
        ),
        event("c-odd@test", "Anderswo", "DTSTART;TZID=Odd Zone:20241015T090000", "DTEND;TZID=Odd Zone:20241015T100000"),
    )
    items = {item.uid: item for item in parse_for_delegation(trip.delegation, data)}
    assert items["c-summer@test"].start == utc(2024, 7, 1, 7)
    assert items["c-winter@test"].start == utc(2024, 12, 1, 8)
    assert items["c-twice@test"].start == utc(2024, 10, 27, 0, 30)
    # Stored in a real zone: the home zone agrees with the file's offsets ...
    assert items["c-summer@test"].start_zone == items["c-winter@test"].start_zone == "Europe/Berlin"
    assert items["c-summer@test"].source_tzids == ("Mitteleuropa (Büro)",)
    # ... the Seoul leg's zone agrees with +09:00 on 15 October ...
    seoul = items["c-seoul@test"]
    assert (seoul.start, seoul.start_zone, seoul.end_zone, seoul.is_journey) == (
        utc(2024, 10, 15, 0),
        "Asia/Seoul",
        "Asia/Seoul",
        False,
    )
    # ... and an offset no leg has falls back to a fixed-offset zone.
    odd = items["c-odd@test"]
    assert (odd.start, odd.start_zone) == (utc(2024, 10, 15, 4), "Etc/GMT-5")
    counts = import_ics(db.session, trip.delegation, data)
    db.session.commit()
    assert counts["created"] == 5
    assert appointment_by_uid("c-odd@test").timezone == "Etc/GMT-5"


def test_ambiguous_wall_time_means_the_first_occurrence(trip: Trip) -> None:
    data = calendar(event("twice@test", "Zweimal", "DTSTART;TZID=Europe/Berlin:20241027T023000", "DURATION:PT30M"))
    (item,) = parse_for_delegation(trip.delegation, data)
    assert item.start == utc(2024, 10, 27, 0, 30)  # 02:30 CEST, not 02:30 CET
    (note,) = item.time_notes
    assert note.message() == (
        "Den Beginn am 27.10.2024 um 02:30 (Europe/Berlin) gibt es wegen der Zeitumstellung zweimal. "
        "Übernommen wurde das erste Mal (UTC+2), wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt. Bitte prüfen."
    )
    with force_locale("en"):
        assert note.message() == (
            "The start on 27.10.2024 at 02:30 (Europe/Berlin) happens twice because the clocks go back. "
            "The first occurrence (UTC+2) was taken, as RFC 5545 (section 3.3.5) prescribes. Please check."
        )


def test_ambiguous_end_is_explained_too(trip: Trip) -> None:
    data = calendar(
        event(
            "end-twice@test",
            "Ende zweimal",
            "DTSTART;TZID=Europe/Berlin:20241027T013000",
            "DTEND;TZID=Europe/Berlin:20241027T023000",
        )
    )
    (item,) = parse_for_delegation(trip.delegation, data)
    assert item.end == utc(2024, 10, 27, 0, 30)
    (note,) = item.time_notes
    assert note.message().startswith("Das Ende am 27.10.2024 um 02:30 (Europe/Berlin) gibt es wegen der Zeitumstellung zweimal.")
    with force_locale("en"):
        assert note.message().startswith("The end on 27.10.2024 at 02:30 (Europe/Berlin) happens twice")


@pytest.mark.parametrize(
    ("lines", "start", "end", "german", "english"),
    [
        (
            ("DTSTART;TZID=Europe/Berlin:20240331T023000", "DURATION:PT1H"),
            utc(2024, 3, 31, 1, 30),  # 03:30 CEST: 02:30 read with the offset before the gap (+01:00)
            utc(2024, 3, 31, 2, 30),
            "Den Beginn am 31.03.2024 um 02:30 (Europe/Berlin) gibt es wegen der Zeitumstellung nicht. "
            "Wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt, wurde er um die Länge der Lücke (60 Minuten) "
            "auf 03:30 Uhr verschoben. Bitte prüfen.",
            "The start on 31.03.2024 at 02:30 (Europe/Berlin) does not exist because the clocks go forward. "
            "As RFC 5545 (section 3.3.5) prescribes, it was moved forward by the length of the gap (60 minutes) "
            "to 03:30. Please check.",
        ),
        (
            ("DTSTART;TZID=Europe/Berlin:20240331T013000", "DTEND;TZID=Europe/Berlin:20240331T023000"),
            utc(2024, 3, 31, 0, 30),
            utc(2024, 3, 31, 1, 30),  # 03:30 CEST
            "Das Ende am 31.03.2024 um 02:30 (Europe/Berlin) gibt es wegen der Zeitumstellung nicht. "
            "Wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt, wurde es um die Länge der Lücke (60 Minuten) "
            "auf 03:30 Uhr verschoben. Bitte prüfen.",
            "The end on 31.03.2024 at 02:30 (Europe/Berlin) does not exist because the clocks go forward. "
            "As RFC 5545 (section 3.3.5) prescribes, it was moved forward by the length of the gap (60 minutes) "
            "to 03:30. Please check.",
        ),
        (
            ("DTSTART;TZID=Büro:20240331T023000", "DURATION:PT1H"),
            utc(2024, 3, 31, 1, 30),
            utc(2024, 3, 31, 2, 30),
            "Den Beginn am 31.03.2024 um 02:30 (Büro) gibt es wegen der Zeitumstellung nicht. "
            "Wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt, wurde er um die Länge der Lücke (60 Minuten) "
            "auf 03:30 Uhr verschoben. Bitte prüfen.",
            "The start on 31.03.2024 at 02:30 (Büro) does not exist because the clocks go forward. "
            "As RFC 5545 (section 3.3.5) prescribes, it was moved forward by the length of the gap (60 minutes) "
            "to 03:30. Please check.",
        ),
    ],
    ids=["start", "end", "custom-zone"],
)
def test_nonexistent_wall_time_moves_forward_by_the_gap_and_the_rest_imports(
    trip: Trip, lines: tuple[str, ...], start: datetime, end: datetime, german: str, english: str
) -> None:
    data = calendar(
        berlin_like_vtimezone("Büro"),
        event("gap@test", "Zeitsprung", *lines),
        event("normal@test", "Normal"),
    )
    gap, normal = plan_import(db.session, trip.delegation, parse_for_delegation(trip.delegation, data))
    assert (gap.start, gap.end) == (start, end)
    assert normal.time_notes == ()
    (note,) = gap.time_notes
    assert note.message() == german
    with force_locale("en"):
        assert note.message() == english
    assert import_ics(db.session, trip.delegation, data)["created"] == 2
    db.session.commit()
    assert appointment_by_uid("gap@test").start_at == start


def test_utc_value_with_a_tzid_is_utc(trip: Trip) -> None:
    # RFC 5545 forbids the combination; the explicit "Z" is the unambiguous part.
    data = calendar(event("ztz@test", "Z", "DTSTART;TZID=Europe/Berlin:20241015T000000Z", "DURATION:PT1H"))
    (item,) = parse_for_delegation(trip.delegation, data)
    assert item.start == utc(2024, 10, 15, 0)


def test_globally_unique_tzid_uses_its_iana_suffix(trip: Trip) -> None:
    data = calendar(
        event(
            "gu@test",
            "Mozilla",
            "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20241010T090000",
            "DTEND;TZID=/mozilla.org/20050126_1/Europe/Berlin:20241010T100000",
        )
    )
    (item,) = parse_for_delegation(trip.delegation, data)
    assert (item.start, item.start_zone) == (utc(2024, 10, 10, 7), "Europe/Berlin")


def test_summary_is_sanitized_and_shortened(trip: Trip) -> None:
    long_summary = "Gespräch\x07 mit\u202e der\x1b[31m  Stadtverwaltung\\n" + "sehr " * 80
    data = calendar(event("sanitize@test", long_summary, "LOCATION:Rathaus\x0b Seoul", "DESCRIPTION:Zeile 1\\nZeile\x08 2"))
    import_ics(db.session, trip.delegation, data)
    db.session.commit()
    stored = appointment_by_uid("sanitize@test")
    assert len(stored.title) == 200 and stored.title.endswith("…")
    assert stored.title.startswith("Gespräch mit der [31m Stadtverwaltung sehr sehr")
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E for c in stored.title)
    assert stored.venue == "Rathaus Seoul"
    assert stored.notes == "Zeile 1\nZeile 2"


def test_long_location_keeps_the_full_address(trip: Trip) -> None:
    location = "Seoul City Hall\\nGrand Conference Room\\n110 Sejong-daero\\, Jung-gu\\, Seoul 04524"
    import_ics(db.session, trip.delegation, calendar(event("loc@test", "Ort", f"LOCATION:{location}")))
    db.session.commit()
    stored = appointment_by_uid("loc@test")
    assert stored.venue == "Seoul City Hall"
    assert stored.address == "Seoul City Hall\nGrand Conference Room\n110 Sejong-daero, Jung-gu, Seoul 04524"


def test_missing_end_means_one_hour_and_is_flagged(trip: Trip) -> None:
    data = calendar(
        event("no-end@test", "Ohne Ende", "DTSTART;TZID=Asia/Seoul:20241015T090000"),
        event("duration@test", "Mit Dauer", "DTSTART;TZID=Asia/Seoul:20241015T090000", "DURATION:PT1H30M"),
    )
    no_end, with_duration = parse_for_delegation(trip.delegation, data)
    assert no_end.end - no_end.start == timedelta(hours=1) and no_end.end_assumed
    assert with_duration.end - with_duration.start == timedelta(minutes=90) and not with_duration.end_assumed


def test_journey_without_places_uses_the_zones_and_mode_other(trip: Trip) -> None:
    data = calendar(
        event("bus@test", "Transfer", "DTSTART;TZID=Asia/Seoul:20241017T080000", "DTEND;TZID=Asia/Shanghai:20241017T090000")
    )
    import_ics(db.session, trip.delegation, data)
    db.session.commit()
    transfer = journey_by_uid("bus@test")
    assert transfer.mode == JourneyMode.OTHER and transfer.number is None
    assert (transfer.departure_place, transfer.arrival_place) == ("Asia/Seoul", "Asia/Shanghai")
    assert transfer.notes == "Transfer"


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("utf-16"), id="utf-16-with-bom"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="utf-8-with-bom"),
        pytest.param(lambda text: text.replace("\r\n", "\n").encode(), id="lf-line-endings"),
        pytest.param(lambda text: text.replace("SUMMARY:Grüße aus Seoul", "SUMMARY:Grüße \r\n  aus Seoul").encode(), id="folded"),
    ],
)
def test_accepted_encodings_and_line_forms(trip: Trip, encode: Callable[[str], bytes]) -> None:
    text = calendar(event("enc@test", "Grüße aus Seoul")).decode()
    (item,) = parse_for_delegation(trip.delegation, encode(text))
    assert item.summary == "Grüße aus Seoul"


def test_vtodo_next_to_events_is_ignored(trip: Trip) -> None:
    data = calendar(event("e@test", "Termin"), "BEGIN:VTODO\r\nUID:todo@test\r\nSUMMARY:Aufgabe\r\nEND:VTODO\r\n")
    assert [item.uid for item in parse_for_delegation(trip.delegation, data)] == ["e@test"]


def test_exactly_max_items_is_accepted(trip: Trip) -> None:
    data = calendar(*(event(f"many-{i}@test", f"Termin {i}") for i in range(MAX_ITEMS)))
    counts = import_ics(db.session, trip.delegation, data)
    db.session.commit()
    assert counts["created"] == MAX_ITEMS
    assert count(Appointment) == MAX_ITEMS + 2


def test_parse_takes_bytes_only() -> None:
    data = calendar(event())
    with pytest.raises(TypeError):
        parse_ics(data.decode(), fallback_zone_for=seoul_only)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_ics(FILES / "travel-agency-booking.ics", fallback_zone_for=seoul_only)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_ics(str(FILES / "travel-agency-booking.ics"), fallback_zone_for=seoul_only)  # type: ignore[arg-type]
    assert len(parse_ics(bytearray(data), fallback_zone_for=seoul_only)) == 1
    assert len(parse_ics(memoryview(data), fallback_zone_for=seoul_only)) == 1


def test_import_ics_refuses_text_too(trip: Trip) -> None:
    with pytest.raises(TypeError):
        import_ics(db.session, trip.delegation, calendar(event()).decode())  # type: ignore[arg-type]


# -- preview and re-import ---------------------------------------------------------------


def test_plan_is_a_preview_that_writes_nothing(trip: Trip) -> None:
    before = snapshot()
    data = calendar(
        event("new@test", "Neu"),
        event(
            EXISTING_APPOINTMENT,
            "Besuch Rathaus Seoul",
            "DTSTART;TZID=Asia/Seoul:20241016T150000",
            "DTEND;TZID=Asia/Seoul:20241016T160000",
        ),
    )
    planned = plan_import(db.session, trip.delegation, parse_for_delegation(trip.delegation, data))
    assert [(p.uid, p.action) for p in planned] == [("new@test", "create"), (EXISTING_APPOINTMENT, "update")]
    assert planned[1].existing_id == trip.appointment_id
    assert set(planned[1].changes) == {"start_at", "end_at"}
    assert not planned[0].outside_trip
    db.session.commit()
    assert snapshot() == before


def test_reimport_of_the_same_file_changes_nothing(trip: Trip) -> None:
    data = (FILES / "travel-agency-booking.ics").read_bytes()
    import_ics(db.session, trip.delegation, data)
    db.session.commit()
    after_first = snapshot()

    counts = import_ics(db.session, trip.delegation, data)
    db.session.commit()
    assert counts == {"created": 0, "updated": 0, "unchanged": 3}
    assert snapshot() == after_first  # no duplicates, no revision, not even updated_at
    assert count(Journey) == 3 and count(Appointment) == 3


def test_reimport_with_a_new_start_updates_the_same_row(trip: Trip) -> None:
    data = calendar(
        event("move@test", "Verschoben", "DTSTART;TZID=Asia/Seoul:20241015T140000", "DTEND;TZID=Asia/Seoul:20241015T160000"),
        event("stay@test", "Bleibt"),
    )
    import_ics(db.session, trip.delegation, data)
    db.session.commit()
    moved = appointment_by_uid("move@test")
    row_id, revision = moved.id, moved.revision
    delegation_revision = db.session.get(Delegation, trip.delegation.id).revision

    changed = data.replace(b"DTSTART;TZID=Asia/Seoul:20241015T140000", b"DTSTART;TZID=Asia/Seoul:20241015T143000")
    counts = import_ics(db.session, trip.delegation, changed)
    db.session.commit()
    assert counts == {"created": 0, "updated": 1, "unchanged": 1}
    db.session.expire_all()
    moved = appointment_by_uid("move@test")
    assert moved.id == row_id
    assert moved.start_at == utc(2024, 10, 15, 5, 30)
    assert moved.revision == revision + 1
    assert db.session.get(Delegation, trip.delegation.id).revision == delegation_revision + 1
    assert count(Appointment) == 4


def test_reimport_of_a_rescheduled_flight_updates_the_journey(trip: Trip) -> None:
    data = (FILES / "travel-agency-booking.ics").read_bytes()
    import_ics(db.session, trip.delegation, data)
    db.session.commit()
    flight = journey_by_uid("K7QX2M-1@buchung.reisebuero.example")
    row_id, revision = flight.id, flight.revision
    counts = import_ics(db.session, trip.delegation, data.replace(b"20241014T085500", b"20241014T093000"))
    db.session.commit()
    assert counts == {"created": 0, "updated": 1, "unchanged": 2}
    db.session.expire_all()
    flight = journey_by_uid("K7QX2M-1@buchung.reisebuero.example")
    assert (flight.id, flight.revision) == (row_id, revision + 1)
    assert flight.arrive_at - flight.depart_at == timedelta(hours=12, minutes=50)


def test_title_only_change_does_not_bump_the_calendar_sequence(trip: Trip) -> None:
    data = calendar(event("title@test", "Alter Titel"))
    import_ics(db.session, trip.delegation, data)
    db.session.commit()
    revision = appointment_by_uid("title@test").revision
    counts = import_ics(db.session, trip.delegation, data.replace(b"Alter Titel", b"Neuer Titel"))
    db.session.commit()
    assert counts["updated"] == 1
    db.session.expire_all()
    stored = appointment_by_uid("title@test")
    assert (stored.title, stored.revision) == ("Neuer Titel", revision)


def test_reimport_keeps_what_planners_added(trip: Trip) -> None:
    data = calendar(event("kept@test", "Abendessen"))
    import_ics(db.session, trip.delegation, data)
    db.session.commit()
    stored = appointment_by_uid("kept@test")
    stored.status = ItemStatus.CONFIRMED
    stored.kind = AppointmentKind.MEAL
    stored.notes = "Tischordnung beachten"
    stored.venue = "Restaurant im 30. Stock"
    db.session.commit()
    before = snapshot()
    # The file has no STATUS, LOCATION or DESCRIPTION: nothing to overwrite with.
    counts = import_ics(db.session, trip.delegation, data)
    db.session.commit()
    assert counts["unchanged"] == 1
    assert snapshot() == before
    stored = appointment_by_uid("kept@test")
    assert (stored.status, stored.kind, stored.notes) == (ItemStatus.CONFIRMED, AppointmentKind.MEAL, "Tischordnung beachten")


def test_events_outside_the_trip_are_marked_for_the_preview(trip: Trip) -> None:
    data = calendar(event("far@test", "Nächstes Jahr", "DTSTART;TZID=Europe/Berlin:20250301T090000", "DURATION:PT1H"))
    (item,) = plan_import(db.session, trip.delegation, parse_for_delegation(trip.delegation, data))
    assert item.outside_trip


# -- time zones defined by one upload never reach the next one ---------------------------------


def test_custom_vtimezone_does_not_leak_into_the_next_upload(trip: Trip) -> None:
    hostile = calendar(
        fixed_vtimezone("Planner Test Hostile Zone", "+1400"),
        event("h1@test", "Datei 1", "DTSTART;TZID=Planner Test Hostile Zone:20241015T090000", "DURATION:PT1H"),
    )
    (first,) = parse_for_delegation(trip.delegation, hostile)
    assert first.start == utc(2024, 10, 14, 19)  # the file's own definition, for the file itself
    # Nothing was registered with icalendar's process-wide provider ...
    assert tzp.timezone("Planner Test Hostile Zone") is None
    # ... so a later file that only names the zone is refused, not read at +14.
    clean = calendar(event("h2@test", "Datei 2", "DTSTART;TZID=Planner Test Hostile Zone:20241015T090000", "DURATION:PT1H"))
    before = snapshot()
    with pytest.raises(ImportRejected, match="Planner Test Hostile Zone"):
        import_ics(db.session, trip.delegation, clean)
    db.session.commit()
    assert snapshot() == before


def test_each_upload_reads_its_own_definition_of_a_custom_zone(trip: Trip) -> None:
    first = calendar(
        fixed_vtimezone("Reisezone", "+1400"), event("r1@test", "Eins", "DTSTART;TZID=Reisezone:20241015T090000", "DURATION:PT1H")
    )
    second = calendar(
        fixed_vtimezone("Reisezone", "+0900"), event("r2@test", "Zwei", "DTSTART;TZID=Reisezone:20241015T090000", "DURATION:PT1H")
    )
    assert parse_for_delegation(trip.delegation, first)[0].start == utc(2024, 10, 14, 19)
    # Stock icalendar would keep using the first definition ("first one wins").
    assert parse_for_delegation(trip.delegation, second)[0].start == utc(2024, 10, 15, 0)


@pytest.mark.parametrize("tzid", ["Europe/Berlin", "W. Europe Standard Time"])
def test_a_file_cannot_redefine_a_known_zone(trip: Trip, tzid: str) -> None:
    """IANA (and Windows) names always mean the real zone, in the file that redefines them and after it."""
    hostile = calendar(
        fixed_vtimezone(tzid, "+1400"),
        event("k1@test", "Datei 1", f"DTSTART;TZID={tzid}:20241010T090000", f"DTEND;TZID={tzid}:20241010T100000"),
    )
    (first,) = parse_for_delegation(trip.delegation, hostile)
    assert (first.start, first.start_zone) == (utc(2024, 10, 10, 7), "Europe/Berlin")
    clean = calendar(event("k2@test", "Datei 2", f"DTSTART;TZID={tzid}:20241010T090000", f"DTEND;TZID={tzid}:20241010T100000"))
    (second,) = parse_for_delegation(trip.delegation, clean)
    assert (second.start, second.start_zone) == (utc(2024, 10, 10, 7), "Europe/Berlin")
    assert tzp.timezone(tzid).utcoffset(datetime(2024, 10, 10, 9)) == timedelta(hours=2)


# -- one transaction ----------------------------------------------------------------------


def test_second_item_bad_means_first_is_not_imported(trip: Trip) -> None:
    before = snapshot()
    data = calendar(
        event("good@test", "Gut"),
        event("bad@test", "Kaputt", "DTSTART;TZID=Asia/Seoul:20241015T100000", "DTEND;TZID=Asia/Seoul:20241015T090000"),
    )
    with pytest.raises(ImportRejected, match="Kaputt"):
        import_ics(db.session, trip.delegation, data)
    db.session.commit()
    assert snapshot() == before
    assert db.session.scalars(sa.select(Appointment).where(Appointment.uid == "good@test")).first() is None


def test_failure_while_writing_rolls_back_every_write(trip: Trip, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot()
    real_apply = importing.apply_import

    def apply_then_fail(session, delegation, planned):  # type: ignore[no-untyped-def]
        counts = real_apply(session, delegation, planned)  # flushed: rows are in the database now
        assert counts == {"created": 1, "updated": 1, "unchanged": 0}
        raise sa.exc.OperationalError("INSERT", {}, Exception("connection lost"))

    monkeypatch.setattr(importing, "apply_import", apply_then_fail)
    data = calendar(
        event("new@test", "Neu"),
        event(EXISTING_APPOINTMENT, "Besuch Rathaus Seoul", "DTSTART;TZID=Asia/Seoul:20241016T150000", "DURATION:PT1H"),
    )
    with pytest.raises(ImportRejected) as caught:
        import_ics(db.session, trip.delegation, data)
    assert caught.value.message
    db.session.commit()  # the session is still usable and holds nothing of the import
    assert snapshot() == before


def test_concurrent_insert_of_the_same_uid_is_refused_cleanly(trip: Trip, monkeypatch: pytest.MonkeyPatch) -> None:
    real_plan = importing.plan_import

    def plan_then_race(session, delegation, items):  # type: ignore[no-untyped-def]
        planned = real_plan(session, delegation, items)
        # Another request imports the second event between our plan and our write.
        make_appointment(delegation, datetime(2024, 10, 15, 9, 0), uid="race-2@test", title="Parallel")
        return planned

    monkeypatch.setattr(importing, "plan_import", plan_then_race)
    data = calendar(event("race-1@test", "Erster"), event("race-2@test", "Zweiter"))
    with pytest.raises(ImportRejected):
        import_ics(db.session, trip.delegation, data)
    db.session.commit()
    assert db.session.scalars(sa.select(Appointment).where(Appointment.uid == "race-1@test")).first() is None
    assert appointment_by_uid("race-2@test").title == "Parallel"


def test_import_ics_leaves_the_commit_to_the_caller(trip: Trip) -> None:
    before = snapshot()
    db.session.get(Delegation, trip.delegation.id)  # only reads so far in this transaction
    counts = import_ics(db.session, trip.delegation, calendar(event("uncommitted@test", "Noch nicht gespeichert")))
    assert counts["created"] == 1
    db.session.rollback()
    assert snapshot() == before


def test_apply_import_counts_and_does_not_commit(trip: Trip) -> None:
    planned = plan_import(db.session, trip.delegation, parse_for_delegation(trip.delegation, calendar(event("nc@test", "X"))))
    counts = apply_import(db.session, trip.delegation, planned)
    assert counts == {"created": 1, "updated": 0, "unchanged": 0}
    db.session.rollback()
    assert db.session.scalars(sa.select(Appointment).where(Appointment.uid == "nc@test")).first() is None


def test_an_update_that_loses_a_race_is_refused_and_undoes_the_whole_file(trip: Trip, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another save of the row between plan and write: the operation's version check refuses it, nothing stays."""
    before = snapshot()
    real_plan = importing.plan_import
    held: list[Appointment] = []
    saved_meanwhile: list[dict] = []

    def plan_then_save_meanwhile(session, delegation, items):  # type: ignore[no-untyped-def]
        planned = real_plan(session, delegation, items)
        # The identity map holds rows weakly: keep the row as loaded, then another planner's
        # save (behind the ORM's back) makes its version stale.
        held.append(session.get(Appointment, trip.appointment_id))
        table = Appointment.__table__
        session.execute(sa.update(table).where(table.c.id == trip.appointment_id).values(version=table.c.version + 1))
        saved_meanwhile.append(snapshot(expire=False))  # the database as the other planner left it
        return planned

    monkeypatch.setattr(importing, "plan_import", plan_then_save_meanwhile)
    data = calendar(
        event("first@test", "Wird zuerst angelegt"),
        event(EXISTING_APPOINTMENT, "Besuch Rathaus Seoul", "DTSTART;TZID=Asia/Seoul:20241016T150000", "DURATION:PT1H"),
    )
    with pytest.raises(ImportRejected, match="seit der Vorschau geändert"):
        import_ics(db.session, trip.delegation, data)
    db.session.commit()  # the session is usable and holds nothing of the import
    # The other planner's save stays (here it shares our transaction), nothing of the file does.
    assert snapshot() == saved_meanwhile[0] != before
    assert db.session.scalars(sa.select(Appointment).where(Appointment.uid == "first@test")).first() is None


def test_new_rows_are_what_the_import_always_made(trip: Trip) -> None:
    """Through the operations, a new item still has no attendees or travellers and the default visibility."""
    person = Person(given_name="Dr. Eva", family_name="Beispiel")
    db.session.add(Member(delegation=trip.delegation, person=person))
    db.session.commit()
    counts = import_ics(db.session, trip.delegation, (FILES / "travel-agency-booking.ics").read_bytes())
    db.session.commit()
    assert counts["created"] == 3
    db.session.expire_all()
    created = db.session.scalars(sa.select(Appointment).where(Appointment.uid.like("%reisebuero%"))).all()
    journeys = db.session.scalars(sa.select(Journey).where(Journey.uid.like("%reisebuero%"))).all()
    assert created and journeys
    for appointment in created:
        assert (appointment.kind, appointment.visibility) == (AppointmentKind.OTHER, Visibility.DELEGATION)
        assert (appointment.attendees, appointment.briefed, appointment.city_id) == ([], [], None)
        assert (appointment.version, appointment.revision) == (1, 0)
    for journey in journeys:
        assert (journey.travellers, journey.visibility, journey.version) == ([], Visibility.DELEGATION, 1)


def test_an_update_writes_what_changed_and_nothing_else(trip: Trip) -> None:
    """A moved start is one history entry with the times; texts that read the same are not rewritten."""
    stored = db.session.get(Appointment, trip.appointment_id)
    stored.objectives = "Partnerschaft vertiefen\n"  # as the seed writes TOML texts, with the final newline
    db.session.commit()
    version, revision = stored.version, stored.revision
    data = calendar(
        event(EXISTING_APPOINTMENT, "Besuch Rathaus Seoul", "DTSTART;TZID=Asia/Seoul:20241016T150000", "DURATION:PT1H")
    )
    assert import_ics(db.session, trip.delegation, data)["updated"] == 1
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Appointment, trip.appointment_id)
    assert stored.objectives == "Partnerschaft vertiefen\n"
    assert (stored.version, stored.revision) == (version + 1, revision + 1)
    record = db.session.scalars(
        sa.select(ChangeRecord)
        .filter_by(entity="appointments", entity_id=trip.appointment_id, action="update")
        .order_by(ChangeRecord.id.desc())
    ).first()
    assert record.changes == {
        "start_at": ["2024-10-16T05:00:00+00:00", "2024-10-16T06:00:00+00:00"],
        "end_at": ["2024-10-16T06:00:00+00:00", "2024-10-16T07:00:00+00:00"],
    }


def test_import_upload_leaves_the_commit_to_the_caller(trip: Trip) -> None:
    """keep_plan and import_upload flush; the import views commit (planner.editing's rule)."""
    user = make_user()
    before = snapshot()
    items = parse_for_delegation(trip.delegation, calendar(event("caller@test", "Offen")))
    pending = import_operations.keep_plan(trip.delegation, user, "a.ics", items)
    assert pending.key  # flushed: the preview URL can be built before the commit
    counts = import_operations.import_upload(trip.delegation, pending)
    assert counts["created"] == 1
    db.session.rollback()
    assert snapshot() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingImport)) == 0


# -- bad files ------------------------------------------------------------------------------

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Planner tests//DE\r\n"
TAIL = "END:VCALENDAR\r\n"
GOOD = calendar(event())


def _random_bytes() -> bytes:
    return random.Random(5545).randbytes(4096)


def _too_many_events() -> bytes:
    return calendar(*(event(f"e{i}@test", f"Termin {i}") for i in range(MAX_ITEMS + 1)))


def _too_large() -> bytes:
    filler = "X-FILLER:" + "x" * 70
    data = calendar(event("big@test", "Groß", *([filler] * (MAX_BYTES // len(filler) + 10))))
    assert len(data) > MAX_BYTES
    return data


def _deep_valarms(depth: int) -> bytes:
    return (
        HEAD
        + "BEGIN:VEVENT\r\nUID:deep@test\r\nDTSTART:20241015T000000Z\r\n"
        + "BEGIN:VALARM\r\n" * depth
        + "END:VALARM\r\n" * depth
        + "END:VEVENT\r\n"
        + TAIL
    ).encode()


BAD_FILES: list[tuple[str, Callable[[], bytes], str | None]] = [
    # (id, file, a fragment the message must contain)
    ("empty", lambda: b"", "leer"),
    ("whitespace-only", lambda: b"  \r\n\t\n   ", "leer"),
    ("utf8-bom-only", lambda: b"\xef\xbb\xbf\r\n", "leer"),
    ("binary-garbage", _random_bytes, None),
    ("png", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40), "keine Textdatei"),
    ("gzip-of-a-good-file", lambda: gzip.compress(GOOD), "keine Textdatei"),
    ("pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "keine Textdatei"),
    ("zip", lambda: b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(30), "keine Textdatei"),
    ("latin-1-not-utf-8", lambda: calendar(event("l1@test", "Grüße")).decode().encode("latin-1"), "UTF-8"),
    ("utf-16-without-bom", lambda: calendar(event()).decode().encode("utf-16-le"), None),
    ("utf-16-bom-but-truncated", lambda: "BEGIN:VCALENDAR".encode("utf-16") + b"\x00", "UTF-16"),
    ("null-bytes-inside", lambda: GOOD.replace(b"SUMMARY:Termin", b"SUMMARY:Ter\x00min"), None),
    ("vcard", lambda: b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Erika Mustermann\r\nEND:VCARD\r\n", "vCard"),
    ("html-renamed", lambda: b"<!DOCTYPE html>\n<html><body><h1>404 Not Found</h1></body></html>\n", "HTML"),
    ("json", lambda: b'{"events": [{"uid": "x", "start": "2024-10-15T09:00:00+09:00"}]}', "JSON"),
    ("plain-text", lambda: "Abflug 13:40 Düsseldorf, Ankunft 08:55 Seoul".encode(), "BEGIN:VCALENDAR"),
    ("missing-end-vcalendar", lambda: GOOD.replace(b"END:VCALENDAR\r\n", b""), "END:VCALENDAR"),
    ("truncated-mid-event", lambda: GOOD[: GOOD.index(b"DTEND")], "unvollständig"),
    ("truncated-mid-line", lambda: GOOD[: GOOD.index(b"DTSTART") + 10], None),
    ("end-without-begin", lambda: GOOD + b"END:VEVENT\r\n", "ohne passendes BEGIN"),
    ("end-does-not-match-begin", lambda: GOOD.replace(b"END:VEVENT", b"END:VTODO"), "END:VTODO"),
    ("nested-vcalendar", lambda: (HEAD + "BEGIN:VCALENDAR\r\n" + event() + TAIL + TAIL).encode(), "im Kalender"),
    ("two-calendars", lambda: GOOD + GOOD, "mehrere Kalender"),
    ("property-after-the-calendar", lambda: GOOD + b"SUMMARY:danach\r\n", "außerhalb"),
    ("line-without-colon", lambda: GOOD.replace(b"SUMMARY:Termin", b"SUMMARY Termin"), "Zeile 6"),
    ("begin-without-name", lambda: GOOD.replace(b"BEGIN:VEVENT", b"BEGIN:"), None),
    ("calendar-without-events", lambda: calendar(), "keine Termine"),
    ("vtodo-only", lambda: calendar("BEGIN:VTODO\r\nUID:t@test\r\nSUMMARY:Koffer packen\r\nEND:VTODO\r\n"), "VTODO"),
    ("event-without-dtstart", lambda: calendar(event("nostart@test", "Ohne Beginn", "DURATION:PT1H")), "DTSTART"),
    ("event-without-uid", lambda: calendar(event(None, "Ohne UID")), "UID"),
    ("event-with-empty-uid", lambda: calendar(event("", "Leere UID")), "UID"),
    ("overlong-uid", lambda: calendar(event("u" * 300, "Lange UID")), "UID"),
    ("invalid-date-value", lambda: calendar(event("d@test", "Morgen", "DTSTART:tomorrow")), "DTSTART"),
    (
        "month-13",
        lambda: calendar(event("m13@test", "Monat 13", "DTSTART;TZID=Asia/Seoul:20241315T090000", "DURATION:PT1H")),
        "DTSTART",
    ),
    (
        "february-30",
        lambda: calendar(event("f30@test", "30. Februar", "DTSTART;TZID=Asia/Seoul:20240230T090000", "DURATION:PT1H")),
        "DTSTART",
    ),
    (
        "hour-25",
        lambda: calendar(event("h25@test", "25 Uhr", "DTSTART;TZID=Asia/Seoul:20241015T250000", "DURATION:PT1H")),
        "DTSTART",
    ),
    ("year-zero", lambda: calendar(event("y0@test", "Jahr null", "DTSTART:00000101T090000Z", "DURATION:PT1H")), "DTSTART"),
    ("dtstart-is-a-duration", lambda: calendar(event("dur@test", "Dauer statt Datum", "DTSTART:P1D")), "DTSTART"),
    (
        "dtstart-twice",
        lambda: calendar(event("two@test", "Doppelt", "DTSTART:20241015T000000Z", "DTSTART:20241016T000000Z")),
        "mehrfach",
    ),
    (
        "broken-dtend",
        lambda: calendar(event("be@test", "Kaputtes Ende", "DTSTART:20241015T000000Z", "DTEND:2024-10-15")),
        "DTEND",
    ),
    (
        "unknown-tzid",
        lambda: calendar(event("tz@test", "Mars", "DTSTART;TZID=Mars/Olympus_Mons:20241015T090000", "DURATION:PT1H")),
        "Mars/Olympus_Mons",
    ),
    (
        "end-before-start",
        lambda: calendar(event("ebs@test", "Rückwärts", "DTSTART:20241015T100000Z", "DTEND:20241015T090000Z")),
        "Rückwärts",
    ),
    (
        "zero-length",
        lambda: calendar(event("zero@test", "Nullnummer", "DTSTART:20241015T100000Z", "DTEND:20241015T100000Z")),
        "Nullnummer",
    ),
    (
        "negative-duration",
        lambda: calendar(event("neg@test", "Negativ", "DTSTART:20241015T100000Z", "DURATION:-PT1H")),
        "Negativ",
    ),
    (
        "all-day-end-before-start",
        lambda: calendar(event("ade@test", "Ganztags rückwärts", "DTSTART;VALUE=DATE:20241016", "DTEND;VALUE=DATE:20241015")),
        "rückwärts",
    ),
    (
        "all-day-hours-duration",
        lambda: calendar(event("adh@test", "Ganztags", "DTSTART;VALUE=DATE:20241016", "DURATION:PT5H")),
        "ganze Tage",
    ),
    (
        "date-start-time-end",
        lambda: calendar(event("mix@test", "Gemischt", "DTSTART;VALUE=DATE:20241016", "DTEND:20241016T100000Z")),
        "beide",
    ),
    (
        "dtend-and-duration",
        lambda: calendar(event("both@test", "Beides", "DTSTART:20241016T090000Z", "DTEND:20241016T100000Z", "DURATION:PT1H")),
        "DURATION",
    ),
    ("year-9999", lambda: calendar(event("y9@test", "Ferne Zukunft", "DTSTART:99991231T090000Z", "DURATION:PT1H")), "2200"),
    (
        "year-1800",
        lambda: calendar(event("y18@test", "Vergangenheit", "DTSTART;TZID=Europe/Berlin:18000101T090000", "DURATION:PT1H")),
        "1900",
    ),
    (
        "duration-beyond-2200",
        lambda: calendar(event("long@test", "Ewig", "DTSTART:20241015T090000Z", "DURATION:P99999W")),
        "2200",
    ),
    ("rrule", lambda: calendar(event("rr@test", "Jour fixe", "RRULE:FREQ=WEEKLY;COUNT=10")), "Serientermine"),
    ("rdate", lambda: calendar(event("rd@test", "Extra", "RDATE:20241020T090000Z")), "Serientermine"),
    ("recurrence-id", lambda: calendar(event("ri@test", "Ausnahme", "RECURRENCE-ID:20241015T000000Z")), "Serientermine"),
    ("duplicate-uid", lambda: calendar(event("dup@test", "Eins"), event("dup@test", "Zwei")), "dup@test"),
    ("uid-of-another-delegation", lambda: calendar(event(FOREIGN_UID, "Übernahme")), "anderen Delegationsreise"),
    (
        "appointment-uid-as-journey",
        lambda: calendar(
            event(
                EXISTING_APPOINTMENT,
                "Jetzt Flug",
                "DTSTART;TZID=Asia/Seoul:20241017T101500",
                "DTEND;TZID=Asia/Shanghai:20241017T123000",
            )
        ),
        "Termin",
    ),
    ("journey-uid-as-appointment", lambda: calendar(event(EXISTING_JOURNEY, "Jetzt Termin")), "als Verbindung angelegt"),
    ("too-many-events", _too_many_events, str(MAX_ITEMS)),
    ("larger-than-max-bytes", _too_large, "2 MB"),
    ("one-megabyte-line", lambda: calendar(event("wide@test", "Breit", "X-JUNK:" + "a" * 1024 * 1024)), "zu lang"),
    (
        "one-megabyte-folded-line",
        lambda: calendar(event("fold@test", "Gefaltet", "DESCRIPTION:" + "\r\n ".join(["b" * 74] * 14_000))),
        "zu lang",
    ),
    ("100k-properties", lambda: calendar(event("props@test", "Viele", *(["X-P:1"] * 100_000))), "Zeilen"),
    ("valarm-nested-10000-deep", lambda: _deep_valarms(10_000), None),  # refused for its length before its depth
    ("valarm-nested-100-deep", lambda: _deep_valarms(100), "verschachtelt"),
    (
        "vtimezone-rrule-bomb",
        lambda: calendar(
            vtimezone("Bombe", ("STANDARD", "16010101T000000", "+0100", "+0100", "FREQ=SECONDLY")),
            event("bomb@test", "Bombe", "DTSTART;TZID=Bombe:20241015T090000", "DURATION:PT1H"),
        ),
        "Bombe",
    ),
    (
        "vtimezone-byhour-bomb",
        lambda: calendar(
            vtimezone(
                "Bombe2",
                (
                    "STANDARD",
                    "16010101T000000",
                    "+0100",
                    "+0100",
                    "FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12",
                ),
            ),
            event("bomb2@test", "B", "DTSTART;TZID=Bombe2:20241015T090000", "DURATION:PT1H"),
        ),
        "Bombe2",
    ),
    (
        "vtimezone-without-observances",
        lambda: calendar(
            "BEGIN:VTIMEZONE\r\nTZID:Leer\r\nEND:VTIMEZONE\r\n",
            event("leer@test", "L", "DTSTART;TZID=Leer:20241015T090000", "DURATION:PT1H"),
        ),
        "Leer",
    ),
    (
        "vtimezone-absurd-offset",
        lambda: calendar(
            fixed_vtimezone("Weit weg", "+9900"), event("far@test", "W", "DTSTART;TZID=Weit weg:20241015T090000", "DURATION:PT1H")
        ),
        None,
    ),
    ("too-many-vtimezones", lambda: calendar(*(fixed_vtimezone(f"Zone {i}", "+0100") for i in range(60)), event()), "Zeitzonen"),
]


@pytest.fixture(params=[pytest.param(case, id=case[0]) for case in BAD_FILES])
def bad_file(request: pytest.FixtureRequest) -> tuple[bytes, str | None]:
    _name, make, fragment = request.param
    return make(), fragment


def test_there_are_at_least_thirty_kinds_of_bad_file() -> None:
    assert len({name for name, _make, _fragment in BAD_FILES}) >= 30


def test_bad_file_is_refused_and_changes_nothing(trip: Trip, bad_file: tuple[bytes, str | None]) -> None:
    data, fragment = bad_file
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        import_ics(db.session, trip.delegation, data)
    message = str(caught.value)
    assert message.strip() and message == caught.value.message
    assert "Traceback" not in message and "Error" not in message
    if fragment is not None:
        assert fragment in message
    db.session.commit()  # even a caller that commits after the failure writes nothing
    assert snapshot() == before


def test_bad_files_are_refused_quickly(trip: Trip) -> None:
    """The hostile ones must not hang a worker: all of them together in well under a minute."""
    import time

    started = time.perf_counter()
    for _name, make, _fragment in BAD_FILES:
        with pytest.raises(ImportRejected):
            plan_import(db.session, trip.delegation, parse_ics(make(), **zone_lookups(trip.delegation)))
    assert time.perf_counter() - started < 30


@pytest.fixture(autouse=True)
def _no_global_timezone_cache_growth() -> Iterator[None]:
    """No test here may teach icalendar's process-wide provider a zone."""
    yield
    for name in ("Planner Test Hostile Zone", "Reisezone", "Mitteleuropa (Büro)", "Bombe"):
        assert tzp.timezone(name) is None, name


# -- our own export, imported back ------------------------------------------------------


def own_export(delegation: Delegation, locale: str) -> bytes:
    """The trip's calendar as our exporter writes it (download and feed share this builder)."""
    request = calendar_request(
        delegation,
        Scope(),
        locale=locale,
        today=date(2024, 10, 1),
        link_for=lambda item: f"https://planner.test/delegations/{delegation.id}#item-{getattr(item, 'uid', '')}",
    )
    return build_calendar(request)


@pytest.fixture
def awkward_trip(trip: Trip) -> Trip:
    """The trip plus everything our export decorates or writes without a zone."""
    delegation = trip.delegation
    for status in ItemStatus:
        make_appointment(
            delegation,
            datetime(2024, 10, 15, 9, 0),
            title=f"Termin {status.value}",
            status=status,
            uid=f"status-{status.value}@planner.test",
            notes="Eigene Notiz\nzweite Zeile",
            venue="Rathaus (Saal 2)",
            address="Sejong-daero 110, Seoul",
        )
    make_appointment(
        delegation,
        datetime(2024, 10, 16, 9, 0),
        title="Probe (vorläufig)",
        status=ItemStatus.CONFIRMED,
        uid="literal-brackets@planner.test",
    )
    make_appointment(
        delegation,
        datetime(2024, 10, 16, 11, 0),
        title="Abgesagt: Ersatztermin",
        status=ItemStatus.TENTATIVE,
        uid="literal-prefix@planner.test",
    )
    berlin_day = local_day_bounds(date(2024, 10, 15), "Europe/Berlin")
    db.session.add(
        Appointment(
            delegation=delegation,
            uid="all-day-berlin@planner.test",
            title="Feiertag zu Hause",
            kind=AppointmentKind.OTHER,
            status=ItemStatus.CONFIRMED,
            start_at=berlin_day.start,
            end_at=berlin_day.end,
            timezone="Europe/Berlin",
            all_day=True,
        )
    )
    # 01:30 happens twice in New York on 3 Nov 2024: our export writes such an instant in UTC.
    make_appointment(
        delegation,
        datetime(2024, 11, 3, 5, 30),
        zone="UTC",
        title="Telefonat New York",
        status=ItemStatus.CONFIRMED,
        uid="fall-back@planner.test",
    )
    appointment_by_uid("fall-back@planner.test").timezone = "America/New_York"
    db.session.add(
        Journey(
            delegation=delegation,
            uid="flight@planner.test",
            mode=JourneyMode.FLIGHT,
            status=ItemStatus.TENTATIVE,
            departure_place="Seoul Incheon (ICN)",
            arrival_place="Chongqing Jiangbei (CKG)",
            depart_at=to_utc(datetime(2024, 10, 17, 10, 15), "Asia/Seoul"),
            arrive_at=to_utc(datetime(2024, 10, 17, 12, 30), "Asia/Shanghai"),
            departure_timezone="Asia/Seoul",
            arrival_timezone="Asia/Shanghai",
            carrier="Air China (Star Alliance)",
            number="CA 140",
            notes="Gepäck: 23 kg",
        )
    )
    # Departs on CEST, lands after the change back: our export writes the start in UTC.
    db.session.add(
        Journey(
            delegation=delegation,
            uid="night-flight@planner.test",
            mode=JourneyMode.FLIGHT,
            status=ItemStatus.CONFIRMED,
            departure_place="Frankfurt (FRA)",
            arrival_place="Seoul Incheon (ICN)",
            depart_at=to_utc(datetime(2024, 10, 26, 22, 0), "Europe/Berlin"),
            arrive_at=to_utc(datetime(2024, 10, 27, 17, 0), "Asia/Seoul"),
            departure_timezone="Europe/Berlin",
            arrival_timezone="Asia/Seoul",
        )
    )
    db.session.commit()
    return trip


@pytest.mark.parametrize("locale", ["de", "en"])
def test_our_own_export_imported_three_times_changes_nothing(awkward_trip: Trip, locale: str) -> None:
    delegation = awkward_trip.delegation
    data = own_export(delegation, locale)
    before = snapshot()
    items = len(delegation.appointments) + len(delegation.journeys)
    for round_ in range(1, 4):
        planned = plan_import(db.session, delegation, parse_for_delegation(delegation, data))
        assert {(item.uid, item.changes) for item in planned if item.action != "unchanged"} == set(), f"round {round_}"
        assert import_ics(db.session, delegation, data) == {"created": 0, "updated": 0, "unchanged": items}
        db.session.commit()
        assert snapshot() == before, f"round {round_} changed the trip"
        assert own_export(db.session.get(Delegation, delegation.id), locale) == data


@pytest.mark.parametrize("locale", ["de", "en"])
def test_one_real_change_in_our_own_export_is_the_only_change(awkward_trip: Trip, locale: str) -> None:
    delegation = awkward_trip.delegation
    data = own_export(delegation, locale)
    moved = data.replace(b"DTSTART;TZID=Asia/Seoul:20241016T090000", b"DTSTART;TZID=Asia/Seoul:20241016T083000")
    assert moved != data
    before = appointment_by_uid("literal-brackets@planner.test")
    title, notes, end_at = before.title, before.notes, before.end_at
    planned = plan_import(db.session, delegation, parse_for_delegation(delegation, moved))
    assert [(item.uid, item.changes) for item in planned if item.action == "update"] == [
        ("literal-brackets@planner.test", ("start_at",))
    ]
    assert import_ics(db.session, delegation, moved)["updated"] == 1
    db.session.commit()
    db.session.expire_all()
    after = appointment_by_uid("literal-brackets@planner.test")
    assert after.start_at == to_utc(datetime(2024, 10, 16, 8, 30), "Asia/Seoul")
    assert (after.title, after.notes, after.end_at) == (title, notes, end_at)


def test_our_decorations_are_taken_off_when_creating_from_our_export(awkward_trip: Trip) -> None:
    """Another planner's export of the same trip (no row here yet): titles and places come without decorations."""
    data = own_export(awkward_trip.delegation, "en")
    home = make_city("Köln", "Europe/Berlin", "DE")
    fresh = make_delegation(home, title="Neue Reise")
    db.session.flush()
    # The UIDs already belong to the other trip; give them new ones, as a copied calendar would have.
    copied = data.replace(b"@planner.test", b"@copy.test")
    by_uid = {item.uid: item for item in parse_for_delegation(fresh, copied)}
    assert by_uid["status-tentative@copy.test"].summary == "Termin tentative"
    assert by_uid["status-cancelled@copy.test"].summary == "Termin cancelled"
    assert by_uid["literal-brackets@copy.test"].summary == "Probe (vorläufig)"
    assert by_uid["status-tentative@copy.test"].description is None, "a generated description is no note"
    flight = by_uid["flight@copy.test"]
    assert (flight.departure_place, flight.arrival_place, flight.number, flight.mode) == (
        "Seoul Incheon (ICN)",
        "Chongqing Jiangbei (CKG)",
        "CA 140",
        JourneyMode.FLIGHT,
    )
