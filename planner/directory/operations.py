"""Writes of the directory: create and edit organizations, people, cities, partnerships.

Every edit checks the version the form was opened with (:func:`ensure_version`)
before touching the record and commits through :func:`commit_edit`, so a
concurrent save becomes an :class:`~planner.editing.EditConflict` instead of
a silent overwrite. Rules the database would enforce with an IntegrityError
(unique names, one partnership per pair of cities) are checked first and
reported as :class:`Rejected`, naming the form field, so the planner gets a
message and the database stays as it was. The change history is written by
the flush hook in :mod:`planner.models.history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from planner.directory.queries import country_by_code
from planner.editing import commit_edit, ensure_version
from planner.extensions import db
from planner.formatting import english_country_name, is_country_code
from planner.models import City, Country, Organization, OrganizationKind, Partnership, Person


class Rejected(Exception):
    """The input breaks a rule that involves other records; ``field`` is the form field to blame."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


ORGANIZATION_FIELDS = (
    "name",
    "native_name",
    "kind",
    "sector",
    "profile",
    "home_relation",
    "founded_year",
    "website",
    "address",
    "city_id",
    "phone",
    "email",
    "contact_is_placeholder",
)
PERSON_FIELDS = (
    "honorific",
    "name",
    "native_name",
    "function",
    "organization_id",
    "email",
    "phone",
    "languages",
    "notes",
    "contact_is_placeholder",
)
CITY_FIELDS = ("name", "native_name", "timezone", "latitude", "longitude", "profile")
PARTNERSHIP_FIELDS = ("home_city_id", "partner_city_id", "since", "notes")


def _assign(obj: Any, values: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        setattr(obj, name, values[name])


def _commit_new(obj: Any, rejected: Rejected) -> None:
    db.session.add(obj)
    try:
        db.session.commit()
    except IntegrityError:
        # Lost a race against another planner creating the same record.
        db.session.rollback()
        raise rejected from None


def _commit_existing(obj: Any, rejected: Rejected) -> None:
    try:
        commit_edit(obj)
    except IntegrityError:
        db.session.rollback()
        raise rejected from None


def _record_exists(stmt: sa.Select[Any]) -> bool:
    with db.session.no_autoflush:
        return db.session.scalar(sa.select(stmt.exists())) or False


def _referenced(model: type, record_id: int | None, field: str, message: object) -> None:
    # A select offers only existing records, but the one chosen may have gone meanwhile.
    if record_id is not None and db.session.get(model, record_id) is None:
        raise Rejected(field, message)


# -- organizations ------------------------------------------------------------------


def _organization_name_taken(name: str, organization_id: int | None = None) -> Rejected | None:
    stmt = sa.select(Organization.id).where(sa.func.lower(Organization.name) == name.lower())
    if organization_id is not None:
        stmt = stmt.where(Organization.id != organization_id)
    if _record_exists(stmt):
        return Rejected("name", _("Eine Organisation namens „%(name)s“ gibt es bereits.", name=name))
    return None


def _organization_values(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    cleaned["kind"] = OrganizationKind(values["kind"])
    return cleaned


def create_organization(values: Mapping[str, Any]) -> Organization:
    taken = _organization_name_taken(values["name"])
    if taken:
        raise taken
    _referenced(City, values["city_id"], "city_id", _l("Diese Stadt gibt es nicht mehr."))
    organization = Organization()
    _assign(organization, _organization_values(values), ORGANIZATION_FIELDS)
    _commit_new(organization, Rejected("name", _("Eine Organisation namens „%(name)s“ gibt es bereits.", name=values["name"])))
    return organization


def update_organization(organization: Organization, values: Mapping[str, Any], version: int | None) -> None:
    ensure_version(organization, version)
    taken = _organization_name_taken(values["name"], organization.id)
    if taken:
        raise taken
    _referenced(City, values["city_id"], "city_id", _l("Diese Stadt gibt es nicht mehr."))
    _assign(organization, _organization_values(values), ORGANIZATION_FIELDS)
    _commit_existing(
        organization, Rejected("name", _("Eine Organisation namens „%(name)s“ gibt es bereits.", name=values["name"]))
    )


# -- people -------------------------------------------------------------------------


def _check_person(values: Mapping[str, Any]) -> None:
    _referenced(Organization, values["organization_id"], "organization_id", _l("Diese Organisation gibt es nicht mehr."))


def create_person(values: Mapping[str, Any]) -> Person:
    _check_person(values)
    person = Person()
    _assign(person, values, PERSON_FIELDS)
    _commit_new(person, Rejected("organization_id", _l("Diese Organisation gibt es nicht mehr.")))
    return person


def update_person(person: Person, values: Mapping[str, Any], version: int | None) -> None:
    ensure_version(person, version)
    _check_person(values)
    _assign(person, values, PERSON_FIELDS)
    _commit_existing(person, Rejected("organization_id", _l("Diese Organisation gibt es nicht mehr.")))


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


def _city_taken(values: Mapping[str, Any], country: Country, city_id: int | None = None) -> Rejected:
    stmt = sa.select(City.id).where(City.country_id == country.id, sa.func.lower(City.name) == values["name"].lower())
    if city_id is not None:
        stmt = stmt.where(City.id != city_id)
    rejected = Rejected("name", _("Die Stadt „%(name)s“ gibt es in diesem Land bereits.", name=values["name"]))
    if country.id is not None and _record_exists(stmt):
        raise rejected
    return rejected


def create_city(values: Mapping[str, Any]) -> City:
    country = _country(values["country_iso"])
    rejected = _city_taken(values, country)
    city = City(country=country)
    _assign(city, values, CITY_FIELDS)
    _commit_new(city, rejected)
    return city


def update_city(city: City, values: Mapping[str, Any], version: int | None) -> None:
    ensure_version(city, version)
    country = _country(values["country_iso"])
    rejected = _city_taken(values, country, city.id)
    city.country = country
    _assign(city, values, CITY_FIELDS)
    _commit_existing(city, rejected)


# -- partnerships -------------------------------------------------------------------


def _check_partnership(values: Mapping[str, Any], partnership_id: int | None = None) -> Rejected:
    home, partner = values["home_city_id"], values["partner_city_id"]
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


def create_partnership(values: Mapping[str, Any]) -> Partnership:
    rejected = _check_partnership(values)
    partnership = Partnership()
    _assign(partnership, values, PARTNERSHIP_FIELDS)
    _commit_new(partnership, rejected)
    return partnership


def update_partnership(partnership: Partnership, values: Mapping[str, Any], version: int | None) -> None:
    ensure_version(partnership, version)
    rejected = _check_partnership(values, partnership.id)
    _assign(partnership, values, PARTNERSHIP_FIELDS)
    # The relationships were loaded for display; keep them in step with the new ids.
    db.session.expire(partnership, ["home_city", "partner_city"])
    _commit_existing(partnership, rejected)
