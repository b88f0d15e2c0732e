"""Operations flush; the request or command that calls them commits.

Each write below is done through its operation and then not committed: nothing of it
may be in the database afterwards (the views and commands commit, tested with them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask

from planner.auth import second_factor
from planner.auth.operations import authenticate, change_password, create_user, remember_language
from planner.auth.sessions import end_session, start_session
from planner.calendar import import_operations, operations
from planner.extensions import db
from planner.models import Delegation, FeedToken, PendingImport, RecoveryCode, User, UserRole, UserSession
from tests.conftest import PASSWORD, make_delegation, make_user

_STATE = (
    sa.select(
        User.email,
        User.locale,
        User.password_hash,
        User.last_login_at,
        User.totp_secret,
        User.second_factor_since,
        User.totp_last_step,
    ).order_by(User.id),
    sa.select(RecoveryCode.digest, RecoveryCode.used_at).order_by(RecoveryCode.id),
    sa.select(UserSession.key_digest, UserSession.revoked_at).order_by(UserSession.id),
    sa.select(FeedToken.id, FeedToken.revoked_at).order_by(FeedToken.id),
    sa.select(PendingImport.id).order_by(PendingImport.id),
)


def _state(reader: sa.Connection | sa.orm.scoped_session) -> tuple:
    """What the writes below could change: committed (a fresh connection) or in the transaction (the session)."""
    return tuple(tuple(reader.execute(query).all()) for query in _STATE)


def _feed(user: User) -> FeedToken:
    return operations.issue_feed(make_delegation(), None, user, "de")


def _upload(user: User) -> PendingImport:
    return import_operations.keep_upload(make_delegation(), user, "a.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


def _nothing(_user: User) -> None:
    return None


def _pending_secret(user: User) -> str:
    return second_factor.start_enrolment(user)


def _enrolled(user: User) -> list[str]:
    return second_factor.confirm_enrolment(user, pyotp.TOTP(second_factor.start_enrolment(user)).now())


def _delegation(_user: User) -> Delegation:
    return make_delegation()


# name: (what the write needs, committed first; the write, not committed)
WRITES: dict[str, tuple[Callable[[User], Any], Callable[[User, Any], object]]] = {
    "remember_language": (_nothing, lambda user, _: remember_language(user, "en")),
    "authenticate": (_nothing, lambda user, _: authenticate(user.email, PASSWORD)),
    "create_user": (_nothing, lambda _user, _: create_user("neu@example.org", "a long enough secret", UserRole.VIEWER)),
    "change_password": (_nothing, lambda user, _: change_password(user, PASSWORD, "ein ganz neues Passwort")),
    "start_session": (_nothing, lambda user, _: start_session(user)),
    "start_enrolment": (_nothing, lambda user, _: second_factor.start_enrolment(user)),
    "confirm_enrolment": (_pending_secret, lambda user, secret: second_factor.confirm_enrolment(user, pyotp.TOTP(secret).now())),
    "check_code (recovery)": (_enrolled, lambda user, codes: second_factor.check_code(user, codes[0])),
    "reset_second_factor": (_enrolled, lambda user, _: second_factor.reset_second_factor(user)),
    "end_session": (start_session, lambda _user, key: end_session(key)),
    "issue_feed": (_delegation, lambda user, delegation: operations.issue_feed(delegation, None, user, "de")),
    "rotate_feed": (_feed, lambda user, feed: operations.rotate_feed(feed, user)),
    "revoke_feed": (_feed, lambda _user, feed: operations.revoke_feed(feed)),
    "keep_upload": (_delegation, lambda user, delegation: import_operations.keep_upload(delegation, user, "a.ics", b"")),
    "discard_upload": (_upload, lambda _user, pending: import_operations.discard_upload(pending)),
}


@pytest.mark.parametrize("needs, write", WRITES.values(), ids=WRITES.keys())
def test_an_operation_writes_in_the_callers_transaction_and_does_not_commit(
    app: Flask, needs: Callable[[User], Any], write: Callable[[User, Any], object]
) -> None:
    with app.app_context():
        user = make_user(UserRole.PLANNER)
        needed = needs(user)
        db.session.commit()
        with db.engine.connect() as connection:
            before = _state(connection)
        write(user, needed)
        assert _state(db.session) != before  # it did write ...
        db.session.rollback()
        with db.engine.connect() as connection:
            assert _state(connection) == before  # ... and left the commit to its caller
