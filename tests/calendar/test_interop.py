"""Every calendar export lands at the same instants in six independent parsers.

The expected instants come from ``flask --app planner export-data`` (the
backup document), never from the calendar code: a wrong VTIMEZONE, a wrong
TZID or a lost hour shows up as a disagreement of some parser with the
database. Parsers: icalendar, vobject, ical, recurring-ical-events, libical
(GObject bindings, Debian's Python) and ical.js (Node, as in Thunderbird).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from planner.calendar.export import Scope, export_calendar
from planner.calendar.queries import delegation_with_programme
from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    Delegation,
    ItemStatus,
    Journey,
    JourneyMode,
    Member,
    MemberRole,
    Person,
    UserRole,
)
from planner.timezones import UTC, to_local, to_utc, utc_offset
from tests.calendar.parsers import PARSERS, libical_restriction_errors, parse_all
from tests.conftest import KellerSeeder, login, make_city, make_user

BERLIN = "Europe/Berlin"


def exported_rows(app: Flask, tmp_path: Path) -> dict[str, list[dict]]:
    """The ground truth: the tables of `flask --app planner export-data`."""
    target = tmp_path / "export.json"
    result = app.test_cli_runner().invoke(args=["export-data", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return json.loads(target.read_text(encoding="utf-8"))["tables"]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def expected_events(tables: dict[str, list[dict]], delegation_id: int, *, include_cancelled: bool) -> set[tuple]:
    """(uid, start, end, STATUS, SEQUENCE) per item, computed from the export document alone."""
    wanted = set()
    for row in tables["appointments"]:
        if row["delegation_id"] != delegation_id or (row["status"] == "cancelled" and not include_cancelled):
            continue
        start, end = _instant(row["start_at"]), _instant(row["end_at"])
        if row["all_day"]:
            start, end = to_local(start, row["timezone"]).date(), to_local(end, row["timezone"]).date()
        wanted.add((row["uid"], start, end, row["status"].upper(), row["revision"]))
    for row in tables["journeys"]:
        if row["delegation_id"] != delegation_id or (row["status"] == "cancelled" and not include_cancelled):
            continue
        wanted.add((row["uid"], _instant(row["depart_at"]), _instant(row["arrive_at"]), row["status"].upper(), row["revision"]))
    return wanted


def assert_every_parser_reads(data: bytes, wanted: set[tuple]) -> None:
    results = parse_all(data)
    assert set(results) == set(PARSERS)
    problems = {}
    for parser, events in results.items():
        got = {(e.uid, e.start, e.end, e.status, e.sequence) for e in events}
        if got != wanted or len(events) != len(wanted):
            problems[parser] = {"missing": sorted(map(str, wanted - got)), "unexpected": sorted(map(str, got - wanted))}
    assert not problems, json.dumps(problems, indent=2)
    assert libical_restriction_errors(data) == []


def assert_well_formed(data: bytes) -> None:
    text = data.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
    for forbidden in ("ATTENDEE", "ORGANIZER", "METHOD:", "RDATE"):
        assert forbidden not in text.replace("\r\n ", "")
    used = set(re.findall(r"TZID=([^:;]+)", text))
    defined = set(re.findall(r"\r\nTZID:([^\r]+)", text))
    assert used <= defined, f"TZIDs without VTIMEZONE: {used - defined}"
    assert_outlook_safe_zones(data)


def assert_outlook_safe_zones(data: bytes) -> None:
    """MS-OXCICAL's shape: a zone with summer time has one STANDARD and one DAYLIGHT, each with an RRULE.

    Outlook reads the first STANDARD it finds; a second, rule-less one (the state before the first
    transition) would leave it without an end of summer. Zones without summer time: one STANDARD.
    """
    zones = Calendar.from_ical(data).walk("VTIMEZONE")
    assert zones
    for zone in zones:
        standard = [c for c in zone.subcomponents if c.name == "STANDARD"]
        daylight = [c for c in zone.subcomponents if c.name == "DAYLIGHT"]
        tzid = str(zone["TZID"])
        if utc_offset(datetime(2024, 1, 15, tzinfo=UTC), tzid) == utc_offset(datetime(2024, 7, 15, tzinfo=UTC), tzid):
            assert (len(standard), len(daylight)) == (1, 0), zone.to_ical().decode()
        else:
            assert (len(standard), len(daylight)) == (1, 1), zone.to_ical().decode()
            assert all("RRULE" in c for c in (*standard, *daylight)), zone.to_ical().decode()


# -- the Keller trip ---------------------------------------------------------


def test_keller_download_in_every_parser(app: Flask, client: FlaskClient, tmp_path: Path, seed_keller: KellerSeeder) -> None:
    seed_keller(app)
    with app.app_context():
        delegation_id = db.session.scalars(sa.select(Delegation.id)).one()
        make_user(UserRole.VIEWER, "viewer@example.org")
        tables = exported_rows(app, tmp_path)
    login(client, "viewer@example.org")
    body = client.get(f"/delegations/{delegation_id}/calendar.ics").data
    assert_well_formed(body)
    wanted = expected_events(tables, delegation_id, include_cancelled=False)
    assert len(wanted) == 16 + 3
    assert_every_parser_reads(body, wanted)
    # Departure in the departure zone, arrival in the arrival zone, as the traveller reads a ticket.
    unfolded = body.decode().replace("\r\n ", "")
    assert "DTSTART;TZID=Europe/Berlin:20241013T134000" in unfolded
    assert "DTEND;TZID=Asia/Seoul:20241014T085500" in unfolded


def test_keller_member_feed_in_every_parser(app: Flask, client: FlaskClient, tmp_path: Path, seed_keller: KellerSeeder) -> None:
    seed_keller(app)
    with app.app_context():
        diener = db.session.scalars(sa.select(Member).join(Person).where(Person.name == "Wolfram Diener")).one()
        delegation_id, member_id = diener.delegation_id, diener.id
        own = {a.uid for a in diener.delegation.appointments if diener in a.attendees}
        own |= {j.uid for j in diener.delegation.journeys if diener in j.travellers}
        make_user(UserRole.VIEWER, "viewer@example.org")
        tables = exported_rows(app, tmp_path)
    login(client, "viewer@example.org")
    body = client.get(f"/delegations/{delegation_id}/members/{member_id}/calendar.ics").data
    wanted = {e for e in expected_events(tables, delegation_id, include_cancelled=False) if e[0] in own}
    assert_every_parser_reads(body, wanted)


# -- a trip built to be hard -------------------------------------------------


@pytest.fixture
def hard_trip(app: Flask) -> int:
    """DST changes in Berlin (31 Mar and 27 Oct 2024), a flight over midnight and zones, all-day, cancelled."""
    with app.app_context():
        berlin = make_city("Düsseldorf", BERLIN, "DE")
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        tokyo = make_city("Tokio", "Asia/Tokyo", "JP")
        sao_paulo = make_city("São Paulo", "America/Sao_Paulo", "BR")
        delegation = Delegation(
            title="Harte Reise, mit Komma; und \\ Sonderzeichen",
            home_city=berlin,
            start_date=date(2024, 3, 29),
            end_date=date(2024, 11, 2),
        )
        person = Person(given_name="Ümit", family_name="Çelik-Łukasz", title="Dr.")
        member = Member(delegation=delegation, person=person, role=MemberRole.LEADER)
        db.session.add_all([delegation, member])

        def appointment(
            title: str, wall: datetime, minutes: int, zone: str = BERLIN, fold: int | None = None, **kw
        ) -> Appointment:
            start = to_utc(wall, zone, fold=fold)
            item = Appointment(
                delegation=delegation,
                title=title,
                start_at=start,
                end_at=start + timedelta(minutes=minutes),
                timezone=zone,
                kind=kw.pop("kind", AppointmentKind.OTHER),
                **kw,
            )
            item.attendees.append(member)
            db.session.add(item)
            return item

        appointment("Vor der Umstellung", datetime(2024, 3, 30, 23, 30), 90)  # ends after the spring gap
        appointment("Nach der Umstellung", datetime(2024, 3, 31, 3, 30), 60, status=ItemStatus.CONFIRMED)
        appointment("Erstes 02:30", datetime(2024, 10, 27, 2, 30), 45, fold=0)
        appointment("Zweites 02:30", datetime(2024, 10, 27, 2, 30), 45, fold=1)
        appointment("Über die Rückstellung", datetime(2024, 10, 27, 1, 30), 180)
        appointment("Montag danach", datetime(2024, 10, 28, 9, 0), 60)
        appointment(
            "Abgesagt, Komma; Semikolon",
            datetime(2024, 10, 15, 10, 0),
            60,
            zone="Asia/Seoul",
            status=ItemStatus.CANCELLED,
            city=seoul,
        )
        appointment("São Paulo Sommerzeit-frei", datetime(2024, 11, 1, 18, 0), 60, zone="America/Sao_Paulo", city=sao_paulo)
        all_day_start = to_utc(datetime(2024, 10, 17, 0, 0), "Asia/Tokyo")
        all_day = Appointment(
            delegation=delegation,
            title="Ganztägig: Messe",
            timezone="Asia/Tokyo",
            all_day=True,
            start_at=all_day_start,
            end_at=to_utc(datetime(2024, 10, 19, 0, 0), "Asia/Tokyo"),
            city=tokyo,
        )
        all_day.attendees.append(member)
        db.session.add(all_day)
        flight = Journey(
            delegation=delegation,
            mode=JourneyMode.FLIGHT,
            departure_place="Frankfurt (FRA)",
            arrival_place="Seoul (ICN)",
            departure_city=berlin,
            arrival_city=seoul,
            depart_at=to_utc(datetime(2024, 10, 26, 21, 50), BERLIN),
            departure_timezone=BERLIN,
            arrive_at=to_utc(datetime(2024, 10, 27, 16, 5), "Asia/Seoul"),
            arrival_timezone="Asia/Seoul",
            carrier="LH",
            number="712",
            status=ItemStatus.CONFIRMED,
        )
        flight.travellers.append(member)
        db.session.add(flight)
        db.session.commit()
        return delegation.id


@pytest.mark.parametrize("include_cancelled", [True, False], ids=["during-trip", "after-trip"])
def test_hard_trip_in_every_parser(app: Flask, hard_trip: int, tmp_path: Path, include_cancelled: bool) -> None:
    today = date(2024, 10, 1) if include_cancelled else date(2024, 11, 3)
    with app.app_context():
        tables = exported_rows(app, tmp_path)
        with app.test_request_context(base_url="https://planner.example.org"):
            delegation = delegation_with_programme(hard_trip)
            body = export_calendar(delegation, Scope(), locale="de", today=today).body
    assert_well_formed(body)
    wanted = expected_events(tables, hard_trip, include_cancelled=include_cancelled)
    assert len(wanted) == (10 if include_cancelled else 9)
    assert_every_parser_reads(body, wanted)
    results = parse_all(body)
    cancelled = [e for e in results["icaljs"] if e.status == "CANCELLED"]
    if include_cancelled:
        assert [e.summary for e in cancelled] == ["Abgesagt: Abgesagt, Komma; Semikolon"]
    else:
        assert cancelled == []
    # The second 02:30 on 27 October cannot be written as Berlin wall time (RFC 5545 reads the first).
    second = next(r for r in tables["appointments"] if r["title"] == "Zweites 02:30")
    assert second["start_at"] == "2024-10-27T01:30:00Z"


def test_sequence_rises_in_every_parser(app: Flask, hard_trip: int, tmp_path: Path) -> None:
    with app.app_context():
        appointment = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Montag danach")).one()
        appointment.start_at += timedelta(hours=2)
        appointment.end_at += timedelta(hours=2)
        db.session.commit()
        uid = appointment.uid
        tables = exported_rows(app, tmp_path)
        with app.test_request_context():
            body = export_calendar(delegation_with_programme(hard_trip), Scope(), locale="en", today=date(2024, 10, 1)).body
    wanted = expected_events(tables, hard_trip, include_cancelled=True)
    assert (uid, _instant("2024-10-28T10:00:00Z"), _instant("2024-10-28T11:00:00Z"), "TENTATIVE", 1) in wanted
    assert_every_parser_reads(body, wanted)


# -- start and end in the repeated hour, every combination --------------------

# 27 October 2024, Europe/Berlin: 03:00 CEST becomes 02:00 CET, so 02:00-02:59 happens twice
# (fold 0 at 00:xxZ, fold 1 at 01:xxZ). Europe/London repeats 01:00-01:59 at the same instants.
FALL_BACK = {
    "before": (datetime(2024, 10, 27, 1, 30), None),
    "first-0215": (datetime(2024, 10, 27, 2, 15), 0),
    "first-0245": (datetime(2024, 10, 27, 2, 45), 0),
    "second-0215": (datetime(2024, 10, 27, 2, 15), 1),
    "second-0245": (datetime(2024, 10, 27, 2, 45), 1),
    "after": (datetime(2024, 10, 27, 3, 30), None),
}
FOLD_PAIRS = [
    (start, end)
    for start in FALL_BACK
    for end in FALL_BACK
    if to_utc(FALL_BACK[start][0], BERLIN, fold=FALL_BACK[start][1]) < to_utc(FALL_BACK[end][0], BERLIN, fold=FALL_BACK[end][1])
]


def _berlin(name: str) -> datetime:
    wall, fold = FALL_BACK[name]
    return to_utc(wall, BERLIN, fold=fold)


def _written_forms(body: bytes) -> dict[str, tuple[str, str]]:
    """UID -> (DTSTART line, DTEND line) as written."""
    forms = {}
    for block in body.decode().replace("\r\n ", "").split("BEGIN:VEVENT")[1:]:
        lines = block.split("\r\n")
        uid = next(line[4:] for line in lines if line.startswith("UID:"))
        start = next(line for line in lines if line.startswith("DTSTART"))
        end = next(line for line in lines if line.startswith("DTEND"))
        forms[uid] = (start, end)
    return forms


def test_every_fold_combination_in_every_parser(app: Flask, tmp_path: Path) -> None:
    """Start and end before, in the first or second repeated hour, or after it: all six parsers agree.

    The 27 Oct 01:30-02:30 (second) appointment of issue 11 used to be written with a
    Berlin DTSTART and a UTC DTEND, which recurring-ical-events read an hour off.
    """
    assert ("before", "second-0245") in FOLD_PAIRS and ("first-0245", "second-0215") in FOLD_PAIRS
    with app.app_context():
        berlin = make_city("Düsseldorf", BERLIN, "DE")
        make_city("London", "Europe/London", "GB")  # the arrival city of the journeys below
        delegation = Delegation(
            title="Rückstellung", home_city=berlin, start_date=date(2024, 10, 26), end_date=date(2024, 10, 28)
        )
        db.session.add(delegation)
        for start, end in FOLD_PAIRS:
            db.session.add(
                Appointment(
                    delegation=delegation,
                    title=f"{start} bis {end}",
                    timezone=BERLIN,
                    start_at=_berlin(start),
                    end_at=_berlin(end),
                )
            )
            # The same instants as a short hop to London, whose repeated hour (01:xx) is the same hour of UTC.
            db.session.add(
                Journey(
                    delegation=delegation,
                    mode=JourneyMode.FLIGHT,
                    departure_place=f"DUS {start}",
                    arrival_place=f"LHR {end}",
                    depart_at=_berlin(start),
                    departure_timezone=BERLIN,
                    arrive_at=_berlin(end),
                    arrival_timezone="Europe/London",
                )
            )
        db.session.commit()
        delegation_id = delegation.id
        tables = exported_rows(app, tmp_path)
        with app.test_request_context():
            body = export_calendar(delegation_with_programme(delegation_id), Scope(), locale="de", today=date(2024, 10, 1)).body
    assert_well_formed(body)
    wanted = expected_events(tables, delegation_id, include_cancelled=True)
    assert len(wanted) == 2 * len(FOLD_PAIRS)
    assert_every_parser_reads(body, wanted)
    # One rule for every item: an end in a repeated hour puts both ends in UTC, otherwise both carry their zone.
    for row in tables["appointments"]:
        start_line, end_line = _written_forms(body)[row["uid"]]
        in_repeated_hour = not {"before", "after"} >= set(row["title"].split(" bis "))
        assert start_line.endswith("Z") == end_line.endswith("Z") == in_repeated_hour, (row["title"], start_line, end_line)


def test_zone_that_changed_its_rules_keeps_its_history_in_every_parser(app: Flask, tmp_path: Path) -> None:
    """Brazil ended summer time in 2019: a calendar over 2018-2019 needs the old rule and its end.

    The Outlook shape (one STANDARD, one DAYLIGHT) is for zones with a current rule; here the
    historical observances must stay, and all six parsers must still agree with the database.
    """
    zone = "America/Sao_Paulo"
    with app.app_context():
        city = make_city("São Paulo", zone, "BR")
        delegation = Delegation(title="Brasilien", home_city=city, start_date=date(2018, 1, 1), end_date=date(2019, 12, 31))
        db.session.add(delegation)
        for wall in (
            datetime(2018, 1, 10, 10),
            datetime(2018, 11, 20, 10),
            datetime(2019, 1, 10, 10),
            datetime(2019, 11, 20, 10),
            datetime(2019, 12, 20, 10),
        ):
            start = to_utc(wall, zone)
            db.session.add(
                Appointment(
                    delegation=delegation,
                    title=f"Termin {wall:%Y-%m-%d}",
                    timezone=zone,
                    start_at=start,
                    end_at=start + timedelta(hours=1),
                )
            )
        db.session.commit()
        delegation_id = delegation.id
        tables = exported_rows(app, tmp_path)
        with app.test_request_context():
            body = export_calendar(delegation_with_programme(delegation_id), Scope(), locale="de", today=date(2018, 1, 1)).body
    assert_every_parser_reads(body, expected_events(tables, delegation_id, include_cancelled=True))
    (vtimezone,) = Calendar.from_ical(body).walk("VTIMEZONE")
    observances = vtimezone.subcomponents
    assert any(c.name == "DAYLIGHT" for c in observances) and len(observances) > 2
    # The rule that ended says so, or clients would keep applying it.
    assert all("UNTIL" in c["RRULE"] for c in observances if "RRULE" in c)
