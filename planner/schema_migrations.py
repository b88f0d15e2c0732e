"""Flask-Migrate (Alembic) for ``flask db`` and the tests, imported only when a migration runs.

Flask-Migrate imports Alembic (and Mako) as it is imported: about 11 MiB resident in every
process that loads it, and a web worker never migrates (README, "Performance": memory per
worker). So the app gets, in ``app.extensions["migrate"]``, a stand-in with what Flask-Migrate's
functions (``flask_migrate.upgrade()`` ...) and ``migrations/env.py`` read there, which makes
the real ``Migrate`` on first use, and a ``flask db`` group that imports Flask-Migrate's own
group when a ``flask db`` command runs.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import click
from flask import Flask

if TYPE_CHECKING:
    from flask_migrate import Migrate
    from flask_sqlalchemy import SQLAlchemy


class MigrateConfig:
    """What ``Migrate.init_app`` would put into ``app.extensions["migrate"]``; the ``Migrate`` made when first asked for."""

    def __init__(self, db: SQLAlchemy, directory: str) -> None:
        self.db = db
        self.directory = directory
        # What Flask-Migrate passes on to Alembic's configure() (its defaults: types compared by
        # autogenerate, SQLite altered through table copies); migrations/env.py sets both itself.
        self.configure_args = {"compare_type": True, "render_as_batch": True}

    @property
    def metadata(self) -> Any:
        return self.db.metadata

    @cached_property
    def migrate(self) -> Migrate:
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory, compare_type=True, render_as_batch=True)


class MigrationCommands(click.Group):
    """``flask db``: Flask-Migrate's command group, imported when one of its commands runs.

    ``flask --help`` lists it from this stand-in without importing anything; calling it hands
    the arguments to Flask-Migrate's group, which parses and runs them as it always does.
    """

    def __init__(self) -> None:
        super().__init__("db", help="Perform database migrations (Flask-Migrate).")

    @staticmethod
    def _group() -> click.Group:
        from flask_migrate.cli import db

        return db

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        # The context is the real group's, so click invokes the real group with it.
        return self._group().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._group().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._group().get_command(ctx, cmd_name)


def init_app(app: Flask, db: SQLAlchemy, directory: str) -> None:
    """Migrations of ``db`` from the scripts in ``directory``, for ``flask db`` and ``flask_migrate.upgrade()``."""
    app.extensions["migrate"] = MigrateConfig(db, directory)
    app.cli.add_command(MigrationCommands())
