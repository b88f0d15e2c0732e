"""Login rate limiting with Flask-Limiter: failed sign-ins per account and per client address.

Only *failed* attempts count (a POST to the sign-in page that does not end in a
redirect); once an account or a client has used up its attempts, every further
POST is refused with 429 until the oldest failure leaves the window, even one
with the right password, so guessing cannot go on by interleaving good and bad
credentials. The limit is applied to unknown addresses exactly as to existing
accounts, so it tells nothing about which accounts exist.

Counters live in memory (per worker process) unless ``RATELIMIT_STORAGE_URI``
names a shared store (``REDIS_URL`` in the environment): with several workers
or hosts, use Redis so the limit holds for the whole deployment. When Redis
cannot be reached, the limiter counts in memory instead of refusing to sign
anyone in.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter, RateLimitExceeded
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

LOGIN_ENDPOINT = "auth.login"
DEFAULTS = {
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_KEY_PREFIX": "planner",
    # Moving window: a client waits until its oldest failure is 15 minutes old, with no burst at a window edge.
    "RATELIMIT_STRATEGY": "moving-window",
    "LOGIN_RATE_LIMIT_ACCOUNT": "10 per 15 minutes",
    # Higher than per account: a city hall's whole staff may reach the planner from one NAT address.
    "LOGIN_RATE_LIMIT_CLIENT": "30 per 15 minutes",
}
MESSAGE = _l("Zu viele Versuche in kurzer Zeit. Bitte warten Sie einige Minuten und versuchen Sie es dann erneut.")


def client_key() -> str:
    # Behind a reverse proxy this is the real client only with PLANNER_PROXY_FIX (see planner.security).
    return "client:" + (request.remote_addr or "unknown")


def account_key() -> str:
    # Must never raise: Flask-Limiter takes any exception here for a storage failure.
    try:
        email = request.form.get("email", "")
    except HTTPException:  # e.g. 413: the view answers that itself
        email = ""
    return "account:" + (email.strip().lower()[:254] or "-")


def failed_attempt(response: Response) -> bool:
    """A sign-in POST that did not succeed: success (and an already signed-in user) is a redirect."""
    return not (300 <= response.status_code < 400) and response.status_code != 429


def init_app(app: Flask) -> Limiter | None:
    """Limit failed sign-ins on ``app``; call after the ``auth`` blueprint is registered.

    Each app gets its own :class:`Limiter` (and so, by default, its own memory
    storage): apps created side by side, as the tests do, never share counters.
    """
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    if not app.config.setdefault("RATELIMIT_ENABLED", True):
        return None
    view = app.view_functions.get(LOGIN_ENDPOINT)
    if view is None:
        raise RuntimeError(f"{LOGIN_ENDPOINT} is not registered yet: call ratelimit.init_app after the blueprints")

    limiter = Limiter(
        client_key,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
        strategy=app.config["RATELIMIT_STRATEGY"],
        in_memory_fallback_enabled=True,
        swallow_errors=True,  # a storage fault is logged; it must never turn a sign-in into a 500
    )
    limiter.init_app(app)
    limited = limiter.limit(app.config["LOGIN_RATE_LIMIT_CLIENT"], key_func=client_key, methods=["POST"], deduct_when=failed_attempt)(view)
    limited = limiter.limit(app.config["LOGIN_RATE_LIMIT_ACCOUNT"], key_func=account_key, methods=["POST"], deduct_when=failed_attempt)(limited)
    app.view_functions[LOGIN_ENDPOINT] = limited  # functools.wraps keeps the view's `public` mark
    app.extensions["planner_login_limiter"] = limiter
    return limiter


def _too_many_requests(_error: RateLimitExceeded) -> tuple[str, int, dict[str, str]]:
    headers = {}
    limiter: Limiter | None = current_app.extensions.get("planner_login_limiter")
    breached = limiter.current_limit if limiter is not None else None
    if breached is not None:
        try:
            headers["Retry-After"] = str(max(1, int(breached.reset_at - time.time())))
        except Exception:  # the storage went away meanwhile: the page matters more than the header
            pass
    return render_template("errors/error.html", code=429, message=MESSAGE), 429, headers
