"""Export the whole database as one JSON document.

The document is the planner's backup format and the ground truth that the
calendar and brief tests compare against. Every table is written row by row
in dependency order, so a later import can replay it. Instants are ISO 8601
in UTC with a ``Z``; every appointment row carries its UTC instants, its
IANA zone, UID and revision.

Secrets are left out: password hashes are replaced by ``null`` (restored
accounts get new passwords), and so are feed tokens and second-factor
secrets (restored accounts enrol again; their recovery codes are not written).

Personal travel data (every table with an encrypted column,
:func:`planner.models.base.is_encrypted`) is not in ``tables``, the plain
part: it goes into the separate part ``encrypted``, with each encrypted
column as the Fernet token stored in the database, never decrypted. A copy of
the file thus shows no passport, phone or health value; restoring it needs
the data keys of the planner that wrote it (``PLANNER_DATA_KEYS`` or
``instance/data_keys``), which are never part of a backup. Leaving the data
out instead would make a restore during a trip lose every passport.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from planner.models import Base
from planner.models.base import is_encrypted
from planner.timezones import ensure_utc, utc_now

FORMAT = "delegation-planner-export"
# 2: personal travel data in the separate part "encrypted", as tokens.
FORMAT_VERSION = 2

# Columns never written to an export file: table name -> column names.
# Feed tokens are secrets too: restored subscriptions must be issued anew.
SECRET_COLUMNS = {"users": {"password_hash", "totp_secret"}, "feed_tokens": {"token", "digest"}}
# Uploads between preview and confirmation, who is signed in where, and the mail already handed out
# (copies of what the programme said then, with personal addresses) are not part of the planner's data;
# nor are recovery codes, of no use without the second-factor secret they stand in for, nor API tokens (kept
# only as digests; a restored account makes new ones).
TRANSIENT_TABLES = {"pending_imports", "user_sessions", "outgoing_messages", "recovery_codes", "api_tokens"}
ENCRYPTED_PART_NOTE = (
    "Encrypted personal data: each value of an encrypted column is a Fernet token as stored. "
    "Restoring it needs the data keys of the planner that wrote this file (PLANNER_DATA_KEYS or "
    "instance/data_keys); the keys are never part of a backup."
)


def is_encrypted_table(table: sa.Table) -> bool:
    """Whether ``table`` holds encrypted columns that are written: its rows go into the backup's encrypted part.

    An encrypted secret that is never written (the second-factor secret) leaves its table in the plain part.
    """
    secret = SECRET_COLUMNS.get(table.name, set())
    return any(is_encrypted(column) and column.name not in secret for column in table.columns)


def _rows(session: Session, table: sa.Table) -> list[dict[str, Any]]:
    secret = SECRET_COLUMNS.get(table.name, set())
    # Through the ORM's column types, so instants come back aware and enums as their values, on
    # SQLite exactly as on PostgreSQL; encrypted columns as the stored text, the token, not decrypted.
    columns = [sa.type_coerce(c, sa.Text).label(c.name) if is_encrypted(c) else c for c in table.columns]
    rows = session.execute(sa.select(*columns).order_by(*table.primary_key.columns)).mappings()
    return [{key: (None if key in secret else _json_value(value)) for key, value in row.items()} for row in rows]


def utc_text(value: datetime) -> str:
    """An instant as the export writes it: RFC 3339 in UTC with a ``Z`` (the JSON API writes them so too)."""
    return ensure_utc(value).isoformat().replace("+00:00", "Z")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):  # a gift's value: as text, so that no float rounds it
        return str(value)
    return value


def export_database(session: Session, *, schema_revision: str | None = None) -> dict[str, Any]:
    """Return the whole database as a JSON-serialisable mapping."""
    tables: dict[str, list[dict[str, Any]]] = {}
    encrypted: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in TRANSIENT_TABLES:
            continue
        (encrypted if is_encrypted_table(table) else tables)[table.name] = _rows(session, table)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": schema_revision,
        "exported_at": _json_value(utc_now()),
        "tables": tables,
        "encrypted": {"note": ENCRYPTED_PART_NOTE, "tables": encrypted},
    }
