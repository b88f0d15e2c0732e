"""A dropped database connection costs no reader the answer, and nobody gunicorn's bare 500 page.

A database server can drop connections at any moment (restart, failover,
``pg_terminate_backend``, an idle timeout in a pooler). ``pool_pre_ping``
(see :func:`planner.create_app`) replaces a connection that died while it
sat in the pool; these are the windows it cannot see:

* **A query in flight fails.** The request ran its first queries on the
  connection and the next one finds it gone. A GET or HEAD only reads, so it
  is run once more from the start on a fresh connection
  (:class:`RetryLostReads`); anything else is answered with the planner's own
  error page, and since its transaction died with the connection, nothing of
  it was saved.
* **The connection dies after the answer was made.** Ending the request rolls
  the session back, which is a round trip; when that fails the answer stands
  and the broken connection is thrown away (:class:`PlannerSQLAlchemy`).
  Before, the exception escaped Flask and gunicorn answered with its own page.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, request
from flask.wrappers import Response
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import scoped_session

log = logging.getLogger(__name__)

# Methods that only read, by the planner's own rule (every write is a POST): safe to run twice.
RETRYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_dropped_connection(error: BaseException) -> bool:
    """Whether ``error`` means the database connection was lost (and SQLAlchemy has discarded it)."""
    return isinstance(error, sa.exc.DBAPIError) and bool(error.connection_invalidated)


def discard_session(session: scoped_session[Any]) -> None:
    """End the current transaction; if the server cannot even be told, throw the connection away.

    Never raises: it runs on the way to an error page or at the end of a request.
    """
    try:
        session.rollback()
    except sa.exc.SQLAlchemyError as error:
        log.warning("Rolling back failed, the database connection is discarded: %s", _first_line(error))
        session().invalidate()  # closes without a round trip to the server


class PlannerSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose end-of-request cleanup survives a connection the server has dropped."""

    def _teardown_session(self, exc: BaseException | None) -> None:
        try:
            self.session.remove()
        except sa.exc.SQLAlchemyError as error:
            # The response is already made; the connection is what broke, so only it is dropped.
            log.warning("Closing the session failed, the database connection is discarded: %s", _first_line(error))
            registry = self.session.registry
            try:
                if registry.has():
                    registry().invalidate()  # closes without a round trip to the server
            finally:
                registry.clear()


class RetryLostReads(Flask):
    """Flask that runs a reading request once more when its database connection was lost midway."""

    def full_dispatch_request(self) -> Response:
        if request.method not in RETRYABLE_METHODS:
            return super().full_dispatch_request()
        try:
            return super().full_dispatch_request()
        except sa.exc.DBAPIError as error:
            if not is_dropped_connection(error):
                raise
            log.warning("Database connection lost during %s %s; running it once more", request.method, request.path)
            from planner.extensions import db

            discard_session(db.session)
            # The user loaded on the lost connection is reloaded on the new one.
            g.pop("_login_user", None)
        # A second failure goes to the error handlers as any other: the planner's 500 page.
        return super().full_dispatch_request()


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
