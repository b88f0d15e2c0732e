"""Security hardening that applies to every response: headers, session lifetime, proxies, request logs.

* A Content-Security-Policy without ``'unsafe-inline'``: pages load styles and
  scripts only from the planner's own ``/static`` files. The one dynamic style
  sheet (the brief's running header, which contains the trip title) carries a
  per-request nonce; templates ask for it with ``csp_nonce()``.
* ``Referrer-Policy: same-origin``: calendar feed URLs carry their secret
  token in the path, and no page may hand such a URL to another site.
* ``Cache-Control: private, no-store`` on every response to a signed-in user:
  pages show feed links with their secret tokens, phone numbers and talking
  points, which neither a shared cache nor the browser's disk cache (the
  back button after sign-out, a shared office PC) may keep. Public
  token-keyed feeds keep their own ``private, no-cache`` with ETags.
* Signed-in sessions expire after ``PERMANENT_SESSION_LIFETIME`` without a
  request (the signed cookie's timestamp is checked on the server, so a copied
  cookie dies too).
* ``PLANNER_HTTPS`` (env ``PLANNER_HTTPS=1``) makes the cookies ``Secure`` and
  turns on HSTS; ``PLANNER_PROXY_FIX`` (env ``PLANNER_PROXY_FIX=1``, or the number
  of proxies) trusts ``X-Forwarded-For``/``-Proto`` from that many reverse proxies.
* One JSON line per request on the ``planner.requests`` logger: method, path
  (never the query string; feed tokens redacted), status, duration, user id.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from flask_login import user_loaded_from_cookie, user_logged_in
from werkzeug.middleware.proxy_fix import ProxyFix

from planner.log_redaction import redact

REQUEST_LOGGER = "planner.requests"

# frame-ancestors makes X-Frame-Options redundant for current browsers; both are sent for older ones.
_CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Only features every current browser knows: an unknown one is logged as a console error.
_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
_HSTS = "max-age=31536000"  # no includeSubDomains: other hosts of the city's domain are not ours to decide
_NONCE_KEY = "_planner_csp_nonce"


def csp_nonce() -> str:
    """The nonce of this response's CSP, for a ``<style>`` element whose content cannot be a static file."""
    nonce = g.get(_NONCE_KEY)
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        setattr(g, _NONCE_KEY, nonce)
    return nonce


def content_security_policy() -> str:
    directives = dict(_CSP)
    nonce = g.get(_NONCE_KEY)
    if nonce is not None:
        directives["style-src"] += f" 'nonce-{nonce}'"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def https_only(app: Flask) -> bool:
    return bool(app.config.get("SESSION_COOKIE_SECURE")) or app.config.get("PREFERRED_URL_SCHEME") == "https"


def _security_headers(response: Response) -> Response:
    headers = response.headers
    # setdefault: a view that needs a different policy for its response can set its own.
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", _PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if https_only(current_app):
        headers.setdefault("Strict-Transport-Security", _HSTS)
    if _served_to_signed_in_user():
        # Overrides whatever the view chose: nothing made for an account may be stored anywhere.
        headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
    return response


def _served_to_signed_in_user() -> bool:
    # Flask-Login keeps the user it loaded for this request in g; every page behind the sign-in
    # loads it (planner.auth.access), public ones (static files, feeds) only if they ask for it.
    user = g.get("_login_user")
    return bool(getattr(user, "is_authenticated", False))


# -- sessions -------------------------------------------------------------------------


def _make_session_permanent(*_args: Any, **_kwargs: Any) -> None:
    # A permanent session is re-signed on every request (SESSION_REFRESH_EACH_REQUEST), so
    # PERMANENT_SESSION_LIFETIME becomes an idle timeout that the server enforces.
    session.permanent = True


# -- request log ----------------------------------------------------------------------


def loggable_path(path: str) -> str:
    """``path`` fit for a log: a feed's secret token replaced by ``***``."""
    return redact(path)


def _start_timer() -> None:
    g._planner_request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.get("_planner_request_started")
    # Only a user this request already loaded: the log must not cost a query of its own.
    user = g.get("_login_user")
    record = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": request.method,
        "path": loggable_path(request.path),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        "user_id": user.id if getattr(user, "is_authenticated", False) else None,
    }
    logging.getLogger(REQUEST_LOGGER).info(json.dumps(record, ensure_ascii=False))
    return response


def _configure_request_logger(app: Flask) -> None:
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.setLevel(logging.INFO)
    # Tests read the records through pytest's caplog; a real server writes them to stdout, one JSON object a line.
    if not app.testing and not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


# -- wiring ---------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Apply HTTPS and proxy settings and register the headers, session and logging hooks."""
    if app.config.get("PLANNER_HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    proxies = int(app.config.get("PLANNER_PROXY_FIX") or 0)
    if proxies > 0:
        # Only For and Proto: a proxy that does not set X-Forwarded-Host would let clients choose the host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    app.jinja_env.globals["csp_nonce"] = csp_nonce
    # First before_request of all, so the duration covers sign-in checks and rate limits too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_security_headers)
    app.after_request(_log_request)
    _configure_request_logger(app)
    user_logged_in.connect(_make_session_permanent, app)
    user_loaded_from_cookie.connect(_make_session_permanent, app)
