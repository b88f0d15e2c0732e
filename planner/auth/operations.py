"""Writes of the auth feature: authenticating and creating accounts."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from planner.extensions import db
from planner.models import User, UserRole
from planner.timezones import utc_now

MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A request to create or change an account that cannot be carried out; the message says why."""


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, recording the sign-in, or ``None``."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        # Hash anyway so that response time does not reveal which addresses exist.
        User(email="timing@example.invalid").set_password(password)
        return None
    if not user.active or not user.check_password(password):
        return None
    user.last_login_at = utc_now()
    db.session.commit()
    return user


def normalise_email(email: str) -> str:
    try:
        # No DNS look-up: the planner must work offline and inside closed networks.
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(_("Ungültige E-Mail-Adresse: %(reason)s", reason=str(error))) from None


def create_user(email: str, password: str, role: UserRole) -> User:
    address = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=MIN_PASSWORD_LENGTH))
    if db.session.scalar(sa.select(User.id).where(User.email == address)) is not None:
        raise AccountError(_("Ein Konto für %(email)s gibt es bereits.", email=address))
    user = User(email=address, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def bootstrap_admin(email: str) -> tuple[User, str] | None:
    """Create the first admin with a random password if there is no user at all.

    Returns the user and the password (to be shown once), or ``None`` when
    accounts already exist.
    """
    if db.session.scalar(sa.select(sa.func.count(User.id))):
        return None
    password = secrets.token_urlsafe(15)
    return create_user(email, password, UserRole.ADMIN), password
