"""The command-line interface: seed, users, export-data."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner

from planner import create_app
from planner.extensions import db
from planner.models import Appointment, User, UserRole
from planner.timezones import to_utc
from tests.conftest import BACKEND, DatabaseFactory

ROOT = Path(__file__).parents[1]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_twice(runner: FlaskCliRunner, app_ctx) -> None:
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "created" in first.output and "16 appointments" in first.output
    total = count(Appointment)
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    assert count(Appointment) == total


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is = not [ toml", "Seed file not loaded"),
        (b"\x00\xff\xfe binary", "Seed file not loaded"),
        (b"[meta]\nkey='x'\n[[countries]]\niso_code='DE'\n", "required key 'name' is missing"),
        (
            b"[meta]\nkey='x'\n[[countries]]\niso_code='DE'\nname='D'\n[[cities]]\nkey='d'\nname='D'\ncountry='DE'\ntimezone='Europe/Duesseldorf'\n",
            "unknown time zone",
        ),
        (
            b"[meta]\nkey='x'\n[[organizations]]\nkey='o'\nname='O'\nkind='spaceship'\n",
            "'spaceship' is not a valid OrganizationKind",
        ),
        (
            b"[meta]\nkey='x'\n[delegation]\ntitle='t'\nhome_city='nowhere'\nstart_date=2024-10-13\nend_date=2024-10-20\n",
            "unknown city",
        ),
    ],
)
def test_seed_refuses_bad_files(runner: FlaskCliRunner, app_ctx, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    result = runner.invoke(args=["seed", "--file", str(path)])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert count(Appointment) == 0


def test_seed_missing_file(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed", "--file", "/nonexistent/trip.toml"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_create_user_reads_password_from_stdin(runner: FlaskCliRunner, app_ctx) -> None:
    result = runner.invoke(args=["users", "create", "Planerin@Example.org", "--role", "planner"], input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User)).one()
    assert user.email == "planerin@example.org"
    assert user.role == UserRole.PLANNER
    assert user.check_password("a long enough secret")
    assert "a long enough secret" not in user.password_hash


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["not-an-address"], "a long enough secret", "Ungültige E-Mail-Adresse"),
        (["a@example.org"], "short", "mindestens 12 Zeichen"),
        (["a@example.org"], "", "mindestens 12 Zeichen"),
        (["a@example.org", "--role", "superuser"], "a long enough secret", "Invalid value for '--role'"),
    ],
)
def test_create_user_refuses_bad_input(runner: FlaskCliRunner, app_ctx, args: list[str], password: str, message: str) -> None:
    result = runner.invoke(args=["users", "create", *args], input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert count(User) == 0


def test_create_user_refuses_duplicates(runner: FlaskCliRunner, app_ctx) -> None:
    assert runner.invoke(args=["users", "create", "a@example.org"], input="a long enough secret\n").exit_code == 0
    again = runner.invoke(args=["users", "create", "A@EXAMPLE.ORG"], input="another long secret\n")
    assert again.exit_code == 1
    assert "gibt es bereits" in again.output
    assert count(User) == 1
    listing = runner.invoke(args=["users", "list"])
    assert "a@example.org\tviewer\tactive" in listing.output


def test_bootstrap_admin_only_once(runner: FlaskCliRunner, app_ctx) -> None:
    first = runner.invoke(args=["users", "bootstrap-admin"])
    assert first.exit_code == 0
    password = next(line.split(":", 1)[1].strip() for line in first.output.splitlines() if "Password:" in line)
    admin = db.session.scalars(sa.select(User)).one()
    assert admin.role == UserRole.ADMIN and admin.check_password(password)
    assert len(password) >= 16
    second = runner.invoke(args=["users", "bootstrap-admin"])
    assert "Password" not in second.output
    assert count(User) == 1


def test_export_data_is_the_whole_database(runner: FlaskCliRunner, app_ctx, tmp_path: Path) -> None:
    runner.invoke(args=["seed"])
    runner.invoke(args=["users", "create", "a@example.org"], input="a long enough secret\n")
    target = tmp_path / "backup.json"
    result = runner.invoke(args=["export-data", "-o", str(target)])
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text(encoding="utf-8"))
    # Personal travel data is in the file's encrypted part, as tokens (tests/care/test_at_rest.py); the rest in tables.
    tables = {**document["tables"], **document["encrypted"]["tables"]}
    assert set(document["encrypted"]["tables"]) == {"travel_profiles"}
    # Uploads awaiting confirmation, who is signed in where, the mail handed out and recovery codes (useless
    # without the second-factor secret, which is not written either) are not the planner's data.
    transient = {"pending_imports", "user_sessions", "outgoing_messages", "recovery_codes", "api_tokens"}
    assert set(tables) == set(db.metadata.tables) - transient
    for name, table in db.metadata.tables.items():
        if name in transient:
            continue
        assert len(tables[name]) == db.session.scalar(sa.select(sa.func.count()).select_from(table)), name
    # Secrets stay out of backups.
    assert all(row["password_hash"] is None for row in tables["users"])
    # Neither the hash nor its method name (the suite's cheap one or production's scrypt) is in the file.
    stored = db.session.scalar(sa.select(User.password_hash).where(User.email == "a@example.org"))
    method, salt, digest = stored.split("$")
    backup_text = target.read_text(encoding="utf-8")
    assert all(part not in backup_text for part in (method, salt, digest, "scrypt"))
    # Every appointment: aware UTC instants, its zone, UID and revision, matching the database.
    for row in tables["appointments"]:
        appointment = db.session.get(Appointment, row["id"])
        assert row["start_at"].endswith("Z") and row["end_at"].endswith("Z")
        assert datetime.fromisoformat(row["start_at"]) == appointment.start_at
        assert row["timezone"] == appointment.timezone and row["uid"] == appointment.uid
        assert row["revision"] == appointment.revision
    aimmo = next(r for r in tables["appointments"] if "AIMMO" in r["title"])
    assert aimmo["timezone"] == "Asia/Seoul"


def test_export_to_stdout_and_to_an_unwritable_place(runner: FlaskCliRunner, app_ctx, tmp_path: Path) -> None:
    result = runner.invoke(args=["export-data"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["format"] == "delegation-planner-export"
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    failed = runner.invoke(args=["export-data", "-o", str(tmp_path / "missing-dir" / "x.json")])
    assert failed.exit_code != 0 and "Traceback" not in failed.output


@pytest.mark.skipif(sys.platform != "linux", reason="uses the venv's flask script")
def test_real_flask_command_end_to_end(databases: DatabaseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands `make run` uses, as a user runs them: migrate, seed, bootstrap, export.

    The first, ``db upgrade``, is a real start of ``flask --app planner`` in a process of its own,
    configured only by the environment. The others run the same commands on the app the same
    factory makes from the same environment (what ``flask --app planner`` calls), in this process:
    each further start of a Python process with the planner's imports cost seconds and checked
    nothing the first start does not (test_logs.py starts `make run` itself, test_serving.py `make serve`).
    """
    env = dict(os.environ, DATABASE_URL=databases.new(), PLANNER_INSTANCE_PATH=str(tmp_path / "instance"))
    env.pop("SECRET_KEY", None)
    flask = [sys.executable, "-m", "flask", "--app", "planner"]
    done = subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr

    for name in ("DATABASE_URL", "PLANNER_INSTANCE_PATH"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.delenv("SECRET_KEY", raising=False)
    application = create_app()
    runner = application.test_cli_runner()

    def run(*args: str) -> Result:
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result

    try:
        assert "created" in run("seed").stdout
        assert "Password:" in run("users", "bootstrap-admin").stdout
        run("export-data", "-o", str(tmp_path / "export.json"))
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    document = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    assert document["schema_revision"]
    legs = document["tables"]["legs"]
    cities = {c["id"]: c for c in document["tables"]["cities"]}
    assert [cities[leg["city_id"]]["timezone"] for leg in legs] == ["Asia/Seoul", "Asia/Shanghai"]
    aimmo = next(a for a in document["tables"]["appointments"] if "AIMMO" in a["title"])
    # The seed says 14:00 Seoul time on Monday 14 October 2024.
    assert aimmo["start_at"] == to_utc(datetime(2024, 10, 14, 14, 0), "Asia/Seoul").isoformat().replace("+00:00", "Z")
    secret = tmp_path / "instance" / "secret_key"
    assert secret.exists() and stat.S_IMODE(secret.stat().st_mode) == 0o600
    if BACKEND == "sqlite":
        assert not (tmp_path / "instance" / "planner.sqlite3").exists(), "DATABASE_URL must win over the default"


def test_set_password(runner: FlaskCliRunner, app_ctx) -> None:
    runner.invoke(args=["users", "create", "a@example.org"], input="a long enough secret\n")
    assert runner.invoke(args=["users", "set-password", "A@example.org"], input="short\n").exit_code == 1
    result = runner.invoke(args=["users", "set-password", "a@example.org"], input="another long secret\n")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalars(sa.select(User)).one()
    assert user.check_password("another long secret") and not user.check_password("a long enough secret")
    missing = runner.invoke(args=["users", "set-password", "nobody@example.org"], input="another long secret\n")
    assert missing.exit_code == 1 and "no account" in missing.output


def test_job_worker_refuses_zero_workers(runner: FlaskCliRunner, app: Flask) -> None:
    result = runner.invoke(args=["jobs", "worker", "--workers", "0"])
    assert result.exit_code == 2 and "at least one worker" in result.output
    assert not (Path(app.instance_path) / "jobs.sqlite3").exists()  # refused before the queue was opened
