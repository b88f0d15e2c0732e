"""The delegation planner: a Flask application for official delegation trips.

:func:`create_app` is the application factory, in the style of Flask's
tutorial: ``flask --app planner run`` finds it by name.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from apiflask import APIFlask
from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict

from planner import api, log_redaction
from planner import config as default_config
from planner.db_recovery import RetryLostReads
from planner.text import CONTROL
from planner.urls import BaseUrlLinks

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class PlannerFlask(RetryLostReads, BaseUrlLinks, APIFlask):
    """The planner's Flask: reads retried after a lost connection, record-id URLs, links from ``BASE_URL``.

    An APIFlask, for the JSON API's OpenAPI document (:mod:`planner.api`): only views of
    APIFlask blueprints are in it, and HTML pages keep their own error pages (``json_errors``
    off); the docs page is the planner's own (no CDN), so APIFlask's is switched off.
    """


class PlannerRequest(Request):
    """Requests whose form fields never carry control characters.

    NUL and the other C0 controls (tab and line breaks aside) have no place in
    any text a planner types; PostgreSQL refuses NUL outright, so one stray
    byte would otherwise turn a form into a server error.
    """

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__["form"]
        cleaned = [(key, CONTROL.sub("", value)) for key, value in form.items(multi=True)]
        self.__dict__["form"] = ImmutableMultiDict(cleaned)

    @property
    def args(self) -> ImmutableMultiDict:
        if "_clean_args" not in self.__dict__:
            # werkzeug's own parsing of the query string (its cached_property, called past our override)
            raw = inspect.getattr_static(Request, "args").__get__(self, type(self))
            self.__dict__["_clean_args"] = ImmutableMultiDict(
                [(key, CONTROL.sub("", value)) for key, value in raw.items(multi=True)]
            )
        return self.__dict__["_clean_args"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build and configure the application.

    ``test_config`` overrides every other source of configuration, so tests
    can point the app at their own database and instance folder.
    """
    # First of all: from here on no log record of this process carries a feed token.
    log_redaction.install()
    instance_path = (
        (test_config or {}).get("INSTANCE_PATH") or os.environ.get("PLANNER_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    )
    app = PlannerFlask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        title=api.API_TITLE,
        version=api.API_VERSION,
        spec_path=api.SPEC_PATH,
        docs_path=None,
        json_errors=False,
    )
    app.request_class = PlannerRequest
    app.config.from_object(default_config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(default_config.from_environment())
    if test_config is not None:
        app.config.update(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", default_config.sqlite_url(app.instance_path))
    # A server can drop a pooled connection (restart, idle timeout): test it before use. A SQLite
    # file cannot, and the test would cost every request a round trip for nothing.
    engine_options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    engine_options.setdefault("pool_pre_ping", not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    _create_private_sqlite_file(str(app.config["SQLALCHEMY_DATABASE_URI"]), app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = default_config.load_or_create_secret_key(app.instance_path)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")

    from planner import encryption

    encryption.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)

    from planner import cli, errors, formatting, security, workload
    from planner.auth import ratelimit
    from planner.web import assets, searchable

    # After the blueprints: the limiter wraps the registered sign-in view.
    security.init_app(app)
    ratelimit.init_app(app)

    cli.register(app)
    errors.register(app)
    formatting.register(app)
    assets.init_app(app)
    searchable.init_app(app)
    workload.init_app(app)
    # What PDFs would lack on this machine is said by the processes that render them (the job worker,
    # `flask export-brief`), not here: the check loads WeasyPrint, which web workers never need.
    return app


def _create_private_sqlite_file(uri: str, instance_path: str) -> None:
    """Create a missing SQLite database file readable by its owner only (0600).

    The database holds personal data and password hashes, but SQLite creates
    its file with the process umask, usually 0644 (world-readable). SQLite
    gives its -journal and -wal files the mode of the database file, so
    creating the file ourselves, empty, is enough. An existing file keeps
    the mode its operator chose.
    """
    url = sa.engine.make_url(uri)
    database = url.database
    if not url.drivername.startswith("sqlite") or not database or database == ":memory:" or database.startswith("file:"):
        return
    # Flask-SQLAlchemy resolves a relative SQLite path against the instance folder.
    path = Path(database) if os.path.isabs(database) else Path(instance_path) / database
    # OSError: it exists already; any other problem SQLite reports itself when it opens the file.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _init_extensions(app: Flask) -> None:
    from planner import (
        models,  # noqa: F401  (every table must be known before migrate/create_all)
        schema_migrations,
    )
    from planner.auth import access
    from planner.extensions import babel, csrf, db, login_manager
    from planner.i18n import select_locale

    db.init_app(app)
    schema_migrations.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    access.init_app(app, login_manager)


def _register_blueprints(app: Flask) -> None:
    from planner import care, exports, teams, transport
    from planner.admin.routes import bp as admin_bp
    from planner.auth.routes import bp as auth_bp
    from planner.briefs.routes import bp as briefs_bp
    from planner.calendar.routes import bp as calendar_bp
    from planner.care.link import bp as care_link_bp
    from planner.contacts.routes import bp as contacts_bp
    from planner.delegations.routes import bp as delegations_bp
    from planner.directory.routes import bp as directory_bp
    from planner.entry.routes import bp as entry_bp
    from planner.etiquette.routes import bp as etiquette_bp
    from planner.gifts.routes import bp as gifts_bp
    from planner.health import bp as health_bp
    from planner.hostlang.routes import bp as hostlang_bp
    from planner.i18n import bp as i18n_bp
    from planner.mail.routes import bp as mail_bp
    from planner.personal.routes import bp as personal_bp
    from planner.program.routes import bp as program_bp
    from planner.protocol.routes import bp as protocol_bp
    from planner.releases.routes import bp as releases_bp
    from planner.rooms.routes import bp as rooms_bp
    from planner.search.routes import bp as search_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(briefs_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(care_link_bp)
    app.register_blueprint(contacts_bp)
    app.register_blueprint(delegations_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(entry_bp)
    app.register_blueprint(etiquette_bp)
    app.register_blueprint(gifts_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(hostlang_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(personal_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(program_bp)
    app.register_blueprint(releases_bp)
    app.register_blueprint(rooms_bp)
    app.register_blueprint(protocol_bp)
    app.register_blueprint(search_bp)
    teams.init_app(app)
    care.init_app(app)
    transport.init_app(app)
    exports.init_app(app)
    api.init_app(app)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
