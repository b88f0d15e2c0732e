"""``/healthz``: is this worker able to serve? For load balancers and monitoring, no sign-in.

The answer says only ``ok`` or ``unavailable`` per part: what went wrong (host
names, driver messages) goes to the server log, never to an anonymous caller.

* ``database``: without it nothing works, so the answer is 503 and a load
  balancer takes the worker out.
* ``rate_limit_storage`` (only when a shared Redis is configured): without it
  the worker still serves and counts sign-in failures in its own memory, so the
  answer stays 200 with ``"status": "degraded"`` (taking every worker out
  would turn a Redis outage into a planner outage); monitoring should alert on it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from planner.auth import ratelimit
from planner.auth.access import public
from planner.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    body: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as error:  # noqa: BLE001  any failure at all means "not healthy"; the log gets the details
        current_app.logger.warning("Health check: the database is unavailable: %s", error)
        body["database"] = "unavailable"
    else:
        body["database"] = "ok"
    finally:
        db.session.remove()
    limits = ratelimit.storage_status(current_app._get_current_object())  # type: ignore[attr-defined]
    if limits is not None:
        body["rate_limit_storage"] = limits
    if body["database"] != "ok":
        status, code = "error", 503
    elif limits == "unavailable":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = jsonify({"status": status, **body})
    response.headers["Cache-Control"] = "no-store"
    return response, code
