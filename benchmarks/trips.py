"""Generated delegation trips of any size: the one generator of the benchmarks and the tests.

The page, feed, server and brief benchmarks measure these trips; the tests of
fixed query counts (tests/test_query_counts.py, tests/briefs/test_brief_web.py)
build the same ones, so a test and its benchmark figure speak of the same data.

    delegation_id, feed_token = generate_trip(3000)   # inside an app context

Builds through the ORM (so every flush hook runs: revisions, history) a
trip that looks like a real one, only larger: a home city (Düsseldorf,
Europe/Berlin) and ten legs in cities whose zones differ (with and without
daylight saving time, north and south, a half-hour offset), night flights
between the legs, fifty members (officials, business leaders with their
companies, staff, press, interpreters), organizations with contact people
in every city, and ``appointments`` appointments spread over the legs'
days in local time, with mixed statuses and kinds, a few attendees each,
venues, addresses and notes. The trip runs over the end of European summer
time (26 October 2025), so home times shift during the trip.

Everything is fictional: ``example.org`` addresses and phone numbers from
Ofcom's drama range. The generator is deterministic (fixed random seed), so
two runs of a benchmark measure the same data. Works on SQLite and
PostgreSQL; nothing here is committed until the end, in one transaction.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    City,
    Country,
    Delegation,
    DelegationStatus,
    FeedToken,
    FollowUp,
    ItemStatus,
    Journey,
    JourneyMode,
    Leg,
    Member,
    MemberRole,
    Organization,
    OrganizationKind,
    Person,
    PersonSide,
)
from planner.timezones import to_local, to_utc

# (ISO country, city, native name, zone, latitude, longitude)
HOME = ("DE", "Düsseldorf", None, "Europe/Berlin", 51.2277, 6.7735)
LEG_CITIES = (
    ("KR", "Seoul", "서울", "Asia/Seoul", 37.5665, 126.9780),  # no DST
    ("CN", "Chongqing", "重庆", "Asia/Shanghai", 29.5630, 106.5516),  # no DST
    ("JP", "Tokyo", "東京", "Asia/Tokyo", 35.6762, 139.6503),  # no DST
    ("AU", "Sydney", None, "Australia/Sydney", -33.8688, 151.2093),  # southern DST, starts 5 Oct 2025
    ("SG", "Singapore", None, "Asia/Singapore", 1.3521, 103.8198),  # no DST
    ("IN", "Mumbai", "मुंबई", "Asia/Kolkata", 19.0760, 72.8777),  # +05:30
    ("IL", "Tel Aviv", "תל אביב", "Asia/Jerusalem", 32.0853, 34.7818),  # DST ends 24 Oct 2025
    ("GB", "London", None, "Europe/London", 51.5072, -0.1276),  # DST ends 26 Oct 2025
    ("US", "New York", None, "America/New_York", 40.7128, -74.0060),  # DST ends 2 Nov 2025
    ("BR", "São Paulo", None, "America/Sao_Paulo", -23.5505, -46.6333),  # no DST since 2019
)
START = date(2025, 10, 1)
DAYS_PER_LEG = 3
FLIGHT_HOURS = 9

_KINDS = list(AppointmentKind)
# Mostly confirmed, some tentative, a few cancelled: the mix a trip has a month before departure.
_STATUSES = [ItemStatus.CONFIRMED] * 6 + [ItemStatus.TENTATIVE] * 3 + [ItemStatus.CANCELLED]
_ROLES = (
    [MemberRole.LEADER]
    + [MemberRole.MEMBER] * 30
    + [MemberRole.STAFF] * 12
    + [MemberRole.PRESS] * 4
    + [MemberRole.INTERPRETER] * 3
)
_DURATIONS = (30, 45, 45, 60, 60, 60, 90, 120)
_ORG_KINDS = [k for k in OrganizationKind if k is not OrganizationKind.OTHER]
_TITLES = (
    "Besuch bei {org}",
    "Gespräch mit {org}",
    "Arbeitsessen mit {org}",
    "Werksbesichtigung {org}",
    "Empfang durch {org}",
    "Seminar bei {org}",
    "Pressetermin bei {org}",
    "Interne Besprechung",
)


def _country(iso: str) -> Country:
    country = db.session.scalar(sa.select(Country).filter_by(iso_code=iso))
    if country is None:
        country = Country(iso_code=iso, name=iso)
        db.session.add(country)
        db.session.flush()
    return country


def _city(iso: str, name: str, native: str | None, zone: str, latitude: float, longitude: float) -> City:
    """The city if it exists (the Keller seed has Düsseldorf, Seoul, Chongqing), else a new one."""
    country = _country(iso)
    city = db.session.scalar(sa.select(City).filter_by(name=name, country_id=country.id))
    if city is None:
        city = City(
            name=name,
            native_name=native,
            country=country,
            timezone=zone,
            latitude=latitude,
            longitude=longitude,
            profile=f"{name}: erfundenes Profil für Lasttests.",
        )
        db.session.add(city)
        db.session.flush()
    return city


def _person(label: str, n: int, name: str, **fields: object) -> Person:
    return Person(
        given_name=name,
        family_name=f"{label}-{n}",
        email=f"p{n}.{label.lower()}@example.org",
        phone=f"+44 20 7946 0{n % 1000:03d}",
        languages="de, en",
        contact_is_placeholder=True,
        **fields,
    )


def generate_trip(appointments: int, members: int = 50, legs: int = 10, label: str = "Last") -> tuple[int, str]:
    """Create a trip with ``appointments`` appointments; return (delegation id, secret feed token of the whole trip).

    ``label`` keeps names apart when several trips are generated in one
    database (organization names are unique). Must run in an app context;
    commits once at the end.
    """
    if not 1 <= legs <= len(LEG_CITIES):
        raise ValueError(f"legs must be between 1 and {len(LEG_CITIES)}")
    rng = random.Random(f"{label}/{appointments}/{members}/{legs}")
    label = f"{label}{appointments}"
    home = _city(*HOME)
    cities = [_city(*spec) for spec in LEG_CITIES[:legs]]

    # Legs: arrive 07:00 local, leave three days later at 22:00 local on a night flight.
    stays: list[tuple[City, datetime, datetime]] = []
    arrive = to_utc(datetime.combine(START + timedelta(days=1), time(7, 0)), cities[0].timezone, fold=0)
    for city in cities:
        first_day = to_local(arrive, city.timezone).date()
        depart = to_utc(datetime.combine(first_day + timedelta(days=DAYS_PER_LEG - 1), time(22, 0)), city.timezone, fold=0)
        stays.append((city, arrive, depart))
        # The next arrival: 07:00 local on the first morning at least FLIGHT_HOURS after take-off.
        if len(stays) < len(cities):
            following = cities[len(stays)]
            landing_day = to_local(depart + timedelta(hours=FLIGHT_HOURS), following.timezone).date()
            arrive = to_utc(datetime.combine(landing_day, time(7, 0)), following.timezone, fold=0)
            if arrive < depart + timedelta(hours=FLIGHT_HOURS):
                arrive = to_utc(datetime.combine(landing_day + timedelta(days=1), time(7, 0)), following.timezone, fold=0)
    outbound = stays[0][1] - timedelta(hours=12)
    homecoming = stays[-1][2] + timedelta(hours=12)

    delegation = Delegation(
        title=f"Generierte Reise {label} ({appointments} Termine)",
        purpose="Eine erfundene Reise für Lastmessungen: zehn Stationen, fünfzig Teilnehmende.\n\nZweiter Absatz.",
        home_city=home,
        start_date=to_local(outbound, home.timezone).date(),
        end_date=to_local(homecoming, home.timezone).date(),
        status=DelegationStatus.PLANNED,
        notes="Interne Notiz der generierten Reise.",
    )
    db.session.add(delegation)

    # Organizations in every city, each with two contact people; the travelling companies at home.
    hosts: dict[int, list[Organization]] = {}
    for city in cities:
        hosts[city.id] = []
        for n in range(max(3, appointments // (legs * 8))):
            organization = Organization(
                name=f"{city.name} Organisation {label}-{n}",
                native_name=city.native_name and f"{city.native_name} {n}",
                kind=_ORG_KINDS[n % len(_ORG_KINDS)],
                sector="Erfundene Branche",
                profile="Profil.\n\nZweiter Absatz.",
                address=f"{city.name}, Teststraße {n}",
                city=city,
                phone=f"+44 20 7946 0{n % 1000:03d}",
                email=f"org{n}.{label.lower()}@example.org",
                contact_is_placeholder=True,
            )
            organization.people = [
                _person(label, n * 2 + k, f"Ansprechperson {city.name}", function=("Leitung", "Büro")[k], title=("Dr.", None)[k])
                for k in range(2)
            ]
            hosts[city.id].append(organization)
            db.session.add(organization)
    companies = [
        Organization(name=f"Reisendes Unternehmen {label}-{n}", kind=OrganizationKind.COMPANY, city=home, sector="Industrie")
        for n in range(max(1, members // 5))
    ]
    db.session.add_all(companies)

    travellers: list[Member] = []
    for n in range(members):
        role = _ROLES[n % len(_ROLES)]
        organization = companies[n % len(companies)] if role is MemberRole.MEMBER and n % 2 else None
        person = _person(
            label,
            5000 + n,
            "Mitglied",
            function="Vorstand" if organization else "Verwaltung",
            organization=organization,
            side=PersonSide.OWN,
            title="Dr." if n % 7 == 0 else None,
        )
        travellers.append(
            Member(delegation=delegation, person=person, role=role, sort_order=n, function="Programmleitung" if n == 1 else None)
        )
    db.session.add_all(travellers)
    db.session.flush()

    # Legs and the flights between them (outbound, between the legs, home).
    previous, previous_departure = home, outbound
    for index, (city, arrival, departure) in enumerate(stays):
        db.session.add(
            Leg(
                delegation=delegation,
                city=city,
                arrive_at=arrival,
                depart_at=departure,
                status=ItemStatus.CONFIRMED if index % 3 else ItemStatus.TENTATIVE,
                focus="Wirtschaft, Kultur",
                hotel_name=f"Testhotel {city.name}",
                hotel_address=f"{city.name}, Hotelstraße 1",
                hotel_phone="+44 20 7946 0999",
            )
        )
        db.session.add(_journey(delegation, previous, city, previous_departure, arrival, index, travellers))
        previous, previous_departure = city, departure
    db.session.add(_journey(delegation, previous, home, previous_departure, homecoming, len(stays), travellers))

    # Appointments: the same number on every day of the trip abroad, at local wall times between 08:00 and 21:00.
    days = [(city, day) for city, arrival, departure in stays for day in _days_of(city, arrival, departure)]
    created: list[Appointment] = []
    for n in range(appointments):
        city, day = days[n * len(days) // appointments]
        organization = rng.choice(hosts[city.id])
        minutes = rng.choice(_DURATIONS)
        wall = datetime.combine(day, time(8, 0)) + timedelta(minutes=5 * rng.randrange(0, (13 * 60 - minutes) // 5 + 1))
        begin = to_utc(wall, city.timezone, fold=0)
        kind = _KINDS[n % len(_KINDS)]
        appointment = Appointment(
            delegation=delegation,
            title=rng.choice(_TITLES).format(org=organization.name),
            kind=kind,
            status=rng.choice(_STATUSES),
            start_at=begin,
            end_at=begin + timedelta(minutes=minutes),
            timezone=city.timezone,
            city=city,
            venue=f"Saal {n % 12 + 1}" if n % 4 else None,
            address=organization.address,
            organization=organization if kind is not AppointmentKind.INTERNAL_BRIEFING else None,
            contact_person=organization.people[n % 2],
            objectives="Ziel des Termins." if n % 3 == 0 else None,
            talking_points="- Erster Punkt.\n- Zweiter Punkt." if n % 3 == 0 else None,
            background="Hintergrund." if n % 5 == 0 else None,
            dress_code="Geschäftskleidung" if n % 2 else None,
            notes=f"Interne Notiz {n}." if n % 6 == 0 else None,
            attendees=sorted(rng.sample(travellers, rng.randint(2, 6)), key=lambda m: m.sort_order),
        )
        db.session.add(appointment)
        created.append(appointment)
    db.session.flush()
    for n in range(0, len(created), 50):
        db.session.add(
            FollowUp(
                delegation=delegation,
                title=f"Nachbereitung {n}",
                description="Dank und nächste Schritte.",
                owner=travellers[1].person,
                organization=created[n].organization,
                appointment=created[n],
                due_on=delegation.end_date + timedelta(days=14),
            )
        )
    feed = FeedToken.issue(delegation)
    db.session.add(feed)
    db.session.commit()
    return delegation.id, feed.token


def _days_of(city: City, arrival: datetime, departure: datetime) -> list[date]:
    first = to_local(arrival, city.timezone).date()
    last = to_local(departure, city.timezone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _journey(
    delegation: Delegation,
    origin: City,
    destination: City,
    depart: datetime,
    arrive: datetime,
    index: int,
    travellers: list[Member],
) -> Journey:
    return Journey(
        delegation=delegation,
        mode=JourneyMode.FLIGHT,
        status=ItemStatus.CONFIRMED,
        departure_city=origin,
        departure_place=f"{origin.name} Airport",
        depart_at=depart,
        departure_timezone=origin.timezone,
        arrival_city=destination,
        arrival_place=f"{destination.name} Airport",
        arrive_at=arrive,
        arrival_timezone=destination.timezone,
        carrier="Testair",
        number=f"TA{100 + index}",
        booking_reference=f"REF{index:03d}",
        # The whole delegation flies, except on every third flight, where the press travels separately.
        travellers=[m for m in travellers if index % 3 or m.role is not MemberRole.PRESS],
    )
