"""``/api/v1/delegations/<id>/appointments/<id>``: one appointment, and writing them (create, replace, change, trash).

Writes need a token with the write scope (the blueprint's gate) and the edit
right on the trip (:func:`planner.teams.access.may_edit`, per-trip team); they
go through the form's operation, so versions, revisions and the change history
(with the token's owner as actor, set by the gate) follow as for the pages.
Optimistic locking: a read answers with the row's version as ``ETag``; a
replace, change or trash must send it back in ``If-Match`` (428 without, 412
when someone saved in between).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, url_for
from flask_babel import gettext as _

from planner.api import queries, serialize
from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp
from planner.api.locking import commit, etag, links, matched_version
from planner.api.problems import problem
from planner.api.routes.delegations import delegation_or_404, editable_trip
from planner.api.schemas import AppointmentDetail, AppointmentIn, AppointmentPatch, ETagHeader, IfMatch
from planner.api.writes import Refused, appointment_input
from planner.audiences import Viewer
from planner.models import Appointment, Delegation
from planner.program import operations

_READ_ERRORS = {**COMMON_ERRORS, 404: "No such delegation or appointment, or not visible to this token"}
_WRITE_ERRORS = {**_READ_ERRORS, 422: "Invalid input (DST gap, repeated time without its occurrence, ...)"}
_LOCKED_ERRORS = {
    **_WRITE_ERRORS,
    412: "The appointment changed since the ETag sent in If-Match",
    428: "If-Match missing",
}
_LINKS = links("appointment", "appointment_id")
Answer = tuple[Any, int, dict[str, str]]


def _answer(delegation_id: int, appointment_id: int, status: int = 200) -> Answer:
    found = queries.appointment(delegation_id, appointment_id)
    if found is None:  # pragma: no cover - just saved in this request
        abort(404)
    headers = {"ETag": etag(found)}
    if status == 201:
        headers["Location"] = url_for(
            "api.get_appointment", delegation_id=delegation_id, appointment_id=appointment_id, _external=False
        )
    return serialize.appointment(found, Viewer.team()), status, headers


def _save(delegation: Delegation, body: dict[str, Any], saved: Appointment | None, *, replace: bool, version: int | None) -> int:
    """Save through the form's operation and commit (the id); a refused input or a lost race changes nothing."""
    return commit(
        lambda: (
            operations.save_appointment(
                delegation, appointment_input(delegation, body, saved, replace=replace, version=version), saved
            ).id
        )
    )


@bp.errorhandler(Refused)
def _refused(refused: Refused) -> Response:
    """A body the form would refuse: 422 naming each field (and, for a repeated time, both instants)."""
    extra: dict[str, Any] = {"errors": {"json": refused.errors}}
    if refused.instants:
        extra["instants"] = refused.instants
    return problem(422, _("Die Angaben der Anfrage sind ungültig: %(reason)s", reason=str(refused)), **extra)


def _appointment_or_404(delegation_id: int, appointment_id: int) -> Appointment:
    found = queries.appointment(delegation_id, appointment_id)
    if found is None:
        abort(404)
    return found


@bp.get("/delegations/<int:delegation_id>/appointments/<int:appointment_id>")
@bp.output(AppointmentDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="One appointment", security=SECURITY_SCHEME, responses=_READ_ERRORS, operation_id="get_appointment")
def get_appointment(delegation_id: int, appointment_id: int) -> Answer:
    """The appointment as the planning team sees it, with its version as ``ETag``."""
    delegation = delegation_or_404(delegation_id)
    return _answer(delegation.id, _appointment_or_404(delegation.id, appointment_id).id)


@bp.post("/delegations/<int:delegation_id>/appointments")
@bp.input(AppointmentIn, arg_name="body")
@bp.output(AppointmentDetail, status_code=201, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Create an appointment", security=SECURITY_SCHEME, responses=_WRITE_ERRORS, operation_id="create_appointment")
def create_appointment(delegation_id: int, body: dict[str, Any]) -> Answer:
    """A new appointment from local wall times at the place (write scope and edit right on the trip)."""
    delegation = editable_trip(delegation_id)
    saved = _save(delegation, body, None, replace=True, version=None)
    return _answer(delegation.id, saved, 201)


@bp.put("/delegations/<int:delegation_id>/appointments/<int:appointment_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.input(AppointmentIn, arg_name="body")
@bp.output(AppointmentDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Replace an appointment", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="replace_appointment")
def replace_appointment(delegation_id: int, appointment_id: int, headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Replace every field (those left out take the defaults of a new appointment, attendees none); needs If-Match."""
    delegation = editable_trip(delegation_id)
    appointment = _appointment_or_404(delegation.id, appointment_id)
    version = matched_version(headers, appointment)
    saved = _save(delegation, body, appointment, replace=True, version=version)
    return _answer(delegation.id, saved)


@bp.patch("/delegations/<int:delegation_id>/appointments/<int:appointment_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.input(AppointmentPatch, arg_name="body")
@bp.output(AppointmentDetail, headers=ETagHeader, links=_LINKS)
@bp.doc(summary="Change an appointment", security=SECURITY_SCHEME, responses=_LOCKED_ERRORS, operation_id="change_appointment")
def change_appointment(delegation_id: int, appointment_id: int, headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Change the fields given, keep the rest; a time left out keeps its wall time (read in a changed zone). Needs If-Match."""
    delegation = editable_trip(delegation_id)
    appointment = _appointment_or_404(delegation.id, appointment_id)
    version = matched_version(headers, appointment)
    saved = _save(delegation, body, appointment, replace=False, version=version)
    return _answer(delegation.id, saved)


@bp.delete("/delegations/<int:delegation_id>/appointments/<int:appointment_id>")
@bp.input(IfMatch, location="headers", arg_name="headers")
@bp.output({}, status_code=204)
@bp.doc(
    summary="Move an appointment to the trash",
    security=SECURITY_SCHEME,
    responses=_LOCKED_ERRORS,
    operation_id="trash_appointment",
)
def trash_appointment(delegation_id: int, appointment_id: int, headers: dict[str, str]) -> Any:
    """Move the appointment to the trip's trash (restorable on the trash page); needs If-Match."""
    delegation = editable_trip(delegation_id)
    appointment = _appointment_or_404(delegation.id, appointment_id)
    version = matched_version(headers, appointment)
    commit(lambda: operations.trash_appointment(appointment, version))
    return "", 204
