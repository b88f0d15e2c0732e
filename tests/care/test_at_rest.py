"""Encryption at rest: the database (file or dump), the backup and a key rotation never show a planted value.

Runs on SQLite (the database file's bytes) and on PostgreSQL (``pg_dump`` of
the test database, ``make test-postgres``); the raw columns are read as text
on both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask

from planner import encryption
from planner.extensions import db
from planner.models import TravelProfile
from planner.models.base import is_encrypted
from tests.care.conftest import EXPIRY, MEDICAL, PASSPORT, PHONE, PLANTED, first_member, plant_profile
from tests.conftest import BACKEND, DatabaseFactory, make_app

TOKEN_PREFIX = "gAAAAA"  # every Fernet token: version byte 0x80 and a timestamp, base64


@pytest.fixture
def planted_db(app: Flask, keller_trip: int) -> int:
    """The Keller trip with the planted profile of its first member, written by ``app``: the person's id."""
    with app.app_context():
        _member_id, person_id = first_member(keller_trip)
        plant_profile(person_id)
    return person_id


def raw_tokens(app: Flask) -> list[str]:
    """Every stored value of every encrypted column, as the database holds it (text, not decrypted)."""
    with app.app_context():
        tokens = []
        for table in db.metadata.sorted_tables:
            columns = [sa.type_coerce(c, sa.Text) for c in table.columns if is_encrypted(c)]
            if columns:
                for row in db.session.execute(sa.select(*columns)).all():
                    tokens += [value for value in row if value is not None]
        return tokens


def values_of(app: Flask, person_id: int) -> dict[str, object]:
    with app.app_context():
        profile = db.session.scalars(sa.select(TravelProfile).filter_by(person_id=person_id)).one()
        return {c.name: getattr(profile, c.name) for c in TravelProfile.__table__.columns if is_encrypted(c)}


def test_the_database_holds_only_tokens(app: Flask, planted_db: int, database_url: str, tmp_path: Path) -> None:
    tokens = raw_tokens(app)
    assert len(tokens) == 12 and all(token.startswith(TOKEN_PREFIX) for token in tokens)
    assert not [value for value in PLANTED if any(value in token for token in tokens)]
    with app.app_context():
        db.engine.dispose()  # SQLite: everything written to the file
    if BACKEND == "sqlite":
        path = Path(sa.make_url(database_url).database or "")
        data = b"".join(
            p.read_bytes()
            for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal"))
            if p.exists()
        )
        assert len(data) > 100_000  # the whole Keller trip is in there
        what = "the database file"
    else:
        if shutil.which("pg_dump") is None:
            pytest.skip("pg_dump not installed")
        url = sa.make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        data = subprocess.run(["pg_dump", "--data-only", url], check=True, capture_output=True).stdout
        assert b"COPY public.travel_profiles" in data
        what = "pg_dump"
    assert b"Keller" in data  # the check can see plain text where there is some
    leaked = [value for value in PLANTED if value.encode("utf-8") in data]
    assert not leaked, f"{what} shows {leaked}"
    # And the app with its key reads every value back.
    values = values_of(app, planted_db)
    assert (values["passport_number"], values["medical_notes"], values["mobile_phone"], values["passport_expires_on"]) == (
        PASSPORT,
        MEDICAL,
        PHONE,
        EXPIRY,
    )


# -- key rotation -------------------------------------------------------------------


def _app_with_keys(database_url: str, instance: Path, keys: list[str]) -> Flask:
    return make_app(database_url, instance, PLANNER_DATA_KEYS=",".join(keys))


def _assert_only(new: str, old: str, app: Flask, database_url: str, tmp_path: Path, person_id: int) -> None:
    """After a rotation: the new key alone reads every value, the old key alone reads none."""
    tokens = raw_tokens(app)
    assert tokens and all(Fernet(new.encode()).decrypt(token.encode()) for token in tokens)
    for token in tokens:
        with pytest.raises(InvalidToken):
            Fernet(old.encode()).decrypt(token.encode())
    only_new = _app_with_keys(database_url, tmp_path / "only-new", [new])
    values = values_of(only_new, person_id)
    assert (
        values["passport_number"] == PASSPORT and values["medical_notes"] == MEDICAL and values["passport_expires_on"] == EXPIRY
    )
    only_old = _app_with_keys(database_url, tmp_path / "only-old", [old])
    with pytest.raises(encryption.DataKeyError):
        values_of(only_old, person_id)


def test_rotating_with_a_new_key_in_the_instance_file(app: Flask, planted_db: int, database_url: str, tmp_path: Path) -> None:
    key_file = encryption.key_file(app.instance_path)
    old = key_file.read_text().strip()
    before = raw_tokens(app)
    result = app.test_cli_runner().invoke(args=["care", "rotate-key", "--new-key", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "travel_profiles: re-encrypted 12 value(s) in 1 row(s)." in result.output
    assert "Dropped 1 old key(s)" in result.output
    assert not [value for value in PLANTED if value in result.output] and old not in result.output
    new = key_file.read_text().strip()
    assert new != old and "\n" not in new and (key_file.stat().st_mode & 0o777) == 0o600
    assert set(raw_tokens(app)).isdisjoint(before)
    _assert_only(new, old, app, database_url, tmp_path, planted_db)
    # The app that rotated reads on with the new key.
    assert values_of(app, planted_db)["room_preference"] is not None


def test_rotating_with_the_keys_from_the_environment(app: Flask, planted_db: int, database_url: str, tmp_path: Path) -> None:
    old = encryption.key_file(app.instance_path).read_text().strip()
    new = Fernet.generate_key().decode()
    both = _app_with_keys(database_url, tmp_path / "both", [new, old])
    refused = both.test_cli_runner().invoke(args=["care", "rotate-key", "--new-key"])
    assert refused.exit_code != 0 and "PLANNER_DATA_KEYS" in refused.output
    result = both.test_cli_runner().invoke(args=["care", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "remove the 1 old key(s)" in result.output
    _assert_only(new, old, app, database_url, tmp_path, planted_db)


def test_a_value_no_key_opens_stops_the_rotation_and_changes_nothing(
    app: Flask, planted_db: int, database_url: str, tmp_path: Path
) -> None:
    stranger = Fernet.generate_key().decode()
    before = raw_tokens(app)
    result = _app_with_keys(database_url, tmp_path / "stranger", [stranger]).test_cli_runner().invoke(args=["care", "rotate-key"])
    assert result.exit_code != 0 and "Nothing changed" in result.output
    assert raw_tokens(app) == before


# -- backup -------------------------------------------------------------------------


def _migrated(databases: DatabaseFactory, instance: Path, **config: object) -> Flask:
    target = make_app(databases.new(), instance, **config)
    with target.app_context():
        flask_migrate.upgrade()
    return target


@pytest.fixture
def source(databases: DatabaseFactory, tmp_path: Path) -> tuple[Flask, int]:
    """A migrated database with the Keller trip and the planted profile (its own instance key)."""
    app = _migrated(databases, tmp_path / "source")
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        delegation_id = db.session.scalar(sa.text("SELECT id FROM delegations"))
        _member_id, person_id = first_member(delegation_id)
        plant_profile(person_id)
    return app, person_id


def test_the_backup_holds_tokens_in_a_part_of_their_own_and_restores_with_the_key(
    source: tuple[Flask, int], databases: DatabaseFactory, tmp_path: Path
) -> None:
    app, person_id = source
    path = tmp_path / "backup.json"
    result = app.test_cli_runner().invoke(args=["export-data", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert "encrypted: 1 travel_profiles" in result.output
    text = path.read_text(encoding="utf-8")
    assert not [value for value in PLANTED if value in text]
    document = json.loads(text)
    assert "travel_profiles" not in document["tables"]
    rows = document["encrypted"]["tables"]["travel_profiles"]
    assert len(rows) == 1 and rows[0]["person_id"] == person_id and rows[0]["passport_number"].startswith(TOKEN_PREFIX)
    assert "data keys" in document["encrypted"]["note"]

    # Restored where the keys of the source are configured: every value back, under the target's first key.
    keys = encryption.key_file(app.instance_path).read_text().strip()
    fresh = Fernet.generate_key().decode()
    target = _migrated(databases, tmp_path / "target", PLANNER_DATA_KEYS=f"{fresh},{keys}")
    restored = target.test_cli_runner().invoke(args=["import-data", str(path)])
    assert restored.exit_code == 0, restored.output
    assert values_of(target, person_id) == values_of(app, person_id)
    assert all(Fernet(fresh.encode()).decrypt(token.encode()) for token in raw_tokens(target))

    # Without the source's keys: refused as a whole, no value in the message, the database still empty.
    stranger = _migrated(databases, tmp_path / "stranger", PLANNER_DATA_KEYS=Fernet.generate_key().decode())
    refused = stranger.test_cli_runner().invoke(args=["import-data", str(path)])
    assert refused.exit_code != 0
    assert "none of this planner's data keys opens" in refused.output and "nothing changed" in refused.output
    assert not [value for value in PLANTED if value in refused.output]
    with stranger.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM people")) == 0
