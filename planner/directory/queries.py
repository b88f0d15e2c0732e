"""Reads of the directory, each page's data in a fixed number of SQL queries.

Relationships that a page shows are loaded eagerly (``selectinload``), so a
profile costs the same number of queries whether an organization has one
appointment or a hundred. Trashed appointments are left out by the global
rule in :mod:`planner.models.trash`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from wtforms.fields import SelectChoice

from planner.extensions import db
from planner.formatting import country_name, listed_name, person_sort_key, sort_key
from planner.labels import label
from planner.models import (
    Appointment,
    City,
    Country,
    Delegation,
    Member,
    Organization,
    OrganizationKind,
    Partnership,
    Person,
    PersonSide,
)
from planner.teams.access import trip_filter
from planner.timezones import to_local, utc_offset

# -- choices for the forms ---------------------------------------------------------


def city_choices() -> list[tuple[int, str]]:
    cities = db.session.scalars(sa.select(City).options(selectinload(City.country))).all()
    choices = [(city.id, f"{city.name} ({country_name(city.country)})") for city in cities]
    return sorted(choices, key=lambda item: sort_key(item[1]))


def person_choices(empty_label: str | None = None) -> list[SelectChoice]:
    """Every person for a select: our side first, then the hosts, each group by family name.

    The one home of person choices (contact on site, member, follow-up owner):
    each option reads "Keller, Stephan (Dr.) – Landeshauptstadt Düsseldorf".
    ``empty_label``: a first choice (value 0) for "nobody".
    """
    people = db.session.scalars(sa.select(Person).options(selectinload(Person.organization))).all()
    groups = {side: str(label(side)) for side in PersonSide}
    order = list(PersonSide)
    found = sorted(people, key=lambda p: (order.index(p.side), person_sort_key(p)))
    choices = [SelectChoice(0, empty_label)] if empty_label is not None else []
    for person in found:
        choices.append(SelectChoice(person.id, person_choice_label(person), optgroup=groups[person.side]))
    return choices


def person_choice_label(person: Person) -> str:
    """How a person select names ``person``: "Keller, Stephan (Dr.) – Landeshauptstadt Düsseldorf"."""
    text = listed_name(person)
    return f"{text} – {person.organization.name}" if person.organization is not None else text


def organization_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(Organization.id, Organization.name)).all()
    return sorted(((row.id, row.name) for row in rows), key=lambda item: sort_key(item[1]))


# -- appointments seen from the directory -------------------------------------------


@dataclass(frozen=True)
class AppointmentRow:
    """One appointment as the directory lists it: local day, local and home time."""

    appointment: Appointment
    local_day: date
    home_zone: str
    home_place: str

    @property
    def delegation(self) -> Delegation:
        return self.appointment.delegation


def appointment_rows(appointments: list[Appointment]) -> list[AppointmentRow]:
    """Rows for appointments loaded with their delegation's home city (no further queries)."""
    return [
        AppointmentRow(
            appointment=a,
            local_day=to_local(a.start_at, a.timezone).date(),
            home_zone=a.delegation.home_timezone,
            home_place=a.delegation.home_city.name,
        )
        for a in appointments
    ]


def _appointments_where(condition: sa.ColumnElement[bool]) -> list[Appointment]:
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .where(condition)
            .options(
                selectinload(Appointment.delegation).selectinload(Delegation.home_city),
                selectinload(Appointment.city),
                selectinload(Appointment.organization),
                selectinload(Appointment.contact_person),
            )
            .order_by(Appointment.start_at, Appointment.id)
        ).all()
    )


# -- organizations -------------------------------------------------------------------


def organizations(kind: OrganizationKind | None = None) -> list[Organization]:
    stmt = sa.select(Organization).options(selectinload(Organization.city).selectinload(City.country))
    if kind is not None:
        stmt = stmt.where(Organization.kind == kind)
    return sorted(db.session.scalars(stmt).all(), key=lambda o: sort_key(o.name))


def organization(organization_id: int) -> Organization:
    """The organization as its edit form needs it (404 if there is none)."""
    return db.one_or_404(sa.select(Organization).where(Organization.id == organization_id))


@dataclass(frozen=True)
class OrganizationProfile:
    organization: Organization
    appointments: list[AppointmentRow]


def organization_profile(organization_id: int, user: Any) -> OrganizationProfile:
    """The organization with its city, its people and its appointments on the trips ``user`` may see (404 if none)."""
    found = db.one_or_404(
        sa.select(Organization)
        .where(Organization.id == organization_id)
        .options(selectinload(Organization.city).selectinload(City.country), selectinload(Organization.people))
    )
    appointments = _appointments_where(
        sa.and_(Appointment.organization_id == organization_id, trip_filter(user, Appointment.delegation_id))
    )
    return OrganizationProfile(found, appointment_rows(appointments))


# -- people --------------------------------------------------------------------------


def people() -> list[Person]:
    found = db.session.scalars(sa.select(Person).options(selectinload(Person.organization))).all()
    return sorted(found, key=person_sort_key)


def person(person_id: int) -> Person:
    """The person as their edit form needs them (404 if there is none)."""
    return db.one_or_404(sa.select(Person).where(Person.id == person_id))


@dataclass(frozen=True)
class PersonProfile:
    person: Person
    memberships: list[Member]
    contact_for: list[AppointmentRow]


def person_profile(person_id: int, user: Any) -> PersonProfile:
    """The person, the delegations they travel with, and the appointments they are the on-site contact for (404 if none).

    Only trips ``user`` may see: a person's profile does not tell of the trips outside their teams.
    """
    found = db.one_or_404(sa.select(Person).where(Person.id == person_id).options(selectinload(Person.organization)))
    memberships = db.session.scalars(
        sa.select(Member)
        .join(Member.delegation)
        .where(Member.person_id == person_id, trip_filter(user, Member.delegation_id))
        .options(selectinload(Member.delegation))
        .order_by(Delegation.start_date.desc(), Delegation.id)
    ).all()
    appointments = _appointments_where(
        sa.and_(Appointment.contact_person_id == person_id, trip_filter(user, Appointment.delegation_id))
    )
    return PersonProfile(found, list(memberships), appointment_rows(appointments))


# -- cities and partnerships ----------------------------------------------------------


@dataclass(frozen=True)
class CityRow:
    city: City
    offset: timedelta  # the zone's current offset from UTC


def cities(now: datetime) -> list[CityRow]:
    found = db.session.scalars(sa.select(City).options(selectinload(City.country))).all()
    rows = [CityRow(city, utc_offset(now, city.timezone)) for city in found]
    return sorted(rows, key=lambda row: (sort_key(row.city.name), row.city.id))


def city(city_id: int) -> City:
    """The city with its country (404 if there is none)."""
    return db.one_or_404(sa.select(City).where(City.id == city_id).options(selectinload(City.country)))


@dataclass(frozen=True)
class CityProfile:
    city: City
    offset: timedelta
    partnerships: list[Partnership]
    organizations: list[Organization]


def _partnerships_stmt() -> sa.Select[Partnership]:
    return sa.select(Partnership).options(
        selectinload(Partnership.home_city).selectinload(City.country),
        selectinload(Partnership.partner_city).selectinload(City.country),
    )


def city_profile(city_id: int, now: datetime) -> CityProfile:
    """The city with its partnerships and organizations, its offset from UTC at ``now`` (404 if none)."""
    found = city(city_id)
    partnerships = db.session.scalars(
        _partnerships_stmt()
        .where(sa.or_(Partnership.home_city_id == city_id, Partnership.partner_city_id == city_id))
        .order_by(Partnership.since, Partnership.id)
    ).all()
    organizations = db.session.scalars(sa.select(Organization).where(Organization.city_id == city_id)).all()
    return CityProfile(
        found,
        utc_offset(now, found.timezone),
        list(partnerships),
        sorted(organizations, key=lambda o: sort_key(o.name)),
    )


def partnerships() -> list[Partnership]:
    found = db.session.scalars(_partnerships_stmt()).all()
    return sorted(found, key=lambda p: (sort_key(p.home_city.name), p.since, p.id))


def partnership(partnership_id: int) -> Partnership:
    """The partnership with both cities (404 if there is none)."""
    return db.one_or_404(_partnerships_stmt().where(Partnership.id == partnership_id))


def country_by_code(iso_code: str) -> Country | None:
    return db.session.scalars(sa.select(Country).where(Country.iso_code == iso_code)).one_or_none()
