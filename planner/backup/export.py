"""Export the whole database as one JSON document.

The document is the planner's backup format and the ground truth that the
calendar and brief tests compare against. Every table is written row by row
in dependency order, so a later import can replay it. Instants are ISO 8601
in UTC with a ``Z``; every appointment row carries its UTC instants, its
IANA zone, UID and revision.

Secrets are left out: password hashes are replaced by ``null`` (restored
accounts get new passwords), and so are feed tokens and second-factor
secrets (restored accounts enrol again; their recovery codes are not written).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from planner.models import Base
from planner.timezones import ensure_utc, utc_now

FORMAT = "delegation-planner-export"
FORMAT_VERSION = 1

# Columns never written to an export file: table name -> column names.
# Feed tokens are secrets too: restored subscriptions must be issued anew.
SECRET_COLUMNS = {"users": {"password_hash", "totp_secret"}, "feed_tokens": {"token", "digest"}}
# Uploads between preview and confirmation, who is signed in where, and the mail already handed out
# (copies of what the programme said then, with personal addresses) are not part of the planner's data;
# nor are recovery codes, of no use without the second-factor secret they stand in for.
TRANSIENT_TABLES = {"pending_imports", "user_sessions", "outgoing_messages", "recovery_codes"}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return ensure_utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def export_database(session: Session, *, schema_revision: str | None = None) -> dict[str, Any]:
    """Return the whole database as a JSON-serialisable mapping."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in TRANSIENT_TABLES:
            continue
        secret = SECRET_COLUMNS.get(table.name, set())
        # Through the ORM's column types, so instants come back aware and
        # enums as their values, on SQLite exactly as on PostgreSQL.
        rows = session.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
        tables[table.name] = [
            {key: (None if key in secret else _json_value(value)) for key, value in row.items()} for row in rows
        ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": schema_revision,
        "exported_at": _json_value(utc_now()),
        "tables": tables,
    }
