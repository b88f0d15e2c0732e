"""Writes of user management: inviting, changing role and status, resetting passwords.

There is no mail server, so new and reset passwords are random one-time
passwords that the calling view shows exactly once; only their hash is stored
(and the change history records "password changed", never the value).

The rules that keep the planner administrable live here, not in the views,
so every write path obeys them:

* an admin can neither disable their own account nor take away their own
  admin role (they would lock themselves out mid-session);
* the last active admin can never be demoted or disabled, whoever asks.

A change these rules refuse raises :class:`~planner.editing.Rejected`, naming
the form field. As everywhere, the operations flush and the caller commits
(see :mod:`planner.editing`).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from planner.admin.inputs import AccountInput, InviteInput
from planner.api import tokens as api_tokens
from planner.auth.operations import create_user, normalise_email, password_hash_method
from planner.auth.sessions import end_all_sessions
from planner.editing import Rejected, ensure_version, flush_edit
from planner.extensions import db
from planner.models import User, UserRole
from planner.timezones import utc_now

# No 0/O, 1/l/I: the admin may read the password out over the phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP_LENGTH = 4, 5  # 20 random characters, about 99 bits


def one_time_password() -> str:
    """A random password such as ``k7vqm-3xhdp-r9tca-u2wne``."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS))


def invite_user(data: InviteInput) -> tuple[User, str]:
    """Create an account with a one-time password; return both (the password is not kept).

    Raises :class:`~planner.editing.Rejected` (on ``email``) for an invalid or
    already registered address; nothing is created then.
    """
    try:
        address = normalise_email(data.email)
    except Rejected:
        # email_validator explains in English; a German office wants one clear sentence.
        raise Rejected(
            "email", _("„%(email)s“ ist keine gültige E-Mail-Adresse (Beispiel: name@stadt.de).", email=data.email.strip())
        ) from None
    password = one_time_password()
    try:
        # A SAVEPOINT: losing the race undoes only this account, the caller's transaction stays usable.
        with db.session.begin_nested():
            user = create_user(address, password, data.role, one_time=True)
    except IntegrityError:
        # Two admins inviting the same address at once: the unique index decides.
        raise Rejected("email", _("Ein Konto für %(email)s gibt es bereits.", email=address)) from None
    return user, password


def change_account(user: User, data: AccountInput, *, version: int | None, actor: User | None) -> bool:
    """Set ``user``'s role and status; return whether anything changed.

    ``version`` is the one the edit form was opened with: a stale one raises
    :class:`~planner.editing.EditConflict` and saves nothing. ``actor`` is the
    admin making the change (``None`` for system callers). A change the admin
    rules refuse raises :class:`~planner.editing.Rejected`; the caller rolls back.
    """
    ensure_version(user, version)
    stays_active_admin = data.role == UserRole.ADMIN and data.active
    leaves_admins = user.role == UserRole.ADMIN and user.active and not stays_active_admin
    field = "status" if not data.active else "role"
    if leaves_admins:
        _check_may_leave_admins(user, field=field, actor=actor)
    # Assign only real changes: an unchanged save must not raise the version.
    changed = False
    if user.role != data.role:
        user.role, changed = data.role, True
    if user.active != data.active:
        user.active, changed = data.active, True
        if not data.active:
            user.session_epoch = (user.session_epoch or 0) + 1  # its sessions end now and stay ended
            end_all_sessions(user.id)
    flush_edit(user)
    if leaves_admins:
        _verify_admin_remains(user, field)
    return changed


def _check_may_leave_admins(user: User, *, field: str, actor: User | None) -> None:
    if actor is not None and actor.id == user.id:
        if field == "status":
            raise Rejected(
                field, _("Sie können Ihr eigenes Konto nicht deaktivieren. Das muss ein anderes Administrationskonto tun.")
            )
        raise Rejected(
            field,
            _("Sie können sich die Administrationsrolle nicht selbst entziehen. Das muss ein anderes Administrationskonto tun."),
        )
    # FOR UPDATE (PostgreSQL): two admins demoting each other at the same moment
    # are serialised here, and the second one counts again after the first commits.
    active_admins = db.session.scalars(
        sa.select(User.id).where(User.role == UserRole.ADMIN, User.active.is_(True)).order_by(User.id).with_for_update()
    ).all()
    if not any(admin_id != user.id for admin_id in active_admins):
        # The caller rolls back at once (the edit flow does), which releases the row locks.
        raise Rejected(field, _last_admin_message(user))


def _verify_admin_remains(user: User, field: str) -> None:
    # SQLite ignores FOR UPDATE; but after our UPDATE this transaction holds the
    # database's write lock, so this count sees every other committed change.
    remaining = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == UserRole.ADMIN, User.active.is_(True)))
    if not remaining:
        raise Rejected(field, _last_admin_message(user))


def _last_admin_message(user: User) -> str:
    return _(
        "%(email)s ist das letzte aktive Administrationskonto und kann weder herabgestuft noch deaktiviert werden. "
        "Ernennen Sie zuerst ein weiteres Konto zur Administration.",
        email=user.email,
    )


def reset_password(user: User) -> str:
    """Give ``user`` a new one-time password and return it; the old one, the sessions and API tokens stop at once."""
    password = one_time_password()
    user.set_password(password, password_hash_method())
    user.must_change_password = True
    end_all_sessions(user.id)
    api_tokens.revoke_all(user.id, utc_now())
    db.session.flush()
    return password
