"""Personal API tokens: how a script acts for one account on ``/api/v1`` (:mod:`planner.api`).

A token is shown once, when it is made, and stored only as its SHA-256 digest
(:func:`planner.models.calendar.token_digest`, as for feed tokens and the
travellers' one-time links): a copy of the database opens nothing. It carries
scopes (``read``, ``write``) and an expiry, can be revoked by its owner, and
never reaches further than its owner: the owner's role and per-trip teams are
checked on every request, so a token of a disabled account, or of an account
taken off a trip's team, loses that at once.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime
from planner.models.users import User
from planner.timezones import utc_now


class TokenScope(enum.StrEnum):
    """What a token may do: read the trips its owner sees, or also change them (as far as the owner may)."""

    READ = "read"
    WRITE = "write"


class ApiToken(Base):
    """One personal API token of one account."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The owner's own label ("Intranet-Export"), so they know which token to revoke.
    name: Mapped[str] = mapped_column(sa.String(100))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Space-separated TokenScope values, in a fixed order ("read write").
    scopes: Mapped[str] = mapped_column(sa.String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Refreshed at most every few minutes, so the owner sees whether a token is still in use.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[TokenScope]:
        return frozenset(TokenScope(value) for value in self.scopes.split())

    @property
    def widest_scope(self) -> TokenScope:
        """What the token is called by on the account page: write (which includes read), else read."""
        return TokenScope.WRITE if TokenScope.WRITE in self.scope_set else TokenScope.READ

    def has_scope(self, scope: TokenScope) -> bool:
        return scope in self.scope_set

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def __repr__(self) -> str:  # never the digest
        return f"<ApiToken {self.id} of user {self.user_id}>"
