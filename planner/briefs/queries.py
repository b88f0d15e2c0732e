"""Reads for the trip brief: one delegation with everything the brief prints.

The programme itself comes from
:func:`planner.delegations.queries.delegation_with_programme`; this module
adds what only the brief needs (organizations with their people, partner
cities, the calendar subscription for the QR code) in three further
queries, so the brief costs the same number of SQL statements for 17
appointments as for 3,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from planner.briefs.options import Edition
from planner.contacts.countries import trip_countries
from planner.contacts.queries import numbers_for
from planner.delegations.itinerary import Itinerary
from planner.delegations.queries import delegation_with_programme
from planner.editing import Rejected
from planner.etiquette.queries import notes_for
from planner.extensions import db
from planner.models import (
    ChangeRecord,
    City,
    Delegation,
    EmergencyNumber,
    EtiquetteNote,
    FeedToken,
    Member,
    Organization,
    Partnership,
    Person,
    Release,
    ReleaseState,
    SeatingPlan,
    TravelProfile,
)
from planner.models.base import Base
from planner.protocol.queries import plans_of_trip
from planner.releases.queries import ReleasedProgramme, previous_released_programme, released_programme


@dataclass
class BriefSource:
    """Everything the brief is built from, loaded up front."""

    delegation: Delegation
    organizations: dict[int, Organization] = field(default_factory=dict)
    partnerships: list[Partnership] = field(default_factory=list)
    feeds: list[FeedToken] = field(default_factory=list)
    # The emergency numbers of the trip's countries, by ISO code (a country without numbers has no key).
    emergency_numbers: dict[str, list[EmergencyNumber]] = field(default_factory=dict)
    # The etiquette notes of the trip's countries, by ISO code (read live, like the numbers: guidance, not programme).
    etiquette_notes: dict[str, list[EtiquetteNote]] = field(default_factory=dict)
    # A released brief: the release it prints, and the programme of the approved release before it (None for the
    # first release); both None for the draft.
    release: Release | None = None
    previous: ReleasedProgramme | None = None
    # The appointments' seating plans by appointment id (planner.protocol); a released brief prints the current ones.
    plans: dict[int, SeatingPlan] = field(default_factory=dict)

    def member_for_person(self, person_id: int) -> Member | None:
        return next((m for m in self.delegation.members if m.person_id == person_id), None)


def brief_source(delegation_id: int, edition: Edition | None = None) -> BriefSource | None:
    """The programme and everything its brief shows, or None if there is no such delegation.

    The released version in force unless ``edition`` is the draft (or there is
    no release yet and no edition was asked for); asking for the released
    version of a trip that has none raises :class:`~planner.editing.Rejected`.
    """
    if edition is not Edition.DRAFT:
        released = released_programme(delegation_id)
        if released is not None:
            source = source_for(released.programme)
            source.release = released.release
            source.previous = previous_released_programme(delegation_id, released.release.number)
            return source
    delegation = delegation_with_programme(delegation_id)
    if delegation is None:
        return None
    if edition is Edition.RELEASED:
        raise Rejected("edition", _l("Für diese Reise ist noch keine Fassung freigegeben. Bitte wählen Sie den Entwurf."))
    return source_for(delegation)


def source_for(delegation: Delegation) -> BriefSource:
    """What the brief of ``delegation`` needs besides the programme it already holds.

    Also takes a released programme rebuilt by
    :func:`planner.releases.snapshot.materialize`, which is not in the session.
    """
    codes = [c.iso_code for c in trip_countries(delegation)]
    return BriefSource(
        delegation=delegation,
        organizations=_organizations(delegation),
        partnerships=_partnerships(delegation),
        feeds=_feeds(delegation.id),
        emergency_numbers=numbers_for(codes),
        etiquette_notes=notes_for(codes),
        plans=plans_of_trip(delegation.id),
    )


def _organizations(delegation: Delegation) -> dict[int, Organization]:
    """Organizations named anywhere in the brief, with their city and people.

    Loading them here also puts them into the session's identity map, so the
    many-to-one ``person.organization`` of a contact person resolves without
    another query.
    """
    ids: set[int] = set()
    for appointment in delegation.appointments:
        if appointment.organization_id is not None:
            ids.add(appointment.organization_id)
        if appointment.contact_person is not None and appointment.contact_person.organization_id is not None:
            ids.add(appointment.contact_person.organization_id)
    for follow_up in delegation.follow_ups:
        if follow_up.organization_id is not None:
            ids.add(follow_up.organization_id)
    for member in delegation.members:
        if member.person.organization_id is not None:
            ids.add(member.person.organization_id)
    if not ids:
        return {}
    # One query: an organization has one city and a few people, so joining them costs little.
    organizations = (
        db.session.scalars(
            sa.select(Organization)
            .where(Organization.id.in_(ids))
            .options(
                joinedload(Organization.city).joinedload(City.country),
                joinedload(Organization.people),
            )
        )
        .unique()
        .all()
    )
    return {organization.id: organization for organization in organizations}


def _partnerships(delegation: Delegation) -> list[Partnership]:
    """Twinnings between the home city and a city the delegation stays in."""
    city_ids = {leg.city_id for leg in Itinerary.of(delegation).legs}
    if not city_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Partnership)
            .where(Partnership.home_city_id == delegation.home_city_id, Partnership.partner_city_id.in_(city_ids))
            .options(joinedload(Partnership.partner_city).joinedload(City.country))
            .order_by(Partnership.since)
        )
    )


def _feeds(delegation_id: int) -> list[FeedToken]:
    """Active subscriptions of the delegation, newest first. Read only: rendering never issues one."""
    return list(
        db.session.scalars(
            sa.select(FeedToken)
            .where(FeedToken.delegation_id == delegation_id, FeedToken.revoked_at.is_(None))
            .order_by(FeedToken.created_at.desc(), FeedToken.id.desc())
        )
    )


def delegation_with_members(delegation_id: int) -> Delegation | None:
    """The delegation with its members and their names: enough to check a PDF request, in two queries."""
    return db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .options(selectinload(Delegation.members).joinedload(Member.person))
    ).one_or_none()


def _newest_change(model: type[Base]) -> sa.ScalarSelect:
    return sa.select(sa.func.max(ChangeRecord.id)).where(ChangeRecord.entity == model.__tablename__).scalar_subquery()


def brief_state(delegation_id: int) -> tuple | None:
    """Everything that can change a delegation's brief, in one query; None if there is no such delegation.

    The delegation's ``revision`` covers what it owns (appointments, journeys,
    members, legs, follow-ups); the brief also quotes the directory (people,
    organizations, cities, partnerships, the emergency numbers and etiquette
    notes of the trip's countries), whose newest change record stands for all
    of them, and prints the QR code of the newest unrevoked
    subscription and the number of the release in force, which no revision
    counts, and counts meals' dietary needs from the travel profiles (their newest
    change and their number, so a deletion counts too). Equal states give equal briefs,
    so a rendered PDF can be reused while the state stays the same.
    """
    of_delegation = FeedToken.delegation_id == delegation_id
    row = db.session.execute(
        sa.select(
            Delegation.revision,
            Delegation.updated_at,
            *(_newest_change(model) for model in (Person, Organization, City, Partnership, EmergencyNumber, EtiquetteNote)),
            sa.select(sa.func.max(FeedToken.id)).where(of_delegation).scalar_subquery(),
            sa.select(sa.func.count(FeedToken.revoked_at)).where(of_delegation).scalar_subquery(),
            # A new approval changes the released brief; the draft's revision does not count it.
            sa.select(sa.func.max(Release.number))
            .where(Release.delegation_id == delegation_id, Release.state == ReleaseState.APPROVED)
            .scalar_subquery(),
            # The full brief counts each meal's dietary needs (planner.care.meals) from the travel profiles.
            sa.select(sa.func.max(TravelProfile.updated_at)).scalar_subquery(),
            sa.select(sa.func.count(TravelProfile.id)).scalar_subquery(),
        ).where(Delegation.id == delegation_id)
    ).one_or_none()
    return None if row is None else tuple(row)
