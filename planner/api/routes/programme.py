"""``/api/v1/delegations/<id>/appointments`` and ``/journeys``: the programme, for the team or for one member."""

from __future__ import annotations

from typing import Any

from flask import abort

from planner.api import queries, serialize
from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp
from planner.api.routes.delegations import delegation_or_404
from planner.api.schemas import AppointmentPage, JourneyPage, ProgrammeQuery
from planner.audiences import Audience, Viewer
from planner.models import Member

_ERRORS = {**COMMON_ERRORS, 404: "No such delegation or member, or not visible to this token"}


def _reader(delegation_id: int, member_id: int | None) -> tuple[Member | None, Viewer]:
    """The member whose programme is asked for (404 if not of this trip) and the audience the answer is for."""
    if member_id is None:
        return None, Viewer.team()
    member = queries.member(delegation_id, member_id)
    if member is None:
        abort(404)
    return member, Viewer(Audience.MEMBER, member)


@bp.get("/delegations/<int:delegation_id>/appointments")
@bp.input(ProgrammeQuery, location="query", arg_name="query")
@bp.output(AppointmentPage)
@bp.doc(summary="Appointments of a delegation", security=SECURITY_SCHEME, responses=_ERRORS)
def list_appointments(delegation_id: int, query: dict[str, int]) -> dict[str, Any]:
    """The appointments by start; with ``member``, that member's own programme as they see it."""
    delegation = delegation_or_404(delegation_id)
    member, viewer = _reader(delegation.id, query.get("member"))
    found = queries.appointments(delegation.id, member, query["limit"], query["offset"])
    return {"items": [serialize.appointment(a, viewer) for a in found.items], "page": found.meta()}


@bp.get("/delegations/<int:delegation_id>/journeys")
@bp.input(ProgrammeQuery, location="query", arg_name="query")
@bp.output(JourneyPage)
@bp.doc(summary="Journeys of a delegation", security=SECURITY_SCHEME, responses=_ERRORS)
def list_journeys(delegation_id: int, query: dict[str, int]) -> dict[str, Any]:
    """The journeys by departure; with ``member``, those the member travels on, as they see them."""
    delegation = delegation_or_404(delegation_id)
    member, viewer = _reader(delegation.id, query.get("member"))
    found = queries.journeys(delegation.id, member, query["limit"], query["offset"])
    return {"items": [serialize.journey(j, viewer) for j in found.items], "page": found.meta()}
