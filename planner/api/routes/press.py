"""``/api/v1/delegations/<id>/press``: the public (press) programme of a trip, as the press brief shows it.

With a read token, for any trip its owner may see. Without a token only for a
trip whose planners turned on "publish the press programme" (``press_public``,
off by default); anything else answers 401 as every other API route does, so
the existence of a trip is not revealed. Either way only items marked public
(:func:`planner.audiences.shows_item` for the press) with the press brief's fields.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g

from planner.api import queries, serialize
from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp, token_optional
from planner.api.schemas import PressProgramme
from planner.teams.access import may_see

_ERRORS = {**COMMON_ERRORS, 404: "No such delegation, or not visible to this token"}


@bp.get("/delegations/<int:delegation_id>/press")
@token_optional
@bp.output(PressProgramme)
@bp.doc(
    summary="Press programme of a delegation",
    description="The public items only, with the fields of the press brief. Needs a read token, unless the trip "
    "publishes its press programme (a switch on the trip's form, off by default).",
    security=SECURITY_SCHEME,
    responses=_ERRORS,
)
def press_programme(delegation_id: int) -> dict[str, Any]:
    token = g.api_token
    if token is not None and not may_see(token.user, delegation_id):
        abort(404)
    found = queries.press_programme(delegation_id)
    if found is None:
        abort(404 if token is not None else 401)
    delegation, appointments, journeys = found
    if token is None and not delegation.press_public:
        abort(401)
    return serialize.press_programme(delegation, appointments, journeys)
