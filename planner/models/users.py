"""Accounts of the staff who use the planner."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from planner.models.base import Base, Encrypted, TimestampMixin, UTCDateTime, VersionedMixin, enum_column

# Werkzeug's password hash when the caller names none (the app's choice:
# planner.auth.operations.password_hash_method). The hash names its method, so
# check_password verifies any mix of methods: changing it needs no migration.
DEFAULT_PASSWORD_HASH = "scrypt"


class UserRole(enum.StrEnum):
    ADMIN = "admin"  # everything, including managing users
    PLANNER = "planner"  # reads and edits delegations
    VIEWER = "viewer"  # reads only


class User(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[UserRole] = enum_column(UserRole, default=UserRole.VIEWER)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set with a one-time password (invitation, reset by an admin): the user must choose their own first.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Raised when an admin disables the account, so its sessions stay dead if it is enabled again.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # The second factor (planner.auth.second_factor): the TOTP secret (base32), set when enrolment
    # starts; it counts only from second_factor_since on, once the user has confirmed a code.
    # Encrypted at rest like personal data: a copy of the database must not let anyone make codes.
    totp_secret: Mapped[str | None] = mapped_column(Encrypted())
    second_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The time step of the last accepted code: a code counts once, never again within its window.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        # One account per address, whatever the capitalisation people type.
        return value.strip().lower()

    def get_id(self) -> str:
        """The session's user reference: the id plus a fingerprint of the password hash and session epoch.

        A password change or reset changes the fingerprint, so sessions signed
        in with the old password (on a lost laptop, say) stop working at once;
        so does disabling the account, for good, even if it is enabled again.
        The session cookie holds this plus the key of its :class:`UserSession`
        (see :mod:`planner.auth.sessions`), which ends single sessions too.
        """
        # Epoch 0 hashes the password hash alone, as before the epoch existed: upgrading signs nobody out.
        material = self.password_hash if not self.session_epoch else f"{self.password_hash}:{self.session_epoch}"
        fingerprint = hashlib.sha256(material.encode()).hexdigest()[:16]
        return f"{self.id}:{fingerprint}"

    def set_password(self, password: str, method: str = DEFAULT_PASSWORD_HASH) -> None:
        """Store a salted hash of ``password`` made with Werkzeug's ``method``.

        Writes for the app pass :func:`planner.auth.operations.password_hash_method`
        (its ``PASSWORD_HASH_METHOD``); the model does not read the app's configuration.
        """
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # What Flask-Login asks of a user object (is_active, is_authenticated, is_anonymous, get_id),
    # written out here so that the models do not import the web layer's login library.
    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_authenticated(self) -> bool:
        # As Flask-Login's UserMixin has it: a disabled account counts as signed out.
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def has_second_factor(self) -> bool:
        """Whether the account has confirmed a second factor (sign-in then asks for a code)."""
        return self.second_factor_since is not None and self.totp_secret is not None

    def can_edit(self) -> bool:
        return self.role in (UserRole.ADMIN, UserRole.PLANNER)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(Base):
    """One sign-in of one browser: the server's half of a session cookie, so that it can be ended.

    The signed session cookie (and the "stay signed in" cookie) carry a random
    key; this row holds only its SHA-256 digest, so a copy of the database
    cannot be turned into a working cookie. A request whose key has no row, or
    a revoked one, is anonymous: signing out, changing the password, a reset
    by an admin and disabling the account end sessions here, wherever the
    cookie has been copied to.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Refreshed at most every few minutes (planner.auth.sessions): an idle session expires on the server too.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}{' revoked' if self.revoked_at else ''}>"


class RecoveryCode(Base):
    """One of the one-time codes that stand in for a lost authenticator (shown once at enrolment).

    Only the SHA-256 digest is stored (the codes are random, about 74 bits, so
    a plain digest is as good as a password hash here and can be looked up);
    a used code keeps its row with ``used_at``, so it can never count again.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} of user {self.user_id}{' used' if self.used_at else ''}>"
