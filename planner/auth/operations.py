"""Writes of the auth feature: authenticating, creating accounts, passwords and the chosen language.

Like every operation, these flush; the request or command that calls them commits.
A request that cannot be carried out (an invalid address, a password not
allowed, a wrong current password) raises :class:`~planner.editing.Rejected`,
naming the input field it concerns; nothing is changed then.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from planner.api import tokens as api_tokens
from planner.auth.sessions import end_all_sessions
from planner.editing import Rejected
from planner.extensions import db
from planner.models import User, UserRole
from planner.models.users import DEFAULT_PASSWORD_HASH
from planner.timezones import utc_now

MIN_PASSWORD_LENGTH = 12
# scrypt's cost grows with the input: a megabyte "password" would be a cheap way to burn CPU.
MAX_PASSWORD_LENGTH = 1024


def password_hash_method() -> str:
    """The app's ``PASSWORD_HASH_METHOD`` for :meth:`User.set_password` (scrypt unless configured otherwise)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_HASH)


def password_problem(password: str, email: str) -> str | None:
    """Why ``password`` may not be the password of the account ``email``, or ``None`` if it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Das Passwort darf höchstens %(n)d Zeichen lang sein.", n=MAX_PASSWORD_LENGTH)
    if password.strip().lower() == email.strip().lower():
        return _("Das Passwort darf nicht die E-Mail-Adresse sein.")
    return None


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, recording the sign-in, or ``None``."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        # Hash anyway so that response time does not reveal which addresses exist.
        User(email="timing@example.invalid").set_password(password, password_hash_method())
        return None
    if not user.active or not user.check_password(password):
        return None
    user.last_login_at = utc_now()
    db.session.flush()
    return user


def remember_language(user: User, locale: str) -> None:
    """Keep ``locale`` as ``user``'s interface language, for every browser they sign in with."""
    user.locale = locale
    db.session.flush()


def normalise_email(email: str) -> str:
    try:
        # No DNS look-up: the planner must work offline and inside closed networks.
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise Rejected("email", _("Ungültige E-Mail-Adresse: %(reason)s", reason=str(error))) from None


def create_user(email: str, password: str, role: UserRole, *, one_time: bool = False) -> User:
    """Create an account; ``one_time``: the password was made for the user, who must replace it at first sign-in."""
    address = normalise_email(email)
    problem = password_problem(password, address)
    if problem:
        raise Rejected("password", problem)
    if db.session.scalar(sa.select(User.id).where(User.email == address)) is not None:
        raise Rejected("email", _("Ein Konto für %(email)s gibt es bereits.", email=address))
    user = User(email=address, role=role, must_change_password=one_time)
    user.set_password(password, password_hash_method())
    db.session.add(user)
    db.session.flush()
    return user


def bootstrap_admin(email: str) -> tuple[User, str] | None:
    """Create the first admin with a random password if there is no user at all.

    Returns the user and the password (to be shown once), or ``None`` when
    accounts already exist.
    """
    if db.session.scalar(sa.select(sa.func.count(User.id))):
        return None
    password = secrets.token_urlsafe(15)
    return create_user(email, password, UserRole.ADMIN, one_time=True), password


def change_password(user: User, current: str, new: str) -> None:
    """Replace ``user``'s password; every other session and every API token of the account ends with the old one.

    Raises :class:`~planner.editing.Rejected` (with the field it concerns) and changes
    nothing when the current password is wrong or the new one is not allowed.
    """
    if not user.check_password(current):
        raise Rejected("current_password", _("Das bisherige Passwort stimmt nicht."))
    problem = password_problem(new, user.email)
    if problem:
        raise Rejected("new_password", problem)
    if user.check_password(new):
        raise Rejected("new_password", _("Das neue Passwort muss sich vom bisherigen unterscheiden."))
    user.set_password(new, password_hash_method())
    user.must_change_password = False
    end_all_sessions(user.id)
    api_tokens.revoke_all(user.id, utc_now())
    db.session.flush()
