"""``/api/v1/delegations/<id>/releases``: a trip's released versions, and what changed in one of them.

Whoever may see the trip reads its releases, as its releases page shows them
to the whole team (:mod:`planner.releases.routes`); the accounts that
prepared, approved or withdrew a version are named without their e-mail
address. What changed is worded as the compare page words it
(:func:`planner.releases.changes.changes_between`) against the approved
version before, for the reader asked for: the planning team by default, the
leadership, the press, or one member (only their own items, never internal
notes or talking points).
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import force_locale
from flask_babel import gettext as _

from planner.api import queries, serialize
from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp
from planner.api.problems import problem
from planner.api.routes.delegations import delegation_or_404
from planner.api.schemas import ChangesQuery, PageQuery, ReleaseChanges, ReleasePage
from planner.audiences import Audience, Viewer
from planner.formatting import current_locale

_ERRORS = {**COMMON_ERRORS, 404: "No such delegation, release or member, or not visible to this token"}
_CHANGE_ERRORS = {**_ERRORS, 422: "Invalid parameters (an audience and a member at once, ...)"}


@bp.get("/delegations/<int:delegation_id>/releases")
@bp.input(PageQuery, location="query", arg_name="page")
@bp.output(ReleasePage)
@bp.doc(summary="Released versions of a delegation", security=SECURITY_SCHEME, responses=_ERRORS)
def list_releases(delegation_id: int, page: dict[str, int]) -> dict[str, Any]:
    """Every version, the newest first (prepared, approved and withdrawn); times in the trip's home zone."""
    delegation = delegation_or_404(delegation_id)
    found = queries.releases(delegation.id, page["limit"], page["offset"])
    zone = delegation.home_timezone
    return {"items": [serialize.release(r, zone) for r in found.items], "page": found.meta()}


def _viewer(delegation_id: int, query: dict[str, Any]) -> tuple[Viewer, int | None]:
    member_id = query.get("member")
    if member_id is None:
        return Viewer(Audience(query.get("audience") or Audience.TEAM.value)), None
    if query.get("audience"):  # one reader at a time: a member's view is the member audience
        abort(problem(422, _("Bitte entweder eine Sicht (audience) oder ein Mitglied (member) angeben, nicht beides.")))
    member = queries.member(delegation_id, member_id)
    if member is None:
        abort(404)
    return Viewer(Audience.MEMBER, member), member.id


@bp.get("/delegations/<int:delegation_id>/releases/<int:number>/changes")
@bp.input(ChangesQuery, location="query", arg_name="query")
@bp.output(ReleaseChanges)
@bp.doc(summary="What changed in a released version", security=SECURITY_SCHEME, responses=_CHANGE_ERRORS)
def release_changes(delegation_id: int, number: int, query: dict[str, Any]) -> dict[str, Any]:
    """The changes of version ``number`` against the approved version before it, as one reader sees them,
    by the items' start; each with the sentence the pages show, in ``lang``."""
    delegation = delegation_or_404(delegation_id)
    viewer, member_id = _viewer(delegation.id, query)
    with force_locale(query.get("lang") or current_locale()):
        found = queries.release_changes(delegation.id, number, viewer)
    return {
        "release": serialize.release(found.release, delegation.home_timezone),
        "previous": None if found.previous is None else found.previous.number,
        "audience": viewer.audience.value,
        "member": member_id,
        "changes": [serialize.change(c, found.zones) for c in found.changes],
    }
