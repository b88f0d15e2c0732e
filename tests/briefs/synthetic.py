"""A large made-up trip for load and query-count checks: any number of appointments over three cities.

Used by the brief tests (fixed query count) and by benchmarks/bench_brief.py
(the 300-appointment figure). Everything is fictional: example.org
addresses, phone numbers from the Ofcom drama range.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from planner.models import (
    Appointment,
    AppointmentKind,
    City,
    Country,
    Delegation,
    DelegationStatus,
    FollowUp,
    ItemStatus,
    Journey,
    JourneyMode,
    Leg,
    Member,
    MemberRole,
    Organization,
    OrganizationKind,
    Partnership,
    Person,
)
from planner.timezones import to_utc

_CITIES = (
    ("DE", "Düsseldorf", None, "Europe/Berlin"),
    ("KR", "Busan", "부산", "Asia/Seoul"),
    ("CN", "Chengdu", "成都", "Asia/Shanghai"),
    ("JP", "Osaka", "大阪", "Asia/Tokyo"),
)

_KINDS = [k for k in AppointmentKind]
_STATUSES = (ItemStatus.CONFIRMED, ItemStatus.CONFIRMED, ItemStatus.TENTATIVE, ItemStatus.CANCELLED)


def _city(session: Session, iso: str, name: str, native: str | None, zone: str) -> City:
    country = session.scalar(sa.select(Country).filter_by(iso_code=iso))
    if country is None:
        country = Country(iso_code=iso, name=iso)
        session.add(country)
    city = session.scalar(sa.select(City).filter_by(name=name, country=country))
    if city is None:
        city = City(name=name, native_name=native, country=country, timezone=zone, profile=f"Profil von {name}.\n\nZweiter Absatz.")
        session.add(city)
    session.flush()
    return city


def make_trip(session: Session, appointments: int = 300, *, title: str | None = None, start: date = date(2025, 3, 2)) -> Delegation:
    """Create (and flush) a delegation with ``appointments`` appointments, 10 a day, over three foreign cities."""
    home, *abroad = (_city(session, *spec) for spec in _CITIES)
    per_day = 10
    days = max(1, -(-appointments // per_day))
    delegation = Delegation(
        title=title or f"Testreise mit {appointments} Terminen",
        purpose="Eine erfundene Reise für Last- und Abfragetests.\n\nZweiter Absatz.",
        home_city=home,
        start_date=start,
        end_date=start + timedelta(days=days + 1),
        status=DelegationStatus.PLANNED,
        notes="Interne Notiz der Testreise.",
    )
    session.add(delegation)
    session.add(Partnership(home_city=home, partner_city=abroad[1], since=date(1999, 5, 1), notes="Erfundene Partnerschaft."))

    organizations = []
    for n in range(max(4, appointments // 10)):
        city = abroad[n % len(abroad)]
        organization = Organization(
            name=f"Testorganisation {appointments}-{n}",
            native_name=city.native_name and f"{city.native_name} {n}",
            kind=OrganizationKind.COMPANY,
            sector="Testbranche",
            profile="Profil.\n\nZweiter Absatz.",
            home_relation="Niederlassung in Düsseldorf.",
            address=f"{city.name}, Teststraße {n}",
            city=city,
            phone=f"+44 20 7946 {n % 1000:04d}",
            email=f"org{n}@example.org",
            contact_is_placeholder=True,
        )
        session.add(organization)
        for k in range(2):
            session.add(
                Person(
                    name=f"Ansprechperson {n}-{k}",
                    function="Leitung",
                    organization=organization,
                    phone=f"+44 20 7946 {(n * 2 + k) % 1000:04d}",
                    email=f"person{n}-{k}@example.org",
                    languages="ko, en",
                    contact_is_placeholder=True,
                )
            )
        organizations.append(organization)

    members = []
    for n, role in enumerate([MemberRole.LEADER, MemberRole.MEMBER, MemberRole.MEMBER, MemberRole.STAFF, MemberRole.STAFF, MemberRole.PRESS, MemberRole.INTERPRETER, MemberRole.MEMBER]):
        person = Person(name=f"Mitglied {appointments}-{n}", function="Funktion", phone=f"+44 20 7946 09{n:02d}", email=f"m{n}@example.org", languages="de, en")
        members.append(Member(delegation=delegation, person=person, role=role, sort_order=n))
    session.add_all(members)
    session.flush()

    # Three legs of equal length; a flight out, between the legs, and home.
    leg_days = -(-days // len(abroad))
    previous = home
    for index, city in enumerate(abroad):
        first = start + timedelta(days=1 + index * leg_days)
        last = first + timedelta(days=leg_days)
        arrive = to_utc(datetime.combine(first, time(7, 0)), city.timezone)
        depart = to_utc(datetime.combine(last, time(7, 0)), city.timezone)
        session.add(Leg(delegation=delegation, city=city, arrive_at=arrive, depart_at=depart, status=ItemStatus.CONFIRMED,
                        hotel_name=f"Testhotel {city.name}", hotel_address=f"{city.name}", hotel_phone="+44 20 7946 0999"))
        session.add(Journey(delegation=delegation, mode=JourneyMode.FLIGHT, status=ItemStatus.CONFIRMED,
                            departure_city=previous, departure_place=f"{previous.name} Airport",
                            depart_at=arrive - timedelta(hours=11), departure_timezone=previous.timezone,
                            arrival_city=city, arrival_place=f"{city.name} Airport", arrive_at=arrive,
                            arrival_timezone=city.timezone, number=f"TS{index}00", booking_reference=f"REF{index}X",
                            travellers=list(members)))
        previous = city
    session.flush()

    created = []
    for n in range(appointments):
        day_index, slot = divmod(n, per_day)
        city = abroad[min(day_index // leg_days, len(abroad) - 1)]
        day = start + timedelta(days=1 + day_index)
        wall = datetime.combine(day, time(8, 0)) + timedelta(minutes=75 * slot)
        begin = to_utc(wall, city.timezone)
        appointment = Appointment(
            delegation=delegation,
            title=f"Termin {n + 1} in {city.name}",
            kind=_KINDS[n % len(_KINDS)],
            status=_STATUSES[n % len(_STATUSES)],
            start_at=begin,
            end_at=begin + timedelta(minutes=60),
            timezone=city.timezone,
            city=city,
            venue=f"Ort {n}",
            address=f"{city.name}, Testweg {n}",
            organization=organizations[n % len(organizations)],
            contact_person=organizations[n % len(organizations)].people[0] if organizations[n % len(organizations)].people else None,
            objectives="Ziel des Termins.",
            talking_points="- Erster Punkt.\n- Zweiter Punkt.",
            background="Hintergrund.",
            dress_code="Geschäftskleidung",
            notes="Interne Notiz.",
            attendees=members[: 3 + n % 5],
        )
        session.add(appointment)
        created.append(appointment)
    session.flush()
    for n in range(0, len(created), 25):
        session.add(FollowUp(delegation=delegation, title=f"Nachbereitung {n}", description="Text.", owner=members[3].person,
                             organization=created[n].organization, appointment=created[n], due_on=delegation.end_date))
    session.flush()
    return delegation
