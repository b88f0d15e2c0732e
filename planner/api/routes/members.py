"""``/api/v1/delegations/<id>/members/<id>``: one member, and adding, changing and removing members.

What the member form of a planner offers, and nothing more: a person of the
directory, the role, the function on this trip and the language of their
e-mails and feeds. Personal data (passport, health, diet, phone numbers) is
neither read nor written here; it stays with the carers' pages. Writes go
through the member operations of the pages (:func:`planner.delegations.operations.save_member`,
``trash_member``): a person is in a delegation once, and removing a member moves
them to the trip's trash together with their attendance (restorable there).
Rights and locking as for appointments (:mod:`planner.api.routes.appointments`).
"""

from __future__ import annotations

from typing import Any

from flask import abort, url_for

from planner.api import queries, serialize
from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp
from planner.api.locking import commit, etag, links, matched_version
from planner.api.routes.delegations import delegation_or_404, editable_trip
from planner.api.schemas import ETagHeader, IfMatch, MemberDetail, MemberIn, MemberPatch
from planner.api.writes import member_input
from planner.delegations import operations
from planner.models import Delegation, Member

_READ_ERRORS = {**COMMON_ERRORS, 404: "No such delegation or member, or not visible to this token"}
_WRITE_ERRORS = {**_READ_ERRORS, 422: "Invalid input (no such person, already a member, ...)"}
_LOCKED_ERRORS = {**_WRITE_ERRORS, 412: "The member changed since the ETag sent in If-Match", 428: "If-Match missing"}
_LINKS = links("member", "member_id")
Answer = tuple[Any, int, dict[str, str]]


def _member_or_404(delegation_id: int, member_id: int) -> Member:
    found = queries.member(delegation_id, member_id)
    if found is None:
        abort(404)
    return found


def _answer(delegation_id: int, member_id: int, status: int = 200) -> Answer:
    found = _member_or_404(delegation_id, member_id)
    headers = {"ETag": etag(found)}
    if status == 201:
        headers["Location"] = url_for("api.get_member", delegation_id=delegation_id, member_id=member_id)
    return serialize.member(found), status, headers


def _save(delegation: Delegation, body: dict[str, Any], saved: Member | None, *, replace: bool, version: int | None) -> int:
    """Save through the form's operation and commit (the id); a refused input or a lost race changes nothing."""
    return commit(
        lambda: operations.save_member(delegation, member_input(body, saved, replace=replace, version=version), saved).id
    )


@bp.get("/delegations/<int:delegation_id>/members/<int:member_id>")
@bp.output(MemberDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="One member", security=SECURITY_SCHEME, responses=_READ_ERRORS, operation_id="get_member")
def get_member(delegation_id: int, member_id: int) -> Answer:
    """Who the member is and in which role, with the row's version as ``ETag``; never contact or travel data."""
    delegation = delegation_or_404(delegation_id)
    return _answer(delegation.id, _member_or_404(delegation.id, member_id).id)


@bp.post("/delegations/<int:delegation_id>/members")
@bp.input(MemberIn, arg_name="body")
@bp.output(MemberDetail, status_code=201, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Add a member", security=SECURITY_SCHEME, responses=_WRITE_ERRORS, operation_id="create_member")
def create_member(delegation_id: int, body: dict[str, Any]) -> Answer:
    """Add a person of the directory to the delegation (last in its order); write scope and edit right on the trip."""
    delegation = editable_trip(delegation_id)
    return _answer(delegation.id, _save(delegation, body, None, replace=True, version=None), 201)


@bp.put("/delegations/<int:delegation_id>/members/<int:member_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.input(MemberIn, arg_name="body")
@bp.output(MemberDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Replace a member", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="replace_member")
def replace_member(delegation_id: int, member_id: int, headers: dict[str, str], body: dict[str, Any]) -> Answer:
    """Replace person, role, function and language (left out: a new member's defaults); the place in the order stays."""
    delegation = editable_trip(delegation_id)
    member = _member_or_404(delegation.id, member_id)
    version = matched_version(headers, member)
    return _answer(delegation.id, _save(delegation, body, member, replace=True, version=version))


@bp.patch("/delegations/<int:delegation_id>/members/<int:member_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.input(MemberPatch, arg_name="body")
@bp.output(MemberDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Change a member", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="change_member")
def change_member(delegation_id: int, member_id: int, headers: dict[str, str], body: dict[str, Any]) -> Answer:
    """Change the fields given (role, function, language, person), keep the rest; needs If-Match."""
    delegation = editable_trip(delegation_id)
    member = _member_or_404(delegation.id, member_id)
    version = matched_version(headers, member)
    return _answer(delegation.id, _save(delegation, body, member, replace=False, version=version))


@bp.delete("/delegations/<int:delegation_id>/members/<int:member_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.output({}, status_code=204)
@bp.doc(summary="Remove a member", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="trash_member")
def trash_member(delegation_id: int, member_id: int, headers: dict[str, str]) -> Any:
    """Move the member to the trip's trash, off every appointment and journey (restorable with them); needs If-Match."""
    delegation = editable_trip(delegation_id)
    member = _member_or_404(delegation.id, member_id)
    version = matched_version(headers, member)
    commit(lambda: operations.trash_member(member, version))
    return "", 204
