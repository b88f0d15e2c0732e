"""The suite's own database fixtures: every test starts on a real database with every table and no rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from planner import create_app
from planner.extensions import db
from planner.models import Country, Delegation, UserRole
from planner.seed import load_seed
from tests.conftest import (
    BACKEND,
    SESSION_STARTED,
    TEMPLATE_CODE,
    DatabaseFactory,
    KellerSeeder,
    make_app,
    make_city,
    make_user,
)


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
        # Ids start at 1, as on a new database, also after the other run (or any test) numbered rows.
        assert make_user(UserRole.ADMIN).id == 1
        assert _row_counts(db.engine)["users"] == 1
        # A rolled-back insert leaves its table empty but (on PostgreSQL) its sequence moved on:
        # the next test's first country is number 1 all the same.
        country = Country(iso_code="XX", name="Nirgendland")
        db.session.add(country)
        db.session.flush()
        assert country.id == 1
        db.session.rollback()
    if BACKEND == "sqlite":
        # The test wrote to its own copy; the session's template is still empty.
        template = sa.create_engine(schema_database, poolclass=sa.NullPool)
        assert set(_row_counts(template).values()) == {0}
        template.dispose()


def _rows(app: Flask, since: datetime) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table; instants stamped at write time (at or after ``since``) left out, they differ by run."""

    def kept(value: object) -> object:
        if isinstance(value, datetime) and (value if value.tzinfo else value.replace(tzinfo=UTC)) >= since:
            return "written at load time"
        if isinstance(value, str) and value[:4].isdigit():
            try:
                return kept(datetime.fromisoformat(value))
            except ValueError:
                return value
        return value

    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: [tuple(kept(v) for v in row) for row in connection.execute(sa.select(table).order_by(*table.primary_key))]
            for table in db.metadata.sorted_tables
        }


# With an account made first, the change log already has a row when the trip comes in.
@pytest.mark.parametrize("account_first", [False, True], ids=["empty", "account-first"])
def test_seed_keller_leaves_what_loading_the_seed_leaves(
    app: Flask,
    seed_keller: KellerSeeder,
    databases: DatabaseFactory,
    tmp_path: Path,
    account_first: bool,
    outside_teams: None,  # the account made first would join the trip's team in one database only
) -> None:
    loaded = make_app(databases.new(), tmp_path / "loaded")
    with loaded.app_context():
        db.create_all()
        if account_first:
            make_user(UserRole.PLANNER, "admin@example.org")  # no second factor: its secret is random
        load_seed(db.session)
        db.session.commit()
    if account_first:
        with app.app_context():
            make_user(UserRole.PLANNER, "admin@example.org")  # no second factor: its secret is random
    seed_keller(app)
    # The trip's own instants are in 2024; anything from this session on was stamped when it was written.
    copied, fresh = _rows(app, SESSION_STARTED), _rows(loaded, SESSION_STARTED)
    assert sum(map(len, copied.values())) > 100
    if account_first:
        assert len(copied["change_records"]) > len(copied["users"]) == 1
        # The password hash is salted: the one value of the two accounts that differs by design.
        for rows in (copied, fresh):
            rows["users"] = [row[:2] + row[3:] for row in rows["users"]]
    assert copied == fresh


def test_seed_keller_loads_the_seed_into_a_database_that_has_rows_already(app: Flask, seed_keller: KellerSeeder) -> None:
    with app.app_context():
        make_city("Köln")  # a country and a city: the seed finds Germany instead of adding it
        db.session.commit()
    seed_keller(app)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Country).filter_by(iso_code="DE")) == 1
        assert db.session.scalars(sa.select(Delegation.title)).one() == "Delegationsreise nach Seoul und Chongqing"


def test_apps_share_compiled_templates_and_render_what_a_fresh_compile_renders(
    app: Flask, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.test_client().get("/auth/login")  # this process has compiled the sign-in page now
    second = make_app(database_url, tmp_path / "second")
    assert second.jinja_env.bytecode_cache is TEMPLATE_CODE
    compiled: list[str | None] = []
    original = type(second.jinja_env).compile

    def counting(env, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return original(env, source, name, filename, raw, defer_init)

    monkeypatch.setattr(type(second.jinja_env), "compile", counting)
    shared = second.test_client().get("/auth/login")
    assert shared.status_code == 200
    assert "auth/login.html" not in compiled and "base.html" not in compiled, compiled
    # The same page from an app of create_app's own, which compiles every template from source.
    own = create_app({**second.config, "INSTANCE_PATH": str(tmp_path / "own")})
    fresh = own.test_client().get("/auth/login")
    assert "auth/login.html" in compiled and "base.html" in compiled
    assert _without_tokens(shared.get_data(as_text=True)) == _without_tokens(fresh.get_data(as_text=True))


def _without_tokens(page: str) -> str:
    """The page with each request's own values (CSRF token, CSP nonce) blanked out."""
    return re.sub(r'(value|nonce)="[^"]*"', r'\1=""', page)
