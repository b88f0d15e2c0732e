"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from planner.extensions import db
from tests.conftest import DatabaseFactory, make_app

ROOT = Path(__file__).parents[1]
MIGRATIONS = ROOT / "migrations"


def _diff(connection: sa.Connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def test_upgrade_matches_models_and_downgrade_removes_everything(databases: DatabaseFactory, tmp_path: Path) -> None:
    app = make_app(databases.new(), tmp_path / "instance")
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert _diff(connection) == []
            tables = set(sa.inspect(connection).get_table_names())
        assert set(db.metadata.tables) <= tables

        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}

        # And back up again: a downgrade must leave nothing behind that blocks it.
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert _diff(connection) == []
        db.engine.dispose()


def test_a_model_change_without_migration_is_detected(databases: DatabaseFactory, tmp_path: Path) -> None:
    # Proves the comparison above can fail: drop a column behind Alembic's back.
    app = make_app(databases.new(), tmp_path / "instance")
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE people DROP COLUMN languages"))
        with db.engine.connect() as connection:
            diff = _diff(connection)
        assert any(op[0] == "add_column" and op[3].name == "languages" for op in diff), diff
        db.engine.dispose()


def test_one_linear_history() -> None:
    from alembic.config import Config

    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        source = Path(revision.path).read_text(encoding="utf-8")
        # Migrations are frozen history: they must not import today's models.
        assert "import planner" not in source and "from planner" not in source, revision.path


def test_names_are_split_and_travellers_are_our_side(databases: DatabaseFactory, tmp_path: Path) -> None:
    app = make_app(databases.new(), tmp_path / "instance")
    with app.app_context():
        flask_migrate.upgrade(revision="ae484dbbb11b")
        with db.engine.begin() as connection:
            required = {
                table: {c["name"]: c for c in sa.inspect(connection).get_columns(table) if not c["nullable"]}
                for table in ("countries", "cities", "delegations", "people", "members")
            }

            def insert(table: str, **values: Any) -> int:
                # Every other NOT NULL column gets a plausible value of its type.
                for name, column in required[table].items():
                    if name not in values and name != "id":
                        kind = column["type"].python_type
                        values[name] = {int: 1, str: "x", bool: False}.get(kind, "2024-10-13 00:00:00.000000")
                connection.execute(sa.table(table, *map(sa.column, values)).insert().values(**values))
                return values["id"]

            country = insert("countries", id=1, iso_code="DE", name="Germany")
            city = insert("cities", id=1, name="Düsseldorf", country_id=country, timezone="Europe/Berlin")
            trip = insert("delegations", id=1, title="Reise", home_city_id=city, status="draft")
            keller = insert("people", id=1, name="Stephan Keller", honorific="Dr.")
            insert("people", id=2, name="Hans Peter  von Bergen")
            insert("people", id=3, name="Madonna")
            insert("people", id=4, name="Dolmetscher/in (Platzhalter)")
            insert("members", id=1, delegation_id=trip, person_id=keller, role="leader", sort_order=0)
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT name, title, given_name, family_name, side, family_name_first FROM people ORDER BY id")
            ).all()
        assert [tuple(row) for row in rows] == [
            ("Stephan Keller", "Dr.", "Stephan", "Keller", "own", False),
            ("Hans Peter  von Bergen", None, "Hans Peter von", "Bergen", "host", False),
            ("Madonna", None, None, "Madonna", "host", False),
            ("Dolmetscher/in (Platzhalter)", None, None, "Dolmetscher/in (Platzhalter)", "host", False),
        ]
        db.engine.dispose()


def test_flask_db_commands_migrate(databases: DatabaseFactory, tmp_path: Path) -> None:
    # `flask db` is a stand-in until called (planner.schema_migrations): the real group parses and runs.
    app = make_app(databases.new(), tmp_path / "instance")
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["--help"])
    assert listed.exit_code == 0 and "db " in listed.output, listed.output
    assert "upgrade" in runner.invoke(args=["db", "--help"]).output
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with app.app_context():
        with db.engine.connect() as connection:
            assert _diff(connection) == []
        db.engine.dispose()
    # Alembic prints to the sys.stdout of its import, which the runner does not capture: the exit code tells.
    assert runner.invoke(args=["db", "current"]).exit_code == 0
    unknown = runner.invoke(args=["db", "no-such-command"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output
