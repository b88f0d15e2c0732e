"""The JSON API under ``/api/v1`` (issue #18): versioned, documented by OpenAPI 3.1, for scripts with personal tokens.

Built with APIFlask: the planner's application class is an ``APIFlask``
(:class:`planner.PlannerFlask`), which writes the OpenAPI document from the
schemas of the views in APIFlask blueprints only; every other page stays as it
was (its errors stay HTML pages). The package:

* :mod:`~planner.api.blueprint`: the blueprint and its token gate;
* :mod:`~planner.api.tokens`: making, revoking and checking tokens, the rate-limit key;
* :mod:`~planner.api.routes`: one module per resource;
* :mod:`~planner.api.schemas`: the answers' and parameters' shapes (the OpenAPI contract);
* :mod:`~planner.api.serialize` and :mod:`~planner.api.queries`: what a record says to whom, and the reads;
* :mod:`~planner.api.problems`: every error as ``application/problem+json``;
* :mod:`~planner.api.account`: the account page for tokens and the docs page.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

API_TITLE = "Delegationsplaner API"
API_VERSION = "1.0"
SPEC_PATH = "/api/v1/openapi.json"
DEFAULTS = {
    # Per token (or, without one, per client address); Redis-backed when RATELIMIT_STORAGE_URI names one.
    "API_RATE_LIMIT": "300 per minute; 5000 per hour",
}
# APIFlask's settings, decided here (APIFlask has set its own defaults already): no server URL guessed
# from the request's Host header, and no view outside the API blueprint in the document with a made-up 200.
APIFLASK_SETTINGS = {
    "AUTO_SERVERS": False,
    "AUTO_200_RESPONSE": False,
    "DESCRIPTION": "The delegations a personal token's owner may see; appointments, journeys, members and "
    "follow-ups can be written with the write scope and the trip's edit right (local wall time, IANA zone and, in a "
    "repeated hour, `start_fold`/`end_fold` or `depart_fold`/`arrive_fold`; `If-Match` with the `ETag` on replace, "
    "change and trash: 428 without, 412 when stale). "
    "Authentication: `Authorization: Bearer <token>` (account page, API-Tokens); scopes read and write "
    "(write includes read). Pagination: `limit` and `offset`, each list answers with `page.total` and "
    "`page.next_offset`. Errors: application/problem+json (RFC 9457).",
}


def init_app(app: Flask) -> None:
    """Register the API, its docs and token pages; call with the other blueprints (before the rate limiter)."""
    from planner.api import account, locking, problems
    from planner.api.blueprint import SECURITY_SCHEMES, bp
    from planner.api.routes import delegations  # noqa: F401  (the views join the blueprint)
    from planner.extensions import csrf

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.update(APIFLASK_SETTINGS)
    app.config["SECURITY_SCHEMES"] = SECURITY_SCHEMES
    csrf.exempt(bp)  # bearer tokens, no cookies: nothing a foreign page could make a browser send
    app.register_blueprint(bp)
    app.register_blueprint(account.bp)
    app.error_callback = problems.from_apiflask_error  # type: ignore[attr-defined]
    spec_processor: Any = app.spec_processor  # type: ignore[attr-defined]
    spec_processor(lambda spec: locking.document_preconditions(problems.document_problems(spec)))
