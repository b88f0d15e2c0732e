"""The ``/api/v1`` blueprint and its one gate: every request needs a valid bearer token with the right scope.

The gate runs before every view of the blueprint, so a view added later cannot
forget it (as the sign-in hook does for the pages, :mod:`planner.auth.access`,
which leaves this blueprint to it). A session cookie counts for nothing here:
the API is for scripts, and without cookies it needs no CSRF token either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from apiflask import APIBlueprint
from flask import abort, current_app, g, request

from planner.api import tokens
from planner.extensions import db
from planner.models.history import set_actor
from planner.timezones import utc_now

F = TypeVar("F", bound=Callable[..., Any])

bp = APIBlueprint("api", __name__, url_prefix="/api/v1", tag="API")

# The OpenAPI name of the scheme every operation names in its security requirement.
SECURITY_SCHEME = "BearerToken"
SECURITY_SCHEMES = {
    SECURITY_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token (account page, 'API-Tokens'); scopes: read, write (includes read).",
    }
}
# Documented on every operation (the gate can answer them all); the views add their own.
COMMON_ERRORS = {401: "No valid token", 403: "Scope or rights missing", 429: "Rate limit exceeded"}


def token_optional(view: F) -> F:
    """Let ``view`` run without a token (``g.api_token`` None); it must then decide itself what it shows.

    A token that is presented is still checked (an invalid one is a 401), so a
    script never silently gets the anonymous answer instead of its own.
    """
    view.api_token_optional = True  # type: ignore[attr-defined]
    return view


@bp.before_request
def _check_token() -> None:
    secret = tokens.presented_token()
    if secret is None and request.method in tokens.READ_METHODS and _is_token_optional():
        g.api_token = None
        return
    token = tokens.authenticate(secret, utc_now()) if secret is not None else None
    if token is None:
        abort(401)
    if not token.has_scope(tokens.required_scope(request.method)):
        abort(403)
    g.api_token = token
    # Writes are the token owner's doing in the change history (the pages set the signed-in user so).
    set_actor(db.session(), (token.user.id, token.user.email))


def _is_token_optional() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "api_token_optional", False))
