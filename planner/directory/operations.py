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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from planner.directory.inputs import CityInput, OrganizationInput, PartnershipInput, PersonInput
from planner.directory.queries import country_by_code
from planner.editing import Rejected, ensure_version, flush_edit
from planner.extensions import db
from planner.formatting import english_country_name, is_country_code
from planner.models import City, Country, Organization, Partnership, Person


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


def _country(iso_code: str) -> Country:
    """The country with ``iso_code``, created on first use (the select offers every ISO country)."""
    if not is_country_code(iso_code):
        raise Rejected("country_iso", _l("Bitte ein Land aus der Liste wählen."))
    country = country_by_code(iso_code)
    if country is None:
        # Joins the session with the city, only once every check has passed.
        country = Country(iso_code=iso_code, name=english_country_name(iso_code))
    return country


def _check_city(data: CityInput, country: Country, city_id: int | None = None) -> Rejected:
    """Raise if the country has a city of this name already; return the refusal for a lost race."""
    stmt = sa.select(City.id).where(City.country_id == country.id, sa.func.lower(City.name) == data.name.lower())
    if city_id is not None:
        stmt = stmt.where(City.id != city_id)
    rejected = Rejected("name", _("Die Stadt „%(name)s“ gibt es in diesem Land bereits.", name=data.name))
    if country.id is not None and _record_exists(stmt):
        raise rejected
    return rejected


def create_city(data: CityInput) -> City:
    country = _country(data.country_iso)
    rejected = _check_city(data, country)
    city = City()
    with _saving(city, rejected):
        city.country = country
        _assign(city, data, skip=("country_iso",))
    return city


def update_city(city: City, data: CityInput, version: int | None) -> City:
    ensure_version(city, version)
    country = _country(data.country_iso)
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
