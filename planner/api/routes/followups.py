"""``/api/v1/delegations/<id>/follow-ups``: what remains to do after the trip; reading and writing follow-ups.

Follow-ups are the planning team's (the trip page shows them to the team, the
brief prints them for it), so every token that may see the trip reads them as
the team does. Writes go through the follow-up form's operation
(:func:`planner.delegations.operations.save_follow_up`, ``trash_follow_up``);
rights and locking as for appointments (:mod:`planner.api.routes.appointments`).
"""

from __future__ import annotations

from typing import Any

from flask import abort, url_for

from planner.api import queries, serialize
from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp
from planner.api.locking import commit, etag, links, matched_version
from planner.api.routes.delegations import delegation_or_404, editable_trip
from planner.api.schemas import ETagHeader, FollowUpDetail, FollowUpIn, FollowUpPage, FollowUpPatch, IfMatch, PageQuery
from planner.api.writes import follow_up_input
from planner.delegations import operations
from planner.models import Delegation, FollowUp

_READ_ERRORS = {**COMMON_ERRORS, 404: "No such delegation or follow-up, or not visible to this token"}
_WRITE_ERRORS = {**_READ_ERRORS, 422: "Invalid input (empty title, unknown owner or appointment, ...)"}
_LOCKED_ERRORS = {**_WRITE_ERRORS, 412: "The follow-up changed since the ETag sent in If-Match", 428: "If-Match missing"}
_LINKS = links("follow_up", "follow_up_id")
Answer = tuple[Any, int, dict[str, str]]


def _follow_up_or_404(delegation_id: int, follow_up_id: int) -> FollowUp:
    found = queries.follow_up(delegation_id, follow_up_id)
    if found is None:
        abort(404)
    return found


def _answer(delegation_id: int, follow_up_id: int, status: int = 200) -> Answer:
    found = _follow_up_or_404(delegation_id, follow_up_id)
    headers = {"ETag": etag(found)}
    if status == 201:
        headers["Location"] = url_for("api.get_follow_up", delegation_id=delegation_id, follow_up_id=follow_up_id)
    return serialize.follow_up(found), status, headers


def _save(delegation: Delegation, body: dict[str, Any], saved: FollowUp | None, *, replace: bool, version: int | None) -> int:
    """Save through the form's operation and commit (the id); a refused input or a lost race changes nothing."""
    return commit(
        lambda: (
            operations.save_follow_up(
                delegation, follow_up_input(delegation, body, saved, replace=replace, version=version), saved
            ).id
        )
    )


@bp.get("/delegations/<int:delegation_id>/follow-ups")
@bp.input(PageQuery, location="query", arg_name="page")
@bp.output(FollowUpPage)
@bp.doc(summary="Follow-ups of a delegation", security=SECURITY_SCHEME, responses=_READ_ERRORS)
def list_follow_ups(delegation_id: int, page: dict[str, int]) -> dict[str, Any]:
    """The follow-ups by due date (those without one last), as the planning team sees them."""
    delegation = delegation_or_404(delegation_id)
    found = queries.follow_ups(delegation.id, page["limit"], page["offset"])
    return {"items": [serialize.follow_up(f) for f in found.items], "page": found.meta()}


@bp.get("/delegations/<int:delegation_id>/follow-ups/<int:follow_up_id>")
@bp.output(FollowUpDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="One follow-up", security=SECURITY_SCHEME, responses=_READ_ERRORS, operation_id="get_follow_up")
def get_follow_up(delegation_id: int, follow_up_id: int) -> Answer:
    """The follow-up, with its version as ``ETag``."""
    delegation = delegation_or_404(delegation_id)
    return _answer(delegation.id, _follow_up_or_404(delegation.id, follow_up_id).id)


@bp.post("/delegations/<int:delegation_id>/follow-ups")
@bp.input(FollowUpIn, arg_name="body")
@bp.output(FollowUpDetail, status_code=201, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Create a follow-up", security=SECURITY_SCHEME, responses=_WRITE_ERRORS, operation_id="create_follow_up")
def create_follow_up(delegation_id: int, body: dict[str, Any]) -> Answer:
    """A new follow-up (write scope and edit right on the trip)."""
    delegation = editable_trip(delegation_id)
    return _answer(delegation.id, _save(delegation, body, None, replace=True, version=None), 201)


@bp.put("/delegations/<int:delegation_id>/follow-ups/<int:follow_up_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.input(FollowUpIn, arg_name="body")
@bp.output(FollowUpDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Replace a follow-up", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="replace_follow_up")
def replace_follow_up(delegation_id: int, follow_up_id: int, headers: dict[str, str], body: dict[str, Any]) -> Answer:
    """Replace every field (those left out take a new follow-up's defaults); needs If-Match."""
    delegation = editable_trip(delegation_id)
    follow_up = _follow_up_or_404(delegation.id, follow_up_id)
    version = matched_version(headers, follow_up)
    return _answer(delegation.id, _save(delegation, body, follow_up, replace=True, version=version))


@bp.patch("/delegations/<int:delegation_id>/follow-ups/<int:follow_up_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.input(FollowUpPatch, arg_name="body")
@bp.output(FollowUpDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Change a follow-up", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="change_follow_up")
def change_follow_up(delegation_id: int, follow_up_id: int, headers: dict[str, str], body: dict[str, Any]) -> Answer:
    """Change the fields given (e.g. ``{"status": "done"}``), keep the rest; needs If-Match."""
    delegation = editable_trip(delegation_id)
    follow_up = _follow_up_or_404(delegation.id, follow_up_id)
    version = matched_version(headers, follow_up)
    return _answer(delegation.id, _save(delegation, body, follow_up, replace=False, version=version))


@bp.delete("/delegations/<int:delegation_id>/follow-ups/<int:follow_up_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.output({}, status_code=204)
@bp.doc(
    summary="Move a follow-up to the trash", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="trash_follow_up"
)
def trash_follow_up(delegation_id: int, follow_up_id: int, headers: dict[str, str]) -> Any:
    """Move the follow-up to the trip's trash (restorable on the trash page); needs If-Match."""
    delegation = editable_trip(delegation_id)
    follow_up = _follow_up_or_404(delegation.id, follow_up_id)
    version = matched_version(headers, follow_up)
    commit(lambda: operations.trash_follow_up(follow_up, version))
    return "", 204
