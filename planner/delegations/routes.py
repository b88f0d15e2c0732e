"""Pages of the delegations feature."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from planner.delegations import queries
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
    return render_template(
        "delegations/show.html", delegation=delegation, programme=queries.programme(delegation)
    )
