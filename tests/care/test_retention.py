"""Deletion of travel data after the person's last trip: exactly the expired profiles, the programme untouched."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from planner.care.retention import purge_travel_data
from planner.extensions import db
from planner.jobs import jobs
from planner.models import (
    Appointment,
    ChangeRecord,
    Delegation,
    Leg,
    Member,
    Person,
    PersonSide,
    TravelDataLink,
    TravelProfile,
)
from planner.timezones import today_in, utc_now
from tests.conftest import make_city

PLANTED = "P-RETAIN-4242"


def _trip(title: str, end: date, home_city_id: int) -> Delegation:
    delegation = Delegation(title=title, home_city_id=home_city_id, start_date=end - timedelta(days=5), end_date=end)
    db.session.add(delegation)
    db.session.flush()
    return delegation


def _traveller(family_name: str, *trips: Delegation) -> Person:
    person = Person(given_name="Test", family_name=family_name, side=PersonSide.OWN)
    db.session.add(person)
    db.session.flush()
    for trip in trips:
        db.session.add(Member(delegation=trip, person=person))
    db.session.add(TravelProfile(person_id=person.id, passport_number=PLANTED, medical_notes="asthma"))
    db.session.flush()
    return person


@pytest.fixture
def world(app: Flask, keller_trip: int) -> dict[str, int]:
    """Against 30 days: trips that ended 31 and 29 days ago (home dates), and one in the future."""
    with app.app_context():
        today = today_in(app.config["HOME_TIMEZONE"])
        home = make_city("Essen")
        old = _trip("Ended 31 days ago", today - timedelta(days=31), home.id)
        recent = _trip("Ended 29 days ago", today - timedelta(days=29), home.id)
        future = _trip("Next month", today + timedelta(days=30), home.id)
        ids = {
            "old": _traveller("Oldtrip", old).id,
            "recent": _traveller("Recenttrip", recent).id,
            "both": _traveller("Oldandfuture", old, future).id,
            "keller": db.session.scalars(sa.select(Member.person_id).where(Member.delegation_id == keller_trip)).first(),
        }
        # The Keller trip (October 2024) is long over: its member's data is due too.
        db.session.add(TravelProfile(person_id=ids["keller"], passport_number=PLANTED))
        # On no trip: due when unchanged for long enough.
        stale = Person(given_name="Test", family_name="Notrip", side=PersonSide.OWN)
        fresh = Person(given_name="Test", family_name="Freshnotrip", side=PersonSide.OWN)
        db.session.add_all([stale, fresh])
        db.session.flush()
        db.session.add(TravelProfile(person_id=stale.id, updated_at=utc_now() - timedelta(days=40), created_at=utc_now()))
        db.session.add(TravelProfile(person_id=fresh.id))
        ids["stale"], ids["fresh"] = stale.id, fresh.id
        # Links: one used, one lapsed, one open.
        member = db.session.scalars(sa.select(Member).where(Member.delegation_id == recent.id)).one()
        now = utc_now()
        db.session.add_all(
            [
                TravelDataLink(member=member, digest="a" * 64, expires_at=now + timedelta(days=3), used_at=now),
                TravelDataLink(member=member, digest="b" * 64, expires_at=now - timedelta(days=1)),
                TravelDataLink(member=member, digest="c" * 64, expires_at=now + timedelta(days=3)),
            ]
        )
        db.session.commit()
        # updated_at is set on every flush: put the stale one back in the past.
        db.session.execute(
            sa.update(TravelProfile).where(TravelProfile.person_id == stale.id).values(updated_at=utc_now() - timedelta(days=40))
        )
        db.session.commit()
        return ids


def _profiles(app: Flask) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(sa.select(TravelProfile.person_id)))


def _programme(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Appointment, Member, Leg))  # type: ignore[return-value]


def test_dry_run_lists_names_and_deletes_nothing(app: Flask, runner: FlaskCliRunner, world: dict[str, int]) -> None:
    before = _profiles(app)
    result = runner.invoke(args=["care", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Test Oldtrip" in result.output and "Ended 31 days ago" in result.output
    assert "Test Notrip" in result.output
    for kept in ("Recenttrip", "Oldandfuture", "Freshnotrip"):
        assert kept not in result.output
    assert PLANTED not in result.output and "asthma" not in result.output
    assert _profiles(app) == before


def test_purge_deletes_exactly_the_expired_profiles(app: Flask, runner: FlaskCliRunner, world: dict[str, int]) -> None:
    programme = _programme(app)
    result = runner.invoke(args=["care", "purge"])
    assert result.exit_code == 0, result.output
    assert PLANTED not in result.output
    assert _profiles(app) == {world["recent"], world["both"], world["fresh"]}
    assert _programme(app) == programme
    with app.app_context():
        # The dead links went, the open one stays.
        assert set(db.session.scalars(sa.select(TravelDataLink.digest))) == {"c" * 64}
        records = db.session.scalars(sa.select(ChangeRecord).where(ChangeRecord.entity == "travel_profiles")).all()
        assert {r.label for r in records} >= {"Test Oldtrip", "Test Notrip"}
        assert all(r.action == "delete" and r.changes == {} for r in records)
        assert PLANTED not in str([r.changes for r in records])
    # Nothing left to do the second time.
    assert "Deleted 0 profile(s)" in runner.invoke(args=["care", "purge"]).output


def test_the_daily_job_is_scheduled_and_purges(app: Flask, world: dict[str, int]) -> None:
    with app.app_context():
        periodic = [task.name for task in jobs(app).huey._registry.periodic_tasks]
        assert "purge_travel_data" in periodic
        purge_travel_data()
    assert world["old"] not in _profiles(app)
    assert world["recent"] in _profiles(app)
