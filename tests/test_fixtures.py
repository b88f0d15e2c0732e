"""The suite's own database fixtures: every test starts on a real database with every table and no rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from planner.extensions import db
from planner.models import UserRole
from tests.conftest import BACKEND, make_user


def _row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(sa.select(sa.func.count()).select_from(table)) for table in db.metadata.sorted_tables
        }


# Twice, so that the second run would see what the first left behind.
@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_with_every_table_and_no_rows(app: Flask, schema_database: str, run: int) -> None:
    with app.app_context():
        assert set(db.metadata.tables) <= set(sa.inspect(db.engine).get_table_names())
        assert set(_row_counts(db.engine).values()) == {0}
        make_user(UserRole.ADMIN)
        assert _row_counts(db.engine)["users"] == 1
    if BACKEND == "sqlite":
        # The test wrote to its own copy; the session's template is still empty.
        template = sa.create_engine(schema_database, poolclass=sa.NullPool)
        assert set(_row_counts(template).values()) == {0}
        template.dispose()
