"""Hostile input at every form: never a 5xx, and a refused submission changes nothing.

Hypothesis fills each form's own fields (read from the rendered page) with
arbitrary text, control characters, huge values, numbers, impossible dates
and times, bogus zones and missing fields. Set PLANNER_HOSTILE_EXAMPLES to
run more (CI runs the default of 200 per form).
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from html import unescape

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.backup.export import TRANSIENT_TABLES
from planner.extensions import db
from planner.models import Delegation, UserRole
from tests.conftest import BACKEND, KellerSeeder, login, make_user

EXAMPLES = int(os.environ.get("PLANNER_HOSTILE_EXAMPLES", "200"))

FORMS = [
    "/delegations/new",
    "/delegations/{d}/edit",
    "/delegations/{d}/clone",
    "/delegations/{d}/members/new",
    "/delegations/{d}/legs/new",
    "/delegations/{d}/follow-ups/new",
    "/delegations/{d}/appointments/new",
    "/delegations/{d}/appointments/1/edit",
    "/delegations/{d}/journeys/new",
    "/delegations/{d}/rooms/new?night=2024-10-14",
    "/delegations/{d}/rooms/nights/2024-10-15",
    "/directory/organizations/new",
    "/directory/people/new",
    "/directory/cities/new",
    "/directory/partnerships/new",
    "/admin/users/new",
    "/admin/entry-rules/new",
    "/admin/entry-rules/1/edit",
    "/auth/password",
    "/delegations/{d}/care/members/1/edit",
]
# Not data a form changes: the log of who looked at personal data (a refused form's conflict page shows
# the saved values, and that look is recorded, as every look is).
READ_LOGS = {"personal_data_reads"}

nasty_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            "'; DROP TABLE users; --",
            "%00",
            "\u202e",
            "😀" * 50,
            "x" * 5000,
            "../../etc/passwd",
            "NaN",
            "-1",
            "0",
            "99999999999999999999",
            "1e309",
        ]
    ),
)
nasty_time = st.sampled_from(
    [
        "2024-03-31T02:30",
        "2024-10-27T02:30",
        "2024-02-30T10:00",
        "2024-10-15T25:00",
        "0000-01-01T00:00",
        "9999-12-31T23:59",
        "2024-10-15",
        "15.10.2024 10:00",
        "2024-10-15T10:00",
        "2024-10-16T09:00",
    ]
)
nasty_date = st.sampled_from(["2024-02-30", "2024-13-01", "0001-01-01", "9999-12-31", "2024-10-13", "gestern", ""])
nasty_zone = st.sampled_from(["", "Europe/Berlin", "Asia/Seoul", "Mars/Olympus", "../../etc", "UTC", "Europe/Berlin\x00"])
nasty_choice = st.one_of(st.sampled_from(["0", "1", "2", "-1", "999999", "abc", ""]), nasty_text)


def field_names(page: str) -> dict[str, str]:
    """name -> kind of every field of the page's main form (not the language or logout forms)."""
    form = page[page.find("<main") :]
    names: dict[str, str] = {}
    for tag, attrs in re.findall(r"<(input|select|textarea)([^>]*)>", form):
        name = re.search(r'name="([^"]+)"', attrs)
        if not name or name.group(1) in ("csrf_token", "q", "next", "locale"):
            continue
        kind = re.search(r'type="([^"]+)"', attrs)
        names[name.group(1)] = tag if tag != "input" else (kind.group(1) if kind else "text")
    return names


def value_for(kind: str, name: str) -> st.SearchStrategy:
    if kind == "datetime-local" or name in ("starts", "ends", "departs", "arrives"):
        return st.one_of(nasty_time, nasty_text)
    if kind == "date" or name.endswith(("_date", "_on", "since")):
        return st.one_of(nasty_date, nasty_text)
    if "timezone" in name:
        return st.one_of(nasty_zone, nasty_text)
    if kind in ("select", "radio", "checkbox") or name.endswith("_id") or name == "version":
        return nasty_choice
    return nasty_text


@pytest.fixture
def world(app: Flask, client: FlaskClient, seed_keller: KellerSeeder) -> int:
    seed_keller(app)
    with app.app_context():
        make_user(UserRole.ADMIN, "admin@example.org")
        delegation_id = db.session.scalars(sa.select(Delegation.id)).one()
    login(client, "admin@example.org")
    return delegation_id


def snapshot(app: Flask) -> dict[str, str]:
    """A digest of the stored rows of every table the planner keeps (as a backup would), per table.

    Raw values straight from the driver, not through the ORM: a fraction of the
    cost of a backup export, which each example used to run twice, and it sees
    every column (the password hash too), so any added, removed or changed row
    changes its table's digest (proved below).
    """
    digests: dict[str, str] = {}
    with app.app_context(), db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name in TRANSIENT_TABLES or table.name in READ_LOGS:
                continue
            order = ", ".join(f'"{column.name}"' for column in table.primary_key.columns)
            rows = connection.exec_driver_sql(f'SELECT * FROM "{table.name}" ORDER BY {order}').all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


class CommitWatch:
    """Whether anything may have been committed to the app's database since the last look.

    While nothing was committed the database is exactly as it was, so the snapshot of the last
    look still holds and need not be taken again: most hostile submissions are refused and
    commit nothing, and a snapshot costs about a fifth of a submission. The answer may say
    "changed" when nothing was (a snapshot more), never the other way round:

    * SQLite: ``PRAGMA data_version`` changes, as seen from one connection, whenever another
      connection commits; the app's requests always use other connections (NullPool).
    * PostgreSQL: the server's WAL insert position. A transaction that wrote anything adds its
      commit record to the WAL before it returns; reads add nothing. Other databases of the
      server (another xdist worker, another run) move it too, which only costs a snapshot.
    """

    def __init__(self, app: Flask) -> None:
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        self._sqlite: sqlite3.Connection | None = None
        self._server: sa.Connection | None = None
        if BACKEND == "sqlite":
            # Autocommit (no transaction ever open): the watch never holds a lock a request would wait for.
            self._sqlite = sqlite3.connect(sa.make_url(url).database, isolation_level=None)
        else:
            self._engine = sa.create_engine(url, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
            self._server = self._engine.connect()
        self._seen = self._version()

    def _version(self) -> object:
        if self._sqlite is not None:
            return self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        assert self._server is not None
        return self._server.exec_driver_sql("SELECT pg_current_wal_insert_lsn()").scalar()

    def changed(self) -> bool:
        """True if something may have been committed since the last call."""
        now = self._version()
        changed = now != self._seen
        self._seen = now
        return changed

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._server is not None:
            self._server.close()
            self._engine.dispose()


@pytest.fixture
def commit_watch(app: Flask, world: int) -> Iterator[CommitWatch]:
    watch = CommitWatch(app)
    yield watch
    watch.close()


def test_the_snapshot_sees_a_change_of_one_field(app: Flask, world: int, commit_watch: CommitWatch) -> None:
    before = snapshot(app)
    assert snapshot(app) == before  # stable while nothing changes
    # Reading (the snapshots, a page) commits nothing; the watch says so (on PostgreSQL only when no
    # other database of the server wrote meanwhile, which this test cannot rule out).
    if BACKEND == "sqlite":
        assert not commit_watch.changed()
    # Plain SQL, so that no flush rule of the models writes a revision or history row beside it.
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE appointments SET title = title || '.' WHERE id = 1")
    assert commit_watch.changed()  # another connection's commit is seen
    if BACKEND == "sqlite":
        assert not commit_watch.changed()  # and only once
    after = snapshot(app)
    assert {name for name in before if after[name] != before[name]} == {"appointments"}
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE users SET password_hash = password_hash || '0'")
    assert snapshot(app)["users"] != after["users"]  # columns a backup leaves out count too
    # A commit through the ORM (a new account) is seen too.
    commit_watch.changed()
    with app.app_context():
        make_user(UserRole.VIEWER, "watched@example.org")
    assert commit_watch.changed()


@pytest.mark.parametrize("path", FORMS)
def test_forms_survive_hostile_input(app: Flask, client: FlaskClient, world: int, commit_watch: CommitWatch, path: str) -> None:
    url = path.format(d=world)
    page = client.get(url)
    assert page.status_code == 200, url
    text = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    fields = field_names(text)
    assert fields, f"no fields found on {url}"
    strategy = st.fixed_dictionaries({}, optional={name: value_for(kind, name) for name, kind in fields.items()})
    # The database as the previous example left it: a snapshot after each example that committed
    # anything (CommitWatch), not one before and one after each example.
    commit_watch.changed()
    last = [snapshot(app)]

    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
    )
    @given(data=strategy)
    def submit(data: dict[str, str]) -> None:
        response = client.post(url, data={"csrf_token": token, **data})
        before = last[0]
        if commit_watch.changed():
            last[0] = snapshot(app)
        assert response.status_code < 500, (url, data, response.status_code)
        body = unescape(response.get_data(as_text=True))
        assert "Traceback" not in body
        if response.status_code != 302:
            # Refused: it says why, and nothing changed.
            # 429: the password page stops answering guesses at the current password (planner.auth.ratelimit).
            assert response.status_code in (200, 400, 404, 409, 413, 422, 429), response.status_code
            # 409: the conflict page, which says why with both versions side by side (a form whose fields
            # are all optional, such as the travel data, reaches it with any stale version).
            says_why = "field-errors" in body or "flash--error" in body or "Fehler" in body
            assert says_why or (response.status_code == 409 and "conflict-table" in body), (url, data)
            assert last[0] == before, (url, data)
        # Markup typed into a field is never served as markup.
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)

    submit()
