"""Guessing limits with Flask-Limiter: failed sign-ins, wrong second-factor codes and wrong current passwords.

Only *failed* attempts count (a view calls :func:`count_failure` when a
password did not match); once a key has used up its attempts, every further
POST is refused with 429 until the oldest failure leaves the window, even one
with the right password, so guessing cannot go on by interleaving good and bad
credentials. The limits:

* per account *and* client address (``LOGIN_RATE_LIMIT_ACCOUNT``): 10 failures in
  15 minutes, then with increasing backoff 20 in an hour and 40 in a day. Keyed
  by the pair, so nobody can lock someone else out from another address;
  unknown addresses are limited exactly like existing accounts, so the limit
  tells nothing about which accounts exist;
* per client address (``LOGIN_RATE_LIMIT_CLIENT``), against one client trying
  many accounts;
* the code of the second factor (``auth.code``, :mod:`planner.auth.second_factor`):
  per client address like the password (``LOGIN_RATE_LIMIT_CLIENT``) and per
  account (``SECOND_FACTOR_RATE_LIMIT``), whatever the address: whoever guesses
  codes already knows the password, and a million codes must not be tried
  from many addresses. The price: someone with the password can make the
  account wait for the code step; that account should change its password;
* the current password on the password page, per account
  (``PASSWORD_CHECK_RATE_LIMIT``): whoever guesses there already holds the
  account's session, so another address must not give them new attempts.

The counts are true for the whole deployment only if every worker counts in the
same place: ``RATELIMIT_STORAGE_URI`` (``REDIS_URL`` in the environment) names a
shared Redis. Without it, counters live in each worker's memory, which is why
``make serve`` runs a single worker unless Redis is configured
(:mod:`planner.gunicorn_conf`). When a configured Redis cannot be reached, the
limiter counts in the worker's memory instead of refusing every sign-in; that is
logged as an error and reported by ``/healthz`` (:func:`storage_status`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from planner.api import problems
from planner.api.blueprint import bp as api_blueprint
from planner.api.tokens import rate_limit_key as api_rate_limit_key
from planner.auth.second_factor import PENDING_SESSION_KEY

LOGIN_ENDPOINT = "auth.login"
PASSWORD_ENDPOINT = "auth.password"
CODE_ENDPOINT = "auth.code"
# A traveller's one-time link (planner.care.link): public, so limited per client address.
TRAVEL_DATA_ENDPOINT = "care_link.form"
API_BLUEPRINT = "api"
DEFAULTS = {
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_KEY_PREFIX": "planner",
    # Moving window: a client waits until its oldest failure is old enough, with no burst at a window edge.
    "RATELIMIT_STRATEGY": "moving-window",
    # The longer windows are the backoff: after 20 failures in an hour the wait is an hour, after 40 a day.
    "LOGIN_RATE_LIMIT_ACCOUNT": "10 per 15 minutes; 20 per hour; 40 per day",
    # Higher than per account: a city hall's whole staff may reach the planner from one NAT address.
    "LOGIN_RATE_LIMIT_CLIENT": "30 per 15 minutes; 60 per hour",
    "PASSWORD_CHECK_RATE_LIMIT": "10 per 15 minutes; 20 per hour; 40 per day",
    # Three codes are good at any moment (a step either side): 40 guesses a day find one in about 8,000 days.
    "SECOND_FACTOR_RATE_LIMIT": "10 per 15 minutes; 20 per hour; 40 per day",
}
# A Redis that does not answer must not hold up a sign-in (or a health check) for long.
REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
MESSAGE = _l("Zu viele Versuche in kurzer Zeit. Bitte warten Sie einige Minuten und versuchen Sie es dann erneut.")
_FAILED = "_planner_password_failed"
_LIMITER = "planner_login_limiter"


def count_failure() -> None:
    """Record that this request checked a password and it did not match; the limits count it."""
    setattr(g, _FAILED, True)


def failed_attempt(_response: Response) -> bool:
    return bool(g.get(_FAILED))


def client_key() -> str:
    # Behind a reverse proxy this is the real client only with PLANNER_PROXY_FIX (see planner.security).
    return "client:" + (request.remote_addr or "unknown")


def account_client_key() -> str:
    # Must never raise: Flask-Limiter takes any exception here for a storage failure.
    try:
        email = request.form.get("email", "")
    except HTTPException:  # e.g. 413: the view answers that itself
        email = ""
    return f"account:{email.strip().lower()[:254] or '-'}|{client_key()}"


def password_check_key() -> str:
    user_id = getattr(current_user, "id", None)
    return f"password-check:{user_id if user_id is not None else '-'}"


def second_factor_key() -> str:
    # The account whose password was right (the pending sign-in in the signed session), not the form.
    pending = session.get(PENDING_SESSION_KEY)
    reference = pending.get("user") if isinstance(pending, dict) else None
    user_id = reference.partition(":")[0] if isinstance(reference, str) else ""
    return f"second-factor:{user_id}" if user_id.isdigit() else "second-factor:" + client_key()


def shared_storage(app: Flask) -> bool:
    """Whether the counters are shared between processes (Redis), not kept in each worker's memory."""
    return not str(app.config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://")


def storage_status(app: Flask) -> str | None:
    """``ok`` or ``unavailable`` for a shared counter storage (logged as an error), ``None`` without one."""
    limiter: Limiter | None = app.extensions.get(_LIMITER)
    if limiter is None or not shared_storage(app):
        return None
    try:
        healthy = bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 - whatever the client library raises, the storage is not usable
        healthy = False
    if not healthy:
        app.logger.error(
            "The rate-limit storage (RATELIMIT_STORAGE_URI / REDIS_URL) is unreachable: sign-in failures are "
            "counted per worker until it is back, so the documented limits do not hold across workers."
        )
    return "ok" if healthy else "unavailable"


def init_app(app: Flask) -> Limiter | None:
    """Limit password guessing on ``app``; call after the ``auth`` blueprint is registered.

    Each app gets its own :class:`Limiter` (and so, by default, its own memory
    storage): apps created side by side, as the tests do, never share counters.
    """
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    if not app.config.setdefault("RATELIMIT_ENABLED", True):
        return None
    for endpoint in (LOGIN_ENDPOINT, PASSWORD_ENDPOINT, CODE_ENDPOINT):
        if endpoint not in app.view_functions:
            raise RuntimeError(f"{endpoint} is not registered yet: call ratelimit.init_app after the blueprints")

    storage_uri = app.config["RATELIMIT_STORAGE_URI"]
    options: dict[str, str | int] = dict(REDIS_OPTIONS) if str(storage_uri).startswith(("redis://", "rediss://")) else {}
    options.update(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    limiter = Limiter(
        client_key,
        storage_uri=storage_uri,
        storage_options=options,
        key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
        strategy=app.config["RATELIMIT_STRATEGY"],
        in_memory_fallback_enabled=True,
        swallow_errors=True,  # a storage fault is logged; it must never turn a sign-in into a 500
    )
    limiter.init_app(app)
    _limit(
        app,
        limiter,
        LOGIN_ENDPOINT,
        [
            (app.config["LOGIN_RATE_LIMIT_CLIENT"], client_key),
            (app.config["LOGIN_RATE_LIMIT_ACCOUNT"], account_client_key),
        ],
    )
    _limit(
        app,
        limiter,
        CODE_ENDPOINT,
        [
            (app.config["LOGIN_RATE_LIMIT_CLIENT"], client_key),
            (app.config["SECOND_FACTOR_RATE_LIMIT"], second_factor_key),
        ],
    )
    _limit(app, limiter, PASSWORD_ENDPOINT, [(app.config["PASSWORD_CHECK_RATE_LIMIT"], password_check_key)])
    if TRAVEL_DATA_ENDPOINT in app.view_functions:
        _limit_travel_data(app, limiter)
    if app.blueprints.get(API_BLUEPRINT) is api_blueprint:
        # Every request of the JSON API, per token (planner.api.tokens.rate_limit_key).
        limiter.limit(app.config["API_RATE_LIMIT"], key_func=api_rate_limit_key)(api_blueprint)
    app.extensions[_LIMITER] = limiter
    # Say so at start, not only at the first sign-in: a worker counting alone is worth an operator's look.
    storage_status(app)
    return limiter


def _limit(app: Flask, limiter: Limiter, endpoint: str, limits: list[tuple[str, Callable[[], str]]]) -> None:
    view: Any = app.view_functions[endpoint]
    for value, key_func in limits:
        view = limiter.limit(value, key_func=key_func, methods=["POST"], deduct_when=failed_attempt)(view)
    app.view_functions[endpoint] = view  # functools.wraps keeps the view's `public` mark


def _limit_travel_data(app: Flask, limiter: Limiter) -> None:
    """Every request to a one-time link counts against a generous limit; a link that does not open (404) against a tight one.

    A token has 256 random bits, so the tight limit is not what keeps it secret; it keeps a
    client that walks the path from costing the database a lookup per guess.
    """
    view: Any = app.view_functions[TRAVEL_DATA_ENDPOINT]
    view = limiter.limit(
        app.config["TRAVEL_DATA_LINK_FAILURE_LIMIT"],
        key_func=lambda: "travel-data-failed:" + client_key(),
        deduct_when=lambda response: response.status_code == 404,
    )(view)
    view = limiter.limit(app.config["TRAVEL_DATA_LINK_RATE_LIMIT"], key_func=lambda: "travel-data:" + client_key())(view)
    app.view_functions[TRAVEL_DATA_ENDPOINT] = view


def _too_many_requests(_error: RateLimitExceeded) -> tuple[str, int, dict[str, str]] | Response:
    headers = {}
    limiter: Limiter | None = current_app.extensions.get(_LIMITER)
    breached = limiter.current_limit if limiter is not None else None
    if breached is not None:
        # Any error at all: the storage went away meanwhile, and the page matters more than the header.
        with contextlib.suppress(Exception):
            headers["Retry-After"] = str(max(1, int(breached.reset_at - time.time())))
    if problems.is_api_request():
        return problems.problem(429, headers=headers)
    return render_template("errors/error.html", code=429, message=MESSAGE), 429, headers
