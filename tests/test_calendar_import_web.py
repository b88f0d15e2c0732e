"""The .ics import as a planner uses it: upload, preview, confirm; re-import; bad files; roles."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.backup.export import export_database
from planner.extensions import db
from planner.models import Appointment, Delegation, Journey, PendingImport, UserRole
from planner.seed import load_seed
from tests.conftest import csrf_token, login, make_user

BOOKING = Path(__file__).parent / "calendar_import" / "files" / "travel-agency-booking.ics"


@pytest.fixture
def keller(app: Flask) -> int:
    with app.app_context():
        load_seed(db.session)
        db.session.commit()
        make_user(UserRole.PLANNER, "planner@example.org")
        make_user(UserRole.VIEWER, "viewer@example.org")
        return db.session.scalars(sa.select(Delegation.id)).one()


def upload(client: FlaskClient, delegation_id: int, data: bytes, name: str = "buchung.ics"):
    token = csrf_token(client, f"/delegations/{delegation_id}/import")
    return client.post(
        f"/delegations/{delegation_id}/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(client: FlaskClient, preview_url: str):
    token = csrf_token(client, preview_url)
    return client.post(preview_url + "/confirm", data={"csrf_token": token})


def snapshot(app: Flask) -> dict:
    with app.app_context():
        document = export_database(db.session)
    document["exported_at"] = None
    return document


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count(Appointment.id))),
            db.session.scalar(sa.select(sa.func.count(Journey.id))),
        )


def test_upload_preview_confirm_and_reimport(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "planner@example.org")
    before = counts(app)
    response = upload(client, keller, BOOKING.read_bytes())
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    assert counts(app) == before, "the preview imports nothing"
    preview = client.get(preview_url).get_data(as_text=True)
    assert "Import-Vorschau" in preview and preview.count(">neu<") == 3
    assert "Europe/Berlin" in preview and "Asia/Seoul" in preview

    done = confirm(client, preview_url)
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Import abgeschlossen: 3 neu, 0 aktualisiert, 0 unverändert." in page
    after = counts(app)
    assert sum(after) == sum(before) + 3
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PendingImport.id))) == 0

    # The same file again: nothing new, nothing changed.
    state = snapshot(app)
    again = upload(client, keller, BOOKING.read_bytes())
    preview = client.get(again.headers["Location"]).get_data(as_text=True)
    assert preview.count(">unverändert<") == 3
    confirm(client, again.headers["Location"])
    assert counts(app) == after
    new_state = snapshot(app)
    for table in ("appointments", "journeys", "delegations"):
        assert new_state["tables"][table] == state["tables"][table]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "keine Textdatei"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nEND:VCARD\r\n", "vCard"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n", "unvollständig"),
    ],
)
def test_bad_files_get_a_message_and_change_nothing(app: Flask, client: FlaskClient, keller: int, content: bytes, message: str) -> None:
    login(client, "planner@example.org")
    state = snapshot(app)
    response = upload(client, keller, content)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text and "Traceback" not in text
    assert snapshot(app) == state


def test_too_large_upload_is_refused_clearly(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "planner@example.org")
    state = snapshot(app)
    big = b"BEGIN:VCALENDAR\r\n" + b"X-FILL:" + b"a" * 60 + b"\r\n" * 1 + (b"X-FILL:" + b"a" * 60 + b"\r\n") * 50_000
    response = upload(client, keller, big)
    assert response.status_code in (200, 413)
    text = response.get_data(as_text=True)
    assert "zu groß" in text or "größer als" in text
    assert snapshot(app) == state


def test_viewers_cannot_import_and_uploads_stay_private(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "viewer@example.org")
    assert client.get(f"/delegations/{keller}/import").status_code == 403
    other = app.test_client()
    login(other, "planner@example.org")
    response = upload(other, keller, BOOKING.read_bytes())
    preview_url = response.headers["Location"]
    assert client.get(preview_url).status_code == 403
    with app.app_context():
        make_user(UserRole.PLANNER, "second@example.org")
    third = app.test_client()
    login(third, "second@example.org")
    assert third.get(preview_url).status_code == 404, "one planner's upload is not another's"
    assert re.search(r"/import/[A-Za-z0-9_-]{20,}$", preview_url)


def test_discard(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "planner@example.org")
    response = upload(client, keller, BOOKING.read_bytes())
    preview_url = response.headers["Location"]
    token = csrf_token(client, preview_url)
    assert client.post(preview_url + "/discard", data={"csrf_token": token}).status_code == 302
    assert client.get(preview_url).status_code == 404
    assert counts(app)[0] == 16
