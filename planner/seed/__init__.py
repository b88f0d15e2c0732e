"""Loading a delegation trip from a seed file (TOML) into the database.

The file is data, not code: ``keller-2024.toml`` beside this module holds the
Keller trip. Wall times in the file are local to the place (TOML local
date-times) and converted here through :mod:`planner.timezones`.

Loading is idempotent: every record is looked up by its natural key (ISO
code, name, UID ...) and only created when missing. Existing records are
never overwritten, so loading the seed again neither duplicates anything nor
undoes a planner's edits.

Everything but the countries (reference data without a page of their own) is
created through the same operations as the pages, with typed inputs: cities,
partnerships, organizations, people, the delegation, its members, legs,
journeys, appointments, their seating plans and follow-ups. The operations write through
``db.session`` and flush; the caller commits.

A trip file may name a file of entry rules (``[meta] entry_rules``, beside it
or shipped in this folder; ``entry-rules.toml`` for the Keller trip): the rules for its destinations,
each with its source and the day it was checked, loaded through the entry
rules' own operation.
"""

from __future__ import annotations

import tomllib
import uuid
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from planner.contacts.inputs import EmergencyNumberInput
from planner.contacts.operations import create_emergency_number
from planner.delegations.inputs import DelegationInput, FollowUpInput, LegInput, MemberInput
from planner.delegations.operations import save_delegation, save_follow_up, save_leg, save_member
from planner.directory.inputs import CityInput, OrganizationInput, PartnershipInput, PersonInput
from planner.directory.operations import create_city, create_organization, create_partnership, create_person
from planner.editing import Rejected
from planner.entry.inputs import EntryRuleInput
from planner.entry.operations import create_rule
from planner.etiquette.inputs import EtiquetteNoteInput
from planner.etiquette.operations import create_note
from planner.gifts.inputs import GiftInput
from planner.gifts.operations import save_gift
from planner.models import (
    Appointment,
    AppointmentKind,
    City,
    Country,
    Delegation,
    DelegationStatus,
    EmergencyNumber,
    EmergencyService,
    EntryRule,
    EtiquetteNote,
    EtiquetteTopic,
    FollowUp,
    FollowUpStatus,
    Gift,
    GiftDirection,
    InterpreterPlace,
    ItemStatus,
    Journey,
    JourneyMode,
    Leg,
    Member,
    MemberRole,
    Organization,
    OrganizationKind,
    Partnership,
    PassportType,
    Person,
    PersonSide,
    PrecedenceRank,
    SeatingPlan,
    TableShape,
    ValidityFrom,
    Visibility,
)
from planner.program.inputs import AppointmentInput, JourneyInput
from planner.program.operations import save_appointment, save_journey
from planner.protocol.inputs import ParticipantInput, PlanInput
from planner.protocol.operations import save_participant, save_plan
from planner.text import single_line
from planner.timezones import TimeZoneError, check_zone, to_utc

SEED_DIR = Path(__file__).parent
KELLER_TRIP = SEED_DIR / "keller-2024.toml"
# Public facts every trip's brief and contact sheet print (with source and date checked), loaded with any trip.
EMERGENCY_NUMBERS = SEED_DIR / "emergency-numbers.toml"
# Etiquette notes of the seeded trips' countries (with source and date checked), loaded with any trip like the numbers.
ETIQUETTE_NOTES = SEED_DIR / "etiquette.toml"

# Seeded UIDs are derived from the seed keys so that every installation gives
# the same appointment the same UID: a participant who re-subscribes after a
# reinstall must not see every event twice.
_UID_NAMESPACE = uuid.UUID("6f1d3c52-5b0e-4c7a-9d8e-2a4c1f0b7e93")

T = TypeVar("T")


class SeedError(ValueError):
    """The seed file is malformed; the message names the entry."""


def seed_uid(trip_key: str, item_key: str) -> str:
    return str(uuid.uuid5(_UID_NAMESPACE, f"{trip_key}/{item_key}"))


def read_seed(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SeedError(f"{path}: {error}") from None


def load_seed(session: Session, path: Path = KELLER_TRIP) -> Counter[str]:
    """Load the trip at ``path``; return how many records of each kind were created.

    Nothing is committed; the caller commits (or rolls back on error), so a
    broken file leaves the database as it was. ``session`` is the app's
    ``db.session`` (the operations write through it).
    """
    data = read_seed(path)
    rules_file = data.get("meta", {}).get("entry_rules")
    if rules_file:
        # Beside the trip file, or else the one shipped with the planner (a trip file copied elsewhere).
        beside = path.parent / rules_file
        rules_path = beside if beside.exists() else SEED_DIR / rules_file
        data["entry_rules"] = [*data.get("entry_rules", []), *read_seed(rules_path).get("entry_rules", [])]
    # The shared facts come with every trip (idempotent like the rest): a brief needs its countries' numbers.
    facts = read_seed(EMERGENCY_NUMBERS)
    data = {**data, "emergency_numbers": [*facts.get("emergency_numbers", []), *data.get("emergency_numbers", [])]}
    notes = read_seed(ETIQUETTE_NOTES)
    data = {**data, "etiquette_notes": [*notes.get("etiquette_notes", []), *data.get("etiquette_notes", [])]}
    try:
        return _Loader(session, data).load()
    except SeedError:
        raise
    except Rejected as refusal:  # the file breaks a rule of the operations (named by its field)
        raise SeedError(f"{path.name}: {refusal.field}: {refusal.message}") from None
    except KeyError as error:
        raise SeedError(f"{path.name}: required key {error} is missing") from None
    except (ValueError, TypeError, sa.exc.StatementError) as error:
        # Bad enum values, wrong value types, values the database refuses.
        raise SeedError(f"{path.name}: {error}") from None


class _Loader:
    def __init__(self, session: Session, data: dict[str, Any]) -> None:
        self.session = session
        self.data = data
        self.created: Counter[str] = Counter()
        self.countries: dict[str, Country] = {}
        self.cities: dict[str, City] = {}
        self.organizations: dict[str, Organization] = {}
        self.people: dict[str, Person] = {}
        self.members: dict[str, Member] = {}
        self.appointments: dict[str, Appointment] = {}
        try:
            self.trip_key: str = data["meta"]["key"]
        except KeyError:
            raise SeedError("[meta] key is missing") from None

    # -- helpers ---------------------------------------------------------

    @staticmethod
    def _as_stored(lookup: dict[str, Any]) -> dict[str, Any]:
        # Names are one line (the models make them so): look them up the way they are stored.
        return {key: single_line(value) if isinstance(value, str) else value for key, value in lookup.items()}

    def _existing(self, model: type[T], **lookup: Any) -> T | None:
        """The record with this natural key, if it is there already."""
        stmt: sa.Select[Any] = sa.select(model).filter_by(**self._as_stored(lookup))
        with self.session.no_autoflush:
            return self.session.scalars(stmt).first()

    def _created(self, counter: str, obj: T) -> T:
        self.created[counter] += 1
        return obj

    def _find_or_add(self, counter: str, model: type, lookup: dict[str, Any], /, **values: Any) -> Any:
        existing = self._existing(model, **lookup)
        if existing is not None:
            return existing
        obj = model(**self._as_stored(lookup), **values)
        self.session.add(obj)
        self.session.flush()
        return self._created(counter, obj)

    @staticmethod
    def _ref(table: dict[str, Any], key: str | None, what: str) -> Any:
        if key is None:
            return None
        try:
            return table[key]
        except KeyError:
            raise SeedError(f"unknown {what} {key!r}") from None

    @staticmethod
    def _wall(value: Any, where: str) -> datetime:
        # TOML local date-times arrive as naive datetimes: exactly a wall time.
        if not isinstance(value, datetime) or value.tzinfo is not None:
            raise SeedError(f"{where}: expected a local date-time like 2024-10-14T14:00:00, got {value!r}")
        return value

    def _instant(self, value: Any, zone: str, where: str) -> datetime:
        try:
            return to_utc(self._wall(value, where), zone, fold=0)
        except TimeZoneError as error:
            raise SeedError(f"{where}: {error}") from None

    def _member_ids(self, keys: Any, where: str) -> tuple[int, ...]:
        if keys == "all":
            return tuple(m.id for m in self.members.values())
        return tuple(self._ref(self.members, key, f"member in {where}").id for key in keys or [])

    # -- sections ---------------------------------------------------------

    def load(self) -> Counter[str]:
        for entry in self.data.get("countries", []):
            self.countries[entry["iso_code"]] = self._find_or_add(
                "countries", Country, {"iso_code": entry["iso_code"]}, name=entry["name"]
            )
        for entry in self.data.get("cities", []):
            self._city(entry)
        for entry in self.data.get("partnerships", []):
            self._partnership(entry)
        for entry in self.data.get("organizations", []):
            self._organization(entry)
        for entry in self.data.get("people", []):
            self._person(entry)
        for entry in self.data.get("entry_rules", []):
            self._entry_rule(entry)
        delegation = self._delegation(self.data["delegation"])
        for entry in self.data["delegation"].get("follow_ups", []):
            self._follow_up(delegation, entry)
        for entry in self.data.get("emergency_numbers", []):
            self._emergency_number(entry)
        for entry in self.data.get("etiquette_notes", []):
            self._etiquette_note(entry)
        for entry in self.data["delegation"].get("gifts", []):
            self._gift(delegation, entry)
        self.session.flush()
        return self.created

    def _city(self, entry: dict[str, Any]) -> None:
        check_zone(entry["timezone"])  # fail early and clearly on a typo or a non-canonical name
        country = self._ref(self.countries, entry["country"], "country")
        city = self._existing(City, country_id=country.id, name=entry["name"])
        if city is None:
            data = CityInput(
                name=entry["name"],
                country_iso=country.iso_code,
                timezone=entry["timezone"],
                **{k: entry.get(k) for k in ("native_name", "latitude", "longitude", "profile")},
            )
            city = self._created("cities", create_city(data))
        self.cities[entry["key"]] = city

    def _entry_rule(self, entry: dict[str, Any]) -> None:
        passport_type = PassportType(entry["passport_type"])
        lookup = {"destination": entry["destination"], "nationality": entry["nationality"], "valid_from": entry.get("valid_from")}
        if self._existing(EntryRule, **lookup, passport_type=passport_type) is not None:
            return
        data = EntryRuleInput(
            destination=entry["destination"],
            nationality=entry["nationality"],
            passport_type=passport_type,
            valid_from=entry.get("valid_from"),
            visa_required=entry.get("visa_required", False),
            visa_free_days=entry.get("visa_free_days"),
            counts_arrival_day=entry.get("counts_arrival_day", True),
            passport_validity_months=entry.get("passport_validity_months"),
            passport_validity_from=ValidityFrom(entry.get("passport_validity_from", "departure")),
            waiver_covers_official=entry.get("waiver_covers_official", False),
            notes=entry.get("notes"),
            source=entry.get("source"),
            checked_on=entry.get("checked_on"),
            to_be_verified=entry.get("to_be_verified", True),
        )
        self._created("entry_rules", create_rule(data))

    def _partnership(self, entry: dict[str, Any]) -> None:
        home = self._ref(self.cities, entry["home"], "city")
        partner = self._ref(self.cities, entry["partner"], "city")
        if self._existing(Partnership, home_city_id=home.id, partner_city_id=partner.id) is None:
            data = PartnershipInput(
                home_city_id=home.id, partner_city_id=partner.id, since=entry["since"], notes=entry.get("notes")
            )
            self._created("partnerships", create_partnership(data))

    def _organization(self, entry: dict[str, Any]) -> None:
        organization = self._existing(Organization, name=entry["name"])
        if organization is None:
            city = self._ref(self.cities, entry.get("city"), "city")
            texts = ("native_name", "sector", "profile", "home_relation", "founded_year", "website", "address", "phone", "email")
            data = OrganizationInput(
                name=entry["name"],
                kind=OrganizationKind(entry["kind"]),
                city_id=city.id if city else None,
                contact_is_placeholder=entry.get("contact_is_placeholder", False),
                **{k: entry.get(k) for k in texts},
            )
            organization = self._created("organizations", create_organization(data))
        self.organizations[entry["key"]] = organization

    def _person(self, entry: dict[str, Any]) -> None:
        organization = self._ref(self.organizations, entry.get("organization"), "organization")
        organization_id = organization.id if organization else None
        lookup = {"family_name": entry["family_name"], "given_name": entry.get("given_name")}
        person = self._existing(Person, **lookup, organization_id=organization_id)
        if person is None:
            texts = (
                "given_name",
                "title",
                "title_en",
                "salutation",
                "salutation_en",
                "native_name",
                "romanized_name",
                "function",
                "function_en",
                "email",
                "phone",
                "languages",
                "notes",
            )
            data = PersonInput(
                family_name=entry["family_name"],
                side=PersonSide(entry["side"]),
                family_name_first=entry.get("family_name_first", False),
                organization_id=organization_id,
                contact_is_placeholder=entry.get("contact_is_placeholder", False),
                **{k: entry.get(k) for k in texts},
            )
            person = self._created("people", create_person(data))
        self.people[entry["key"]] = person

    def _emergency_number(self, entry: dict[str, Any]) -> None:
        service = EmergencyService(entry["service"])
        code = entry["country"]
        with self.session.no_autoflush:
            exists = self.session.scalar(
                sa.select(EmergencyNumber.id)
                .join(EmergencyNumber.country)
                .where(Country.iso_code == code, EmergencyNumber.service == service)
            )
        if exists is None:
            data = EmergencyNumberInput(
                country_iso=code,
                service=service,
                number=str(entry["number"]),
                note=entry.get("note"),
                source=entry.get("source"),
                checked_on=entry.get("checked_on"),
                to_be_verified=entry.get("to_be_verified", True),
            )
            self._created("emergency_numbers", create_emergency_number(data, today=date.today()))

    def _etiquette_note(self, entry: dict[str, Any]) -> None:
        topic = EtiquetteTopic(entry["topic"])
        code = entry["country"]
        with self.session.no_autoflush:
            exists = self.session.scalar(
                sa.select(EtiquetteNote.id)
                .join(EtiquetteNote.country)
                .where(Country.iso_code == code, EtiquetteNote.topic == topic, EtiquetteNote.text_de == entry["text_de"])
            )
        if exists is None:
            data = EtiquetteNoteInput(
                country_iso=code,
                topic=topic,
                text_de=entry["text_de"],
                text_en=entry.get("text_en"),
                native_language=entry.get("native_language"),
                text_native=entry.get("text_native"),
                native_reviewed=entry.get("native_reviewed", False),
                source=entry.get("source"),
                checked_on=entry.get("checked_on"),
                to_be_verified=entry.get("to_be_verified", True),
            )
            self._created("etiquette_notes", create_note(data, today=date.today()))

    def _gift(self, delegation: Delegation, entry: dict[str, Any]) -> None:
        if self._existing(Gift, delegation_id=delegation.id, item=entry["item"]) is not None:
            return
        person = self._ref(self.people, entry.get("person"), "person")
        organization = self._ref(self.organizations, entry.get("organization"), "organization")
        appointment = self._ref(self.appointments, entry.get("appointment"), "appointment")
        amount, euros = entry.get("value_amount"), entry.get("value_eur")
        data = GiftInput(
            direction=GiftDirection(entry["direction"]),
            item=entry["item"],
            given_on=entry["given_on"],
            appointment_id=appointment.id if appointment else None,
            person_id=person.id if person else None,
            organization_id=organization.id if organization else None,
            value_amount=Decimal(str(amount)) if amount is not None else None,
            currency=entry.get("currency", "EUR"),
            value_eur=Decimal(str(euros)) if euros is not None else None,
            placeholder=entry.get("placeholder", False),
            repeat_confirmed=True,  # the seed states what was given; a repeat is the register's warning to show
            description=entry.get("description"),
            occasion=entry.get("occasion"),
            our_side=entry.get("our_side"),
            kept_at=entry.get("kept_at"),
            notes=entry.get("notes"),
        )
        self._created("gifts", save_gift(data, delegation=delegation))

    def _delegation(self, entry: dict[str, Any]) -> Delegation:
        home = self._ref(self.cities, entry["home_city"], "city")
        start, end = entry["start_date"], entry["end_date"]
        if not isinstance(start, date) or not isinstance(end, date):
            raise SeedError("delegation start_date/end_date must be TOML dates")
        delegation = self._existing(Delegation, title=entry["title"], start_date=start)
        if delegation is None:
            delegation = self._created(
                "delegations",
                save_delegation(
                    DelegationInput(
                        title=entry["title"],
                        home_city_id=home.id,
                        start_date=start,
                        end_date=end,
                        status=DelegationStatus(entry.get("status", "draft")),
                        purpose=entry.get("purpose"),
                        notes=entry.get("notes"),
                        duty_phone=entry.get("duty_phone"),
                    )
                ),
            )
        for order, item in enumerate(entry.get("members", [])):
            person = self._ref(self.people, item["person"], "person")
            member = self._existing(Member, delegation_id=delegation.id, person_id=person.id)
            if member is None:
                member = self._created(
                    "members",
                    save_member(
                        delegation,
                        MemberInput(
                            person_id=person.id,
                            role=MemberRole(item["role"]),
                            function=item.get("function"),
                            sort_order=order,
                        ),
                    ),
                )
            self.members[item["person"]] = member
        for item in entry.get("legs", []):
            self._leg(delegation, item)
        for item in entry.get("journeys", []):
            self._journey(delegation, item)
        for item in entry.get("appointments", []):
            self._appointment(delegation, item)
        for item in entry.get("seating", []):
            self._seating(item)
        return delegation

    def _leg(self, delegation: Delegation, item: dict[str, Any]) -> None:
        city = self._ref(self.cities, item["city"], "city")
        where = f"leg in {city.name}"
        arrive_at = self._instant(item["arrive"], city.timezone, where)
        if self._existing(Leg, delegation_id=delegation.id, city_id=city.id, arrive_at=arrive_at) is not None:
            return
        data = LegInput(
            city_id=city.id,
            arrive_at=arrive_at,
            depart_at=self._instant(item["depart"], city.timezone, where),
            status=ItemStatus(item.get("status", "tentative")),
            **{k: item.get(k) for k in ("focus", "hotel_name", "hotel_address", "hotel_phone", "notes")},
        )
        self._created("legs", save_leg(delegation, data))

    def _journey(self, delegation: Delegation, item: dict[str, Any]) -> None:
        uid = seed_uid(self.trip_key, item["key"])
        if self._existing(Journey, uid=uid) is not None:
            return
        origin = self._ref(self.cities, item["from_city"], "city")
        destination = self._ref(self.cities, item["to_city"], "city")
        departure_zone = item.get("departure_timezone", origin.timezone)
        arrival_zone = item.get("arrival_timezone", destination.timezone)
        where = f"journey {item['key']}"
        data = JourneyInput(
            mode=JourneyMode(item.get("mode", "flight")),
            status=ItemStatus(item.get("status", "tentative")),
            departure_city_id=origin.id,
            departure_place=item["from_place"],
            depart_at=self._instant(item["depart"], departure_zone, where),
            departure_timezone=departure_zone,
            arrival_city_id=destination.id,
            arrival_place=item["to_place"],
            arrive_at=self._instant(item["arrive"], arrival_zone, where),
            arrival_timezone=arrival_zone,
            carrier=item.get("carrier"),
            number=item.get("number"),
            booking_reference=item.get("booking_reference"),
            notes=item.get("notes"),
            traveller_ids=self._member_ids(item.get("travellers", "all"), where),
            visibility=Visibility(item.get("visibility", "delegation")),
            uid=uid,
        )
        self._created("journeys", save_journey(delegation, data))

    def _appointment(self, delegation: Delegation, item: dict[str, Any]) -> None:
        uid = seed_uid(self.trip_key, item["key"])
        appointment = self._existing(Appointment, uid=uid)
        if appointment is None:
            city = self._ref(self.cities, item["city"], "city")
            zone = item.get("timezone", city.timezone)
            where = f"appointment {item['key']}"
            organization = self._ref(self.organizations, item.get("organization"), "organization")
            contact = self._ref(self.people, item.get("contact"), "person")
            texts = ("venue", "address", "objectives", "talking_points", "background", "dress_code", "notes")
            data = AppointmentInput(
                title=item["title"],
                kind=AppointmentKind(item["kind"]),
                status=ItemStatus(item.get("status", "tentative")),
                start_at=self._instant(item["start"], zone, where),
                end_at=self._instant(item["end"], zone, where),
                timezone=zone,
                all_day=item.get("all_day", False),
                city_id=city.id,
                latitude=item.get("latitude"),
                longitude=item.get("longitude"),
                organization_id=organization.id if organization else None,
                contact_person_id=contact.id if contact else None,
                attendee_ids=self._member_ids(item.get("attendees", "all"), where),
                # Briefed members besides the leader, who is briefed for everything (planner.audiences).
                briefed_ids=self._member_ids(item.get("briefed", []), where),
                visibility=Visibility(item.get("visibility", "delegation")),
                uid=uid,
                **{k: item.get(k) for k in texts},
            )
            appointment = self._created("appointments", save_appointment(delegation, data))
        self.appointments[item["key"]] = appointment

    def _seating(self, item: dict[str, Any]) -> None:
        appointment = self._ref(self.appointments, item["appointment"], "appointment")
        if self._existing(SeatingPlan, appointment_id=appointment.id) is not None:
            return
        plan = save_plan(
            appointment,
            PlanInput(
                shape=TableShape(item.get("shape", "french")),
                host_side=PersonSide(item.get("host_side", "host")),
                host_first=item.get("host_first", False),
                interpreter_place=InterpreterPlace(item.get("interpreter_place", "behind")),
                seats_per_table=item.get("seats_per_table", 10),
                is_placeholder=item.get("placeholder", True),
                note=item.get("note"),
            ),
        )
        self._created("seating_plans", plan)
        # Principals first, so that an interpreter finds the person they serve.
        entries = sorted(item.get("participants", []), key=lambda e: e.get("rank") == PrecedenceRank.INTERPRETER.value)
        for entry in entries:
            person = self._ref(self.people, entry["person"], "person")
            serves = self._ref(self.people, entry.get("serves"), "person")
            data = ParticipantInput(
                person_id=person.id,
                rank=PrecedenceRank(entry["rank"]) if "rank" in entry else None,
                speaking_order=entry.get("speaking_order"),
                serves_person_id=serves.id if serves else None,
            )
            self._created("protocol_participants", save_participant(plan, data))

    def _follow_up(self, delegation: Delegation, item: dict[str, Any]) -> None:
        if self._existing(FollowUp, delegation_id=delegation.id, title=item["title"]) is not None:
            return
        owner = self._ref(self.people, item.get("owner"), "person")
        organization = self._ref(self.organizations, item.get("organization"), "organization")
        appointment = self._ref(self.appointments, item.get("appointment"), "appointment")
        data = FollowUpInput(
            title=item["title"],
            description=item.get("description"),
            owner_id=owner.id if owner else None,
            due_on=item.get("due_on"),
            status=FollowUpStatus(item.get("status", "open")),
            organization_id=organization.id if organization else None,
            appointment_id=appointment.id if appointment else None,
        )
        self._created("follow_ups", save_follow_up(delegation, data))
