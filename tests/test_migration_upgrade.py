"""Upgrading a database created by an older migration keeps every row.

test_migrations.py proves the migrations build the right *schema*; this module
proves they keep the *data*. For each revision older than head, a fresh
database is migrated to exactly that revision and filled with the Keller trip
(the seed, a planner account, a calendar feed token, a pending .ics import and
the change history the seed produced). The rows come from a scratch database
at head, but they are written with SQLAlchemy Core against the schema
*reflected at the old revision*, never through today's ORM models: the models
describe head, and an old database only has the tables and columns its
revision created. Columns added later are left out, so the values they get
during the upgrade are the migration's own server defaults.

Then every row of every table is snapshotted, the database is upgraded to
head and compared row by row, value by value. Afterwards the upgraded database
must match the models exactly and serve the seeded delegation page to the
planner whose account was created before the upgrade.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from planner.auth.sessions import start_session
from planner.extensions import db
from planner.mail.inputs import Attachment, MessageInput
from planner.mail.operations import queue_message
from planner.models import (
    ApiToken,
    Appointment,
    ContentTranslation,
    Delegation,
    MealNameRelease,
    NightKind,
    NightOverride,
    PersonalDataRead,
    RecoveryCode,
    Release,
    ReleaseState,
    Room,
    RoomType,
    Transfer,
    TranslatedKind,
    TravelDataLink,
    TravelProfile,
    Vehicle,
)
from planner.models.calendar import FeedToken, PendingImport
from planner.seed import load_seed
from tests.conftest import BACKEND, DatabaseFactory, login, make_app, make_user

MIGRATIONS = Path(__file__).parents[1] / "migrations"
SEEDED_TITLE = "Delegationsreise nach Seoul und Chongqing"  # planner/seed/keller-2024.toml


# What every existing row must hold in a column a later migration adds. A new
# migration that adds a column to a table with data has to state here what old
# rows get (the test fails with the column's name until it does), because
# "whatever the database happens to do" is not an answer for real data.
@dataclass(frozen=True)
class _Instant:
    """Equal to the instant ``at`` as read back: naive UTC on SQLite, aware on PostgreSQL."""

    at: datetime

    def __eq__(self, other: object) -> bool:
        return isinstance(other, datetime) and (other if other.tzinfo else other.replace(tzinfo=UTC)) == self.at

    def __ne__(self, other: object) -> bool:
        return not self == other


EXPECTED_IN_ADDED_COLUMNS: dict[str, Any] = {
    "version": 1,  # 9ed8b7bf20ee: server_default='1', NOT NULL; optimistic locking starts at 1
    # 9ed8b7bf20ee (appointments), c5e1a9d7f3b2 (legs, journeys, members, follow-ups):
    # nothing was in the trash before there was a trash
    "deleted_at": None,
    # c5e1a9d7f3b2: unknown for trips cancelled before; taking such a cancellation back gives "planned"
    "status_before_cancel": None,
    # b5d9e1a7c3f2: no account had a second factor before; admins and carers set one up at their next sign-in
    "totp_secret": None,
    "second_factor_since": None,
    "totp_last_step": None,
    "duty_phone": None,  # b9d4e2a7c318: no trip had a duty phone before; the sheet says "not entered yet"
    "archived_at": None,  # 776f765ebc14: nothing was archived before archiving existed
    "press_public": False,  # b7e3f1a9c264: no trip published its press programme before; a planner turns it on
    "claimed_until": None,  # c5e8a2d7f3b1: no job holds a message that was waiting before the upgrade
    "must_change_password": False,  # 3c5e0d7a91b2: existing accounts keep the passwords they chose
    "session_epoch": 0,  # 3c5e0d7a91b2: epoch 0 keeps the old fingerprint, so nobody is signed out
    # a7c3e91d4b20 (cities, members): when they last changed is unknown; the epoch moves no event's LAST-MODIFIED
    "created_at": _Instant(datetime(1970, 1, 1, tzinfo=UTC)),
    "updated_at": _Instant(datetime(1970, 1, 1, tzinfo=UTC)),
    "visibility": "delegation",  # b4d2f8e6a913: everything planned so far was meant for the delegation
    # b4d2f8e6a913: a member's link becomes a member feed, a whole-trip link stays the planning team's
    "audience": lambda row, _tables: "member" if row["member_id"] is not None else "team",
    # e8b4c1f5a297: the planning team's links follow the draft, personal and press links the released version
    "follows": lambda row, _tables: "draft" if row["audience"] == "team" else "released",
    # c5e1a7d3f802 (people): the one name field split at its last space, role placeholders whole;
    # whoever travels with a delegation is our side, everybody else a host
    "given_name": lambda row, _tables: _split_name(row["name"])[0],
    "family_name": lambda row, _tables: _split_name(row["name"])[1],
    "family_name_first": False,
    "side": lambda row, tables: "own" if row["id"] in {m["person_id"] for m in tables["members"].values()} else "host",
    "language": "de",  # d7a2c4e9f1b3 (members): everyone so far was written to in German, the app's default
    # f2c6a8d4b913 (feed_tokens): no fetch was noted before; the first poll after the upgrade notes one
    "last_fetched_at": None,
    # f2c6a8d4b913 (outgoing_messages): messages written before announced no release
    "release_id": None,
    # c7e1f4a9d2b6 (people): no romanisation, English title or function, or salutation was kept before
    "romanized_name": None,
    "title_en": None,
    "salutation": None,
    "salutation_en": None,
    "function_en": None,
    # c4e8a2f6d159 (pending_imports): an upload from before has no stored plan; it lapses at once and its
    # preview asks for the file again
    "state": "ready",
    "plan": None,
    "error": None,
    "counts": None,
    "expires_at": lambda row, _tables: row["created_at"],
}

# Columns a migration renamed: (table, old name) -> new name. Old rows are filled and compared under both names.
RENAMED_COLUMNS: dict[tuple[str, str], str] = {
    ("people", "honorific"): "title",  # c5e1a7d3f802
}


def _split_name(name: str) -> tuple[str | None, str]:
    words = name.split()
    if len(words) == 1 or any(mark in name for mark in "()/"):
        return None, " ".join(words)
    return " ".join(words[:-1]), words[-1]


Rows = dict[str, list[dict[str, Any]]]  # table name -> rows as column -> value
Snapshot = dict[str, dict[tuple, dict[str, Any]]]  # table name -> primary key -> row


def _script() -> ScriptDirectory:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def _older_revisions() -> list[str]:
    """Every revision except head, oldest first (the history is linear, see test_migrations)."""
    script = _script()
    head = script.get_current_head()
    return [rev.revision for rev in reversed(list(script.walk_revisions())) if rev.revision != head]


def _diff(connection: sa.Connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def _reflect(engine: sa.Engine) -> sa.MetaData:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    return metadata


def _data_tables(metadata: sa.MetaData) -> list[sa.Table]:
    # alembic_version is Alembic's bookkeeping and changes on purpose.
    return [table for table in metadata.sorted_tables if table.name != "alembic_version"]


def snapshot(engine: sa.Engine) -> Snapshot:
    """Every row of every table, all columns as Python values, keyed by primary key."""
    metadata = _reflect(engine)
    result: Snapshot = {}
    with engine.connect() as connection:
        for table in _data_tables(metadata):
            key_columns = list(table.primary_key.columns)
            assert key_columns, f"{table.name} has no primary key, rows could not be matched up"
            rows = connection.execute(sa.select(table).order_by(*key_columns)).mappings()
            result[table.name] = {tuple(row[c.name] for c in key_columns): dict(row) for row in rows}
    return result


def compare(before: Snapshot, after: Snapshot) -> list[str]:
    """What the upgrade lost or changed; an empty list means every row survived intact.

    Only columns that existed before are compared: columns the upgrade added
    are checked separately against EXPECTED_IN_ADDED_COLUMNS.
    """
    problems: list[str] = []
    for table, old_rows in before.items():
        if table not in after:
            problems.append(f"{table}: table is gone ({len(old_rows)} rows)")
            continue
        new_rows = after[table]
        if len(new_rows) != len(old_rows):
            problems.append(f"{table}: {len(old_rows)} rows before, {len(new_rows)} after")
        for key in old_rows.keys() - new_rows.keys():
            problems.append(f"{table} {key}: row lost")
        for key in new_rows.keys() - old_rows.keys():
            problems.append(f"{table} {key}: row appeared")
        for key in old_rows.keys() & new_rows.keys():
            for column, old_value in old_rows[key].items():
                column = RENAMED_COLUMNS.get((table, column), column)
                if column not in new_rows[key]:
                    problems.append(f"{table}.{column}: column is gone")
                    break
                if new_rows[key][column] != old_value:
                    problems.append(f"{table} {key}.{column}: {old_value!r} became {new_rows[key][column]!r}")
    return problems


def _expected(rule: Any, row: dict[str, Any], tables: Snapshot) -> Any:
    """A fixed value, or what the row's other columns (or other tables' rows) say it must be."""
    return rule(row, tables) if callable(rule) else rule


def added_column_problems(before: Snapshot, after: Snapshot) -> list[str]:
    problems = []
    for table, old_rows in before.items():
        if not old_rows or table not in after:
            continue
        old_columns = {RENAMED_COLUMNS.get((table, c), c) for c in next(iter(old_rows.values()))}
        for key, row in after[table].items():
            for column in row.keys() - old_columns:
                if column not in EXPECTED_IN_ADDED_COLUMNS:
                    problems.append(f"{table}.{column} is new: say in EXPECTED_IN_ADDED_COLUMNS what old rows hold")
                elif row[column] != (expected := _expected(EXPECTED_IN_ADDED_COLUMNS[column], row, after)):
                    problems.append(f"{table} {key}.{column}: {row[column]!r}, expected {expected!r}")
    return problems


# -- the Keller trip, as plain rows ----------------------------------------


@pytest.fixture(scope="module")
def keller_rows(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Rows, str]]:
    """Rows of a fully used head database (Keller trip and more), and the planner's e-mail.

    Built once per module through the real seed and models at head; the tests
    then copy whatever subset of it the old schema can hold.
    """
    app = make_app(databases.new(), tmp_path_factory.mktemp("keller") / "instance")
    with app.app_context():
        flask_migrate.upgrade()
        planner = make_user()
        email = planner.email
        load_seed(db.session)
        db.session.commit()
        delegation = db.session.scalars(sa.select(Delegation)).one()
        db.session.add(FeedToken.issue(delegation, created_by=planner))
        start_session(planner)  # a signed-in browser: its server-side session row
        db.session.add(FeedToken.issue(delegation, delegation.members[1], created_by=planner))
        db.session.add(
            PendingImport(
                delegation_id=delegation.id,
                user_id=planner.id,
                filename="partner.ics",
                content=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            )
        )
        db.session.add(
            Release(
                delegation_id=delegation.id,
                number=1,
                state=ReleaseState.APPROVED,
                snapshot={"format": 1, "title": delegation.title},
                revision=delegation.revision,
                prepared_by_id=planner.id,
                approved_by_id=planner.id,
                approved_at=datetime(2024, 10, 2, 8, 0, tzinfo=UTC),
                approval_reason="one-person office",
            )
        )
        # A message on its way (no worker runs here: it stays queued), with a calendar attached.
        queue_message(
            MessageInput(
                "kim@example.org",
                "Programm",
                "Guten Tag",
                "release",
                delegation_id=delegation.id,
                member_id=delegation.members[1].id,
                attachment=Attachment("programm.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            )
        )
        db.session.commit()
        # The logistics of a used database: travel data (and who read it), a sent link, a meal whose
        # names were released, a recovery code, a vehicle with a ride, a room and an overridden night.
        member = delegation.members[1]
        appointment = db.session.scalars(sa.select(Appointment).order_by(Appointment.start_at)).first()
        assert appointment is not None and appointment.city_id is not None
        db.session.add(TravelProfile(person_id=member.person_id, passport_number="C01X00T47", passport_type="ordinary"))
        db.session.add(PersonalDataRead(user_id=planner.id, user_email=email, person_id=member.person_id, what="profile"))
        db.session.add(TravelDataLink(member_id=member.id, digest="0" * 64, expires_at=datetime(2024, 10, 20, tzinfo=UTC)))
        db.session.add(MealNameRelease(appointment_id=appointment.id, released_by_id=planner.id))
        db.session.add(RecoveryCode(user_id=planner.id, digest="1" * 64, created_at=datetime(2024, 10, 1, tzinfo=UTC)))
        db.session.add(
            ApiToken(
                user_id=planner.id,
                name="Intranet",
                digest="2" * 64,
                scopes="read",
                created_at=datetime(2024, 10, 1, tzinfo=UTC),
                expires_at=datetime(2025, 10, 1, tzinfo=UTC),
            )
        )
        vehicle = Vehicle(delegation=delegation, day=date(2024, 10, 15), city_id=appointment.city_id, seats=4)
        transfer = Transfer(delegation=delegation, vehicle=vehicle, appointment_id=appointment.id, depart_at=appointment.start_at)
        transfer.riders = [member]
        room = Room(
            delegation=delegation, room_type=RoomType.DOUBLE, first_night=date(2024, 10, 14), last_night=date(2024, 10, 15)
        )
        room.occupants = [member]
        night = NightOverride(delegation=delegation, night=date(2024, 10, 13), kind=NightKind.NO_HOTEL)
        translation = ContentTranslation(
            delegation=delegation,
            subject_kind=TranslatedKind.DELEGATION,
            subject_id=delegation.id,
            field="title",
            language="ko",
            text="시험 번역",
            source_text=delegation.title,
        )
        db.session.add_all([vehicle, transfer, room, night, translation])
        db.session.commit()
        # Rooms and rides are part of the trip's revision: the release above stays the one in force.
        db.session.execute(sa.update(Release).values(revision=delegation.revision))
        db.session.commit()

        metadata = _reflect(db.engine)
        appointments = metadata.tables["appointments"]
        with db.engine.begin() as connection:
            # A database that has been in use: one appointment edited twice,
            # another in the trash. Versions must not be reset to the default.
            first, second = connection.scalars(sa.select(appointments.c.id).order_by(appointments.c.id).limit(2)).all()
            connection.execute(appointments.update().where(appointments.c.id == first).values(version=3))
            trashed_at = datetime(2024, 10, 1, 9, 30, tzinfo=UTC)
            connection.execute(appointments.update().where(appointments.c.id == second).values(deleted_at=trashed_at))
        with db.engine.connect() as connection:
            rows = {
                # In primary-key order, so parents come before children in self-references.
                table.name: [
                    dict(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
                ]
                for table in _data_tables(metadata)
            }
        db.engine.dispose()
    assert all(rows.values()), [name for name, r in rows.items() if not r]  # every table has something to lose
    yield rows, email


def fill(engine: sa.Engine, rows: Rows) -> None:
    """Insert ``rows`` into the tables and columns the database at hand actually has."""
    metadata = _reflect(engine)
    with engine.begin() as connection:
        for table in _data_tables(metadata):
            if table.name not in rows:
                # Cannot happen with today's history (migrations only add); if
                # a table is ever dropped later, this test needs data for it.
                pytest.fail(f"{table.name} exists at this revision but not at head: give it rows explicitly")
            renamed = {old: new for (name, old), new in RENAMED_COLUMNS.items() if name == table.name}
            # A column that has a new name at head is filled from the head rows under its old name.
            source = [{**row, **{old: row[new] for old, new in renamed.items() if new in row}} for row in rows[table.name]]
            missing = [c.name for c in table.columns if c.name not in source[0] and not c.nullable and c.server_default is None]
            if missing:
                pytest.fail(f"{table.name}: NOT NULL columns {missing} exist only at this revision: fill them")
            columns = [c.name for c in table.columns if c.name in source[0]]
            connection.execute(table.insert(), [{c: row[c] for c in columns} for row in source])
            if BACKEND == "postgresql":
                # Rows were inserted with their ids, so move the id sequences on
                # as a database that created these rows itself would have them.
                for column in table.primary_key.columns:
                    connection.execute(
                        sa.text(
                            "SELECT setval(pg_get_serial_sequence(:table, :column), max_id) "
                            f'FROM (SELECT max("{column.name}") AS max_id FROM "{table.name}") AS m '
                            "WHERE pg_get_serial_sequence(:table, :column) IS NOT NULL"
                        ),
                        {"table": table.name, "column": column.name},
                    )


class MigratedTemplates:
    """SQLite: an empty database migrated to each older revision, built once per module (per xdist worker).

    Each test of a revision used to migrate a new database from nothing up to its revision: for
    28 revisions ~400 runs of a migration before the upgrade under test even started. Here the
    database of a revision is the next older one already built, copied and migrated on by the
    revisions in between: the same migrations in the same order, each run once per worker. A
    test gets a copy of the file (which it fills and upgrades to head); the template stays as
    the migrations left it. On PostgreSQL each test migrates its own database as before.
    """

    def __init__(self, databases: DatabaseFactory, folder: Path) -> None:
        self.databases = databases
        self.folder = folder
        self.order = _older_revisions()
        self.built: dict[str, Path] = {}

    def copy_at(self, revision: str) -> str:
        """The URL of a new SQLite database with the schema of ``revision`` and no rows."""
        template = self.built.get(revision) or self._build(revision)
        copy = self.databases.tmp_root / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(template, copy)
        return f"sqlite:///{copy}"

    def _build(self, revision: str) -> Path:
        position = self.order.index(revision)
        below = [self.built[older] for older in self.order[:position] if older in self.built]
        path = self.folder / f"{revision}.sqlite3"
        if below:
            shutil.copyfile(below[-1], path)  # the newest older revision built so far
        app = make_app(f"sqlite:///{path}", self.folder / f"instance-{revision}")
        with app.app_context():
            flask_migrate.upgrade(revision=revision)
            db.engine.dispose()  # nothing of the file left in a connection when tests copy it
        self.built[revision] = path
        return path


@pytest.fixture(scope="module")
def migrated_templates(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> MigratedTemplates | None:
    """The per-revision templates on SQLite; None on PostgreSQL."""
    return MigratedTemplates(databases, tmp_path_factory.mktemp("revisions")) if BACKEND == "sqlite" else None


def _database_at(
    revision: str, databases: DatabaseFactory, tmp_path: Path, rows: Rows, templates: MigratedTemplates | None
) -> Flask:
    """A new database migrated to ``revision`` and filled with ``rows``, and its app."""
    url = databases.new() if templates is None else templates.copy_at(revision)
    app = make_app(url, tmp_path / "instance")
    with app.app_context():
        if templates is None:
            flask_migrate.upgrade(revision=revision)
        fill(db.engine, rows)
    return app


# -- tests -----------------------------------------------------------------


@pytest.mark.parametrize("revision", _older_revisions())
def test_upgrade_from_an_older_revision_keeps_every_row(
    revision: str,
    keller_rows: tuple[Rows, str],
    databases: DatabaseFactory,
    migrated_templates: MigratedTemplates | None,
    tmp_path: Path,
) -> None:
    rows, email = keller_rows
    app = _database_at(revision, databases, tmp_path, rows, migrated_templates)
    with app.app_context():
        before = snapshot(db.engine)
        # The copy really landed: the old database is as full as its schema allows.
        assert before["delegations"] and before["appointments"] and before["users"]
        assert len(before["appointment_attendees"]) == len(rows["appointment_attendees"])

        flask_migrate.upgrade()
        after = snapshot(db.engine)

        assert compare(before, after) == []
        assert added_column_problems(before, after) == []
        for table in after.keys() - before.keys() - {"team_members"}:
            assert after[table] == {}, f"the upgrade invented rows in the new table {table}"
        if "team_members" not in before:
            # Per-trip teams: the upgrade takes nobody's trips away. Every planner and viewer is put on
            # every trip's team (planners with the edit right, viewers without); admins need no place.
            joined = {(r["delegation_id"], r["user_id"], r["may_edit"]) for r in after["team_members"].values()}
            everyone = {
                (trip_key[0], user["id"], user["role"] == "planner")
                for trip_key in after["delegations"]
                for user in after["users"].values()
                if user["role"] in ("planner", "viewer")
            }
            assert joined == everyone and joined

        # Spelled out for the migration this issue is about: the optimistic
        # locking column is NOT NULL and old rows start at version 1 (its
        # server_default), except where the old database already counted.
        delegation = next(iter(after["delegations"].values()))
        if "version" not in next(iter(before["delegations"].values())):
            assert delegation["version"] == 1
            assert {row["version"] for row in after["appointments"].values()} == {1}
        else:
            assert max(row["version"] for row in after["appointments"].values()) == 3
            assert sum(row["deleted_at"] is not None for row in after["appointments"].values()) == 1

        with db.engine.connect() as connection:
            assert _diff(connection) == []
            assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) == _script().get_current_head()

        # The app works on the upgraded data: the planner account from before
        # the upgrade signs in with its old password and sees the seeded trip.
        client = app.test_client()
        login(client, email, teams=False)  # on the trip's team by the upgrade, not by the test
        page = client.get(f"/delegations/{delegation['id']}")
        assert page.status_code == 200
        assert SEEDED_TITLE in page.get_data(as_text=True)
        db.engine.dispose()


def test_the_comparison_catches_a_lost_row_and_a_changed_value(
    keller_rows: tuple[Rows, str], databases: DatabaseFactory, migrated_templates: MigratedTemplates | None, tmp_path: Path
) -> None:
    # Proves the check above can fail: a migration that dropped a row or
    # rewrote a value would be reported, not waved through.
    rows, _email = keller_rows
    app = _database_at(_older_revisions()[0], databases, tmp_path, rows, migrated_templates)
    with app.app_context():
        before = snapshot(db.engine)
        flask_migrate.upgrade()
        assert compare(before, snapshot(db.engine)) == []

        metadata = _reflect(db.engine)
        attendees, appointments = metadata.tables["appointment_attendees"], metadata.tables["appointments"]
        with db.engine.begin() as connection:
            lost = connection.execute(sa.select(attendees).limit(1)).one()
            connection.execute(
                attendees.delete().where(
                    attendees.c.appointment_id == lost.appointment_id, attendees.c.member_id == lost.member_id
                )
            )
            changed = connection.scalar(sa.select(sa.func.min(appointments.c.id)))
            connection.execute(appointments.update().where(appointments.c.id == changed).values(title="Umbenannt"))
            connection.execute(appointments.update().where(appointments.c.id != changed).values(version=2))

        after = snapshot(db.engine)
        problems = compare(before, after)
        assert f"appointment_attendees {(lost.appointment_id, lost.member_id)}: row lost" in problems
        assert any(p.startswith("appointment_attendees: ") and "rows before" in p for p in problems), problems
        title_changed = f"appointments {(changed,)}.title: "
        assert any(p.startswith(title_changed) and "'Umbenannt'" in p for p in problems), problems
        assert len(problems) == 3, problems
        # And a later column the upgrade filled wrongly is caught too.
        assert any(".version: 2, expected 1" in p for p in added_column_problems(before, after))
        db.engine.dispose()


def test_a_migration_that_drops_a_row_fails_the_comparison(
    keller_rows: tuple[Rows, str], databases: DatabaseFactory, migrated_templates: MigratedTemplates | None, tmp_path: Path
) -> None:
    # The same check against a deliberately broken copy of the migrations: the
    # head migration additionally deletes one leg, as a careless data
    # migration (or a SQLite table copy gone wrong) would.
    broken = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, broken, ignore=shutil.ignore_patterns("__pycache__"))
    head = _script().get_revision(_script().get_current_head())
    head_file = broken / "versions" / Path(head.path).name
    head_file.write_text(
        head_file.read_text(encoding="utf-8")
        + "\n\n_upgrade = upgrade\n\n\ndef upgrade() -> None:\n    _upgrade()\n"
        + "    op.execute('DELETE FROM legs WHERE id = (SELECT min(id) FROM legs)')\n",
        encoding="utf-8",
    )
    rows, _email = keller_rows
    app = _database_at(_older_revisions()[-1], databases, tmp_path, rows, migrated_templates)
    with app.app_context():
        before = snapshot(db.engine)
        flask_migrate.upgrade(directory=str(broken))
        problems = compare(before, snapshot(db.engine))
        first_leg = min(before["legs"])
        assert f"legs {first_leg}: row lost" in problems, problems
        assert f"legs: {len(before['legs'])} rows before, {len(before['legs']) - 1} after" in problems, problems
        db.engine.dispose()
