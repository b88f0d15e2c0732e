"""Fixtures of the JSON API's tests: tokens made through the operation the account page uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from planner.api import tokens
from planner.extensions import db
from planner.models import TokenScope, User
from planner.timezones import utc_now

TokenMaker = Callable[..., str]


@pytest.fixture
def make_token(app: Flask) -> TokenMaker:
    """``make_token(email, scope=READ, days=30)``: a new token of the account ``email``, the secret as shown once."""

    def make(email: str, scope: TokenScope = TokenScope.READ, days: int = 30) -> str:
        with app.app_context():
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            now = utc_now()
            _token, secret = tokens.issue(user, tokens.NewToken("Test", frozenset({scope}), now + timedelta(days=days)), now)
            db.session.commit()
            return secret

    return make


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
