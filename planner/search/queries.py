"""The search itself: an accent- and case-insensitive substring match, the same on SQLite and PostgreSQL.

Column and term are both folded (:mod:`planner.search.folding`: lowercase,
no diacritics on Latin letters) and compared with ``LIKE``, the user's ``%``
and ``_`` escaped so they match themselves instead of acting as wildcards.
Flight and train numbers also match without their spaces: "LH712" finds
carrier "LH", number "712" and the other way round. Each kind of result is
one statement with its related records loaded eagerly: a results page costs
the same number of queries however much it finds. Trashed appointments stay
out through the global rule in :mod:`planner.models.trash`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, selectinload

from planner.directory.queries import AppointmentRow, appointment_rows
from planner.extensions import db
from planner.models import Appointment, City, Delegation, Journey, Leg, Organization, Person
from planner.search.folding import Folded, fold
from planner.teams.access import trip_filter

MAX_QUERY_LENGTH = 200
# Per kind; a search that finds more asks the planner to be more specific.
LIMIT = 50
_ESCAPE = "\\"


class Problem(Enum):
    """Why a query was not run."""

    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Group:
    items: list
    more: bool  # more than LIMIT matched; only the first LIMIT are listed


@dataclass(frozen=True)
class SearchResults:
    term: str
    delegations: Group
    appointments: Group
    journeys: Group
    legs: Group
    cities: Group
    organizations: Group
    people: Group

    @property
    def total(self) -> int:
        groups = (self.delegations, self.appointments, self.journeys, self.legs, self.cities, self.organizations, self.people)
        return sum(len(g.items) for g in groups)


@dataclass(frozen=True)
class Outcome:
    """What the page shows: results, or the reason there are none."""

    term: str
    problem: Problem | None = None
    results: SearchResults | None = field(default=None)


def escape_like(term: str) -> str:
    """Make ``%``, ``_`` and the escape character itself match literally in LIKE."""
    return term.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")


def _contains(
    term: str, expression: sa.ColumnElement[str] | QueryableAttribute[str] | QueryableAttribute[str | None]
) -> sa.ColumnElement[bool]:
    return Folded(expression).like(f"%{escape_like(fold(term))}%", escape=_ESCAPE)


def _matches(term: str, *columns: QueryableAttribute[str] | QueryableAttribute[str | None]) -> sa.ColumnElement[bool]:
    return sa.or_(*(_contains(term, column) for column in columns))


def _service_matches(term: str) -> sa.ColumnElement[bool]:
    """Carrier and number read as one word without spaces, as "LH 712" and "LH712" are written."""
    compact = "".join(term.split())
    service = sa.func.replace(sa.func.coalesce(Journey.carrier, "") + sa.func.coalesce(Journey.number, ""), " ", "")
    return _contains(compact, service)


def _group(stmt: sa.Select) -> Group:
    found = list(db.session.scalars(stmt.limit(LIMIT + 1)).unique().all())
    return Group(found[:LIMIT], len(found) > LIMIT)


def normalise(raw: str | None) -> str:
    """The search term as typed, without surrounding or repeated whitespace."""
    return " ".join((raw or "").split())


def search(raw: str | None, user: Any) -> Outcome:
    """Search everything ``user`` may see for ``raw``; refuse an empty or over-long term with a reason, never an error.

    Trips, and their appointments, journeys and stays, only of the trips on whose team ``user`` is
    (:mod:`planner.teams.access`); the directory (cities, organizations, people) is shared by all.
    """
    term = normalise(raw)
    if not term:
        return Outcome(term, Problem.EMPTY)
    if len(term) > MAX_QUERY_LENGTH:
        return Outcome(term[:MAX_QUERY_LENGTH], Problem.TOO_LONG)
    return Outcome(term, results=_search(term, user))


def _search(term: str, user: Any) -> SearchResults:
    delegations = _group(
        sa.select(Delegation)
        .where(_matches(term, Delegation.title, Delegation.purpose), trip_filter(user, Delegation.id))
        .options(selectinload(Delegation.home_city))
        .order_by(Delegation.start_date.desc(), Delegation.id)
    )
    appointments = _group(
        sa.select(Appointment)
        .outerjoin(Appointment.organization)
        .where(_matches(term, Appointment.title, Appointment.venue, Organization.name))
        .where(trip_filter(user, Appointment.delegation_id))
        .options(
            selectinload(Appointment.delegation).selectinload(Delegation.home_city),
            selectinload(Appointment.city),
            selectinload(Appointment.organization),
        )
        .order_by(Appointment.start_at, Appointment.id)
    )
    journeys = _group(
        sa.select(Journey)
        .where(sa.or_(_service_matches(term), _matches(term, Journey.departure_place, Journey.arrival_place)))
        .where(trip_filter(user, Journey.delegation_id))
        .options(selectinload(Journey.delegation))
        .order_by(Journey.depart_at, Journey.id)
    )
    legs = _group(
        sa.select(Leg)
        .where(_matches(term, Leg.hotel_name, Leg.hotel_address), trip_filter(user, Leg.delegation_id))
        .options(selectinload(Leg.delegation), selectinload(Leg.city))
        .order_by(Leg.arrive_at, Leg.id)
    )
    cities = _group(
        sa.select(City)
        .where(_matches(term, City.name, City.native_name))
        .options(selectinload(City.country))
        .order_by(City.name, City.id)
    )
    organizations = _group(
        sa.select(Organization)
        .where(_matches(term, Organization.name, Organization.native_name, Organization.sector, Organization.profile))
        .options(selectinload(Organization.city))
        .order_by(Organization.name, Organization.id)
    )
    people = _group(
        sa.select(Person)
        .outerjoin(Person.organization)
        .where(_matches(term, Person.name, Person.native_name, Person.function, Organization.name))
        .options(selectinload(Person.organization))
        .order_by(Person.family_name, Person.given_name, Person.id)
    )
    return SearchResults(
        term=term,
        delegations=delegations,
        appointments=Group(appointment_rows(appointments.items), appointments.more),
        journeys=journeys,
        legs=legs,
        cities=cities,
        organizations=organizations,
        people=people,
    )


__all__ = ["LIMIT", "MAX_QUERY_LENGTH", "AppointmentRow", "Outcome", "Problem", "SearchResults", "escape_like", "search"]
