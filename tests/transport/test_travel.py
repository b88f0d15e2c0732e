"""The travel-time check between consecutive appointments: distances, entered times, unknown, the boundary.

Expected distances come from a published figure or from the sphere's geometry
worked out here, never from the code under test.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask

from planner.extensions import db
from planner.models import Appointment, Delegation, Member, MemberRole, Person, Transfer, Vehicle, VehicleKind
from planner.program.conflicts import Warning, check_programme, split_hints
from planner.transport.queries import travel_rules
from planner.transport.travel import EARTH_RADIUS_KM, haversine_km
from tests.conftest import make_appointment, make_city, make_delegation

BUFFER = timedelta(minutes=30)  # the fixed buffer of the older rule (CONFLICT_BUFFER_MINUTES)
SEOUL = "Asia/Seoul"
# City Hall, Seoul (a landmark; the second place lies due north of it, on the same meridian).
LAT, LON = 37.5663, 126.9779


def test_haversine_bna_to_lax_as_published() -> None:
    # Rosetta Code, "Haversine formula" (https://rosettacode.org/wiki/Haversine_formula, checked 2026-12-01):
    # Nashville BNA (36.12, -86.67) to Los Angeles LAX (33.94, -118.40) is 2886.444 km on a sphere of 6371.0 km.
    published = 2886.44444283798
    assert haversine_km(36.12, -86.67, 33.94, -118.40) == pytest.approx(published * EARTH_RADIUS_KM / 6371.0, abs=1e-6)


def test_haversine_along_a_meridian_is_the_arc() -> None:
    # On a meridian the great circle is the meridian itself: the arc is R times the angle.
    assert haversine_km(LAT, LON, LAT + 0.1, LON) == pytest.approx(EARTH_RADIUS_KM * math.radians(0.1), rel=1e-9)
    assert haversine_km(LAT, LON, LAT, LON) == 0.0
    # A quarter of the globe, pole to equator.
    assert haversine_km(90.0, 0.0, 0.0, 77.0) == pytest.approx(EARTH_RADIUS_KM * math.pi / 2, rel=1e-9)


def north_of(km: float) -> float:
    """The latitude ``km`` due north of the first place (the inverse of the arc length)."""
    return LAT + math.degrees(km / EARTH_RADIUS_KM)


@pytest.fixture
def trip(app: Flask) -> Iterator[Delegation]:
    """A trip with two members and a day in Seoul; the default settings: 20 km/h, 15 minutes buffer."""
    with app.app_context():
        delegation = make_delegation()
        for n, (given, family) in enumerate((("Mina", "Kim"), ("Jun", "Lee"))):
            person = Person(given_name=given, family_name=family)
            db.session.add(Member(delegation=delegation, person=person, role=MemberRole.MEMBER, sort_order=n))
        db.session.flush()
        yield delegation


def pair(
    delegation: Delegation, gap_minutes: int, second_lat: float | None, *, first_lat: float | None = LAT
) -> tuple[Appointment, Appointment]:
    """Two appointments on 15 Oct. in Seoul at different venues, ``gap_minutes`` apart."""
    first = make_appointment(
        delegation,
        datetime(2024, 10, 15, 10),
        60,
        SEOUL,
        title="Erster Termin",
        venue="Rathaus",
        latitude=first_lat,
        longitude=LON if first_lat is not None else None,
    )
    second = make_appointment(
        delegation,
        datetime(2024, 10, 15, 11) + timedelta(minutes=gap_minutes),
        60,
        SEOUL,
        title="Zweiter Termin",
        venue="Palast",
        latitude=second_lat,
        longitude=LON if second_lat is not None else None,
    )
    return first, second


def warnings_of(delegation: Delegation) -> tuple[list[Warning], list[Warning]]:
    db.session.flush()
    db.session.expire_all()
    return split_hints(check_programme(db.session.get(Delegation, delegation.id), BUFFER, travel_rules(delegation.id)))


def kinds(warnings: list[Warning]) -> set[str]:
    return {w.kind for w in warnings}


# 9.99 km at 20 km/h is 29.97 minutes; with 15 minutes' buffer: 44.97, so 45 whole minutes are enough.
DISTANCE_KM = 9.99


@pytest.mark.parametrize(("gap", "warned"), [(44, True), (45, False), (60, False)])
def test_distance_at_city_speed_plus_buffer(app: Flask, trip: Delegation, gap: int, warned: bool) -> None:
    pair(trip, gap, north_of(DISTANCE_KM))
    warnings, hints = warnings_of(trip)
    assert ("travel_time" in kinds(warnings)) is warned
    assert not hints
    # Known travel time replaces the fixed 30-minute buffer of the older rule.
    assert "buffer" not in kinds(warnings)
    if warned:
        text = next(w.message for w in warnings if w.kind == "travel_time")
        assert "44 Minuten" in text and "45 Minuten" in text and "10,0 km" in text


def test_the_speed_and_buffer_are_settings(app: Flask, trip: Delegation) -> None:
    app.config.update(TRAVEL_CITY_SPEED_KMH=40, TRAVEL_BUFFER_MINUTES=5)
    # At 40 km/h, 9.99 km take 14.99 minutes; with 5 minutes' buffer 20 are enough.
    pair(trip, 20, north_of(DISTANCE_KM))
    assert "travel_time" not in kinds(warnings_of(trip)[0])


def test_entered_transfer_time_wins_over_the_distance(app: Flask, trip: Delegation) -> None:
    first, second = pair(trip, 47, north_of(DISTANCE_KM))  # the distance alone: 45 minutes would do
    city = make_city("Seoul", SEOUL, "KR")
    vehicle = Vehicle(delegation=trip, day=datetime(2024, 10, 15).date(), city=city, kind=VehicleKind.VAN, seats=6)
    db.session.add(
        Transfer(
            delegation=trip,
            vehicle=vehicle,
            appointment_id=second.id,
            from_appointment_id=first.id,
            depart_at=first.end_at,
            travel_minutes=50,
        )
    )
    warnings, _hints = warnings_of(trip)
    text = next(w.message for w in warnings if w.kind == "travel_time")
    assert "47 Minuten" in text and "50 Minuten" in text


@pytest.mark.parametrize(("gap", "warned"), [(49, True), (50, False)])
def test_entered_time_boundary_without_coordinates(app: Flask, trip: Delegation, gap: int, warned: bool) -> None:
    first, second = pair(trip, gap, None, first_lat=None)
    city = make_city("Seoul", SEOUL, "KR")
    vehicle = Vehicle(delegation=trip, day=datetime(2024, 10, 15).date(), city=city, seats=6)
    db.session.add(
        Transfer(
            delegation=trip,
            vehicle=vehicle,
            appointment_id=second.id,
            from_appointment_id=first.id,
            depart_at=first.end_at,
            travel_minutes=50,
        )
    )
    warnings, hints = warnings_of(trip)
    assert ("travel_time" in kinds(warnings)) is warned
    assert not hints  # the time is known


def test_unknown_travel_time_is_a_hint_not_a_warning(app: Flask, trip: Delegation) -> None:
    pair(trip, 60, north_of(DISTANCE_KM), first_lat=None)  # one place without coordinates
    warnings, hints = warnings_of(trip)
    assert not warnings
    assert kinds(hints) == {"travel_unknown"}
    assert "unbekannt" in hints[0].message


def test_unknown_travel_time_keeps_the_fixed_buffer(app: Flask, trip: Delegation) -> None:
    pair(trip, 10, None, first_lat=None)
    warnings, hints = warnings_of(trip)
    assert kinds(warnings) == {"buffer"}
    assert kinds(hints) == {"travel_unknown"}


def test_same_place_needs_no_travel(app: Flask, trip: Delegation) -> None:
    first, second = pair(trip, 0, None, first_lat=None)
    second.venue = first.venue
    warnings, hints = warnings_of(trip)
    assert not warnings and not hints


def test_only_the_members_own_consecutive_appointments(app: Flask, trip: Delegation) -> None:
    kim, lee = trip.members
    first, second = pair(trip, 5, north_of(DISTANCE_KM))
    first.attendees, second.attendees = [kim], [lee]
    assert not warnings_of(trip)[0]


def test_not_across_days(app: Flask, trip: Delegation) -> None:
    make_appointment(trip, datetime(2024, 10, 15, 22), 60, SEOUL, title="Spät", venue="A", latitude=LAT, longitude=LON)
    make_appointment(
        trip,
        datetime(2024, 10, 16, 0, 5),
        60,
        SEOUL,
        title="Nach Mitternacht",
        venue="B",
        latitude=north_of(DISTANCE_KM),
        longitude=LON,
    )
    warnings, hints = warnings_of(trip)
    assert "travel_time" not in kinds(warnings) and not hints


@pytest.mark.parametrize(("gap", "hinted"), [(134, True), (135, False)])
def test_no_hint_where_the_gap_is_enough_for_any_drive(app: Flask, trip: Delegation, gap: int, hinted: bool) -> None:
    # The longest drive the check reckons with is TRAVEL_MAX_MINUTES (120) plus the buffer (15).
    pair(trip, gap, None, first_lat=None)
    warnings, hints = warnings_of(trip)
    assert not warnings
    assert bool(hints) is hinted


@pytest.mark.parametrize(("gap", "warned"), [(134, True), (135, False)])
def test_a_drive_beyond_the_cap_is_taken_as_the_cap(app: Flask, trip: Delegation, gap: int, warned: bool) -> None:
    # 100 km at 20 km/h would be five hours: capped at two, plus 15 minutes.
    pair(trip, gap, north_of(100))
    assert ("travel_time" in kinds(warnings_of(trip)[0])) is warned
