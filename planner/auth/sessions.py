"""Server-side sessions: every sign-in has a row that signing out, a new password or disabling ends.

Flask's session is a signed cookie, and so is Flask-Login's "stay signed in"
cookie: on their own, a copy taken before signing out keeps working until it
expires, in any browser. So each sign-in creates a
:class:`~planner.models.UserSession` with a random key, and the reference that
Flask-Login keeps in the session (and copies into the remember cookie) is
``<user id>:<fingerprint>:<key>``. Every request looks the key up together with
the user, in the one query that loaded the user before; a key without a live
row is anonymous.

Where the request's user is loaded, the database session learns who acts
(:func:`planner.models.history.set_actor`), so the change history records the
signed-in user without the models asking the request; it forgets at the end of
the request.

The CSRF secret (Flask-WTF keeps it in the session) is renewed at sign-in and
sign-out, so a token read by someone before either moment is worthless after it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, g, session
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from planner.extensions import db
from planner.models import TeamMember, User, UserSession
from planner.models.history import set_actor
from planner.timezones import utc_now

# last_seen_at is written at most this often per session: not a write on every request.
TOUCH_INTERVAL = timedelta(minutes=5)
_TOUCH = "_planner_session_touch"
# (user id, cares for personal data on some trip): answered by the user's query, read by the second factor's gate.
CARES = "_planner_user_cares"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def idle_limit() -> timedelta:
    """How long a session may go unused before the server forgets it, whatever its cookies say."""
    config = current_app.config
    return max(config["PERMANENT_SESSION_LIFETIME"], config["REMEMBER_COOKIE_DURATION"])


# -- writes -------------------------------------------------------------------------------


def start_session(user: User) -> str:
    """Record a new sign-in of ``user`` and return its key (to be kept in the signed cookie only).

    In the caller's transaction: the request commits it before the response sets the cookie.
    """
    now = utc_now()
    # Housekeeping on the way: this user's ended and long-idle sessions are of no use to anyone.
    db.session.execute(
        sa.delete(UserSession).where(
            UserSession.user_id == user.id,
            sa.or_(UserSession.revoked_at.is_not(None), UserSession.last_seen_at < now - idle_limit()),
        )
    )
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(key_digest=_digest(key), user_id=user.id, created_at=now, last_seen_at=now))
    db.session.flush()
    return key


def end_session(key: str) -> None:
    """End the one session with ``key`` (signing out), in the caller's transaction."""
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.key_digest == _digest(key), UserSession.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )


def end_all_sessions(user_id: int) -> None:
    """End every session of the account, in the caller's transaction (the caller commits)."""
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )


# -- the request's user -------------------------------------------------------------------


def load_user(reference: str) -> User | None:
    """Flask-Login's user loader: the user of a live session with this reference, or ``None``."""
    user_id, _, rest = reference.partition(":")
    fingerprint, _, key = rest.partition(":")
    if not user_id.isdigit() or not fingerprint or not key:
        return None  # also a reference from before server-side sessions: those are signed out once
    # Whether the user cares for personal data (and so needs a second factor) comes with the same
    # query: the gate in planner.auth.access asks it on every request, and a page costs no query more.
    cares = sa.exists().where(TeamMember.user_id == User.id, TeamMember.may_care.is_(True))
    row = db.session.execute(
        sa.select(User, UserSession.id, UserSession.last_seen_at, cares.label("cares"))
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == int(user_id), UserSession.key_digest == _digest(key), UserSession.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    user, session_id, last_seen, user_cares = row
    # The fingerprint still guards on its own: a new password or a disabled account ends every session.
    if not user.active or user.get_id() != f"{user_id}:{fingerprint}":
        return None
    now = utc_now()
    if last_seen < now - idle_limit():
        return None
    if now - last_seen > TOUCH_INTERVAL:
        setattr(g, _TOUCH, session_id)
    setattr(g, CARES, (user.id, bool(user_cares)))
    set_actor(db.session(), (user.id, user.email))
    return user


def _current_key() -> str | None:
    reference = session.get("_user_id")
    if not isinstance(reference, str) or reference.count(":") != 2:
        return None
    return reference.rsplit(":", 1)[1]


def sign_in(user: User, *, remember: bool) -> None:
    """Sign ``user`` in on this browser with a new server-side session (the view commits it)."""
    key = start_session(user)
    login_user(user, remember=remember)
    # login_user stored user.get_id(); with the key this session (and the remember cookie, which
    # Flask-Login writes from this value at the end of the request) can be ended on the server.
    session["_user_id"] = f"{user.get_id()}:{key}"
    set_actor(db.session(), (user.id, user.email))
    renew_csrf_secret()


def sign_out() -> None:
    """End this browser's session on the server (the view commits it) and in its cookies."""
    key = _current_key()
    if key is not None:
        end_session(key)
    logout_user()
    set_actor(db.session(), None)
    renew_csrf_secret()


def renew_csrf_secret() -> None:
    """Drop the session's CSRF secret; Flask-WTF makes a new one for the next form."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def _touch(response: Response) -> Response:
    session_id = g.pop(_TOUCH, None)
    if session_id is None:
        return response
    # Its own short transaction, after the view: the view's session (and its loaded objects) stay
    # untouched, and a failure here costs the session's idle clock, never the response.
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.update(UserSession).where(UserSession.id == session_id).values(last_seen_at=utc_now()))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("Could not record the last use of session %s", session_id)
    return response


def _forget_actor(_error: BaseException | None) -> None:
    # The database session (and g, where Flask-Login keeps the loaded user) can outlive the request
    # when something holds the app context around it, as tests do: what is written afterwards is not
    # this user's doing, and the next request loads its user, and so its actor, afresh.
    set_actor(db.session(), None)
    g.pop("_login_user", None)
    g.pop(CARES, None)


def init_app(app: Flask) -> None:
    """Register the hooks that keep each session's idle clock and end the request's actor with it."""
    app.after_request(_touch)
    app.teardown_request(_forget_actor)
