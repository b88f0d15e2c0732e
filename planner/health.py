"""``/healthz``: is this worker able to serve? For load balancers and monitoring, no sign-in.

The answer says only ``ok`` or ``unavailable``: what went wrong (host names,
driver messages) goes to the server log, never to an anonymous caller.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from planner.auth.access import public
from planner.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as error:  # any failure at all means "not healthy"; the log gets the details
        current_app.logger.warning("Health check: the database is unavailable: %s", error)
        body, status = {"status": "error", "database": "unavailable"}, 503
    else:
        body, status = {"status": "ok", "database": "ok"}, 200
    finally:
        db.session.remove()
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status
