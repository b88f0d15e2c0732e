"""Reads of the entry feature: the rules, the trip's stays, and the check of one member (the hook for passport data).

Each page costs a fixed number of queries: the rules in one, the trip with its
legs, journeys, their cities' countries and the journeys' travellers in a few
eager loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from planner.entry.check import Finding, PassportFacts, Rule, check_entry, rule_for
from planner.entry.stays import JourneyFacts, LegFacts, Stay, journey_end_country, stays_from
from planner.extensions import db
from planner.formatting import sort_key, territory_name
from planner.models import City, Delegation, EntryRule, ItemStatus, Journey, Leg, Member, PassportType, TravelProfile


def rules() -> list[EntryRule]:
    """Every rule, by destination (as named in the reader's language), nationality, passport type and start."""
    found = db.session.scalars(sa.select(EntryRule)).all()
    return sorted(
        found,
        key=lambda rule: (
            sort_key(territory_name(rule.destination)),
            rule.nationality,
            list(PassportType).index(rule.passport_type),
            rule.valid_from.toordinal() if rule.valid_from else 0,
        ),
    )


def rule_or_404(rule_id: int) -> EntryRule:
    return db.one_or_404(sa.select(EntryRule).where(EntryRule.id == rule_id))


def rule_facts(record: EntryRule) -> Rule:
    """The record as the check takes it."""
    return Rule(
        destination=record.destination,
        nationality=record.nationality,
        passport_type=record.passport_type,
        valid_from=record.valid_from,
        visa_required=record.visa_required,
        visa_free_days=record.visa_free_days,
        counts_arrival_day=record.counts_arrival_day,
        passport_validity_months=record.passport_validity_months,
        passport_validity_from=record.passport_validity_from,
        waiver_covers_official=record.waiver_covers_official,
        to_be_verified=record.to_be_verified,
    )


def trip_for_entry(delegation_id: int) -> Delegation:
    """The delegation with its legs, journeys, their cities' countries and travellers (404 if missing)."""
    return db.one_or_404(
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .options(
            joinedload(Delegation.home_city).joinedload(City.country),
            selectinload(Delegation.legs).joinedload(Leg.city).joinedload(City.country),
            selectinload(Delegation.journeys).joinedload(Journey.departure_city).joinedload(City.country),
            selectinload(Delegation.journeys).joinedload(Journey.arrival_city).joinedload(City.country),
            selectinload(Delegation.journeys).selectinload(Journey.travellers),
        )
    )


def _leg_facts(delegation: Delegation) -> list[LegFacts]:
    return [
        LegFacts(leg.city.country.iso_code, leg.city.name, leg.arrive_at, leg.depart_at, leg.city.timezone)
        for leg in delegation.legs
        if leg.status != ItemStatus.CANCELLED
    ]


def _journey_facts(journey: Journey) -> JourneyFacts:
    def country(city: City | None, zone: str) -> str | None:
        return journey_end_country(city.country.iso_code if city is not None else None, zone)

    return JourneyFacts(
        depart_at=journey.depart_at,
        departure_zone=journey.departure_timezone,
        departure_country=country(journey.departure_city, journey.departure_timezone),
        arrive_at=journey.arrive_at,
        arrival_zone=journey.arrival_timezone,
        arrival_country=country(journey.arrival_city, journey.arrival_timezone),
    )


def stays_for_member(delegation: Delegation, member: Member | None) -> list[Stay]:
    """Where ``member`` stays on the trip, per country in local dates (see :mod:`planner.entry.stays`).

    The legs are the whole delegation's; of the journeys only those ``member``
    travels on count. ``None``: the delegation as a whole, from its legs alone
    (its journeys may carry different groups at different times).
    """
    journeys = (
        []
        if member is None
        else [
            _journey_facts(journey)
            for journey in delegation.journeys
            if journey.status != ItemStatus.CANCELLED and member in journey.travellers
        ]
    )
    return stays_from(_leg_facts(delegation), journeys)


@dataclass(frozen=True)
class StayRules:
    """A stay of the trip and, per nationality and passport type, the rule that answers for it (None: none known)."""

    stay: Stay
    rules: list[tuple[str, PassportType, EntryRule | None]]


def trip_stays(delegation: Delegation, all_rules: Sequence[EntryRule]) -> list[StayRules]:
    """The trip's stays abroad (not in the home city's country) with the rules that apply on the day of arrival.

    Shown per nationality the rules know for the destination, and for the home
    country's nationality always (the delegation's own passports).
    """
    home = delegation.home_city.country.iso_code
    facts = {rule.id: rule_facts(rule) for rule in all_rules}
    by_id = {rule.id: rule for rule in all_rules}
    shown = []
    for stay in stays_for_member(delegation, None):
        if stay.country == home:
            continue
        nationalities = sorted({home} | {rule.nationality for rule in all_rules if rule.destination == stay.country})
        rows: list[tuple[str, PassportType, EntryRule | None]] = []
        for nationality in nationalities:
            for passport_type in PassportType:
                chosen = rule_for(facts.values(), stay, nationality, passport_type)
                record = next((by_id[i] for i, fact in facts.items() if fact is chosen), None) if chosen else None
                rows.append((nationality, passport_type, record))
        shown.append(StayRules(stay, rows))
    return shown


def check_member(delegation: Delegation, member: Member, passport: PassportFacts) -> list[Finding]:
    """The entry check of one member with ``passport`` on this trip.

    The hook for the travellers' passport data: whoever has the passport
    (``planner.models.care.TravelProfile``, readable with ``may_care`` only)
    builds the :class:`PassportFacts` and calls this; nothing here reads or
    shows personal data.
    """
    return check_entry(passport, stays_for_member(delegation, member), [rule_facts(rule) for rule in rules()])


def passport_facts(profile: TravelProfile | None) -> PassportFacts | None:
    """What the check needs of a traveller's stored passport, or None while a part of it is missing.

    Reads decrypted personal data: only for a page that records the read (the carers' member page).
    """
    if profile is None or profile.passport_expires_on is None:
        return None
    if not (profile.passport_type and profile.passport_country and profile.nationality):
        return None
    known = {kind.value: kind for kind in PassportType}
    if profile.passport_type not in known:
        return None
    return PassportFacts(
        passport_type=known[profile.passport_type],
        issuing_country=profile.passport_country,
        expires_on=profile.passport_expires_on,
        nationality=profile.nationality,
    )
