"""``/api/v1/organizations``, ``/people``, ``/cities``, ``/partnerships``: the directory, as its pages show it.

Every valid read token reads the directory, as every signed-in account reads
its pages (:mod:`planner.directory.routes`); the lists come in the pages'
order. A profile's appointments and a person's trips keep to the trips the
token's owner may see (:func:`planner.teams.access.trip_filter`). No answer
carries an e-mail address, a phone number or personal travel data.
"""

from __future__ import annotations

from typing import Any

from planner.api import queries, serialize
from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp
from planner.api.schemas import (
    CityDetail,
    CityPage,
    OrganizationDetail,
    OrganizationPage,
    OrganizationQuery,
    PageQuery,
    PartnershipDetail,
    PartnershipPage,
    PersonDetail,
    PersonPage,
)
from planner.api.tokens import current_owner
from planner.directory import queries as directory_queries
from planner.models import OrganizationKind
from planner.timezones import utc_now

_ERRORS = {**COMMON_ERRORS, 404: "No such record"}


@bp.get("/organizations")
@bp.input(OrganizationQuery, location="query", arg_name="query")
@bp.output(OrganizationPage)
@bp.doc(summary="Organizations", security=SECURITY_SCHEME, responses=COMMON_ERRORS)
def list_organizations(query: dict[str, Any]) -> dict[str, Any]:
    """The directory's organizations by name; with ``kind``, only those of that kind."""
    kind = OrganizationKind(query["kind"]) if query.get("kind") else None
    found = queries.organizations(kind, query["limit"], query["offset"])
    return {"items": [serialize.organization_record(o) for o in found.items], "page": found.meta()}


@bp.get("/organizations/<int:organization_id>")
@bp.output(OrganizationDetail)
@bp.doc(summary="One organization", security=SECURITY_SCHEME, responses=_ERRORS)
def get_organization(organization_id: int) -> dict[str, Any]:
    """The organization with its people and its appointments on the trips the token's owner may see."""
    profile = directory_queries.organization_profile(organization_id, current_owner())
    return serialize.organization_profile(profile.organization, [row.appointment for row in profile.appointments])


@bp.get("/people")
@bp.input(PageQuery, location="query", arg_name="page")
@bp.output(PersonPage)
@bp.doc(summary="People", security=SECURITY_SCHEME, responses=COMMON_ERRORS)
def list_people(page: dict[str, int]) -> dict[str, Any]:
    """The directory's people by family name, then given name."""
    found = queries.people(page["limit"], page["offset"])
    return {"items": [serialize.person_record(p) for p in found.items], "page": found.meta()}


@bp.get("/people/<int:person_id>")
@bp.output(PersonDetail)
@bp.doc(summary="One person", security=SECURITY_SCHEME, responses=_ERRORS)
def get_person(person_id: int) -> dict[str, Any]:
    """The person, the trips they travel with and the appointments they are the on-site contact for
    (trips the token's owner may see only)."""
    profile = directory_queries.person_profile(person_id, current_owner())
    return serialize.person_profile(profile.person, profile.memberships, [row.appointment for row in profile.contact_for])


@bp.get("/cities")
@bp.input(PageQuery, location="query", arg_name="page")
@bp.output(CityPage)
@bp.doc(summary="Cities", security=SECURITY_SCHEME, responses=COMMON_ERRORS)
def list_cities(page: dict[str, int]) -> dict[str, Any]:
    """The cities by name, each with its IANA zone."""
    found = queries.cities(utc_now(), page["limit"], page["offset"])
    return {"items": [serialize.city_record(c) for c in found.items], "page": found.meta()}


@bp.get("/cities/<int:city_id>")
@bp.output(CityDetail)
@bp.doc(summary="One city", security=SECURITY_SCHEME, responses=_ERRORS)
def get_city(city_id: int) -> dict[str, Any]:
    """The city with its organizations and the ids of its partnerships."""
    profile = directory_queries.city_profile(city_id, utc_now())
    return serialize.city_profile(profile.city, profile.organizations, profile.partnerships)


@bp.get("/partnerships")
@bp.input(PageQuery, location="query", arg_name="page")
@bp.output(PartnershipPage)
@bp.doc(summary="City partnerships", security=SECURITY_SCHEME, responses=COMMON_ERRORS)
def list_partnerships(page: dict[str, int]) -> dict[str, Any]:
    """The twinnings by home city, then since when."""
    found = queries.partnerships(page["limit"], page["offset"])
    return {"items": [serialize.partnership(p) for p in found.items], "page": found.meta()}


@bp.get("/partnerships/<int:partnership_id>")
@bp.output(PartnershipDetail)
@bp.doc(summary="One city partnership", security=SECURITY_SCHEME, responses=_ERRORS)
def get_partnership(partnership_id: int) -> dict[str, Any]:
    return serialize.partnership(directory_queries.partnership(partnership_id))
