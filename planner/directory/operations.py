"""Writes of the directory: create and edit organizations, people, cities, partnerships.

Operations take the typed inputs of :mod:`planner.directory.inputs`, change the
records and end with a flush; the caller commits (the edit flow, a command, the
seed loader), as everywhere in the planner (see :mod:`planner.editing`).

Every edit checks the version the form was opened with (:func:`ensure_version`)
before touching the record, and the flush turns a lost race on the version
column into an :class:`~planner.editing.EditConflict` instead of a silent
overwrite. Rules the database would enforce with an IntegrityError (unique
names, one partnership per pair of cities) are checked first and reported as
:class:`~planner.editing.Rejected`, naming the input field, so the planner gets a
message and the database stays as it was; a planner who loses the race to the
unique index gets the same message. The change history is written by the flush
hook in :mod:`planner.models.history`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from planner.directory.inputs import CityInput, OrganizationInput, PartnershipInput, PersonInput
from planner.directory.queries import country_by_code
from planner.editing import Rejected, ensure_version, flush_edit
from planner.extensions import db
from planner.formatting import country_name, english_country_name, is_country_code
from planner.models import Appointment, City, Country, Delegation, Journey, Leg, Organization, Partnership, Person, Vehicle
from planner.models.trash import include_trashed
from planner.timezones import zones_of_country


def _assign(record: Any, data: Any, *, skip: tuple[str, ...] = ()) -> None:
    for field in dataclasses.fields(data):
        if field.name not in skip:
            setattr(record, field.name, getattr(data, field.name))


@contextmanager
def _saving(record: Any, rejected: Rejected) -> Iterator[None]:
    """Make the block's changes to ``record`` (adding it if new) and flush them.

    The changes run in a SAVEPOINT, begun before the first one (beginning it
    flushes what is pending): when another planner's commit wins the race to a
    unique index, only this INSERT or UPDATE is undone, the caller's
    transaction stays usable, and the refusal is ``rejected``.
    """
    savepoint = db.session.begin_nested()
    try:
        yield
        db.session.add(record)
        # A stale version raises EditConflict; the SAVEPOINT is undone below, the caller rolls back the rest.
        flush_edit(record)
    except IntegrityError:
        savepoint.rollback()
        raise rejected from None
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()


def _record_exists(stmt: sa.Select[Any]) -> bool:
    with db.session.no_autoflush:
        return db.session.scalar(sa.select(stmt.exists())) or False


def _referenced(model: type, record_id: int | None, field: str, message: object) -> None:
    # A select offers only existing records, but the one chosen may have gone meanwhile.
    if record_id is not None and db.session.get(model, record_id) is None:
        raise Rejected(field, message)


# -- organizations ------------------------------------------------------------------


def _organization_name_taken(name: str) -> Rejected:
    return Rejected("name", _("Eine Organisation namens „%(name)s“ gibt es bereits.", name=name))


def _check_organization(data: OrganizationInput, organization_id: int | None = None) -> None:
    stmt = sa.select(Organization.id).where(sa.func.lower(Organization.name) == data.name.lower())
    if organization_id is not None:
        stmt = stmt.where(Organization.id != organization_id)
    if _record_exists(stmt):
        raise _organization_name_taken(data.name)
    _referenced(City, data.city_id, "city_id", _l("Diese Stadt gibt es nicht mehr."))


def create_organization(data: OrganizationInput) -> Organization:
    _check_organization(data)
    organization = Organization()
    with _saving(organization, _organization_name_taken(data.name)):
        _assign(organization, data)
    return organization


def update_organization(organization: Organization, data: OrganizationInput, version: int | None) -> Organization:
    ensure_version(organization, version)
    _check_organization(data, organization.id)
    with _saving(organization, _organization_name_taken(data.name)):
        _assign(organization, data)
    return organization


# -- people -------------------------------------------------------------------------

_ORGANIZATION_GONE = _l("Diese Organisation gibt es nicht mehr.")


def create_person(data: PersonInput) -> Person:
    _referenced(Organization, data.organization_id, "organization_id", _ORGANIZATION_GONE)
    person = Person()
    with _saving(person, Rejected("organization_id", _ORGANIZATION_GONE)):
        _assign(person, data)
    return person


def update_person(person: Person, data: PersonInput, version: int | None) -> Person:
    ensure_version(person, version)
    _referenced(Organization, data.organization_id, "organization_id", _ORGANIZATION_GONE)
    with _saving(person, Rejected("organization_id", _ORGANIZATION_GONE)):
        _assign(person, data)
    return person


# -- cities -------------------------------------------------------------------------


def country_for_code(iso_code: str) -> Country:
    """The country with ``iso_code``, created on first use (the select offers every ISO country)."""
    if not is_country_code(iso_code):
        raise Rejected("country_iso", _l("Bitte ein Land aus der Liste wählen."))
    country = country_by_code(iso_code)
    if country is None:
        # Joins the session with the city, only once every check has passed.
        country = Country(iso_code=iso_code, name=english_country_name(iso_code))
    return country


def _check_city(data: CityInput, country: Country, city_id: int | None = None) -> Rejected:
    """Raise if the country has a city of this name already or the zone is not the country's.

    Returns the refusal for a lost race to the unique index.
    """
    stmt = sa.select(City.id).where(City.country_id == country.id, sa.func.lower(City.name) == data.name.lower())
    if city_id is not None:
        stmt = stmt.where(City.id != city_id)
    rejected = Rejected("name", _("Die Stadt „%(name)s“ gibt es in diesem Land bereits.", name=data.name))
    if country.id is not None and _record_exists(stmt):
        raise rejected
    _check_zone_in_country(data.timezone, country)
    return rejected


def _check_zone_in_country(zone: str, country: Country) -> None:
    """Refuse a zone the tz database does not give for the country (Japan with Europe/Berlin).

    A country the database has no zones for is not checked. The backup import
    writes rows without this operation, so existing data keeps restoring.
    """
    zones = zones_of_country(country.iso_code)
    if zones and zone not in zones:
        raise Rejected(
            "timezone",
            _(
                "Die Zeitzone %(zone)s liegt nicht in diesem Land. %(country)s: %(zones)s",
                zone=zone,
                country=country_name(country),
                zones=", ".join(zones),
            ),
        )


def create_city(data: CityInput) -> City:
    country = country_for_code(data.country_iso)
    rejected = _check_city(data, country)
    city = City()
    with _saving(city, rejected):
        city.country = country
        _assign(city, data, skip=("country_iso",))
    return city


def _city_uses(city_id: int) -> list[str]:
    """What still refers to the city, each as "3 Terminen" (dative plural, to follow "von")."""
    checks: list[tuple[type, Any, Callable[[int], str]]] = [
        (Organization, Organization.city_id == city_id, lambda n: ngettext("%(num)d Organisation", "%(num)d Organisationen", n)),
        (Appointment, Appointment.city_id == city_id, lambda n: ngettext("%(num)d Termin", "%(num)d Terminen", n)),
        (
            Journey,
            sa.or_(Journey.departure_city_id == city_id, Journey.arrival_city_id == city_id),
            lambda n: ngettext("%(num)d Verbindung", "%(num)d Verbindungen", n),
        ),
        (Leg, Leg.city_id == city_id, lambda n: ngettext("%(num)d Station", "%(num)d Stationen", n)),
        (
            Vehicle,
            Vehicle.city_id == city_id,
            lambda n: ngettext("%(num)d Fahrzeug des Fahrzeugplans", "%(num)d Fahrzeugen des Fahrzeugplans", n),
        ),
        (
            Partnership,
            sa.or_(Partnership.home_city_id == city_id, Partnership.partner_city_id == city_id),
            lambda n: ngettext("%(num)d Städtepartnerschaft", "%(num)d Städtepartnerschaften", n),
        ),
        (
            Delegation,
            Delegation.home_city_id == city_id,
            lambda n: ngettext("%(num)d Reise als Heimatstadt", "%(num)d Reisen als Heimatstadt", n),
        ),
    ]
    uses = []
    with db.session.no_autoflush:
        for model, where, words in checks:
            # Trashed items count: they still point at the city, and a restore needs it.
            number = (
                db.session.scalar(sa.select(sa.func.count()).select_from(model).where(where), execution_options=include_trashed())
                or 0
            )
            if number:
                uses.append(words(number))
    return uses


def delete_city(city: City, version: int | None) -> None:
    """Delete the city if nothing refers to it; else raise :class:`Rejected` naming what still uses it."""
    ensure_version(city, version)
    uses = _city_uses(city.id)
    if uses:
        listed = uses[0] if len(uses) == 1 else _("%(first)s und %(last)s", first=", ".join(uses[:-1]), last=uses[-1])
        raise Rejected("id", _("%(city)s wird noch von %(uses)s verwendet.", city=city.name, uses=listed))
    db.session.delete(city)
    flush_edit(city)


def update_city(city: City, data: CityInput, version: int | None) -> City:
    ensure_version(city, version)
    country = country_for_code(data.country_iso)
    rejected = _check_city(data, country, city.id)
    with _saving(city, rejected):
        city.country = country
        _assign(city, data, skip=("country_iso",))
    return city


# -- partnerships -------------------------------------------------------------------


def _check_partnership(data: PartnershipInput, partnership_id: int | None = None) -> Rejected:
    """Raise if the twinning breaks a rule; return the refusal for a lost race."""
    home, partner = data.home_city_id, data.partner_city_id
    if home == partner:  # the form says so already; this guards other callers
        raise Rejected("partner_city_id", _l("Die Partnerstadt muss eine andere Stadt sein als die Heimatstadt."))
    _referenced(City, home, "home_city_id", _l("Diese Stadt gibt es nicht mehr."))
    _referenced(City, partner, "partner_city_id", _l("Diese Stadt gibt es nicht mehr."))
    # Düsseldorf–Chongqing and Chongqing–Düsseldorf are the same twinning.
    pair = sa.or_(
        sa.and_(Partnership.home_city_id == home, Partnership.partner_city_id == partner),
        sa.and_(Partnership.home_city_id == partner, Partnership.partner_city_id == home),
    )
    stmt = sa.select(Partnership.id).where(pair)
    if partnership_id is not None:
        stmt = stmt.where(Partnership.id != partnership_id)
    rejected = Rejected("partner_city_id", _l("Diese Städtepartnerschaft gibt es bereits."))
    if _record_exists(stmt):
        raise rejected
    return rejected


def create_partnership(data: PartnershipInput) -> Partnership:
    rejected = _check_partnership(data)
    partnership = Partnership()
    with _saving(partnership, rejected):
        _assign(partnership, data)
    return partnership


def update_partnership(partnership: Partnership, data: PartnershipInput, version: int | None) -> Partnership:
    ensure_version(partnership, version)
    rejected = _check_partnership(data, partnership.id)
    with _saving(partnership, rejected):
        _assign(partnership, data)
        # The relationships were loaded for display; keep them in step with the new ids.
        db.session.expire(partnership, ["home_city", "partner_city"])
    return partnership
