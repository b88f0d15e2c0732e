"""The entry check, table-driven: a passport, the stays per country and the rules in; findings out.

The rules are the facts as their sources state them (see planner/seed/entry-rules.toml):
South Korea 90 days visa-free for Germans, the day of arrival counted; China 15 days from
1 Dec 2023 and 30 days from 30 Nov 2024 for German ordinary passports, counted from the day
after entry, passport valid six months on entry, the waiver not for official passports.
The Keller trip's stays (Düsseldorf → Seoul → Chongqing, October 2024) in local dates:
Seoul 14–16 Oct, Chongqing 16–19 Oct.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pytest

from planner.entry.check import FindingKind, PassportFacts, Rule, Severity, add_months, check_entry
from planner.entry.stays import Stay
from planner.models import PassportType, ValidityFrom

ORDINARY, OFFICIAL = PassportType.ORDINARY, PassportType.OFFICIAL

KOREA = Rule("KR", "DE", ORDINARY, visa_free_days=90, counts_arrival_day=True)
KOREA_OFFICIAL = Rule("KR", "DE", OFFICIAL, visa_free_days=90, counts_arrival_day=True)
CHINA_15 = Rule(
    "CN",
    "DE",
    ORDINARY,
    valid_from=date(2023, 12, 1),
    visa_free_days=15,
    counts_arrival_day=False,
    passport_validity_months=6,
    passport_validity_from=ValidityFrom.ARRIVAL,
)
CHINA_30 = replace(CHINA_15, valid_from=date(2024, 11, 30), visa_free_days=30)
CHINA_OFFICIAL_VISA = Rule("CN", "DE", OFFICIAL, visa_required=True)
RULES = (KOREA, KOREA_OFFICIAL, CHINA_15, CHINA_30)

SEOUL = Stay("KR", date(2024, 10, 14), date(2024, 10, 16), ("Seoul",))
CHONGQING = Stay("CN", date(2024, 10, 16), date(2024, 10, 19), ("Chongqing",))
KELLER = (SEOUL, CHONGQING)
FAR_FUTURE = date(2030, 1, 1)


def passport(kind: PassportType = ORDINARY, expires_on: date = FAR_FUTURE) -> PassportFacts:
    return PassportFacts(passport_type=kind, issuing_country="DE", expires_on=expires_on, nationality="DE")


@dataclass(frozen=True)
class Case:
    id: str
    passport: PassportFacts
    expected: frozenset[tuple[FindingKind, str]]
    stays: tuple[Stay, ...] = KELLER
    rules: tuple[Rule, ...] = RULES


def found(*pairs: tuple[FindingKind, str]) -> frozenset[tuple[FindingKind, str]]:
    return frozenset(pairs)


CASES = [
    Case("keller-ordinary-passport-nothing-to-report", passport(), found()),
    Case(
        "keller-official-passport-china-waiver-only-for-ordinary",
        passport(OFFICIAL),
        found((FindingKind.OFFICIAL_NOT_COVERED, "CN")),
    ),
    Case(
        "keller-official-passport-china-rule-of-its-own-visa-required",
        passport(OFFICIAL),
        found((FindingKind.VISA_REQUIRED, "CN")),
        rules=(*RULES, CHINA_OFFICIAL_VISA),
    ),
    Case(
        "keller-official-passport-waiver-that-covers-official",
        passport(OFFICIAL),
        found(),
        rules=(KOREA, KOREA_OFFICIAL, replace(CHINA_15, waiver_covers_official=True)),
    ),
    # China: six months from entry on 16 Oct 2024, so valid until at least 16 Apr 2025.
    Case(
        "passport-expires-a-day-within-chinas-six-months",
        passport(expires_on=date(2025, 4, 15)),
        found((FindingKind.PASSPORT_EXPIRES_TOO_EARLY, "CN")),
    ),
    Case("passport-expires-on-the-last-day-china-asks-for", passport(expires_on=date(2025, 4, 16)), found()),
    Case(
        "official-passport-expiring-within-chinas-validity",
        passport(OFFICIAL, expires_on=date(2025, 1, 31)),
        found((FindingKind.OFFICIAL_NOT_COVERED, "CN"), (FindingKind.PASSPORT_EXPIRES_TOO_EARLY, "CN")),
    ),
    Case(
        "passport-expires-during-the-seoul-stay",
        passport(expires_on=date(2024, 10, 15)),
        found((FindingKind.PASSPORT_EXPIRES_TOO_EARLY, "KR"), (FindingKind.PASSPORT_EXPIRES_TOO_EARLY, "CN")),
    ),
    # China counts from midnight after entry: 16 to 31 October are 15 days, 16 October to 1 November 16.
    Case("china-exactly-15-days", passport(), found(), stays=(Stay("CN", date(2024, 10, 16), date(2024, 10, 31)),)),
    Case(
        "china-one-day-over-15",
        passport(),
        found((FindingKind.STAY_TOO_LONG, "CN")),
        stays=(Stay("CN", date(2024, 10, 16), date(2024, 11, 1)),),
    ),
    # Korea counts the day of arrival: 14 October 2024 to 11 January 2025 are 90 days.
    Case("korea-exactly-90-days", passport(), found(), stays=(Stay("KR", date(2024, 10, 14), date(2025, 1, 11)),)),
    Case(
        "korea-one-day-over-90",
        passport(),
        found((FindingKind.STAY_TOO_LONG, "KR")),
        stays=(Stay("KR", date(2024, 10, 14), date(2025, 1, 12)),),
    ),
    # The rule of the day of arrival answers: 24 days in China were too long before 30 Nov 2024, not after.
    Case(
        "china-24-days-under-the-15-day-rule",
        passport(),
        found((FindingKind.STAY_TOO_LONG, "CN")),
        stays=(Stay("CN", date(2024, 11, 1), date(2024, 11, 25)),),
    ),
    Case("china-24-days-under-the-30-day-rule", passport(), found(), stays=(Stay("CN", date(2024, 12, 1), date(2024, 12, 25)),)),
    Case(
        "china-before-the-first-rule-no-rule-known",
        passport(),
        found((FindingKind.NO_RULE, "CN")),
        stays=(Stay("CN", date(2023, 11, 20), date(2023, 11, 25)),),
    ),
    Case(
        "no-rule-known-for-japan",
        passport(),
        found((FindingKind.NO_RULE, "JP")),
        stays=(Stay("JP", date(2024, 10, 20), date(2024, 10, 22)),),
    ),
    Case(
        "official-passport-no-rule-at-all",
        passport(OFFICIAL),
        found((FindingKind.NO_RULE, "JP")),
        stays=(Stay("JP", date(2024, 10, 20), date(2024, 10, 22)),),
    ),
    Case(
        "rule-marked-to-be-verified",
        passport(),
        found((FindingKind.RULE_TO_BE_VERIFIED, "KR")),
        rules=(replace(KOREA, to_be_verified=True), CHINA_15),
    ),
    Case(
        "a-stay-in-the-passports-own-country-is-not-checked",
        passport(),
        found(),
        stays=(Stay("DE", date(2024, 10, 13), date(2024, 10, 13)),),
    ),
    # Three months beyond the departure from Seoul on 16 Oct 2024: valid until at least 16 Jan 2025.
    Case(
        "validity-counted-beyond-departure",
        passport(expires_on=date(2025, 1, 15)),
        found((FindingKind.PASSPORT_EXPIRES_TOO_EARLY, "KR")),
        rules=(replace(KOREA, passport_validity_months=3, passport_validity_from=ValidityFrom.DEPARTURE), CHINA_15),
        stays=(SEOUL,),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_entry_check(case: Case) -> None:
    findings = check_entry(case.passport, case.stays, case.rules)
    assert {(finding.kind, finding.country) for finding in findings} == case.expected
    assert len(findings) == len(case.expected)


SEVERITY = {
    FindingKind.NO_RULE: Severity.CHECK,
    FindingKind.RULE_TO_BE_VERIFIED: Severity.CHECK,
    FindingKind.VISA_REQUIRED: Severity.PROBLEM,
    FindingKind.OFFICIAL_NOT_COVERED: Severity.PROBLEM,
    FindingKind.STAY_TOO_LONG: Severity.PROBLEM,
    FindingKind.PASSPORT_EXPIRES_TOO_EARLY: Severity.PROBLEM,
}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_finding_says_what_and_where(case: Case) -> None:
    for finding in check_entry(case.passport, case.stays, case.rules):
        assert finding.severity == SEVERITY[finding.kind]
        assert finding.stay in case.stays
        assert finding.message.startswith({"KR": "Südkorea", "CN": "China", "JP": "Japan"}[finding.country])


def test_messages_name_the_dates_as_an_office_writes_them() -> None:
    (expiry,) = check_entry(passport(expires_on=date(2025, 4, 15)), (CHONGQING,), RULES)
    assert "Di., 15. Apr. 2025" in expiry.message
    assert "Mi., 16. Apr. 2025" in expiry.message
    (too_long,) = check_entry(passport(), (Stay("CN", date(2024, 10, 16), date(2024, 11, 1)),), RULES)
    assert "16 Tage" in too_long.message and "15 Tage" in too_long.message


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 10, 16), 6, date(2025, 4, 16)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 10, 16), 0, date(2024, 10, 16)),
    ],
    ids=["six-months", "to-a-short-february", "to-a-leap-day", "over-the-new-year", "none"],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
