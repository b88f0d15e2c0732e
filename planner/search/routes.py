"""The search page: ``/search?q=...``."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from planner.search import queries

bp = Blueprint("search", __name__)


@bp.get("/search")
def index() -> str:
    outcome = queries.search(request.args.get("q"), current_user)
    return render_template("search/results.html", outcome=outcome, max_length=queries.MAX_QUERY_LENGTH, limit=queries.LIMIT)
