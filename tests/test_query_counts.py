"""A page costs a fixed number of SQL queries, however many appointments the trip has."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from benchmarks.harness import counted  # the same counter as make bench's query figures
from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    Delegation,
    FeedToken,
    Journey,
    Leg,
    Member,
    MemberRole,
    Organization,
    Person,
    UserRole,
)
from planner.models.directory import OrganizationKind
from planner.timezones import to_utc
from tests.conftest import login, make_city, make_user


def build_trip(app: Flask, appointments: int) -> tuple[int, str]:
    """A trip with ``appointments`` appointments over two legs, with members, organizations and contacts."""
    with app.app_context():
        home = make_city(f"Düsseldorf {appointments}", "Europe/Berlin", "DE")
        seoul = make_city(f"Seoul {appointments}", "Asia/Seoul", "KR")
        delegation = Delegation(title=f"Reise mit {appointments}", home_city=home, start_date=date(2024, 10, 13), end_date=date(2024, 10, 20))
        db.session.add(delegation)
        people = [
            Person(name=f"Person {i}", organization=Organization(name=f"Org {appointments}-{i}", kind=OrganizationKind.COMPANY))
            for i in range(8)
        ]
        members = [Member(delegation=delegation, person=p, role=MemberRole.MEMBER, sort_order=i) for i, p in enumerate(people)]
        db.session.add_all(members)
        db.session.add(Leg(delegation=delegation, city=seoul, arrive_at=to_utc(datetime(2024, 10, 14, 8), "Asia/Seoul"),
                           depart_at=to_utc(datetime(2024, 10, 19, 20), "Asia/Seoul")))
        db.session.add(Journey(delegation=delegation, departure_place="DUS", arrival_place="ICN", departure_city=home, arrival_city=seoul,
                               depart_at=to_utc(datetime(2024, 10, 13, 13, 40), "Europe/Berlin"), departure_timezone="Europe/Berlin",
                               arrive_at=to_utc(datetime(2024, 10, 14, 8, 55), "Asia/Seoul"), arrival_timezone="Asia/Seoul"))
        start = to_utc(datetime(2024, 10, 14, 9, 0), "Asia/Seoul")
        for i in range(appointments):
            begin = start + timedelta(minutes=17 * i)
            item = Appointment(delegation=delegation, title=f"Termin {i}", kind=AppointmentKind.COMPANY_VISIT, timezone="Asia/Seoul",
                               start_at=begin, end_at=begin + timedelta(minutes=45), city=seoul, venue=f"Ort {i % 5}",
                               organization=people[i % 8].organization, contact_person=people[(i + 1) % 8])
            item.attendees = [members[i % 8], members[(i + 3) % 8]]
            db.session.add(item)
        feed = FeedToken.issue(delegation)
        db.session.add(feed)
        db.session.commit()
        return delegation.id, feed.token


@pytest.fixture
def signed_in(app: Flask, client: FlaskClient) -> FlaskClient:
    with app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
    login(client, "planner@example.org")
    return client


PAGES = [
    "/delegations/{id}",
    "/delegations/{id}/timeline",
    "/delegations/{id}/calendar.ics",
    "/delegations/{id}/history",
    "/",
]


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_programme(app: Flask, signed_in: FlaskClient, page: str) -> None:
    small, _ = build_trip(app, 10)
    large, _ = build_trip(app, 500)
    counts = []
    for delegation_id in (small, large):
        with counted(app) as statements:
            response = signed_in.get(page.format(id=delegation_id))
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 10 appointments, {counts[1]} for 500"
    assert counts[1] <= 10, f"{page}: {counts[1]} queries"


def test_feed_queries_do_not_grow(app: Flask) -> None:
    small = build_trip(app, 10)
    large = build_trip(app, 500)
    client = app.test_client()
    counts = []
    for _id, token in (small, large):
        with counted(app) as statements:
            assert client.get(f"/feeds/{token}.ics").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] <= 10, counts
