"""Stays per country from legs and journeys, in the destination's local dates (table-driven).

Times are written as the wall time of the place (as the seed and the forms take them) and
converted to UTC here, so a case says what a traveller's ticket says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from planner.entry.stays import JourneyFacts, LegFacts, Stay, stays_from
from planner.timezones import to_utc

BERLIN, SEOUL, SHANGHAI, HELSINKI = "Europe/Berlin", "Asia/Seoul", "Asia/Shanghai", "Europe/Helsinki"


def leg(country: str, city: str, zone: str, arrive: str, depart: str) -> LegFacts:
    return LegFacts(
        country, city, to_utc(datetime.fromisoformat(arrive), zone), to_utc(datetime.fromisoformat(depart), zone), zone
    )


def journey(origin: tuple[str | None, str], depart: str, destination: tuple[str | None, str], arrive: str) -> JourneyFacts:
    (from_country, from_zone), (to_country, to_zone) = origin, destination
    return JourneyFacts(
        depart_at=to_utc(datetime.fromisoformat(depart), from_zone),
        departure_zone=from_zone,
        departure_country=from_country,
        arrive_at=to_utc(datetime.fromisoformat(arrive), to_zone),
        arrival_zone=to_zone,
        arrival_country=to_country,
    )


DUS, ICN, CKG, HEL, PUS = ("DE", BERLIN), ("KR", SEOUL), ("CN", SHANGHAI), ("FI", HELSINKI), ("KR", SEOUL)

# The Keller trip as the seed has it: Seoul 14 Oct 08:55 – 16 Oct 14:00, Chongqing 16 Oct 16:40 – 19 Oct 10:00.
KELLER_LEGS = (
    leg("KR", "Seoul", SEOUL, "2024-10-14T08:55", "2024-10-16T14:00"),
    leg("CN", "Chongqing", SHANGHAI, "2024-10-16T16:40", "2024-10-19T10:00"),
)
KELLER_JOURNEYS = (
    journey(DUS, "2024-10-13T13:40", ICN, "2024-10-14T08:55"),
    journey(ICN, "2024-10-16T14:00", CKG, "2024-10-16T16:40"),
    journey(CKG, "2024-10-19T10:00", DUS, "2024-10-19T19:30"),
)
KELLER_STAYS = [
    Stay("KR", date(2024, 10, 14), date(2024, 10, 16), ("Seoul",)),
    Stay("CN", date(2024, 10, 16), date(2024, 10, 19), ("Chongqing",)),
]


@dataclass(frozen=True)
class Case:
    id: str
    legs: tuple[LegFacts, ...]
    journeys: tuple[JourneyFacts, ...]
    expected: list[Stay]


CASES = [
    Case("keller-trip-duesseldorf-seoul-chongqing", KELLER_LEGS, KELLER_JOURNEYS, KELLER_STAYS),
    # 08:55 in Seoul on 14 Oct is 23:55 UTC on the 13th: Korea counts the 14th.
    Case("no-journeys-the-legs-alone", KELLER_LEGS, (), KELLER_STAYS),
    Case(
        "a-night-flight-crossing-midnight-lands-on-the-next-local-day",
        (
            leg("KR", "Seoul", SEOUL, "2024-10-14T08:55", "2024-10-16T23:30"),
            leg("CN", "Chongqing", SHANGHAI, "2024-10-17T01:40", "2024-10-19T10:00"),
        ),
        (
            journey(DUS, "2024-10-13T13:40", ICN, "2024-10-14T08:55"),
            # 01:40 in Chongqing on the 17th is 17:40 UTC on the 16th.
            journey(ICN, "2024-10-16T23:30", CKG, "2024-10-17T01:40"),
            journey(CKG, "2024-10-19T10:00", DUS, "2024-10-19T19:30"),
        ),
        [
            Stay("KR", date(2024, 10, 14), date(2024, 10, 16), ("Seoul",)),
            Stay("CN", date(2024, 10, 17), date(2024, 10, 19), ("Chongqing",)),
        ],
    ),
    Case(
        "changing-planes-in-helsinki-is-no-stay",
        KELLER_LEGS,
        (
            journey(DUS, "2024-10-13T07:00", HEL, "2024-10-13T10:30"),
            journey(HEL, "2024-10-13T17:00", ICN, "2024-10-14T08:55"),
            *KELLER_JOURNEYS[1:],
        ),
        KELLER_STAYS,
    ),
    Case(
        "the-stay-begins-at-landing-before-the-leg",
        KELLER_LEGS,
        (journey(DUS, "2024-10-12T20:00", ICN, "2024-10-13T22:30"), *KELLER_JOURNEYS[1:]),
        [Stay("KR", date(2024, 10, 13), date(2024, 10, 16), ("Seoul",)), KELLER_STAYS[1]],
    ),
    Case(
        "a-member-flying-home-from-seoul-never-enters-china",
        KELLER_LEGS,
        (KELLER_JOURNEYS[0], journey(ICN, "2024-10-16T12:00", DUS, "2024-10-16T18:00")),
        [Stay("KR", date(2024, 10, 14), date(2024, 10, 16), ("Seoul",))],
    ),
    Case(
        "a-member-joining-in-chongqing-never-enters-korea",
        KELLER_LEGS,
        (journey(DUS, "2024-10-15T18:00", CKG, "2024-10-16T12:00"), KELLER_JOURNEYS[2]),
        [KELLER_STAYS[1]],
    ),
    Case(
        "a-domestic-flight-does-not-end-the-stay",
        (
            leg("KR", "Seoul", SEOUL, "2024-10-14T08:55", "2024-10-15T09:00"),
            leg("KR", "Busan", SEOUL, "2024-10-15T10:00", "2024-10-16T14:00"),
            KELLER_LEGS[1],
        ),
        (
            KELLER_JOURNEYS[0],
            journey(ICN, "2024-10-15T09:00", PUS, "2024-10-15T10:00"),
            journey(PUS, "2024-10-16T14:00", CKG, "2024-10-16T16:40"),
            KELLER_JOURNEYS[2],
        ),
        [Stay("KR", date(2024, 10, 14), date(2024, 10, 16), ("Seoul", "Busan")), KELLER_STAYS[1]],
    ),
    Case(
        "an-end-without-a-known-country-leaves-the-legs-to-say",
        KELLER_LEGS,
        (journey(DUS, "2024-10-13T13:40", (None, "UTC"), "2024-10-13T23:55"), *KELLER_JOURNEYS[1:]),
        KELLER_STAYS,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_stays(case: Case) -> None:
    assert stays_from(case.legs, case.journeys) == case.expected


@pytest.mark.parametrize(
    ("stay", "counts_arrival_day", "days"),
    [
        (KELLER_STAYS[0], True, 3),
        (KELLER_STAYS[1], False, 3),
        (Stay("CN", date(2024, 10, 16), date(2024, 10, 16)), False, 0),
        (Stay("KR", date(2024, 10, 16), date(2024, 10, 16)), True, 1),
    ],
    ids=["korea-14-to-16-oct", "china-16-to-19-oct", "in-and-out-of-china-the-same-day", "in-and-out-of-korea-the-same-day"],
)
def test_days_as_the_destination_counts(stay: Stay, counts_arrival_day: bool, days: int) -> None:
    assert stay.days(counts_arrival_day=counts_arrival_day) == days
