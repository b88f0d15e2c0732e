"""``/api/v1/delegations/<id>/programme.csv`` and ``/places.kml``: the programme for spreadsheets and maps.

The same files as the downloads on the trip page (:mod:`planner.exports`):
the planning team's, or with ``member`` that member's own (their items, no
internal notes). ``lang`` chooses the words and the CSV's conventions
(German: ``;``, English: ``,``; both UTF-8 with a byte-order mark).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from werkzeug.wrappers import Response

from planner.api.blueprint import COMMON_ERRORS, SECURITY_SCHEME, bp
from planner.api.routes.delegations import delegation_or_404
from planner.api.schemas import FILE, ExportQuery
from planner.calendar.queries import delegation_with_programme, member_in
from planner.exports.programme import KML_MEDIA_TYPE, download, programme_export
from planner.formatting import current_locale
from planner.models import Member
from planner.timezones import today_in

_ERRORS = {**COMMON_ERRORS, 404: "No such delegation or member, or not visible to this token"}


def _file(delegation_id: int, query: dict[str, Any], kind: str) -> Response:
    delegation_or_404(delegation_id)
    delegation = delegation_with_programme(delegation_id)
    if delegation is None:  # pragma: no cover - just found visible
        abort(404)
    member: Member | None = None
    if query.get("member") is not None:
        member = member_in(delegation, query["member"])
        if member is None:
            abort(404)
    locale = query.get("lang") or current_locale()
    today = today_in(current_app.config["HOME_TIMEZONE"])
    return download(programme_export(delegation, member, locale=locale, today=today), kind, locale)


@bp.get("/delegations/<int:delegation_id>/programme.csv")
@bp.input(ExportQuery, location="query", arg_name="query")
@bp.output(FILE, content_type="text/csv", description="The programme as CSV (UTF-8 with BOM), one line per item by start")
@bp.doc(
    summary="Programme of a delegation as CSV",
    description="Columns: day, local start and end, their IANA zones, start and end in UTC (RFC 3339), kind, title, "
    "place, address, status, participants; for the planning team also the internal notes. German (`lang=de`, the "
    "default): `;` between cells; English: `,`. Cells that a spreadsheet would run as a formula start with `'`.",
    security=SECURITY_SCHEME,
    responses=_ERRORS,
)
def programme_csv(delegation_id: int, query: dict[str, Any]) -> Response:
    return _file(delegation_id, query, "csv")


@bp.get("/delegations/<int:delegation_id>/places.kml")
@bp.input(ExportQuery, location="query", arg_name="query")
@bp.output(FILE, content_type=KML_MEDIA_TYPE, description="The places as KML 2.2, one placemark per appointment")
@bp.doc(
    summary="Places of a delegation's programme as KML",
    description="The appointments with coordinates (their own, else their city's), not cancelled, by start: name, "
    "local time and place, kind and status, the time span in UTC.",
    security=SECURITY_SCHEME,
    responses=_ERRORS,
)
def places_kml(delegation_id: int, query: dict[str, Any]) -> Response:
    return _file(delegation_id, query, "kml")
