"""Re-encrypting every encrypted value under the current data key (``flask care rotate-key``).

The columns are found by their type (:func:`planner.models.base.is_encrypted`),
so a new encrypted column anywhere is rotated without being listed. Tokens are
read and written as the stored text (no decryption into Python objects beyond
:func:`planner.encryption.rotate`), in batches by primary key, through the
caller's transaction: the caller commits once, so a failure leaves every value
as it was, under the old key that still opens it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from planner import encryption
from planner.models import Base
from planner.models.base import is_encrypted


@dataclass
class Rotated:
    """What a rotation did to one table: rows visited, values re-encrypted."""

    rows: int = 0
    values: int = 0


def encrypted_tables() -> list[tuple[sa.Table, list[sa.Column[object]]]]:
    """Each table with encrypted columns, and those columns."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [column for column in table.columns if is_encrypted(column)]
        if columns:
            found.append((table, columns))
    return found


def _key_column(table: sa.Table) -> sa.Column[object]:
    keys = list(table.primary_key.columns)
    if len(keys) != 1:  # pragma: no cover - every table with personal data has an id
        raise TypeError(f"{table.name}: batches need a single-column primary key")
    return keys[0]


def _batches(connection: sa.Connection, table: sa.Table, columns: list[sa.Column[object]], size: int) -> Iterator[list[Any]]:
    """The rows' keys and stored tokens (as text, not decrypted), ``size`` at a time, by key."""
    key = _key_column(table)
    tokens = [sa.type_coerce(column, sa.Text).label(column.name) for column in columns]
    last = None
    while True:
        query = sa.select(key, *tokens).order_by(key).limit(size)
        if last is not None:
            query = query.where(key > last)
        batch = list(connection.execute(query).all())
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def rotate_all(connection: sa.Connection, batch_size: int = 500) -> dict[str, Rotated]:
    """Re-encrypt every stored token under the app's first key; per table what was done. The caller commits."""
    done: dict[str, Rotated] = {}
    for table, columns in encrypted_tables():
        key = _key_column(table)
        values: dict[str, object] = {column.name: sa.bindparam(f"new_{column.name}", type_=sa.Text) for column in columns}
        if "updated_at" in table.c:
            values["updated_at"] = table.c.updated_at  # a new key is not a change of the data
        update = sa.update(table).where(key == sa.bindparam("row_key")).values(values)
        counts = done.setdefault(table.name, Rotated())
        for batch in _batches(connection, table, columns, batch_size):
            params = []
            for row in batch:
                changed: dict[str, object] = {"row_key": row[0]}
                for column in columns:
                    token = row._mapping[column.name]
                    changed[f"new_{column.name}"] = None if token is None else encryption.rotate(token)
                    counts.values += token is not None
                params.append(changed)
            connection.execute(update, params)
            counts.rows += len(batch)
    return done


def unreadable_with(connection: sa.Connection, key: str, batch_size: int = 500) -> int:
    """How many stored tokens do not open with ``key`` alone (0: the other keys can go)."""
    cipher = Fernet(key.encode("ascii"))
    unreadable = 0
    for table, columns in encrypted_tables():
        for batch in _batches(connection, table, columns, batch_size):
            for row in batch:
                for column in columns:
                    token = row._mapping[column.name]
                    if token is None:
                        continue
                    try:
                        cipher.decrypt(token.encode("ascii"))
                    except InvalidToken:
                        unreadable += 1
    return unreadable
