"""The domain model on a real database: UTC storage, zone names, constraints, revisions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import Flask

from planner.extensions import db
from planner.models import Appointment, ItemStatus, Journey, JourneyMode, Member, MemberRole, Person
from planner.timezones import UTC, to_utc
from tests.conftest import make_appointment, make_city, make_delegation

pytestmark = pytest.mark.usefixtures("app_ctx")


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def test_instants_come_back_aware_in_utc() -> None:
    delegation = make_delegation()
    seoul_wall = datetime(2024, 10, 16, 9, 30, tzinfo=timezone(timedelta(hours=9)))
    appointment = make_appointment(delegation, datetime(2024, 10, 16, 9, 30))
    appointment.start_at = seoul_wall  # an aware non-UTC value is the same instant
    db.session.commit()
    loaded = reload(appointment)
    assert loaded.start_at == datetime(2024, 10, 16, 0, 30, tzinfo=UTC)
    assert loaded.start_at.tzinfo is UTC
    # What the database itself holds is UTC too, not the Seoul wall time.
    raw = db.session.execute(sa.text("SELECT start_at FROM appointments")).scalar_one()
    if isinstance(raw, str):  # SQLite keeps text
        assert raw.startswith("2024-10-16 00:30:00")
    else:
        assert raw.astimezone(UTC) == datetime(2024, 10, 16, 0, 30, tzinfo=UTC)


def test_naive_datetime_is_refused_and_nothing_is_written() -> None:
    delegation = make_delegation()
    db.session.commit()
    db.session.add(
        Appointment(
            delegation=delegation,
            title="naiv",
            start_at=datetime(2024, 10, 16, 9, 30),
            end_at=datetime(2024, 10, 16, 10, 30),
            timezone="Asia/Seoul",
        )
    )
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Appointment.id))) == 0


def test_unknown_zone_name_is_refused() -> None:
    delegation = make_delegation()
    appointment = make_appointment(delegation, datetime(2024, 10, 16, 9, 30))
    db.session.commit()
    appointment.timezone = "Asia/Atlantis"
    with pytest.raises(sa.exc.StatementError, match="unknown time zone"):
        db.session.commit()
    db.session.rollback()
    assert reload(appointment).timezone == "Asia/Seoul"


def test_database_refuses_end_before_start() -> None:
    delegation = make_delegation()
    start = to_utc(datetime(2024, 10, 16, 9, 30), "Asia/Seoul")
    db.session.add(Appointment(delegation=delegation, title="x", start_at=start, end_at=start, timezone="Asia/Seoul"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_uids_are_unique_and_stable() -> None:
    delegation = make_delegation()
    first = make_appointment(delegation, datetime(2024, 10, 16, 9, 30))
    second = make_appointment(delegation, datetime(2024, 10, 16, 11, 0))
    db.session.commit()
    assert first.uid != second.uid
    uid = first.uid
    first.start_at += timedelta(hours=1)
    first.end_at += timedelta(hours=1)
    first.title = "verschoben"
    db.session.commit()
    assert reload(first).uid == uid
    db.session.add(
        Appointment(
            delegation=delegation,
            uid=uid,
            title="copy",
            timezone="Asia/Seoul",
            start_at=first.start_at,
            end_at=first.end_at,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_appointment_revision_bumps_on_time_place_status_only() -> None:
    delegation = make_delegation()
    appointment = make_appointment(delegation, datetime(2024, 10, 16, 9, 30))
    db.session.commit()
    assert appointment.revision == 0
    start_revision = delegation.revision

    appointment.title = "Neuer Titel"
    appointment.talking_points = "MEDICA"
    db.session.commit()
    assert reload(appointment).revision == 0, "text edits are not a reschedule"
    assert reload(delegation).revision == start_revision + 1

    appointment = reload(appointment)
    appointment.start_at += timedelta(minutes=30)
    appointment.end_at += timedelta(minutes=30)
    db.session.commit()
    assert reload(appointment).revision == 1, "one save, one bump, however many fields"

    appointment = reload(appointment)
    appointment.venue = "Konferenzraum 2"
    db.session.commit()
    appointment = reload(appointment)
    appointment.status = ItemStatus.CANCELLED
    db.session.commit()
    assert reload(appointment).revision == 3
    assert reload(delegation).revision == start_revision + 4

    # Setting a field to the value it already has is not a change.
    appointment = reload(appointment)
    appointment.status = ItemStatus.CANCELLED
    db.session.commit()
    assert reload(appointment).revision == 3
    assert reload(delegation).revision == start_revision + 4


def test_attendee_changes_bump_the_delegation_not_the_sequence() -> None:
    delegation = make_delegation()
    person = Person(given_name="Test", family_name="Person")
    member = Member(delegation=delegation, person=person, role=MemberRole.MEMBER)
    db.session.add(member)
    appointment = make_appointment(delegation, datetime(2024, 10, 16, 9, 30))
    db.session.commit()
    before = delegation.revision
    appointment.attendees.append(member)
    db.session.commit()
    assert reload(appointment).revision == 0
    assert reload(delegation).revision == before + 1
    assert [m.person.name for m in reload(appointment).attendees] == ["Test Person"]


def test_deleting_an_appointment_bumps_the_delegation() -> None:
    delegation = make_delegation()
    appointment = make_appointment(delegation, datetime(2024, 10, 16, 9, 30))
    db.session.commit()
    before = delegation.revision
    db.session.delete(appointment)
    db.session.commit()
    assert reload(delegation).revision == before + 1


def test_journey_crossing_midnight_and_zones() -> None:
    delegation = make_delegation()
    seoul = make_city("Seoul", "Asia/Seoul", "KR")
    # Düsseldorf 13:40 -> Seoul 08:55 the next morning: 12 h 15 min in the air.
    journey = Journey(
        delegation=delegation,
        mode=JourneyMode.FLIGHT,
        departure_place="Düsseldorf (DUS)",
        depart_at=to_utc(datetime(2024, 10, 13, 13, 40), "Europe/Berlin"),
        departure_timezone="Europe/Berlin",
        arrival_city=seoul,
        arrival_place="Seoul Incheon (ICN)",
        arrive_at=to_utc(datetime(2024, 10, 14, 8, 55), "Asia/Seoul"),
        arrival_timezone="Asia/Seoul",
    )
    db.session.add(journey)
    db.session.commit()
    loaded = reload(journey)
    assert loaded.arrive_at - loaded.depart_at == timedelta(hours=12, minutes=15)
    assert loaded.revision == 0
    loaded.arrival_timezone = "Asia/Tokyo"
    db.session.commit()
    assert reload(journey).revision == 1


def test_leader_comes_from_member_role(app: Flask) -> None:
    delegation = make_delegation()
    db.session.add_all(
        [
            Member(delegation=delegation, person=Person(family_name="B"), role=MemberRole.MEMBER, sort_order=1),
            Member(delegation=delegation, person=Person(family_name="A", title="Dr."), role=MemberRole.LEADER, sort_order=0),
        ]
    )
    db.session.commit()
    leader = reload(delegation).leader
    assert leader is not None and leader.person.display_name == "Dr. A"
