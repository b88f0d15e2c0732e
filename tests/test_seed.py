"""The Keller trip seed: complete, honest about placeholders, and idempotent.

Expectations are taken from shared/seed-facts.md (the fact sheet), not from
the seed file: a fact missing from the seed fails here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner.backup.export import export_database
from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    Delegation,
    FollowUp,
    ItemStatus,
    Journey,
    Leg,
    Member,
    MemberRole,
    Organization,
    Partnership,
    Person,
    PersonSide,
)
from planner.seed import SeedError, load_seed
from planner.timezones import to_local

pytestmark = pytest.mark.usefixtures("app_ctx")

PLACEHOLDER_PHONE = re.compile(r"^\+44 20 7946 0\d{3}$")  # Ofcom's range reserved for drama


@pytest.fixture
def seeded() -> Delegation:
    load_seed(db.session)
    db.session.commit()
    return db.session.scalars(sa.select(Delegation)).one()


def without_timestamps(document: dict) -> dict:
    document = dict(document, exported_at=None)
    return document


def test_second_load_changes_nothing(seeded: Delegation) -> None:
    before = export_database(db.session)
    created = load_seed(db.session)
    db.session.commit()
    assert not created
    assert without_timestamps(export_database(db.session)) == without_timestamps(before)


def test_reload_keeps_a_planners_edits(seeded: Delegation) -> None:
    appointment = db.session.scalars(sa.select(Appointment).where(Appointment.title.contains("AIMMO"))).one()
    appointment.title = "AIMMO (verlegt)"
    appointment.start_at += timedelta(hours=1)
    appointment.end_at += timedelta(hours=1)
    db.session.commit()
    load_seed(db.session)
    db.session.commit()
    reloaded = db.session.get(Appointment, appointment.id)
    assert reloaded.title == "AIMMO (verlegt)"
    assert reloaded.revision == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == len(seeded.appointments)


def test_delegation_and_members(seeded: Delegation) -> None:
    assert seeded.start_date == date(2024, 10, 13)
    assert seeded.end_date in (date(2024, 10, 19), date(2024, 10, 20))
    assert seeded.home_city.name == "Düsseldorf" and seeded.home_timezone == "Europe/Berlin"
    leader = seeded.leader
    assert leader is not None
    assert (leader.person.title, leader.person.given_name, leader.person.family_name) == ("Dr.", "Stephan", "Keller")
    assert leader.person.name == "Stephan Keller" and leader.person.display_name == "Dr. Stephan Keller"
    assert all(m.person.side == PersonSide.OWN for m in seeded.members)
    names = {m.person.name: m for m in seeded.members}
    assert "Wolfram Diener" in names
    assert "Messe" in names["Wolfram Diener"].person.organization.name
    staff = [m for m in seeded.members if m.role == MemberRole.STAFF]
    assert any(m.person.organization.name.startswith("Wirtschaftsförderung") for m in staff)


def test_counterparts_have_their_name_parts(seeded: Delegation) -> None:
    people = {p.family_name: p for p in db.session.scalars(sa.select(Person))}
    hu, chun = people["Hu"], people["Chun"]
    # Chinese order, written as before: family name Hu first.
    assert (hu.given_name, hu.family_name_first, hu.name, hu.side) == ("Henghua", True, "Hu Henghua", PersonSide.HOST)
    assert (chun.title, chun.given_name, chun.name, chun.side) == ("Dr.", "Jong-Yoon", "Jong-Yoon Chun", PersonSide.HOST)


def test_legs_in_their_zones(seeded: Delegation) -> None:
    legs = [(leg.city.name, leg.city.timezone, leg.city.country.iso_code) for leg in seeded.legs]
    assert legs == [("Seoul", "Asia/Seoul", "KR"), ("Chongqing", "Asia/Shanghai", "CN")]
    seoul, chongqing = seeded.legs
    # Travel to China on Wednesday, 16 October 2024; back home by the weekend of 19/20 October.
    assert to_local(seoul.depart_at, "Asia/Seoul").date() == date(2024, 10, 16)
    assert to_local(chongqing.arrive_at, "Asia/Shanghai").date() == date(2024, 10, 16)
    assert all(leg.status == ItemStatus.TENTATIVE for leg in seeded.legs), "times and hotels are placeholders"


def test_journeys(seeded: Delegation) -> None:
    journeys = seeded.journeys
    assert len(journeys) == 3
    outbound, onward, home = journeys
    assert to_local(outbound.depart_at, "Europe/Berlin").date() == date(2024, 10, 13)
    assert (outbound.departure_timezone, outbound.arrival_timezone) == ("Europe/Berlin", "Asia/Seoul")
    assert to_local(outbound.arrive_at, "Asia/Seoul").date() > to_local(outbound.depart_at, "Europe/Berlin").date()
    assert (onward.departure_timezone, onward.arrival_timezone) == ("Asia/Seoul", "Asia/Shanghai")
    assert to_local(onward.depart_at, "Asia/Seoul").strftime("%A %d") == "Wednesday 16"
    assert home.arrival_timezone == "Europe/Berlin"
    assert to_local(home.arrive_at, "Europe/Berlin").date() in (date(2024, 10, 19), date(2024, 10, 20))
    for journey in journeys:
        assert journey.arrive_at > journey.depart_at
        assert journey.status == ItemStatus.TENTATIVE
        assert journey.notes and "Platzhalter" in journey.notes
        assert journey.travellers, "somebody travels"


def test_company_visits_in_seoul(seeded: Delegation) -> None:
    visits = [a for a in seeded.appointments if a.kind == AppointmentKind.COMPANY_VISIT and a.timezone == "Asia/Seoul"]
    organizations = {a.organization.name for a in visits}
    for company in ("AIMMO", "HD Hyundai", "Doosan Robotics", "Seegene"):
        assert any(name.startswith(company) for name in organizations), company
    doosan = db.session.scalars(sa.select(Organization).where(Organization.name.startswith("Doosan"))).one()
    assert "August 2024" in doosan.home_relation
    seegene = db.session.scalars(sa.select(Organization).where(Organization.name == "Seegene")).one()
    assert "Jong-Yoon Chun" in (seegene.profile or "") or any(p.name.endswith("Jong-Yoon Chun") for p in seegene.people)


def test_seoul_programme(seeded: Delegation) -> None:
    seoul = [a for a in seeded.appointments if a.timezone == "Asia/Seoul"]
    text = " ".join(f"{a.title} {a.objectives or ''} {a.talking_points or ''}" for a in seoul)
    assert "your Gateway to Europe's Health Market" in text
    assert "MEDICA" in text
    assert any(a.kind == AppointmentKind.GOVERNMENT_MEETING for a in seoul)
    breakfast = next(a for a in seoul if "frühstück" in a.title.lower())
    assert "Wolfram Diener" in {m.person.name for m in breakfast.attendees}


def test_chongqing_programme(seeded: Delegation) -> None:
    chongqing = [a for a in seeded.appointments if a.timezone == "Asia/Shanghai"]
    text = " ".join(f"{a.title} {a.background or ''} {a.objectives or ''}" for a in chongqing)
    for needle in ("Hu Henghua", "Generalkonsulat", "WCICO", "Z-Space", "Power of Inspiration", "Bernard Langerock"):
        assert needle in text, needle
    kinds = {a.kind for a in chongqing}
    assert {AppointmentKind.SEMINAR, AppointmentKind.COMPANY_VISIT, AppointmentKind.CULTURAL_VISIT} <= kinds
    assert any("20" in a.title and "Jubiläum" in a.title for a in chongqing)


def test_every_appointment_is_placed_honestly(seeded: Delegation) -> None:
    legs = seeded.legs
    for appointment in seeded.appointments:
        assert appointment.start_at.tzinfo is not None and appointment.end_at > appointment.start_at
        leg = next(leg for leg in legs if leg.arrive_at <= appointment.start_at < leg.depart_at)
        assert appointment.timezone == leg.city.timezone, appointment.title
        assert appointment.end_at <= leg.depart_at
        local_hour = to_local(appointment.start_at, appointment.timezone).hour
        assert 7 <= local_hour <= 21, f"{appointment.title} at an implausible local hour"
        # Times are not public: every one is a tentative placeholder that says so.
        assert appointment.status == ItemStatus.TENTATIVE
        assert "platzhalter" in (appointment.notes or "").lower(), appointment.title


def test_partnership_since_2004(seeded: Delegation) -> None:
    partnership = db.session.scalars(sa.select(Partnership)).one()
    assert partnership.home_city.name == "Düsseldorf"
    assert partnership.partner_city.name == "Chongqing"
    assert partnership.since == date(2004, 7, 22)
    assert "2001" in partnership.notes and "2008" in partnership.notes


def test_follow_ups(seeded: Delegation) -> None:
    follow_ups = db.session.scalars(sa.select(FollowUp)).all()
    assert len(follow_ups) >= 4
    medica = next(f for f in follow_ups if "MEDICA" in f.title)
    assert medica.owner.name == "Wolfram Diener"
    assert medica.due_on is not None and medica.due_on <= date(2024, 11, 11)
    assert {f.organization.name for f in follow_ups if f.organization} >= {"Seegene"}
    assert any("WCICO" in f.title or "Western China" in (f.description or "") for f in follow_ups)


def test_contact_data_is_obviously_fictitious(seeded: Delegation) -> None:
    people = db.session.scalars(sa.select(Person)).all()
    organizations = db.session.scalars(sa.select(Organization)).all()
    legs = db.session.scalars(sa.select(Leg)).all()
    records = [*people, *organizations]
    assert any(r.email for r in records) and any(r.phone for r in records), "briefs need contact data"
    for record in records:
        if record.email:
            assert record.email.endswith("@example.org"), record.email
        if record.phone:
            assert PLACEHOLDER_PHONE.match(record.phone), record.phone
        if record.email or record.phone:
            assert record.contact_is_placeholder, record.name
    for leg in legs:
        assert leg.hotel_phone is None or PLACEHOLDER_PHONE.match(leg.hotel_phone)
    members_with_contacts = [m for m in seeded.members if m.person.email or m.person.phone]
    assert len(members_with_contacts) >= 2
    on_site = [a.contact_person for a in seeded.appointments if a.contact_person]
    assert on_site and all(p.contact_is_placeholder for p in on_site if p.email or p.phone)


def test_broken_seed_file_changes_nothing(tmp_path: Path) -> None:
    good = Path(__file__).parents[1] / "planner" / "seed" / "keller-2024.toml"
    text = good.read_text(encoding="utf-8")
    # A wall time inside the Berlin spring-forward gap, late in the file: the
    # loader will already have created many rows when it hits it.
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace("2024-10-19T19:30:00", "2024-03-31T02:30:00"), encoding="utf-8")
    assert broken.read_text(encoding="utf-8") != text
    with pytest.raises(SeedError, match="does not exist"):
        load_seed(db.session, broken)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Journey)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_trip_is_written_through_the_operations(seeded: Delegation) -> None:
    """The trip's records are stored as the edit pages store them: trimmed text, each item created in one write."""
    texts = {
        Delegation: ("purpose", "notes"),
        Leg: ("focus", "hotel_name", "hotel_address", "hotel_phone", "notes"),
        Appointment: ("venue", "address", "objectives", "talking_points", "background", "dress_code", "notes"),
        Journey: ("carrier", "number", "booking_reference", "notes"),
        FollowUp: ("title", "description"),
    }
    untrimmed = [
        f"{model.__tablename__}.{name}"
        for model, names in texts.items()
        for row in db.session.scalars(sa.select(model))
        for name in names
        if (value := getattr(row, name)) is not None and (value != value.strip() or not value)
    ]
    assert not untrimmed
    # Attendees and travellers are part of the creating write, not a second change of every item.
    assert {a.version for a in seeded.appointments} == {1}
    assert {j.version for j in seeded.journeys} == {1}
    assert all(a.attendees for a in seeded.appointments) and all(j.travellers for j in seeded.journeys)
