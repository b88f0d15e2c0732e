"""What a deployment must not leave to the client or to the umask.

* With ``PLANNER_BASE_URL`` configured, every absolute link (a feed's
  SOURCE and event URLs, the subscription links and their QR codes) names
  that address, whatever ``Host`` header a request forges.
* A new SQLite database file is readable by its owner only, like the secret key.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, url_for

from planner.extensions import db
from planner.models import Delegation, FeedToken, UserRole
from planner.seed import load_seed
from tests.conftest import PASSWORD, join_team, make_app, make_user

BASE = "https://planner.city.example"
FORGED = "attacker.example"


def _seeded_app(database_url: str, tmp_path: Path) -> tuple[Flask, int, str]:
    app = make_app(database_url, tmp_path / "instance", BASE_URL=BASE)
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_seed(db.session)
        delegation = db.session.scalars(sa.select(Delegation)).one()
        feed = FeedToken.issue(delegation)
        db.session.add(feed)
        join_team(make_user(UserRole.PLANNER, "planner@example.org"), delegation)
        db.session.commit()
        return app, delegation.id, feed.token


def _unfolded(body: bytes) -> str:
    return body.decode("utf-8").replace("\r\n ", "")


def test_feed_links_use_the_configured_address_not_the_host_header(database_url: str, tmp_path: Path) -> None:
    app, delegation_id, token = _seeded_app(database_url, tmp_path)
    try:
        client = app.test_client()
        forged = f"http://{FORGED}"  # every request, signing in included, names the forged host
        response = client.get(f"/feeds/{token}.ics", base_url=forged)
        assert response.status_code == 200
        text = _unfolded(response.data)
        assert f"SOURCE;VALUE=URI:{BASE}/feeds/{token}.ics" in text
        links = re.findall(r"^URL[^:]*:(.*)$", text, flags=re.MULTILINE)
        assert links and all(link.startswith(f"{BASE}/delegations/{delegation_id}") for link in links)
        assert FORGED not in text

        login_page = client.get("/auth/login", base_url=forged).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
        signed_in = client.post(
            "/auth/login", base_url=forged, data={"csrf_token": csrf, "email": "planner@example.org", "password": PASSWORD}
        )
        assert signed_in.status_code == 302
        page = client.get(f"/delegations/{delegation_id}/subscriptions", base_url=forged)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f"{BASE}/feeds/{token}.ics" in html and f"webcal://planner.city.example/feeds/{token}.ics" in html
        assert FORGED not in html
    finally:
        with app.app_context():
            db.drop_all()
            db.engine.dispose()

    # Without a configured address (a planner run on a laptop) links name the address the browser used.
    plain = make_app(database_url, tmp_path / "plain")
    with plain.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert url_for("calendar.feed", token="abc", _external=True) == "http://127.0.0.1:5000/feeds/abc.ics"


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    # The default database in the instance folder, created by the app itself on a fresh machine.
    instance = tmp_path / "instance"
    previous = os.umask(0o022)  # the usual umask, which gives 0644 to files created without a mode
    try:
        app = make_app(f"sqlite:///{instance / 'planner.sqlite3'}", instance)
        with app.app_context(), db.engine.connect() as connection:
            # The write-ahead log exists while a connection is open; SQLite gives it the database's mode.
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            connection.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
            connection.commit()
            files = [instance / "planner.sqlite3", instance / "planner.sqlite3-wal"]
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
    finally:
        os.umask(previous)
    assert modes == {"planner.sqlite3": 0o600, "planner.sqlite3-wal": 0o600}

    # An existing file keeps the mode its operator chose (say 0640 for a backup group).
    shared = tmp_path / "shared.sqlite3"
    shared.touch()
    shared.chmod(0o640)
    make_app(f"sqlite:///{shared}", tmp_path / "other")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
