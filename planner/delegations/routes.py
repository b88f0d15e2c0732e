"""Pages of the delegations feature."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template

from planner.delegations import queries
from planner.program.conflicts import check_programme, warnings_by_appointment
from planner.timezones import to_local, utc_now

bp = Blueprint("delegations", __name__)


@bp.get("/")
def index() -> str:
    today = to_local(utc_now(), current_app.config["HOME_TIMEZONE"]).date()
    return render_template("delegations/index.html", overview=queries.delegations_by_period(today))


@bp.get("/delegations/<int:delegation_id>")
def show(delegation_id: int) -> str:
    delegation = queries.delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    buffer = timedelta(minutes=current_app.config["CONFLICT_BUFFER_MINUTES"])
    return render_template(
        "delegations/show.html",
        delegation=delegation,
        programme=queries.programme(delegation),
        warnings=warnings_by_appointment(check_programme(delegation, buffer)),
    )
