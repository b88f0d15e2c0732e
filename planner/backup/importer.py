"""Restore an ``export-data`` document into an empty database.

The restore is all or nothing: the whole document is checked first (format,
format version, schema revision, every table, column and value), then the
target database must be empty, and only then are all rows inserted in one
transaction. Any failure rolls that transaction back, so a refused file
leaves the database exactly as it was.

Rows go in through SQLAlchemy Core (``insert(table)`` on the session's
connection), not through ORM objects: the flush hooks that write the change
history and raise revision/version counters must not fire, because a restore
writes every row exactly as it was exported, ids, counters and history
included. ``export -> import -> export`` therefore gives the same tables,
with two documented exceptions that follow from secrets not being part of a
backup (see :mod:`planner.backup.export`):

* ``users.password_hash`` is set to a random value that no password matches
  (``"!"`` plus random text; :meth:`User.check_password` is always false).
  Every restored account needs a new password. ``users.totp_secret`` is not
  in a backup either, so ``second_factor_since`` and ``totp_last_step`` are
  cleared: an account that needs a second factor enrols again.
* ``feed_tokens.token``/``digest`` get new random values (the columns are NOT
  NULL and the digest unique), and every feed token that was still active is
  revoked (``revoked_at`` = the time of the restore): a subscription link
  must never silently start working again with a secret nobody knows.
  Tokens revoked before the export keep their ``revoked_at``.

Personal travel data comes from the file's encrypted part as Fernet tokens
(see :mod:`planner.backup.export`). Each token must open with one of this
planner's data keys (those of the planner that wrote the file); the values
are then stored encrypted under this planner's current key. A file whose
tokens do not open is refused as a whole, and no message ever quotes a value.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app, has_app_context
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from planner import encryption
from planner.backup.export import FORMAT, FORMAT_VERSION, SECRET_COLUMNS, TRANSIENT_TABLES, is_encrypted_table
from planner.directory import founded_years
from planner.models import Base, TimeZoneName, UTCDateTime
from planner.models.base import Encrypted, EncryptedDate
from planner.models.calendar import token_digest
from planner.text import is_single_line, is_single_line_column
from planner.timezones import FIRST_YEAR, LAST_YEAR, UTC, is_known_zone, utc_now

# The keys of a format-1 document; anything else means it is not one.
DOCUMENT_KEYS = frozenset({"format", "format_version", "schema_revision", "exported_at", "tables", "encrypted"})
# Format 1 had no encrypted part (such files are from an older schema and refused for that).
DOCUMENT_KEYS_V1 = DOCUMENT_KEYS - {"encrypted"}
ENCRYPTED_PART_KEYS = frozenset({"note", "tables"})
# Problems listed in one refusal before the rest are summed up.
MAX_PROBLEMS = 10
_INT32 = (-(2**31), 2**31 - 1)


class RestoreError(ValueError):
    """The document cannot be restored into this database; nothing was written."""


@dataclass
class RestoreSummary:
    exported_at: str
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows restored
    accounts: int = 0  # users, all of whom need a new password
    feeds_revoked: int = 0  # feed tokens revoked by the restore (not those revoked before)


# -- reading the file -------------------------------------------------------


def parse_document(data: bytes) -> Any:
    """Decode the bytes of a backup file into JSON, or raise :class:`RestoreError`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RestoreError(
            f"the file is not a text (UTF-8) file: undecodable byte at position {error.start}; is it really an export-data file?"
        ) from None
    if not text.strip():
        raise RestoreError("the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RestoreError(
            f"the file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); it may be truncated or damaged"
        ) from None
    except RecursionError:
        raise RestoreError("the file is not a backup: its JSON is nested far too deeply") from None
    except ValueError as error:
        # Python refuses to read integers of more than 4300 digits (a guard against slow parsing).
        raise RestoreError(f"the file is not a backup: it holds a number that cannot be read ({error})") from None


# -- checking values ----------------------------------------------------------

Converter = Callable[[Any], Any]


class _Bad(Exception):
    """A value that does not fit its column; the message says what was expected."""


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _integer(value: Any) -> int:
    if type(value) is not int:
        raise _Bad(f"expected an integer, got {_describe(value)}")
    if not _INT32[0] <= value <= _INT32[1]:
        raise _Bad(f"integer {value} is out of range")
    return value


def _float(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise _Bad(f"expected a number, got {_describe(value)}")
    return float(value)


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise _Bad(f"expected true or false, got {_describe(value)}")
    return value


def _text(length: int | None, *, one_line: bool = False) -> Converter:
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise _Bad(f"expected a string, got {_describe(value)}")
        if "\x00" in value:
            raise _Bad("the text contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Bad("the text contains an unpaired surrogate (invalid Unicode)") from None
        if length is not None and len(value) > length:
            raise _Bad(f"the text is {len(value)} characters long, at most {length} fit")
        if one_line and not is_single_line(value):
            # The app keeps these fields on one line (planner.text); a restore writes rows as they are.
            raise _Bad(f"{_describe(value)} has a line break or tab, but this field holds one line of text")
        return value

    return convert


def _account_email(value: Any) -> str:
    # Accounts are looked up by the lower-case address (User's validator, sign-in, `users set-password`);
    # an address stored in mixed case could neither sign in nor get a new password.
    return _text(254, one_line=True)(value).strip().lower()


def _in_range(convert: Converter, low: float, high: float) -> Converter:
    def check(value: Any) -> Any:
        result = convert(value)
        if not low <= result <= high:
            raise _Bad(f"{_describe(value)} is out of range (the forms take {low:g} to {high:g})")
        return result

    return check


# Columns with a tighter range than their type, as the forms have it.
_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("cities", "latitude"): (-90, 90),
    ("cities", "longitude"): (-180, 180),
    ("appointments", "latitude"): (-90, 90),
    ("appointments", "longitude"): (-180, 180),
}


def _in_years(value: date) -> None:
    # The forms' range: outside it, pages, the brief and calendars could not show the instant in every zone.
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise _Bad(f"{value.isoformat()} is outside the years {FIRST_YEAR} to {LAST_YEAR} the planner accepts")


def _zone(value: Any) -> str:
    if not isinstance(value, str) or not is_known_zone(value):
        # Canonical names only (planner.timezones.check_zone): "localtime" or "right/..." are files, not places.
        raise _Bad(f'unknown time zone {_describe(value)}; expected a canonical IANA name such as "Europe/Berlin"')
    return value


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _Bad(f'expected an instant such as "2024-10-14T05:00:00Z", got {_describe(value)}')
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(f'expected an instant such as "2024-10-14T05:00:00Z", got {_describe(value)}') from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _Bad(f'{_describe(value)} has no UTC offset (a naive time); expected e.g. "2024-10-14T05:00:00Z"')
    _in_years(parsed.date())  # first: converting year 1 or 9999 to UTC can overflow
    instant = parsed.astimezone(UTC)
    _in_years(instant.date())
    return instant


def _date(value: Any) -> date:
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.isoformat() != value:
        raise _Bad(f'expected a date such as "2024-10-13", got {_describe(value)}')
    _in_years(parsed)
    return parsed


def _enum(column_type: sa.Enum) -> Converter:
    allowed = list(column_type.enums)
    enum_class = column_type.enum_class

    def convert(value: Any) -> Any:
        if not isinstance(value, str) or value not in allowed:
            raise _Bad(f"{_describe(value)} is not one of {', '.join(allowed)}")
        return enum_class(value) if enum_class is not None else value

    return convert


def _decimal(value: Any) -> Decimal:
    """A decimal amount (a gift's value), written as a string so that no float rounds it: "25.00"."""
    try:
        parsed = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        parsed = None
    if parsed is None or not parsed.is_finite():
        raise _Bad(f'expected an amount such as "25.00", got {_describe(value)}')
    return parsed


def _json(value: Any) -> Any:
    return value  # json.loads produced it, so it is JSON already


_UNOPENED = (
    "a Fernet token that none of this planner's data keys opens: restore with the data keys of the planner "
    "that wrote the backup (PLANNER_DATA_KEYS or instance/data_keys)"
)


def _token(as_date: bool) -> Converter:
    """An encrypted column: the token must open with a configured key; the plain value is re-encrypted on insert."""

    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            raise _Bad(f"expected a Fernet token (a string), got a JSON {type(value).__name__}")
        try:
            plain = encryption.decrypt(value)
        except (encryption.DataKeyError, ValueError):
            raise _Bad(_UNOPENED) from None
        if not as_date:
            return plain
        try:
            return date.fromisoformat(plain)
        except ValueError:
            raise _Bad("the token opens, but does not hold a date") from None  # never the plain text

    return convert


def _converter(column: sa.Column[Any]) -> Converter:
    """How a column's JSON value becomes the Python value the column type binds, checked as the forms check it."""
    kind = column.type
    where = (column.table.name, column.name)
    if where == ("users", "email"):
        return _account_email
    if where == ("organizations", "founded_year"):  # its last year moves with the calendar
        return _in_range(_integer, *founded_years())
    if where in _RANGES:
        return _in_range(_float if isinstance(kind, sa.Float) else _integer, *_RANGES[where])
    # Order matters: the TypeDecorators first, Enum before String (it is one).
    if isinstance(kind, (Encrypted, EncryptedDate)):
        return _token(as_date=isinstance(kind, EncryptedDate))
    if isinstance(kind, UTCDateTime):
        return _instant
    if isinstance(kind, TimeZoneName):
        return _zone
    if isinstance(kind, sa.Enum):
        return _enum(kind)
    if isinstance(kind, sa.Boolean):
        return _boolean
    if isinstance(kind, sa.Integer):
        return _integer
    if isinstance(kind, sa.Float):
        return _float
    if isinstance(kind, sa.Numeric):  # after Float, which is one
        return _decimal
    if isinstance(kind, sa.DateTime):
        return _instant
    if isinstance(kind, sa.Date):
        return _date
    if isinstance(kind, sa.JSON):
        return _json
    if isinstance(kind, sa.String):
        return _text(kind.length, one_line=is_single_line_column(column))
    raise TypeError(f"the backup format has no encoding for {column.table.name}.{column.name} ({kind!r})")


# -- checking the document ---------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.more = 0

    def add(self, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(message)
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if not self.items:
            return
        if len(self.items) == 1 and not self.more:
            raise RestoreError(self.items[0])
        lines = [f"the file has {len(self.items) + self.more} problems:"]
        lines += [f"  - {item}" for item in self.items]
        if self.more:
            lines.append(f"  ... and {self.more} more")
        raise RestoreError("\n".join(lines))


def backup_tables() -> list[sa.Table]:
    """The tables of a backup, parents before children."""
    return [table for table in Base.metadata.sorted_tables if table.name not in TRANSIENT_TABLES]


def _where(table: str, index: int, row: dict[str, Any]) -> str:
    ident = row.get("id")
    suffix = f" (id {ident})" if isinstance(ident, int) and not isinstance(ident, bool) else ""
    return f"{table} row {index + 1}{suffix}"


def _check_header(document: Any) -> None:
    if not isinstance(document, dict):
        kind = "an array" if isinstance(document, list) else f"a JSON {type(document).__name__}"
        raise RestoreError(f"the file is not a planner backup: it holds {kind}, not an export-data document")
    if document.get("format") != FORMAT:
        raise RestoreError(
            f'the file is not a planner backup: its format is {_describe(document.get("format"))}, expected "{FORMAT}"'
        )
    version = document.get("format_version")
    if type(version) is not int or version < 1:
        raise RestoreError(f"the file has an invalid format_version {_describe(version)}")
    if version > FORMAT_VERSION:
        raise RestoreError(
            f"the file was written by a newer version of the planner (format version {version}); "
            f"this version reads format version {FORMAT_VERSION}. Update the planner, then import again."
        )
    expected = DOCUMENT_KEYS if version >= 2 else DOCUMENT_KEYS_V1
    unknown = sorted(set(document) - expected)
    if unknown:
        raise RestoreError(f"the file has unknown top-level keys: {', '.join(unknown)}")
    missing = sorted(expected - set(document))
    if missing:
        raise RestoreError(f"the file lacks the key(s) {', '.join(repr(m) for m in missing)}")
    try:
        _instant(document["exported_at"])
    except _Bad as error:
        raise RestoreError(f"exported_at: {error}") from None
    if not isinstance(document["tables"], dict):
        raise RestoreError('"tables" must be an object mapping table names to lists of rows')
    part = document.get("encrypted", {"note": "", "tables": {}})
    if not isinstance(part, dict) or set(part) != ENCRYPTED_PART_KEYS or not isinstance(part["tables"], dict):
        raise RestoreError('"encrypted" must be an object with "note" and "tables" (table names mapped to lists of rows)')


def _check_revision(connection: sa.Connection, document: dict[str, Any]) -> None:
    from alembic.migration import MigrationContext

    current = MigrationContext.configure(connection).get_current_revision()
    wanted = document["schema_revision"]
    script = _script_directory()
    head = script.get_current_head() if script is not None else None
    if current is None:
        raise RestoreError(
            "the database has no schema revision (not set up by the migrations): run `flask --app planner db upgrade` first"
        )
    if head is not None and current != head:
        raise RestoreError(
            f"the database is at schema revision {current}, this version of the planner needs {head}: "
            "migrate first with `flask --app planner db upgrade`"
        )
    if not isinstance(wanted, str) or not wanted:
        raise RestoreError(
            f"the file does not say which schema revision it was written with (schema_revision is {_describe(wanted)})"
        )
    if wanted == current:
        return
    known = _revision_known(script, wanted)
    if known and head is not None and _is_ancestor(script, wanted, head):
        raise RestoreError(
            f"the file is from an older schema revision ({wanted}; this database and this version of the "
            f"planner are at {current}). Restore it with the planner version that wrote it, then migrate "
            "that database with this version (`flask --app planner db upgrade`)"
        )
    raise RestoreError(
        f"the file is from another schema version (schema revision {wanted}, this database is at {current}); "
        "it was written by a different version of the planner"
    )


def _script_directory() -> Any:
    """The Alembic scripts of this planner, or None outside an app with Flask-Migrate."""
    if not has_app_context():
        return None
    migrate = current_app.extensions.get("migrate")
    if migrate is None:
        return None
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrate.directory))
    return ScriptDirectory.from_config(config)


def _revision_known(script: Any, revision: str) -> bool:
    if script is None:
        return False
    try:
        return script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001  (alembic raises several kinds for unknown or ambiguous ids)
        return False


def _is_ancestor(script: Any, revision: str, head: str) -> bool:
    return any(r.revision == revision for r in script.walk_revisions(base="base", head=head))


def _check_names(in_file: dict[str, Any], known: dict[str, sa.Table], other: set[str], part: str, problems: _Problems) -> None:
    for name in in_file:
        if name in TRANSIENT_TABLES:
            problems.add(f"table {name!r} is not part of a backup")
        elif name in other:
            problems.add(f"table {name!r} belongs in the other part of the backup, not in {part}")
        elif name not in known:
            problems.add(f"unknown table {name!r}")
    for name in known:
        if name not in in_file:
            problems.add(f"table {name!r} is missing" + ("" if part == '"tables"' else f" in {part}"))
        elif not isinstance(in_file[name], list):
            problems.add(f"table {name!r} must be a list of rows")


def _check_rows(name: str, table: sa.Table, rows_in_file: list[Any], problems: _Problems) -> list[dict[str, Any]]:
    secret = SECRET_COLUMNS.get(name, set())
    converters = {column.name: _converter(column) for column in table.columns}
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(rows_in_file):
        if not isinstance(row, dict):
            problems.add(f"{name} row {index + 1} is not an object")
            continue
        where = _where(name, index, row)
        for key in row:
            if key not in converters:
                problems.add(f"{where}: unknown column {key!r}")
        values: dict[str, Any] = {}
        for column in table.columns:
            if column.name not in row:
                problems.add(f"{where}: lacks column {column.name!r}")
                continue
            value = row[column.name]
            if column.name in secret:
                if value is not None:
                    problems.add(f"{where}, {column.name}: must be null (secrets are not part of a backup)")
                continue
            if value is None:
                if not column.nullable:
                    problems.add(f"{where}, {column.name}: must not be null")
                values[column.name] = None
                continue
            try:
                values[column.name] = converters[column.name](value)
            except _Bad as error:
                problems.add(f"{where}, {column.name}: {error}")
        rows.append(values)
    return rows


def _check_tables(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Check every table, row and value of both parts; return the rows converted for insertion."""
    problems = _Problems()
    plain = {table.name: table for table in backup_tables() if not is_encrypted_table(table)}
    encrypted = {table.name: table for table in backup_tables() if is_encrypted_table(table)}
    parts = [(document["tables"], plain), (document["encrypted"]["tables"], encrypted)]
    _check_names(document["tables"], plain, set(encrypted), '"tables"', problems)
    _check_names(document["encrypted"]["tables"], encrypted, set(plain), "the encrypted part", problems)
    problems.raise_if_any()

    converted: dict[str, list[dict[str, Any]]] = {}
    for in_file, known in parts:
        for name, table in known.items():
            converted[name] = _check_rows(name, table, in_file[name], problems)
    problems.raise_if_any()
    _check_keys(converted, problems)
    problems.raise_if_any()
    return converted


def _check_keys(rows: dict[str, list[dict[str, Any]]], problems: _Problems) -> None:
    """Primary keys and unique constraints hold, and every foreign key finds its row in the file.

    The target database is empty, so the file must contain everything it
    refers to. Checked here, before the database sees anything, so the
    message names the row, the same on SQLite and PostgreSQL.
    """
    for table in backup_tables():
        keys: list[tuple[str, list[sa.Column[Any]]]] = [("primary key", list(table.primary_key.columns))]
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                keys.append(("unique", list(constraint.columns)))
        for label, columns in keys:
            names = [c.name for c in columns]
            seen: dict[tuple[Any, ...], int] = {}
            for index, row in enumerate(rows[table.name]):
                value = tuple(row.get(n) for n in names)
                if any(v is None for v in value):
                    continue  # SQL: NULLs never collide
                if value in seen:
                    shown = ", ".join(f"{n}={_describe(_plain(v))}" for n, v in zip(names, value, strict=True))
                    problems.add(
                        f"{_where(table.name, index, row)}: duplicate {label} ({shown}), already used by row {seen[value] + 1}"
                    )
                else:
                    seen[value] = index
        for fk in table.foreign_keys:
            target = fk.column
            present = {row.get(target.name) for row in rows.get(target.table.name, [])}
            for index, row in enumerate(rows[table.name]):
                reference = row.get(fk.parent.name)
                if reference is not None and reference not in present:
                    problems.add(
                        f"{_where(table.name, index, row)}, {fk.parent.name}: refers to "
                        f"{target.table.name} {target.name}={reference}, which is not in the file"
                    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def validate_document(connection: sa.Connection, document: Any) -> dict[str, list[dict[str, Any]]]:
    """Check the whole document against this database's schema; return the rows ready to insert."""
    _check_header(document)
    _check_revision(connection, document)
    return _check_tables(document)


# -- restoring ------------------------------------------------------------------


def _unusable_password_hash() -> str:
    # Werkzeug's check_password_hash needs "method$salt$hash"; without a "$" it is always false.
    return "!" + secrets.token_urlsafe(32)


def _fill_secrets(rows: dict[str, list[dict[str, Any]]], now: datetime) -> int:
    for row in rows["users"]:
        row["password_hash"] = _unusable_password_hash()
        row["second_factor_since"] = row["totp_last_step"] = None
    revoked = 0
    for row in rows["feed_tokens"]:
        token = secrets.token_urlsafe(32)
        row["token"] = token
        row["digest"] = token_digest(token)
        if row["revoked_at"] is None:
            row["revoked_at"] = now
            revoked += 1
    return revoked


def _refuse_unless_empty(connection: sa.Connection) -> None:
    filled = [
        table.name
        for table in Base.metadata.sorted_tables
        if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None
    ]
    if filled:
        raise RestoreError(
            f"the database is not empty ({', '.join(filled)} hold rows); "
            "a backup can only be restored into an empty database set up with `flask --app planner db upgrade`"
        )


def _reset_sequences(connection: sa.Connection) -> None:
    """PostgreSQL: make every id sequence continue after the restored ids."""
    if connection.dialect.name != "postgresql":
        return  # SQLite picks max(rowid) + 1 by itself
    preparer = connection.dialect.identifier_preparer
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                f"FROM {preparer.format_table(table)}"
            ),
            {"table": preparer.format_table(table)},
        )


def restore_database(session: Session, document: Any) -> RestoreSummary:
    """Restore ``document`` (a parsed export-data file) into the empty database of ``session``.

    Everything happens in the session's transaction, which the caller
    commits; on any problem it is rolled back and :class:`RestoreError`
    raised, so nothing is written. The session must have no pending work.
    """
    try:
        connection = session.connection()
        rows = validate_document(connection, document)
        _refuse_unless_empty(connection)
        summary = RestoreSummary(exported_at=document["exported_at"])
        summary.feeds_revoked = _fill_secrets(rows, utc_now())
        for table in backup_tables():
            table_rows = rows[table.name]
            if table_rows:
                try:
                    connection.execute(sa.insert(table), table_rows)
                except sa.exc.DBAPIError as error:
                    raise RestoreError(f"the database refused table {table.name}: {_first_line(error.orig)}") from None
            summary.counts[table.name] = len(table_rows)
        _reset_sequences(connection)
    except RestoreError:
        session.rollback()
        raise
    except sa.exc.SQLAlchemyError as error:
        session.rollback()
        raise RestoreError(f"the database reported an error: {_first_line(getattr(error, 'orig', None) or error)}") from None
    except BaseException:
        session.rollback()
        raise
    summary.accounts = summary.counts.get("users", 0)
    return summary


def _first_line(error: Any) -> str:
    # The first line names the constraint; PostgreSQL's DETAIL would dump the whole row.
    line = next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)
    return line if len(line) <= 300 else line[:297] + "..."


# -- the command ---------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        with click.open_file(str(path), "rb") as stream:  # "-" is stdin
            return stream.read()
    except OSError as error:
        raise click.ClickException(f"Cannot read {path}: {error.strerror or error}") from None


@click.command("import-data")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@with_appcontext
def import_data_command(file: Path) -> None:
    """Restore an export-data FILE ('-' for stdin) into an empty database.

    The database must be set up with `flask --app planner db upgrade` and hold
    no data. Passwords and calendar subscriptions are not part of a backup:
    every restored account needs a new password, every feed is revoked.
    """
    from planner.extensions import db

    data = _read(file)
    try:
        summary = restore_database(db.session(), parse_document(data))
        db.session.commit()
    except RestoreError as error:
        raise click.ClickException(f"Backup not restored, nothing changed: {error}") from None
    except sa.exc.SQLAlchemyError as error:  # the commit itself refused (a lost connection, say)
        db.session.rollback()
        reason = _first_line(getattr(error, "orig", None) or error)
        raise click.ClickException(f"Backup not restored, nothing changed: the database reported an error: {reason}") from None
    name = "stdin" if str(file) == "-" else str(file)
    counts = ", ".join(f"{count} {table}" for table, count in summary.counts.items() if count)
    click.echo(f"Restored {name} (exported {summary.exported_at}): {counts or 'no rows'}.")
    if summary.accounts:
        click.echo(
            f"Passwords are not part of a backup: the {summary.accounts} restored account(s) cannot sign in "
            "until each gets a new password: `flask --app planner users set-password EMAIL` for an "
            "administrator, then reset the others on the user management page (/admin/users)."
        )
    if summary.feeds_revoked:
        click.echo(
            f"Calendar subscriptions are not part of a backup: {summary.feeds_revoked} restored feed link(s) "
            "were revoked; issue new subscription links on the delegation pages."
        )
