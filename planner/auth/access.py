"""Access control: every view requires a signed-in user unless it is declared public.

Protection is deny-by-default: a ``before_request`` hook turns anonymous
requests away before any view runs, so a route added later cannot be left
open by forgetting a decorator. Views that must be reachable without an
account (the sign-in page, static files, calendar feeds with their secret
token) opt out with :func:`public`.

The same hook holds a user who must do something first at that page: a one-time
password is replaced first, then an account that may see personal data and has
no second factor sets one up (:mod:`planner.auth.second_factor`).

The same hook keeps every page of a trip to the trip's team
(:func:`planner.teams.access.check_request`): no view can forget it either.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from planner.auth import sessions
from planner.auth.second_factor import enrolment_required
from planner.models import UserRole
from planner.teams.access import check_request

F = TypeVar("F", bound=Callable[..., Any])

# The OpenAPI document of the JSON API (APIFlask's view) describes the API, not any data.
_PUBLIC_ENDPOINTS = {"static", "openapi.spec"}
# Blueprints that authenticate every request themselves and ignore the session: the JSON API
# takes bearer tokens only (planner.api.blueprint), and checks the per-trip teams itself.
_OWN_AUTHENTICATION = {"api"}
# What a user who still has a one-time password may reach: the page to replace it, and the way out.
_WHILE_PASSWORD_MUST_CHANGE = {"auth.password", "auth.logout", "i18n.set_language"}
# What an account that needs a second factor reaches before it has one: the page to set it up, and the way out.
_WHILE_SECOND_FACTOR_MISSING = {"auth.second_factor_page", "auth.logout", "i18n.set_language"}


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view._planner_public = True  # type: ignore[attr-defined]
    return view


def roles_required(*roles: UserRole) -> Callable[[F], F]:
    """Allow a view only for users having one of ``roles`` (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        # Read by the sign-in hook: a view for editors of a trip needs the trip's edit right too.
        wrapped._planner_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


editors_only = roles_required(UserRole.ADMIN, UserRole.PLANNER)
admins_only = roles_required(UserRole.ADMIN)


def is_public(endpoint: str) -> bool:
    """Whether ``endpoint`` is reachable without signing in: a view marked :func:`public`, or the API's description."""
    return endpoint in _PUBLIC_ENDPOINTS or getattr(current_app.view_functions.get(endpoint), "_planner_public", False)


def takes_tokens(endpoint: str) -> bool:
    """Whether ``endpoint`` belongs to a blueprint that authenticates by bearer token and ignores the session."""
    return endpoint.split(".", 1)[0] in _OWN_AUTHENTICATION


def _require_login() -> Any:
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404 handler answer
        return None
    if is_public(endpoint) or takes_tokens(endpoint):
        return None
    view = current_app.view_functions.get(endpoint)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.must_change_password:
        if endpoint not in _WHILE_PASSWORD_MUST_CHANGE:
            # 303: a form posted with the one-time password is not repeated, the browser GETs the page.
            return redirect(url_for("auth.password"), 303)
    elif endpoint not in _WHILE_SECOND_FACTOR_MISSING and enrolment_required(current_user):
        return redirect(url_for("auth.second_factor_page"), 303)
    roles = getattr(view, "_planner_roles", None)
    check_request(current_user, request.view_args, for_editors=roles is not None and UserRole.VIEWER not in roles)
    return None


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Bitte melden Sie sich an, um diese Seite zu sehen.")
    login_manager.login_message_category = "info"
    # Not "strong": with permanent sessions Flask-Login's strong mode only marks a session that
    # changed address as not fresh (as "basic" does), and binding to the address would sign the
    # delegation out at every change of network abroad. What ends a copied cookie is the
    # server-side session (planner.auth.sessions), revoked at sign-out.
    login_manager.session_protection = "basic"
    login_manager.user_loader(sessions.load_user)
    sessions.init_app(app)
    app.before_request(_require_login)


def safe_next_url(target: str | None) -> str:
    r"""Return ``target`` if it is a path on this site, else the start page.

    An open redirect would let a phishing link bounce through the planner's
    own address. Browsers and Werkzeug drop tabs and newlines from URLs, so
    ``/\t/evil.example`` would become ``//evil.example``: any control
    character or backslash disqualifies a target outright.
    """
    fallback = url_for("delegations.index")
    if not target or any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
