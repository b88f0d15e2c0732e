"""``/api/v1/delegations``: the trips the token's owner may see, one trip, and its members and legs."""

from __future__ import annotations

from typing import Any

from flask import abort

from planner.api import queries, serialize
from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp
from planner.api.schemas import DelegationDetail, DelegationPage, LegPage, MemberPage, PageQuery
from planner.api.tokens import current_owner
from planner.audiences import Viewer
from planner.models import Delegation
from planner.program.queries import delegation_for_forms
from planner.teams.access import may_edit

_ERRORS = {**COMMON_ERRORS, 404: "No such delegation, or not visible to this token"}


def delegation_or_404(delegation_id: int) -> Delegation:
    """The trip, if the token's owner may see it; 404 otherwise, as for the pages (its existence is not revealed)."""
    found = queries.delegation(current_owner(), delegation_id)
    if found is None:
        abort(404)
    return found


@bp.get("/delegations")
@bp.input(PageQuery, location="query", arg_name="page")
@bp.output(DelegationPage)
@bp.doc(summary="Delegations", security=SECURITY_SCHEME, responses=COMMON_ERRORS)
def list_delegations(page: dict[str, int]) -> dict[str, Any]:
    """The trips the token's owner may see (admins: all; everyone else: their per-trip teams), newest first."""
    found = queries.delegations(current_owner(), page["limit"], page["offset"])
    viewer = Viewer.team()
    return {"items": [serialize.delegation(d, viewer) for d in found.items], "page": found.meta()}


@bp.get("/delegations/<int:delegation_id>")
@bp.output(DelegationDetail)
@bp.doc(summary="One delegation", security=SECURITY_SCHEME, responses=_ERRORS)
def get_delegation(delegation_id: int) -> dict[str, Any]:
    return serialize.delegation(delegation_or_404(delegation_id), Viewer.team())


@bp.get("/delegations/<int:delegation_id>/members")
@bp.input(PageQuery, location="query", arg_name="page")
@bp.output(MemberPage)
@bp.doc(summary="Members of a delegation", security=SECURITY_SCHEME, responses=_ERRORS)
def list_members(delegation_id: int, page: dict[str, int]) -> dict[str, Any]:
    """Who travels, in the delegation's order: names, roles and functions; never contact or travel data."""
    delegation = delegation_or_404(delegation_id)
    found = queries.members(delegation.id, page["limit"], page["offset"])
    return {"items": [serialize.member(m) for m in found.items], "page": found.meta()}


@bp.get("/delegations/<int:delegation_id>/legs")
@bp.input(PageQuery, location="query", arg_name="page")
@bp.output(LegPage)
@bp.doc(summary="Legs of a delegation", security=SECURITY_SCHEME, responses=_ERRORS)
def list_legs(delegation_id: int, page: dict[str, int]) -> dict[str, Any]:
    """The stays in each city, by arrival; instants in the city's zone."""
    delegation = delegation_or_404(delegation_id)
    found = queries.legs(delegation.id, page["limit"], page["offset"])
    viewer = Viewer.team()
    return {"items": [serialize.leg(leg, viewer) for leg in found.items], "page": found.meta()}


def editable_trip(delegation_id: int) -> Delegation:
    """The trip with what a save needs, if the token's owner may edit it (404 if not visible, 403 without the right).

    Every write of a trip's items asks this first, as the pages' ``editors_only``
    does: a per-trip team member without the edit right, and a viewer, get 403.
    """
    delegation_or_404(delegation_id)
    if not may_edit(current_owner(), delegation_id):
        abort(403)
    return delegation_for_forms(delegation_id)
