"""Backups: `import-data` restores an `export-data` file into an empty database.

export -> import -> export gives the same tables (secrets were never in the
file; active feed tokens come back revoked), and a bad file is refused with a
clear message while the database stays exactly as it was.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from click.testing import Result
from flask import Flask

from planner.auth.operations import password_hash_method
from planner.backup.export import FORMAT_VERSION, export_database
from planner.backup.importer import import_data_command, parse_document, restore_database
from planner.calendar.queries import feed_state
from planner.extensions import db
from planner.models import (
    Appointment,
    ChangeRecord,
    City,
    Country,
    Delegation,
    FeedToken,
    FollowUp,
    Gift,
    Journey,
    Leg,
    Member,
    User,
    UserRole,
)
from planner.timezones import utc_now
from tests.conftest import PASSWORD, DatabaseFactory, make_app

MIGRATIONS = Path(__file__).parents[1] / "migrations"
NEXT_YEAR = datetime.now(UTC).year + 1  # the last founding year an organization may have


def migrated_app(databases: DatabaseFactory, instance: Path, revision: str = "head") -> Flask:
    app = make_app(databases.new(), instance)
    with app.app_context():
        flask_migrate.upgrade(revision=revision)
    return app


def revisions() -> list[str]:
    """Alembic revisions, oldest first."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return [r.revision for r in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]


def import_file(app: Flask, path: str, stdin: bytes | None = None) -> Result:
    # The command object itself: works whether or not planner/cli.py registers it yet.
    return app.test_cli_runner().invoke(import_data_command, args=[path], input=stdin)


def tables_of(app: Flask) -> dict[str, list[dict[str, Any]]]:
    with app.app_context():
        return export_database(db.session)["tables"]


def _populate(source: Flask) -> dict[str, str]:
    """Beyond the seed: an account, feeds, the trash, an edit, a change by a user."""
    with source.app_context():
        user = User(email="planerin@example.org", role=UserRole.PLANNER, last_login_at=utc_now())
        user.set_password(PASSWORD, password_hash_method())
        db.session.add(user)
        delegation = db.session.scalars(sa.select(Delegation)).one()
        member = delegation.members[0]
        active = FeedToken.issue(delegation, member, created_by=user, locale="en")
        revoked = FeedToken.issue(delegation, revoked_at=utc_now() - timedelta(days=2))
        db.session.add_all([active, revoked])
        appointments = delegation.appointments
        appointments[0].deleted_at = utc_now()  # into the trash
        # One of every other kind too: a restored backup keeps the trash, with the links of what is in it.
        delegation.legs[-1].deleted_at = utc_now()
        delegation.journeys[-1].deleted_at = utc_now()
        delegation.members[-1].deleted_at = utc_now()
        delegation.follow_ups[-1].deleted_at = utc_now()
        appointments[1].start_at += timedelta(minutes=30)  # revision, version and an update record
        appointments[1].end_at += timedelta(minutes=30)
        appointments[1].attendees = delegation.members[:2]
        gift = db.session.scalars(sa.select(Gift)).one()  # the seed's anniversary gift, with decimals to keep exact
        gift.value_amount, gift.currency, gift.value_eur = Decimal("200.00"), "CNY", Decimal("25.50")
        db.session.flush()
        db.session.add(
            ChangeRecord(
                user_id=user.id,
                user_email=user.email,
                delegation_id=delegation.id,
                entity="appointments",
                entity_id=appointments[1].id,
                action="update",
                label=appointments[1].title,
                changes={"notes": [None, "Dolmetscher bestätigt"]},
            )
        )
        db.session.commit()
        return {"active": active.token, "revoked": revoked.token}


@pytest.fixture(scope="module")
def source(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, dict[str, str]]:
    app = migrated_app(databases, tmp_path_factory.mktemp("source"))
    seeded = app.test_cli_runner().invoke(args=["seed"])
    assert seeded.exit_code == 0, seeded.output
    return app, _populate(app)


@pytest.fixture(scope="module")
def backup(source: tuple[Flask, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backup") / "backup.json"
    result = source[0].test_cli_runner().invoke(args=["export-data", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def document(backup: Path) -> dict[str, Any]:
    return json.loads(backup.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def empty_target(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One empty, migrated database shared by the refusal cases (each must leave it empty)."""
    return migrated_app(databases, tmp_path_factory.mktemp("empty-target"))


def test_the_backup_covers_what_a_restore_must_prove(document: dict[str, Any]) -> None:
    tables = document["tables"]
    assert document["schema_revision"] == revisions()[-1]
    assert tables["users"] and tables["journeys"] and tables["journey_travellers"] and tables["follow_ups"]
    assert tables["appointment_attendees"] and tables["change_records"] and tables["partnerships"]
    for kind in ("appointments", "legs", "journeys", "members", "follow_ups"):
        assert any(row["deleted_at"] for row in tables[kind]), kind
    assert any(row["revision"] > 0 and row["version"] > 1 for row in tables["appointments"])
    assert any(row["user_id"] is not None for row in tables["change_records"])
    assert [row["revoked_at"] is None for row in tables["feed_tokens"]] == [True, False]
    assert (tables["gifts"][0]["value_amount"], tables["gifts"][0]["value_eur"]) == ("200.00", "25.50")


def test_export_import_export_is_identical(
    source: tuple[Flask, dict[str, str]], backup: Path, document: dict[str, Any], databases: DatabaseFactory, tmp_path: Path
) -> None:
    target = migrated_app(databases, tmp_path / "instance")
    result = import_file(target, str(backup))
    assert result.exit_code == 0, result.output
    assert f"Restored {backup}" in result.output
    assert "Passwords are not part of a backup" in result.output and "flask --app planner users set-password" in result.output
    assert "1 restored feed link(s) were revoked" in result.output

    again_path = tmp_path / "again.json"
    exported = target.test_cli_runner().invoke(args=["export-data", "-o", str(again_path)])
    assert exported.exit_code == 0, exported.output
    again = json.loads(again_path.read_text(encoding="utf-8"))
    assert again["schema_revision"] == document["schema_revision"]

    # Identical, except that every feed token is revoked now (those revoked before keep their time).
    before, after = copy.deepcopy(document["tables"]), again["tables"]
    for old, new in zip(before["feed_tokens"], after["feed_tokens"], strict=True):
        assert new["revoked_at"] is not None
        if old["revoked_at"] is not None:
            assert new["revoked_at"] == old["revoked_at"]
        old["revoked_at"] = new["revoked_at"]
    assert after == before

    with target.app_context():
        # Nobody signs in with an old password, and no old feed link works.
        users = db.session.scalars(sa.select(User)).all()
        assert users and not any(user.check_password(PASSWORD) for user in users)
        assert all(user.password_hash.startswith("!") for user in users)
        assert feed_state(source[1]["active"]) is None and feed_state(source[1]["revoked"]) is None
        # The restore itself wrote no history: the counts match the file.
        records = db.session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord))
        assert records == len(document["tables"]["change_records"])

        # New rows get fresh ids (PostgreSQL: the sequences were moved past the restored ids).
        country = db.session.scalars(sa.select(Country)).first()
        city = City(name="Neustadt", timezone="Europe/Berlin", country=country)
        db.session.add(city)
        db.session.commit()
        assert city.id == max(row["id"] for row in document["tables"]["cities"]) + 1
        newest = db.session.scalars(sa.select(ChangeRecord).order_by(ChangeRecord.id.desc())).first()
        assert newest.entity == "cities" and newest.id > max(r["id"] for r in document["tables"]["change_records"])
        for model in (Appointment, Leg, Journey, Member, FollowUp):
            trashed = db.session.scalars(
                sa.select(model).where(model.deleted_at.is_not(None)).execution_options(include_trashed=True)
            ).all()
            assert len(trashed) == 1, model
            # Still in the trash after the restore: hidden from ordinary queries.
            assert db.session.scalar(sa.select(model).where(model.id == trashed[0].id)) is None


def test_import_from_stdin(backup: Path, document: dict[str, Any], databases: DatabaseFactory, tmp_path: Path) -> None:
    target = migrated_app(databases, tmp_path / "instance")
    result = import_file(target, "-", stdin=backup.read_bytes())
    assert result.exit_code == 0, result.output
    assert "Restored stdin" in result.output
    assert len(tables_of(target)["appointments"]) == len(document["tables"]["appointments"])


def test_account_addresses_are_restored_in_lower_case(
    document: dict[str, Any], databases: DatabaseFactory, tmp_path: Path
) -> None:
    # Accounts are found by the lower-case address; one restored as typed could neither sign in nor get a password.
    changed = copy.deepcopy(document)
    changed["tables"]["users"][0]["email"] = "PlanerIn@Example.ORG"
    path = tmp_path / "mixed-case.json"
    path.write_text(json.dumps(changed), encoding="utf-8")
    target = migrated_app(databases, tmp_path / "instance")
    result = import_file(target, str(path))
    assert result.exit_code == 0, result.output
    assert [row["email"] for row in tables_of(target)["users"]] == ["planerin@example.org"]
    reset = target.test_cli_runner().invoke(args=["users", "set-password", "PlanerIn@Example.ORG"], input=PASSWORD + "\n")
    assert reset.exit_code == 0, reset.output
    with target.app_context():
        from planner.auth.operations import authenticate

        assert authenticate("planerin@example.org", PASSWORD) is not None


# -- refusals -------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], Any]


def edit(change: Mutation) -> Callable[[dict[str, Any]], bytes]:
    """A bad file made from the good document by ``change`` (which edits it in place)."""

    def build(document: dict[str, Any]) -> bytes:
        changed = copy.deepcopy(document)
        change(changed)
        return json.dumps(changed).encode("utf-8")

    return build


def raw(data: bytes | Callable[[bytes], bytes]) -> Callable[[dict[str, Any]], bytes]:
    def build(document: dict[str, Any]) -> bytes:
        text = json.dumps(document, indent=2).encode("utf-8")
        return data(text) if callable(data) else data

    return build


def row(table: str, index: int = 0) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda document: document["tables"][table][index]


def set_value(table: str, column: str, value: Any) -> Callable[[dict[str, Any]], bytes]:
    return edit(lambda d: row(table)(d).__setitem__(column, value))


def duplicate(table: str, **overrides: Any) -> Callable[[dict[str, Any]], bytes]:
    def change(document: dict[str, Any]) -> None:
        document["tables"][table].append({**row(table)(document), **overrides})

    return edit(change)


def swap_times(document: dict[str, Any]) -> None:
    appointment = row("appointments", -1)(document)
    appointment["start_at"], appointment["end_at"] = appointment["end_at"], appointment["start_at"]


def two_problems(document: dict[str, Any]) -> None:
    row("appointments")(document)["kind"] = "spaceship"
    row("legs")(document)["arrive_at"] = "soon"


BAD_FILES = [
    ("malformed-json", raw(b'{"format": "delegation-planner-export",, "tables": {}}'), "not valid JSON"),
    ("truncated", raw(lambda text: text[: len(text) // 2]), "may be truncated"),
    ("binary", raw(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8"), "not a text (UTF-8) file"),
    ("empty", raw(b""), "the file is empty"),
    ("blank", raw(b"  \n\n"), "the file is empty"),
    ("json-array", raw(b"[1, 2, 3]"), "holds an array"),
    ("wrong-format", edit(lambda d: d.__setitem__("format", "ical-export")), 'its format is "ical-export"'),
    (
        "newer-format",
        edit(lambda d: d.__setitem__("format_version", FORMAT_VERSION + 1)),
        "written by a newer version of the planner",
    ),
    ("missing-encrypted-part", edit(lambda d: d.pop("encrypted")), "lacks the key(s) 'encrypted'"),
    (
        "encrypted-part-not-object",
        edit(lambda d: d.__setitem__("encrypted", {"travel_profiles": []})),
        '"encrypted" must be an object with "note" and "tables"',
    ),
    (
        "encrypted-table-in-plain-part",
        edit(lambda d: d["tables"].__setitem__("travel_profiles", d["encrypted"]["tables"].pop("travel_profiles"))),
        "table 'travel_profiles' belongs in the other part of the backup",
    ),
    ("format-version-text", edit(lambda d: d.__setitem__("format_version", "1")), "invalid format_version"),
    ("missing-tables", edit(lambda d: d.pop("tables")), "lacks the key(s) 'tables'"),
    ("tables-not-object", edit(lambda d: d.__setitem__("tables", [])), '"tables" must be an object'),
    ("unknown-table", edit(lambda d: d["tables"].__setitem__("luggage", [])), "unknown table 'luggage'"),
    ("transient-table", edit(lambda d: d["tables"].__setitem__("pending_imports", [])), "not part of a backup"),
    ("missing-table", edit(lambda d: d["tables"].pop("legs")), "table 'legs' is missing"),
    ("row-not-object", edit(lambda d: d["tables"]["legs"].append([1, 2])), "legs row 3 is not an object"),
    ("unknown-column", set_value("appointments", "shoe_size", 42), "unknown column 'shoe_size'"),
    ("missing-column", edit(lambda d: row("appointments")(d).pop("uid")), "lacks column 'uid'"),
    ("naive-datetime", set_value("appointments", "start_at", "2024-10-14T05:00:00"), "has no UTC offset"),
    ("not-a-datetime", set_value("users", "created_at", "yesterday"), "users row 1 (id 1), created_at: expected an instant"),
    ("invalid-enum", set_value("appointments", "kind", "spaceship"), '"spaceship" is not one of company_visit'),
    ("text-for-int", set_value("appointments", "revision", "3"), 'revision: expected an integer, got "3"'),
    ("bool-for-int", set_value("members", "sort_order", True), "expected an integer, got true"),
    ("text-for-bool", set_value("users", "active", "yes"), 'expected true or false, got "yes"'),
    ("text-for-float", set_value("cities", "latitude", "37.5N"), "expected a number"),
    ("bad-date", set_value("delegations", "start_date", "13.10.2024"), 'expected a date such as "2024-10-13"'),
    ("unknown-zone", set_value("appointments", "timezone", "Asia/Atlantis"), 'unknown time zone "Asia/Atlantis"'),
    ("null-required", set_value("appointments", "title", None), "title: must not be null"),
    ("too-long", set_value("appointments", "title", "x" * 201), "at most 200 fit"),
    ("secret-present", set_value("users", "password_hash", "scrypt:32768:8:1$salt$hash"), "must be null (secrets"),
    (
        "duplicate-primary-key",
        duplicate("appointments", uid="another-uid"),
        "(id 1): duplicate primary key (id=1), already used by row 1",
    ),
    ("duplicate-unique", duplicate("users", id=999), 'duplicate unique (email="planerin@example.org")'),
    (
        "missing-foreign-row",
        set_value("appointments", "delegation_id", 999),
        "appointments row 1 (id 1), delegation_id: refers to delegations id=999, which is not in the file",
    ),
    ("check-constraint", edit(swap_times), "the database refused table appointments"),  # fails mid-insert: rollback
    ("other-schema", edit(lambda d: d.__setitem__("schema_revision", "0123456789ab")), "from another schema version"),
    ("older-schema", edit(lambda d: d.__setitem__("schema_revision", revisions()[0])), "from an older schema revision"),
    ("no-schema", edit(lambda d: d.__setitem__("schema_revision", None)), "does not say which schema revision"),
    ("several-problems", edit(two_problems), "the file has 2 problems"),
    # What the forms refuse, a restore refuses too: pages, brief and calendars could not show it.
    (
        "year-9999",
        set_value("appointments", "end_at", "9999-12-31T23:00:00Z"),
        "end_at: 9999-12-31 is outside the years 1900 to 2200",
    ),
    ("year-1", set_value("appointments", "start_at", "0001-01-01T03:00:00Z"), "start_at: 0001-01-01 is outside the years"),
    ("date-year-9999", set_value("delegations", "end_date", "9999-01-01"), "end_date: 9999-01-01 is outside the years"),
    (
        "line-break-in-title",
        set_value("appointments", "title", "Empfang\r\nim Rathaus"),
        'title: "Empfang\\r\\nim Rathaus" has a line break',
    ),
    ("line-break-in-name", set_value("people", "name", "Dr.\nKeller"), "has a line break or tab, but this field holds one line"),
    ("zone-localtime", set_value("appointments", "timezone", "localtime"), 'unknown time zone "localtime"'),
    ("zone-posixrules", set_value("cities", "timezone", "posixrules"), 'unknown time zone "posixrules"'),
    ("zone-factory", set_value("journeys", "arrival_timezone", "Factory"), 'unknown time zone "Factory"'),
    ("zone-right", set_value("appointments", "timezone", "right/Europe/Berlin"), 'unknown time zone "right/Europe/Berlin"'),
    ("zone-backward-link", set_value("appointments", "timezone", "US/Eastern"), 'unknown time zone "US/Eastern"'),
    ("latitude-beyond-pole", set_value("cities", "latitude", 91.5), "latitude: 91.5 is out of range"),
    (
        "founded-after-next-year",
        set_value("organizations", "founded_year", NEXT_YEAR + 1),
        f"founded_year: {NEXT_YEAR + 1} is out of range (the forms take 1000 to {NEXT_YEAR})",
    ),
    (
        "number-of-5001-digits",
        raw(lambda text: text.replace(b'"format_version": 2', b'"format_version": ' + b"9" * 5001)),
        "holds a number that cannot be read",
    ),
]


@pytest.mark.parametrize(("build", "message"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_bad_files_are_refused_and_change_nothing(
    empty_target: Flask, document: dict[str, Any], tmp_path: Path, build: Callable[[dict[str, Any]], bytes], message: str
) -> None:
    before = tables_of(empty_target)
    assert not any(before.values())
    path = tmp_path / "bad.json"
    path.write_bytes(build(document))
    result = import_file(empty_target, str(path))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # a message, not a crash
    assert "Backup not restored, nothing changed:" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert tables_of(empty_target) == before


def test_the_database_refuses_a_dangling_reference_too(
    empty_target: Flask, document: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the importer's own key checks the database's foreign keys (ON in
    # SQLite too) still refuse, and the rows inserted before are rolled back.
    import planner.backup.importer as importer

    monkeypatch.setattr(importer, "_check_keys", lambda rows, problems: None)
    path = tmp_path / "dangling.json"
    path.write_bytes(set_value("follow_ups", "appointment_id", 999)(document))
    result = import_file(empty_target, str(path))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "the database refused table follow_ups" in result.output
    assert not any(tables_of(empty_target).values())


def test_a_database_with_data_is_refused(source: tuple[Flask, dict[str, str]], backup: Path) -> None:
    before = tables_of(source[0])
    result = import_file(source[0], str(backup))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "the database is not empty" in result.output and "appointments" in result.output
    assert tables_of(source[0]) == before


def test_a_database_behind_the_planner_is_refused(backup: Path, databases: DatabaseFactory, tmp_path: Path) -> None:
    behind = migrated_app(databases, tmp_path / "behind", revision=revisions()[-2])
    result = import_file(behind, str(backup))
    assert result.exit_code == 1 and "migrate first with `flask --app planner db upgrade`" in result.output
    assert "Traceback" not in result.output

    bare = make_app(databases.new(), tmp_path / "bare")  # no tables at all
    result = import_file(bare, str(backup))
    assert result.exit_code == 1 and "has no schema revision" in result.output
    with bare.app_context(), db.engine.connect() as connection:
        assert sa.inspect(connection).get_table_names() == []


def test_a_missing_file(empty_target: Flask) -> None:
    result = import_file(empty_target, "/nonexistent/backup.json")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_restoring_leaves_the_commit_to_the_command(backup: Path, empty_target: Flask) -> None:
    # Operations write in the caller's transaction; import-data commits (the tests above), a caller that does not keeps nothing.
    with empty_target.app_context():
        summary = restore_database(db.session(), parse_document(backup.read_bytes()))
        assert summary.counts["appointments"] > 0
        db.session.rollback()
    assert not any(tables_of(empty_target).values())
