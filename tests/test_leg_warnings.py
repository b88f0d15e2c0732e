"""Warnings about legs (issue #13): a stay outside the trip dates, two stays at once, appointments left behind.

The rules live in :func:`planner.program.conflicts.check_legs` and the
appointment rule ``outside_legs`` of :func:`check_programme`; the trip page
shows them at the legs, saving a leg flashes its own, and deleting or
cancelling a leg says how many appointments in its city it leaves behind.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import City, Delegation, ItemStatus, Leg
from planner.program.conflicts import check_legs, check_programme
from planner.timezones import to_utc
from tests.conftest import csrf_token, make_appointment, make_city, make_delegation


@dataclass(frozen=True)
class Trip:
    delegation: Delegation
    seoul: City
    chongqing: City


def _leg(delegation: Delegation, city: City, arrive: datetime, depart: datetime, **kw: object) -> Leg:
    """A leg from local wall times in ``city``'s zone."""
    leg = Leg(
        delegation=delegation, city=city, arrive_at=to_utc(arrive, city.timezone), depart_at=to_utc(depart, city.timezone), **kw
    )
    db.session.add(leg)
    db.session.flush()
    return leg


@pytest.fixture
def trip(app_ctx: Flask) -> Trip:
    """Düsseldorf → Seoul (13–16 Oct) → Chongqing (16–20 Oct); the trip runs 13–20 Oct 2024."""
    delegation = make_delegation()
    seoul = make_city("Seoul", "Asia/Seoul", "KR")
    chongqing = make_city("Chongqing", "Asia/Shanghai", "CN")
    _leg(delegation, seoul, datetime(2024, 10, 13, 15, 0), datetime(2024, 10, 16, 9, 0))
    _leg(delegation, chongqing, datetime(2024, 10, 16, 14, 0), datetime(2024, 10, 20, 10, 0))
    db.session.commit()
    return Trip(delegation, seoul, chongqing)


def _kinds(delegation: Delegation) -> list[tuple[str, str]]:
    db.session.expire(delegation)
    return [(w.kind, db.session.get(Leg, w.leg_id).city.name) for w in check_legs(delegation)]


# -- the rules -------------------------------------------------------------------


def test_a_trip_planned_within_its_dates_has_no_leg_warnings(trip: Trip) -> None:
    assert check_legs(trip.delegation) == []


def test_a_leg_before_the_first_or_after_the_last_day_is_warned(trip: Trip) -> None:
    early = _leg(trip.delegation, trip.seoul, datetime(2024, 10, 12, 20, 0), datetime(2024, 10, 13, 9, 0))
    late = _leg(trip.delegation, trip.chongqing, datetime(2024, 10, 20, 14, 0), datetime(2024, 10, 21, 8, 0))
    db.session.commit()
    warnings = [w for w in check_legs(db.session.get(Delegation, trip.delegation.id)) if w.kind == "outside_trip"]
    assert [w.leg_id for w in warnings] == [early.id, late.id]
    assert warnings[0].message == (
        "Station Seoul (Sa., 12. Okt. 2024 – So., 13. Okt. 2024) liegt außerhalb der Reisedaten "
        "(So., 13. Okt. 2024 – So., 20. Okt. 2024)."
    )


def test_the_trip_dates_are_compared_with_the_legs_local_dates(trip: Trip) -> None:
    # 13 Oct 01:00 in Seoul is still 12 Oct in UTC and at home: the leg's own calendar counts.
    _leg(trip.delegation, trip.seoul, datetime(2024, 10, 13, 1, 0), datetime(2024, 10, 13, 2, 0))
    # 20 Oct 23:30 in Chongqing is 20 Oct there (21 Oct would be outside).
    _leg(trip.delegation, trip.chongqing, datetime(2024, 10, 20, 23, 0), datetime(2024, 10, 20, 23, 30))
    db.session.commit()
    assert [k for k in _kinds(trip.delegation) if k[0] == "outside_trip"] == []


def test_two_overlapping_legs_are_both_warned(trip: Trip) -> None:
    # Chongqing from 15 Oct while the Seoul stay runs to 16 Oct.
    chongqing = trip.delegation.legs[1]
    chongqing.arrive_at = to_utc(datetime(2024, 10, 15, 12, 0), "Asia/Shanghai")
    db.session.commit()
    warnings = check_legs(db.session.get(Delegation, trip.delegation.id))
    assert [(w.kind, w.leg_id) for w in warnings] == [
        ("overlap", trip.delegation.legs[0].id),
        ("overlap", chongqing.id),
    ]
    assert warnings[0].message == "Die Stationen Seoul und Chongqing überschneiden sich zeitlich."


def test_back_to_back_and_cancelled_legs_do_not_overlap(trip: Trip) -> None:
    seoul, chongqing = trip.delegation.legs
    chongqing.arrive_at = seoul.depart_at  # leaves Seoul the instant it arrives in Chongqing
    _leg(
        trip.delegation,
        trip.chongqing,
        datetime(2024, 10, 14, 9, 0),
        datetime(2024, 10, 15, 9, 0),
        status=ItemStatus.CANCELLED,
    )
    db.session.commit()
    assert _kinds(trip.delegation) == []


def test_an_appointment_left_behind_by_a_deleted_leg_is_warned(trip: Trip) -> None:
    visit = make_appointment(trip.delegation, datetime(2024, 10, 14, 10, 0), city=trip.seoul, title="Besuch Samsung")
    make_appointment(trip.delegation, datetime(2024, 10, 18, 10, 0), zone="Asia/Shanghai", city=trip.chongqing)
    db.session.commit()
    assert [w for w in check_programme(trip.delegation, timedelta(0)) if w.kind == "outside_legs"] == []

    db.session.delete(trip.delegation.legs[0])
    db.session.commit()
    warnings = [
        w for w in check_programme(db.session.get(Delegation, trip.delegation.id), timedelta(0)) if w.kind == "outside_legs"
    ]
    assert [(w.appointment_id, w.message) for w in warnings] == [
        (visit.id, "„Besuch Samsung“ ist in Seoul, zu dieser Zeit ist aber keine Station geplant.")
    ]


def test_appointments_at_home_or_in_a_trip_without_legs_are_not_warned(trip: Trip) -> None:
    home = trip.delegation.home_city
    make_appointment(trip.delegation, datetime(2024, 10, 13, 8, 0), zone="Europe/Berlin", city=home, title="Abfahrt")
    make_appointment(trip.delegation, datetime(2024, 10, 14, 10, 0), city=trip.seoul)
    for leg in list(trip.delegation.legs):
        db.session.delete(leg)
    db.session.commit()
    # No legs planned yet: nothing to compare with.
    assert [w for w in check_programme(trip.delegation, timedelta(0)) if w.kind == "outside_legs"] == []


# -- the pages -------------------------------------------------------------------


@pytest.fixture
def planner(trip: Trip, planner_client: FlaskClient) -> FlaskClient:
    """A planner signed in once the trip of this module is made (not the shared Keller trip)."""
    return planner_client


def _legs_section(page: str) -> str:
    start = page.index('id="legs-heading"')
    return page[start : page.index("</section>", start)]


def test_the_trip_page_shows_leg_warnings_at_the_legs(app_ctx: Flask, planner: FlaskClient, trip: Trip) -> None:
    chongqing = trip.delegation.legs[1]
    chongqing.depart_at = to_utc(datetime(2024, 10, 21, 10, 0), "Asia/Shanghai")
    _leg(trip.delegation, trip.seoul, datetime(2024, 10, 18, 9, 0), datetime(2024, 10, 19, 9, 0))
    db.session.commit()
    section = html.unescape(_legs_section(planner.get(f"/delegations/{trip.delegation.id}").get_data(as_text=True)))
    assert "Station Chongqing (Mi., 16. Okt. 2024 – Mo., 21. Okt. 2024) liegt außerhalb der Reisedaten" in section
    assert "Die Stationen Chongqing und Seoul überschneiden sich zeitlich." in section


def test_deleting_a_leg_says_how_many_appointments_it_leaves_and_the_page_warns(
    app_ctx: Flask, planner: FlaskClient, trip: Trip
) -> None:
    delegation_id, seoul = trip.delegation.id, trip.delegation.legs[0]
    make_appointment(trip.delegation, datetime(2024, 10, 14, 10, 0), city=trip.seoul)
    make_appointment(trip.delegation, datetime(2024, 10, 15, 10, 0), city=trip.seoul)
    # Not left behind: cancelled, in the trash, in another city, or in Seoul outside the stay.
    make_appointment(trip.delegation, datetime(2024, 10, 14, 12, 0), city=trip.seoul, status=ItemStatus.CANCELLED)
    make_appointment(
        trip.delegation, datetime(2024, 10, 14, 14, 0), city=trip.seoul, deleted_at=datetime(2024, 10, 1, tzinfo=UTC)
    )
    make_appointment(trip.delegation, datetime(2024, 10, 14, 16, 0), city=trip.chongqing, zone="Asia/Shanghai")
    make_appointment(trip.delegation, datetime(2024, 10, 19, 10, 0), city=trip.seoul)
    db.session.commit()
    leg_id, version = seoul.id, seoul.version

    token = csrf_token(planner, f"/delegations/{delegation_id}")
    page = planner.post(
        f"/delegations/{delegation_id}/legs/{leg_id}/delete",
        data={"csrf_token": token, "version": version},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert db.session.scalar(sa.select(Leg).where(Leg.id == leg_id)) is None  # in the trash: hidden from every query
    assert (
        "Stopp Seoul in den Papierkorb gelegt. "
        "2 Termine in Seoul liegen in der Zeit dieser Station und jetzt außerhalb jeder Station." in html.unescape(page)
    )
    # The trip page warns from now on, at the legs and at the appointments.
    again = html.unescape(planner.get(f"/delegations/{delegation_id}").get_data(as_text=True))
    # The two in Seoul, and the one in Chongqing during Seoul's former stay (Chongqing's begins later).
    assert "3 Termine außerhalb jeder Station (siehe Programm)." in _legs_section(again)
    assert again.count("ist in Seoul, zu dieser Zeit ist aber keine Station geplant.") == 2
    assert again.count("ist in Chongqing, zu dieser Zeit ist aber keine Station geplant.") == 1


def test_deleting_a_leg_without_appointments_left_only_says_so(app_ctx: Flask, planner: FlaskClient, trip: Trip) -> None:
    delegation_id, leg = trip.delegation.id, trip.delegation.legs[0]
    token = csrf_token(planner, f"/delegations/{delegation_id}")
    page = planner.post(
        f"/delegations/{delegation_id}/legs/{leg.id}/delete",
        data={"csrf_token": token, "version": leg.version},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Stopp Seoul in den Papierkorb gelegt." in page
    assert "außerhalb jeder Station" not in page


def _leg_data(client: FlaskClient, url: str, city_id: int, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, url), "version": "1", "city_id": str(city_id), "status": "tentative", **fields}


def test_saving_a_leg_flashes_its_warnings(app_ctx: Flask, planner: FlaskClient, trip: Trip) -> None:
    url = f"/delegations/{trip.delegation.id}/legs/new"
    data = _leg_data(planner, url, trip.seoul.id, arrives="2024-10-19T12:00", departs="2024-10-21T09:00")
    response = planner.post(url, data=data, follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert 'class="flash flash--warning"' in page
    assert (
        "Station Seoul (Sa., 19. Okt. 2024 – Mo., 21. Okt. 2024) liegt außerhalb der Reisedaten"
        in page.split('id="legs-heading"')[0]
    )
    assert "Die Stationen Chongqing und Seoul überschneiden sich zeitlich." in page.split('id="legs-heading"')[0]


def test_cancelling_a_leg_flashes_the_appointments_it_leaves(app_ctx: Flask, planner: FlaskClient, trip: Trip) -> None:
    delegation_id, leg = trip.delegation.id, trip.delegation.legs[0]
    make_appointment(trip.delegation, datetime(2024, 10, 14, 10, 0), city=trip.seoul)
    db.session.commit()
    url = f"/delegations/{delegation_id}/legs/{leg.id}/edit"
    data = _leg_data(planner, url, trip.seoul.id, arrives="2024-10-13T15:00", departs="2024-10-16T09:00", status="cancelled")
    data["version"] = str(leg.version)
    page = html.unescape(planner.post(url, data=data, follow_redirects=True).get_data(as_text=True))
    assert "1 Termin in Seoul liegt in der Zeit dieser Station und jetzt außerhalb jeder Station." in page
