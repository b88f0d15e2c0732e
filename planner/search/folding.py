"""Accent- and case-folding for search, the same on SQLite and PostgreSQL.

"Dusseldorf", "dusseldorf" and "DÜSSELDORF" all find "Düsseldorf", "Koln" finds
"Köln"; Hangul and Hanzi are left exactly as typed. Both sides of a match are
folded: the term in Python by :func:`fold`, the column in SQL by :class:`Folded`.

No extension is needed: PostgreSQL's ``unaccent`` would have to be installed
per database, so there the column goes through ``translate(lower(x), …)`` with
the table below written into the statement; SQLite calls :func:`fold` itself,
registered on every SQLite connection. The table maps each Latin letter with
diacritics (Latin-1 Supplement, Latin Extended-A/B, Latin Extended Additional)
to its lowercase base letter, derived from Unicode decompositions, so the two
engines fold identically. Letters that expand to two (``ß``, ``æ``) stay as
they are: ``translate`` maps one character to one.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

SQLITE_FUNCTION = "planner_fold"

# Letters without a Unicode decomposition that readers still take for their base letter.
_UNDECOMPOSED = {"ø": "o", "đ": "d", "ł": "l", "ħ": "h"}
_LATIN_RANGES = (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))


def _base_letter(char: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)).lower()
    # Also inside a decomposition: "ǿ" is "ø" with an acute.
    return "".join(_UNDECOMPOSED.get(c, c) for c in stripped)


def _folding_table() -> dict[str, str]:
    table = {}
    for block in _LATIN_RANGES:
        for point in block:
            char = chr(point)
            base = _base_letter(char)
            if len(base) == 1 and base != char:
                table[char] = base
    return table


_TABLE = _folding_table()
# Public for the test that SQL and Python fold alike.
FOLDED_LETTERS = "".join(_TABLE)
_TO = "".join(_TABLE.values())
_TRANSLATION = str.maketrans(_TABLE)


def fold(text: str) -> str:
    """``text`` lowercased and without diacritics on Latin letters, as :class:`Folded` does in SQL."""
    # Strip first as well: Python lowercases "İ" to "i" plus a combining dot, PostgreSQL to "i".
    return text.translate(_TRANSLATION).lower().translate(_TRANSLATION)


class Folded(FunctionElement[str]):
    """SQL: the folded form of a text expression (``NULL`` stays ``NULL``)."""

    type = sa.String()
    name = "folded"
    inherit_cache = True


@compiles(Folded)
def _folded_default(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    # Other engines: case-insensitive only; the app runs on SQLite and PostgreSQL.
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(Folded, "sqlite")
def _folded_sqlite(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(Folded, "postgresql")
def _folded_postgresql(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    # Constants written into the SQL (not bound) so the statement cache holds them once.
    source = compiler.render_literal_value(FOLDED_LETTERS, sa.String())
    target = compiler.render_literal_value(_TO, sa.String())
    return f"translate(lower({compiler.process(element.clauses, **kw)}), {source}, {target})"


def _fold_or_null(value: str | None) -> str | None:
    return None if value is None else fold(value)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _register_on_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(SQLITE_FUNCTION, 1, _fold_or_null, deterministic=True)


__all__ = ["FOLDED_LETTERS", "Folded", "fold"]
