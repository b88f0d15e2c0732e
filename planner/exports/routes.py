"""The downloads on the trip page and a member's page: the programme as CSV, its places as KML.

Readers of the trip (its team; the sign-in hook checks it for every URL that
names the trip) get the planning team's files from the trip page, and a
member's own files (their items, as they see them) from the member's page,
as with the calendar downloads beside them. Words and CSV conventions follow
the reader's language.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app
from werkzeug.wrappers import Response

from planner.calendar import queries
from planner.exports.programme import download, programme_export
from planner.formatting import current_locale
from planner.models import Delegation, Member
from planner.timezones import today_in

bp = Blueprint("exports", __name__)


def _programme(delegation_id: int) -> Delegation:
    delegation = queries.delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    return delegation


def _member(delegation: Delegation, member_id: int) -> Member:
    member = queries.member_in(delegation, member_id)
    if member is None:
        abort(404)
    return member


def _file(delegation: Delegation, member: Member | None, kind: str) -> Response:
    locale = current_locale()
    today = today_in(current_app.config["HOME_TIMEZONE"])
    return download(programme_export(delegation, member, locale=locale, today=today), kind, locale)


@bp.get("/delegations/<int:delegation_id>/programme.csv")
def programme_csv(delegation_id: int) -> Response:
    return _file(_programme(delegation_id), None, "csv")


@bp.get("/delegations/<int:delegation_id>/places.kml")
def places_kml(delegation_id: int) -> Response:
    return _file(_programme(delegation_id), None, "kml")


@bp.get("/delegations/<int:delegation_id>/members/<int:member_id>/programme.csv")
def member_programme_csv(delegation_id: int, member_id: int) -> Response:
    delegation = _programme(delegation_id)
    return _file(delegation, _member(delegation, member_id), "csv")


@bp.get("/delegations/<int:delegation_id>/members/<int:member_id>/places.kml")
def member_places_kml(delegation_id: int, member_id: int) -> Response:
    delegation = _programme(delegation_id)
    return _file(delegation, _member(delegation, member_id), "kml")
