"""The entry check: does a traveller's passport get them into every country of the trip, for as long as they stay?

Plain data in, findings out, no database: a traveller's passport facts
(:class:`PassportFacts`), their stays per country (:mod:`planner.entry.stays`)
and the rules (:class:`Rule`, as :mod:`planner.entry.queries` reads them).

Which rule answers for a stay: the one for the destination, the passport's
nationality and its type with the latest ``valid_from`` on or before the local
day of arrival. A holder of an official passport with no rule of its own falls
back to the rule for ordinary passports only where that rule's waiver covers
official passports; otherwise they are told that the waiver is for ordinary
passports only. A stay in the passport's own country is not checked.

What is flagged, each as a :class:`Finding` with a translated message:

* no rule known for the country and passport (to be verified),
* the rule is marked to be verified,
* a visa is required,
* an official passport where the waiver covers only ordinary ones,
* a stay longer than the visa-free days, counted as the destination counts
  (:meth:`planner.entry.stays.Stay.days`),
* a passport that expires too early: before the day the rule's validity
  reaches (months from arrival or from departure, as its source says), and
  in any case before the day of departure.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from planner.entry.stays import Stay
from planner.formatting import day, territory_name
from planner.labels import label
from planner.models import PassportType, ValidityFrom


@dataclass(frozen=True)
class PassportFacts:
    """What the check needs to know of one traveller's passport (no number, no name).

    Rules are looked up by ``nationality``: visa waivers are granted to a state's
    nationals. ``issuing_country`` is the same for a German passport and is kept
    for the travel profile to fill in as the passport states it.
    """

    passport_type: PassportType
    issuing_country: str
    expires_on: date
    nationality: str


@dataclass(frozen=True)
class Rule:
    """An entry rule as plain data (see :class:`planner.models.EntryRule` for what each field means)."""

    destination: str
    nationality: str
    passport_type: PassportType
    valid_from: date | None = None
    visa_required: bool = False
    visa_free_days: int | None = None
    counts_arrival_day: bool = True
    passport_validity_months: int | None = None
    passport_validity_from: ValidityFrom = ValidityFrom.DEPARTURE
    waiver_covers_official: bool = False
    to_be_verified: bool = False


class FindingKind(enum.StrEnum):
    NO_RULE = "no_rule"
    RULE_TO_BE_VERIFIED = "rule_to_be_verified"
    VISA_REQUIRED = "visa_required"
    OFFICIAL_NOT_COVERED = "official_not_covered"
    STAY_TOO_LONG = "stay_too_long"
    PASSPORT_EXPIRES_TOO_EARLY = "passport_expires_too_early"


class Severity(enum.StrEnum):
    """``problem``: entry is at risk unless someone acts (a visa, a new passport); ``check``: a fact to verify."""

    PROBLEM = "problem"
    CHECK = "check"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    country: str
    message: str
    severity: Severity
    stay: Stay


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later; the month's last day where it is shorter (31 Aug + 6 months = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def rule_for(rules: Iterable[Rule], stay: Stay, nationality: str, passport_type: PassportType) -> Rule | None:
    """The rule that answers for ``stay``: the latest ``valid_from`` on or before the day of arrival."""
    candidates = [
        rule
        for rule in rules
        if rule.destination == stay.country
        and rule.nationality == nationality
        and rule.passport_type == passport_type
        and (rule.valid_from is None or rule.valid_from <= stay.arrive_on)
    ]
    return max(candidates, key=lambda rule: rule.valid_from or date.min, default=None)


def check_entry(passport: PassportFacts, stays: Sequence[Stay], rules: Sequence[Rule]) -> list[Finding]:
    """Every finding for ``passport`` on ``stays`` under ``rules``, stay by stay in the order of the stays."""
    findings: list[Finding] = []
    for stay in stays:
        if stay.country == passport.nationality:
            continue
        findings += _check_stay(passport, stay, rules)
    return findings


def _check_stay(passport: PassportFacts, stay: Stay, rules: Sequence[Rule]) -> list[Finding]:
    country = territory_name(stay.country)
    passport_name = label(passport.passport_type)

    def finding(kind: FindingKind, severity: Severity, message: str) -> Finding:
        return Finding(kind, stay.country, message, severity, stay)

    rule = rule_for(rules, stay, passport.nationality, passport.passport_type)
    if rule is None and passport.passport_type == PassportType.OFFICIAL:
        ordinary = rule_for(rules, stay, passport.nationality, PassportType.ORDINARY)
        if ordinary is not None and ordinary.waiver_covers_official:
            rule = ordinary
        elif ordinary is not None:
            found = [
                finding(
                    FindingKind.OFFICIAL_NOT_COVERED,
                    Severity.PROBLEM,
                    _(
                        "%(country)s: Die Visumbefreiung gilt nur für gewöhnliche Reisepässe, nicht für einen Dienstpass. "
                        "Bitte ein Visum beantragen oder mit der Auslandsvertretung klären.",
                        country=country,
                    ),
                )
            ]
            found += _unverified(ordinary, stay, country)
            return found + _validity(passport, stay, ordinary, country)
    if rule is None:
        return [
            finding(
                FindingKind.NO_RULE,
                Severity.CHECK,
                _(
                    "%(country)s: Keine Einreiseregel für %(passport)s (Staatsangehörigkeit %(nationality)s) hinterlegt – "
                    "zu prüfen.",
                    country=country,
                    passport=passport_name,
                    nationality=territory_name(passport.nationality),
                ),
            ),
            *_validity(passport, stay, None, country),
        ]
    found = _unverified(rule, stay, country)
    if rule.visa_required:
        found.append(
            finding(
                FindingKind.VISA_REQUIRED,
                Severity.PROBLEM,
                _("%(country)s: Mit %(passport)s ist ein Visum erforderlich.", country=country, passport=passport_name),
            )
        )
    elif rule.visa_free_days is not None:
        days = stay.days(counts_arrival_day=rule.counts_arrival_day)
        if days > rule.visa_free_days:
            found.append(
                finding(
                    FindingKind.STAY_TOO_LONG,
                    Severity.PROBLEM,
                    _(
                        "%(country)s: Der Aufenthalt vom %(arrive)s bis %(depart)s dauert %(days)d Tage, "
                        "visumfrei sind höchstens %(allowed)d Tage.",
                        country=country,
                        arrive=day(stay.arrive_on),
                        depart=day(stay.depart_on),
                        days=days,
                        allowed=rule.visa_free_days,
                    ),
                )
            )
    return found + _validity(passport, stay, rule, country)


def _unverified(rule: Rule, stay: Stay, country: str) -> list[Finding]:
    if not rule.to_be_verified:
        return []
    message = _("%(country)s: Die hinterlegte Einreiseregel ist noch nicht belegt – zu prüfen.", country=country)
    return [Finding(FindingKind.RULE_TO_BE_VERIFIED, stay.country, message, Severity.CHECK, stay)]


def passport_needed_until(stay: Stay, rule: Rule | None) -> date:
    """The last day the passport must still be valid on for ``stay``: the rule's validity, and at least the day of departure."""
    if rule is None or rule.passport_validity_months is None:
        return stay.depart_on
    start = stay.arrive_on if rule.passport_validity_from == ValidityFrom.ARRIVAL else stay.depart_on
    return max(add_months(start, rule.passport_validity_months), stay.depart_on)


def _validity(passport: PassportFacts, stay: Stay, rule: Rule | None, country: str) -> list[Finding]:
    needed = passport_needed_until(stay, rule)
    if passport.expires_on >= needed:
        return []
    message = _(
        "%(country)s: Der Pass läuft am %(expires)s ab, muss aber bis mindestens %(needed)s gültig sein.",
        country=country,
        expires=day(passport.expires_on),
        needed=day(needed),
    )
    return [Finding(FindingKind.PASSPORT_EXPIRES_TOO_EARLY, stay.country, message, Severity.PROBLEM, stay)]
