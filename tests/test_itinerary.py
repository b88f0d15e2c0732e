"""Where the delegation is at an instant and on a day (:mod:`planner.delegations.itinerary`), and its callers.

The trip: Düsseldorf -> Seoul (14-17 Oct 2024, confirmed) -> Chongqing
(17-20 Oct, tentative), plus a *cancelled* stay in Tokyo (13-15 Oct) that
arrives before Seoul and overlaps it. Before the itinerary module, the new
appointment's default place, the timeline, the conflict checks, the brief
and the trips overview all read the cancelled stay as real; each caller's
test below fails on that code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from planner.briefs import queries as brief_queries
from planner.briefs.options import BriefOptions
from planner.briefs.render import build_brief
from planner.calendar.importing import parse_for_delegation
from planner.delegations.itinerary import Itinerary
from planner.extensions import db
from planner.models import City, Delegation, ItemStatus, Leg, Partnership, UserRole
from planner.program.conflicts import check_programme
from planner.program.queries import default_place
from planner.program.timeline import timeline_days
from planner.timezones import to_utc
from tests.conftest import login, make_appointment, make_city, make_delegation, make_user


@dataclass
class Trip:
    delegation: Delegation
    seoul: Leg
    chongqing: Leg
    tokyo: Leg  # cancelled


def leg(delegation: Delegation, city: City, arrive: datetime, depart: datetime, status: ItemStatus) -> Leg:
    """A leg from wall times in its city's zone."""
    item = Leg(
        delegation=delegation,
        city=city,
        arrive_at=to_utc(arrive, city.timezone),
        depart_at=to_utc(depart, city.timezone),
        status=status,
    )
    db.session.add(item)
    return item


@pytest.fixture
def trip(app_ctx: Flask) -> Iterator[Trip]:
    home = make_city("Düsseldorf", "Europe/Berlin", "DE")
    delegation = make_delegation(home)
    seoul = make_city("Seoul", "Asia/Seoul", "KR")
    chongqing = make_city("Chongqing", "Asia/Shanghai", "CN")
    tokyo = make_city("Tokyo", "Asia/Tokyo", "JP")
    trip = Trip(
        delegation,
        seoul=leg(delegation, seoul, datetime(2024, 10, 14, 8, 55), datetime(2024, 10, 17, 10, 15), ItemStatus.CONFIRMED),
        chongqing=leg(delegation, chongqing, datetime(2024, 10, 17, 12, 30), datetime(2024, 10, 20, 11, 0), ItemStatus.TENTATIVE),
        tokyo=leg(delegation, tokyo, datetime(2024, 10, 13, 10, 0), datetime(2024, 10, 15, 20, 0), ItemStatus.CANCELLED),
    )
    db.session.commit()
    yield trip


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- the rule ----------------------------------------------------------------------


def test_cancelled_legs_never_count_and_tentative_ones_do(trip: Trip) -> None:
    itinerary = Itinerary.of(trip.delegation)
    assert itinerary.legs == [trip.seoul, trip.chongqing]  # in order of arrival; Tokyo (cancelled) left out
    assert itinerary.home_zone == "Europe/Berlin"


def test_a_cancelled_leg_overlapping_a_real_one_does_not_hide_it(trip: Trip) -> None:
    itinerary = Itinerary.of(trip.delegation)
    noon_in_seoul = to_utc(datetime(2024, 10, 15, 12, 0), "Asia/Seoul")  # inside the cancelled Tokyo stay too
    assert itinerary.leg_at(noon_in_seoul) is trip.seoul
    assert itinerary.zone_at(noon_in_seoul) == "Asia/Seoul"
    assert itinerary.legs_on(date(2024, 10, 15)) == [trip.seoul]
    assert itinerary.zone_on(date(2024, 10, 15)) == "Asia/Seoul"


def test_a_stay_includes_its_arrival_and_excludes_its_departure(trip: Trip) -> None:
    itinerary = Itinerary.of(trip.delegation)
    assert itinerary.leg_at(trip.seoul.arrive_at) is trip.seoul
    assert itinerary.leg_at(trip.seoul.arrive_at - timedelta(seconds=1)) is None
    assert itinerary.leg_at(trip.seoul.depart_at) is None


def test_a_travel_day_has_two_cities_in_order(trip: Trip) -> None:
    itinerary = Itinerary.of(trip.delegation)
    assert itinerary.legs_on(date(2024, 10, 17)) == [trip.seoul, trip.chongqing]
    assert itinerary.zone_on(date(2024, 10, 17)) == "Asia/Seoul"  # where the day begins
    assert itinerary.days_of(trip.seoul) == (date(2024, 10, 14), date(2024, 10, 17))
    with pytest.raises(ValueError, match="not a counted leg"):
        itinerary.days_of(trip.tokyo)


def test_between_legs_no_leg_and_the_nearest_zone_of_that_day(trip: Trip) -> None:
    itinerary = Itinerary.of(trip.delegation)
    # 17 Oct, Seoul left at 10:15 KST (01:15 UTC), Chongqing reached at 12:30 CST (04:30 UTC).
    soon_after_leaving = utc(2024, 10, 17, 2, 0)  # 11:00 in Seoul, 45 min after leaving
    shortly_before_arriving = utc(2024, 10, 17, 4, 0)  # 12:00 in Chongqing, 30 min before arriving
    assert itinerary.leg_at(soon_after_leaving) is None
    assert itinerary.leg_at(shortly_before_arriving) is None
    assert itinerary.zone_at(soon_after_leaving) == "Asia/Seoul"
    assert itinerary.zone_at(shortly_before_arriving) == "Asia/Shanghai"
    # A floating wall time is read in each leg's own zone.
    assert itinerary.zone_at_wall(datetime(2024, 10, 17, 11, 0)) == "Asia/Seoul"
    assert itinerary.zone_at_wall(datetime(2024, 10, 17, 12, 15)) == "Asia/Shanghai"


def test_home_before_the_first_leg_and_after_the_last(trip: Trip) -> None:
    itinerary = Itinerary.of(trip.delegation)
    before = to_utc(datetime(2024, 10, 13, 15, 0), "Asia/Tokyo")  # inside the cancelled Tokyo stay
    assert itinerary.leg_at(before) is None
    assert itinerary.zone_at(before) == "Europe/Berlin"
    assert itinerary.zone_at_wall(datetime(2024, 10, 13, 15, 0)) == "Europe/Berlin"
    assert itinerary.legs_on(date(2024, 10, 13)) == []
    assert itinerary.zone_on(date(2024, 10, 13)) == "Europe/Berlin"
    assert itinerary.zone_on(date(2024, 10, 21)) == "Europe/Berlin"
    assert itinerary.zone_at(utc(2024, 10, 22, 12, 0)) == "Europe/Berlin"


def test_a_trip_without_legs_is_at_home(app_ctx: Flask) -> None:
    itinerary = Itinerary.of(make_delegation())
    assert itinerary.legs == []
    assert itinerary.leg_at(utc(2024, 10, 15, 12, 0)) is None
    assert itinerary.zone_at(utc(2024, 10, 15, 12, 0)) == itinerary.zone_on(date(2024, 10, 15)) == "Europe/Berlin"


# -- the callers -------------------------------------------------------------------


def test_new_appointment_defaults_to_the_real_leg(trip: Trip) -> None:
    assert default_place(trip.delegation, date(2024, 10, 15)) == (
        trip.seoul.city_id,
        datetime.combine(date(2024, 10, 15), time(9, 0)),
    )
    # Without a day: the first real leg, on the day it arrives.
    assert default_place(trip.delegation, None) == (trip.seoul.city_id, datetime(2024, 10, 14, 9, 0))
    # On a travel day: the leg arrived in first.
    assert default_place(trip.delegation, date(2024, 10, 17))[0] == trip.seoul.city_id


def test_timeline_columns_take_the_zone_of_the_real_leg(trip: Trip) -> None:
    zones = {column.day: column.zone for column in timeline_days(trip.delegation)}
    assert zones[date(2024, 10, 13)] == "Europe/Berlin"  # the Tokyo stay was cancelled
    assert zones[date(2024, 10, 15)] == "Asia/Seoul"
    assert zones[date(2024, 10, 18)] == "Asia/Shanghai"


def test_wrong_city_warning_compares_with_the_real_leg(trip: Trip) -> None:
    in_seoul = make_appointment(trip.delegation, datetime(2024, 10, 15, 11, 0), title="Rathaus", city_id=trip.seoul.city_id)
    in_tokyo = make_appointment(trip.delegation, datetime(2024, 10, 15, 14, 0), title="Botschaft", city_id=trip.tokyo.city_id)
    db.session.commit()
    with force_locale("de"):
        wrong = {w.appointment_id: w.message for w in check_programme(trip.delegation, timedelta(0)) if w.kind == "wrong_city"}
    assert in_seoul.id not in wrong
    assert "aber in Seoul" in wrong[in_tokyo.id]


def test_importer_reads_floating_times_in_the_real_legs_zone(trip: Trip) -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:vorher@test\r\nDTSTAMP:20240901T000000Z\r\nSUMMARY:Vorbereitung\r\n"
        b"DTSTART:20241013T150000\r\nDTEND:20241013T160000\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:seoul@test\r\nDTSTAMP:20240901T000000Z\r\nSUMMARY:Rathaus\r\n"
        b"DTSTART:20241015T120000\r\nDTEND:20241015T130000\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:utc@test\r\nDTSTAMP:20240901T000000Z\r\nSUMMARY:Telefonat\r\n"
        b"DTSTART:20241013T060000Z\r\nDTEND:20241013T070000Z\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    items = {item.uid: item for item in parse_for_delegation(trip.delegation, data)}
    assert items["vorher@test"].start_zone == "Europe/Berlin"  # not Asia/Tokyo: that stay was cancelled
    assert items["vorher@test"].start == utc(2024, 10, 13, 13, 0)
    assert items["seoul@test"].start_zone == "Asia/Seoul"
    assert items["utc@test"].start_zone == "Europe/Berlin"  # 15:00 in the cancelled Tokyo stay, 08:00 at home


def test_brief_shows_only_where_the_delegation_really_goes(trip: Trip, app: Flask) -> None:
    make_appointment(trip.delegation, datetime(2024, 10, 15, 11, 0), title="Rathaus", city_id=trip.seoul.city_id)
    db.session.add(Partnership(home_city=trip.delegation.home_city, partner_city=trip.tokyo.city, since=date(1990, 1, 1)))
    db.session.commit()
    delegation_id = trip.delegation.id
    with app.test_request_context(), force_locale("de"):
        source = brief_queries.brief_source(delegation_id)
        assert source is not None
        brief = build_brief(source, BriefOptions(), now=utc(2024, 10, 1))
    assert brief.glance_places == ["Düsseldorf", "Seoul", "Chongqing"]
    presence = {row.day: [cell.present for cell in row.cells] for row in brief.glance}
    assert presence[date(2024, 10, 13)] == [False, False, False]  # no cancelled Tokyo column, nobody away yet
    assert presence[date(2024, 10, 17)] == [False, True, True]  # the travel day: both cities
    assert [row.place for row in brief.zones] == ["Seoul", "Chongqing"]
    assert [d.city for d in brief.destinations] == ["Seoul", "Chongqing"]
    assert brief.partners == []  # Tokyo is a partner city, but the delegation no longer goes there
    # The hotels list every booked stay, the cancelled one struck through by its status.
    assert [(h.city, h.status) for h in brief.hotels] == [
        ("Tokyo", ItemStatus.CANCELLED),
        ("Seoul", ItemStatus.CONFIRMED),
        ("Chongqing", ItemStatus.TENTATIVE),
    ]


def test_trips_overview_lists_the_real_stops(trip: Trip, client: FlaskClient) -> None:
    make_user(UserRole.PLANNER, "planner@example.org")
    login(client, "planner@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Seoul · Chongqing" in page
    assert "Tokyo" not in page
