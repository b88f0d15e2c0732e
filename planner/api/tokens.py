"""Personal API tokens: making, revoking and checking them (the model: :class:`planner.models.ApiToken`).

A token is ``dpt_`` plus 256 random bits; the prefix lets secret scanners and
people recognise a leaked one. Only its digest is stored
(:func:`planner.models.calendar.token_digest`). A request authenticates with
``Authorization: Bearer <token>``; the token must be unexpired, not revoked,
and its owner's account active. What the token then reaches is decided as for
the owner's pages (:mod:`planner.teams.access`), so it never has more rights
than its owner. Scopes: ``read`` for GET, ``write`` (which includes read) for
every other method.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, request
from flask_babel import gettext as _

from planner.editing import Rejected
from planner.extensions import db
from planner.models import ApiToken, TokenScope, User
from planner.models.calendar import token_digest
from planner.teams.access import role_may_edit

PREFIX = "dpt_"
# The longest a token may live; a script that needs longer gets a new token, and the old one runs out.
MAX_LIFETIME = timedelta(days=366)
# last_used_at is a hint for the owner, not an audit log: one write per token every few minutes at most.
LAST_USED_PRECISION = timedelta(minutes=5)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class NewToken:
    """What the owner typed on the account page (:mod:`planner.api.account`)."""

    name: str
    scopes: frozenset[TokenScope]
    expires_at: datetime


def issue(user: User, data: NewToken, now: datetime) -> tuple[ApiToken, str]:
    """Make a token for ``user``: the row (flushed) and the token itself, to be shown once and never again."""
    if data.expires_at <= now:
        raise Rejected("expires_on", _("Das Ablaufdatum muss in der Zukunft liegen."))
    if data.expires_at > now + MAX_LIFETIME:
        raise Rejected("expires_on", _("Ein Token gilt höchstens ein Jahr."))
    if TokenScope.WRITE in data.scopes and not role_may_edit(user.role):
        raise Rejected("scope", _("Ihr Konto darf nur lesen; ein Token zum Schreiben gibt es dafür nicht."))
    scopes = set(data.scopes) | {TokenScope.READ}  # write includes read
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=data.name.strip()[:100],
        digest=token_digest(secret),
        scopes=" ".join(scope.value for scope in TokenScope if scope in scopes),
        created_at=now,
        expires_at=data.expires_at,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke(user: User, token_id: int, now: datetime) -> bool:
    """Revoke ``user``'s token ``token_id``; False if they have no such open token (someone else's counts as none)."""
    token = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).one_or_none()
    if token is None:
        return False
    token.revoked_at = now
    db.session.flush()
    return True


def revoke_all(user_id: int, now: datetime) -> None:
    """Revoke every open token of the account, in the caller's transaction: its password was changed or reset.

    A token is as good as the password that made it: whoever took over an account
    and made a token must lose it with the password, as the sessions end
    (:func:`planner.auth.sessions.end_all_sessions`). The owner makes new ones.
    """
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )


def tokens_of(user: User) -> list[ApiToken]:
    """``user``'s tokens, newest first (revoked and expired ones too, so the owner sees what ran out)."""
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def presented_token() -> str | None:
    """The bearer token of the current request, or None when there is none (or the header is malformed)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > 200:
        return None
    return value


def authenticate(secret: str, now: datetime) -> ApiToken | None:
    """The valid token ``secret`` stands for, with an active owner, or None."""
    token = db.session.scalars(
        sa.select(ApiToken).join(ApiToken.user).where(ApiToken.digest == token_digest(secret))
    ).one_or_none()
    if token is None or not token.is_valid(now) or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.commit()
    return token


def required_scope(method: str) -> TokenScope:
    return TokenScope.READ if method in READ_METHODS else TokenScope.WRITE


def current_token() -> ApiToken:
    """The token the current API request authenticated with (set by the blueprint's check)."""
    token: ApiToken = g.api_token
    return token


def current_owner() -> User:
    """The account the current API request acts for: the token's owner."""
    return current_token().user


def rate_limit_key() -> str:
    """The rate-limit key of an API request: the presented token (its digest), else the client address.

    Computed from the header alone, before the token is looked up: the limiter
    runs first, so guessing tokens is limited too, per address.
    """
    secret = presented_token()
    if secret is not None:
        return "api-token:" + token_digest(secret)[:32]
    return "api-client:" + (request.remote_addr or "unknown")
