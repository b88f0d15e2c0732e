"""``/api/v1/delegations/<id>/journeys/<id>``: one journey, and writing them (create, replace, change, trash).

As for appointments (:mod:`planner.api.routes.appointments`): writes need the
write scope and the trip's edit right, go through the journey form's operation
(:func:`planner.program.operations.save_journey`), and lock optimistically by
``ETag``/``If-Match``. A journey has two places, each with its own zone: the
departure's wall time is read in the departure's zone, the arrival's in the
arrival's, each with its own occurrence (``depart_fold``, ``arrive_fold``) in a
repeated hour. The booking reference is never read or written here.
"""

from __future__ import annotations

from typing import Any

from flask import abort, url_for

from planner.api import queries, serialize
from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp
from planner.api.locking import commit, etag, links, matched_version
from planner.api.routes.delegations import delegation_or_404, editable_trip
from planner.api.schemas import ETagHeader, IfMatch, JourneyDetail, JourneyIn, JourneyPatch
from planner.api.writes import journey_input
from planner.audiences import Viewer
from planner.models import Delegation, Journey
from planner.program import operations

_READ_ERRORS = {**COMMON_ERRORS, 404: "No such delegation or journey, or not visible to this token"}
_WRITE_ERRORS = {**_READ_ERRORS, 422: "Invalid input (DST gap, repeated time without its occurrence, arrival first, ...)"}
_LOCKED_ERRORS = {**_WRITE_ERRORS, 412: "The journey changed since the ETag sent in If-Match", 428: "If-Match missing"}
_LINKS = links("journey", "journey_id")
Answer = tuple[Any, int, dict[str, str]]


def _journey_or_404(delegation_id: int, journey_id: int) -> Journey:
    found = queries.journey(delegation_id, journey_id)
    if found is None:
        abort(404)
    return found


def _answer(delegation_id: int, journey_id: int, status: int = 200) -> Answer:
    found = _journey_or_404(delegation_id, journey_id)
    headers = {"ETag": etag(found)}
    if status == 201:
        headers["Location"] = url_for("api.get_journey", delegation_id=delegation_id, journey_id=journey_id)
    return serialize.journey(found, Viewer.team()), status, headers


def _save(delegation: Delegation, body: dict[str, Any], saved: Journey | None, *, replace: bool, version: int | None) -> int:
    """Save through the form's operation and commit (the id); a refused input or a lost race changes nothing."""
    return commit(
        lambda: (
            operations.save_journey(
                delegation, journey_input(delegation, body, saved, replace=replace, version=version), saved
            ).id
        )
    )


@bp.get("/delegations/<int:delegation_id>/journeys/<int:journey_id>")
@bp.output(JourneyDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="One journey", security=SECURITY_SCHEME, responses=_READ_ERRORS, operation_id="get_journey")
def get_journey(delegation_id: int, journey_id: int) -> Answer:
    """The journey as the planning team sees it, with its version as ``ETag``."""
    delegation = delegation_or_404(delegation_id)
    return _answer(delegation.id, _journey_or_404(delegation.id, journey_id).id)


@bp.post("/delegations/<int:delegation_id>/journeys")
@bp.input(JourneyIn, arg_name="body")
@bp.output(JourneyDetail, status_code=201, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Create a journey", security=SECURITY_SCHEME, responses=_WRITE_ERRORS, operation_id="create_journey")
def create_journey(delegation_id: int, body: dict[str, Any]) -> Answer:
    """A new journey from the local wall times at each end (write scope and edit right on the trip)."""
    delegation = editable_trip(delegation_id)
    return _answer(delegation.id, _save(delegation, body, None, replace=True, version=None), 201)


@bp.put("/delegations/<int:delegation_id>/journeys/<int:journey_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.input(JourneyIn, arg_name="body")
@bp.output(JourneyDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Replace a journey", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="replace_journey")
def replace_journey(delegation_id: int, journey_id: int, headers: dict[str, str], body: dict[str, Any]) -> Answer:
    """Replace every field (left out: a new journey's defaults, travellers none; the booking stays); needs If-Match."""
    delegation = editable_trip(delegation_id)
    journey = _journey_or_404(delegation.id, journey_id)
    version = matched_version(headers, journey)
    return _answer(delegation.id, _save(delegation, body, journey, replace=True, version=version))


@bp.patch("/delegations/<int:delegation_id>/journeys/<int:journey_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.input(JourneyPatch, arg_name="body")
@bp.output(JourneyDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Change a journey", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="change_journey")
def change_journey(delegation_id: int, journey_id: int, headers: dict[str, str], body: dict[str, Any]) -> Answer:
    """Change the fields given, keep the rest; a time left out keeps its wall time (in a changed zone). Needs If-Match."""
    delegation = editable_trip(delegation_id)
    journey = _journey_or_404(delegation.id, journey_id)
    version = matched_version(headers, journey)
    return _answer(delegation.id, _save(delegation, body, journey, replace=False, version=version))


@bp.delete("/delegations/<int:delegation_id>/journeys/<int:journey_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.output({}, status_code=204)
@bp.doc(summary="Move a journey to the trash", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="trash_journey")
def trash_journey(delegation_id: int, journey_id: int, headers: dict[str, str]) -> Any:
    """Move the journey to the trip's trash (restorable on the trash page); needs If-Match."""
    delegation = editable_trip(delegation_id)
    journey = _journey_or_404(delegation.id, journey_id)
    version = matched_version(headers, journey)
    commit(lambda: operations.trash_journey(journey, version))
    return "", 204
