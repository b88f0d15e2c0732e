"""``/api/v1/delegations/<id>/press``: the public (press) programme of a trip, as the press brief shows it.

With a read token, for any trip its owner may see. A trip whose planners turned
on "publish the press programme" (``press_public``, off by default) answers
everyone, with or without a token; anything else answers 401 without a token as
every other API route does (and 404 to a token that may not see the trip), so
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
    found = queries.press_programme(delegation_id)
    # A published programme is open to everyone, so a token of someone outside the trip's team reads it too
    # (it would be odd to answer them 404 where an anonymous caller gets 200); otherwise the token must see the trip.
    if found is None or not (found[0].press_public or (token is not None and may_see(token.user, delegation_id))):
        abort(404 if token is not None else 401)
    delegation, appointments, journeys = found
    return serialize.press_programme(delegation, appointments, journeys)
