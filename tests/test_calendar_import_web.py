"""The .ics import as a planner uses it: upload, preview, confirm; re-import; bad files; roles."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.backup.export import export_database
from planner.extensions import db
from planner.models import Appointment, ChangeRecord, Journey, PendingImport, User, UserRole
from tests.conftest import csrf_token, login, make_user
from tests.html_forms import form_values

BOOKING = Path(__file__).parent / "calendar_import" / "files" / "travel-agency-booking.ics"


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
def test_bad_files_get_a_message_and_change_nothing(
    app: Flask, client: FlaskClient, keller: int, content: bytes, message: str
) -> None:
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
    # A discarded upload is gone: its URL says so (and sends back to the upload) rather than a bare 404.
    gone = client.get(preview_url)
    assert gone.status_code == 302 and gone.headers["Location"].endswith(f"/delegations/{keller}/import")
    assert "Dieser Import ist nicht mehr vorhanden" in client.get(gone.headers["Location"]).get_data(as_text=True)
    assert counts(app)[0] == 16


# -- our own export, imported back into the same trip ------------------------------------------------


def set_locale(app: Flask, email: str, locale: str) -> None:
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        user.locale = locale
        db.session.commit()


def trip_tables(app: Flask) -> dict:
    """The rows an import could touch (history and audit records apart: a no-op writes none anyway)."""
    tables = snapshot(app)["tables"]
    return {name: tables[name] for name in ("appointments", "journeys", "delegations")}


def import_through_the_web(client: FlaskClient, delegation_id: int, data: bytes) -> tuple[str, str]:
    """Upload, preview and confirm; the preview page and the page after confirming."""
    response = upload(client, delegation_id, data, "eigener-export.ics")
    assert response.status_code == 302, response.get_data(as_text=True)
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    done = confirm(client, response.headers["Location"])
    assert done.status_code == 302
    return preview, client.get(done.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("locale", ["de", "en"])
def test_reimporting_our_own_export_changes_nothing(app: Flask, client: FlaskClient, keller: int, locale: str) -> None:
    set_locale(app, "planner@example.org", locale)
    login(client, "planner@example.org")
    exported = client.get(f"/delegations/{keller}/calendar.ics")
    assert exported.status_code == 200
    before = trip_tables(app)
    items = sum(counts(app))
    for round_ in range(3):
        preview, _page = import_through_the_web(client, keller, exported.data)
        unchanged = ">unverändert<" if locale == "de" else ">unchanged<"
        assert preview.count(unchanged) == items, f"round {round_ + 1}: the preview announces changes"
        assert trip_tables(app) == before, f"round {round_ + 1} changed the trip"
        exported_again = client.get(f"/delegations/{keller}/calendar.ics")
        assert exported_again.data == exported.data


@pytest.mark.parametrize(("locale", "changes"), [("de", "Ändert: Beginn"), ("en", "Changes: Start")])
def test_one_real_change_in_our_export_is_applied_and_named_in_words(
    app: Flask, client: FlaskClient, keller: int, locale: str, changes: str
) -> None:
    set_locale(app, "planner@example.org", locale)
    login(client, "planner@example.org")
    exported = client.get(f"/delegations/{keller}/calendar.ics").data
    moved = exported.replace(b"DTSTART;TZID=Asia/Seoul:20241014T140000", b"DTSTART;TZID=Asia/Seoul:20241014T133000")
    assert moved.count(b"20241014T133000") == 1
    before = trip_tables(app)
    preview, _page = import_through_the_web(client, keller, moved)
    assert f"<p>{changes}</p>" in preview
    assert "start_at" not in preview
    after = trip_tables(app)
    changed = [
        (old["uid"], key)
        for old, new in zip(before["appointments"], after["appointments"], strict=True)
        for key in old
        if old[key] != new[key]
    ]
    aimmo = next(row["uid"] for row in before["appointments"] if row["title"] == "Unternehmensbesuch AIMMO")
    # The start, and what every save bumps (revision for SEQUENCE, version, updated_at).
    assert {key for uid, key in changed if uid == aimmo} <= {"start_at", "revision", "version", "updated_at"}
    assert (aimmo, "start_at") in changed and {uid for uid, _key in changed} == {aimmo}
    assert after["journeys"] == before["journeys"]


def _latest_update(app: Flask, appointment_id: int) -> tuple[ChangeRecord, int, int]:
    """The appointment's newest history entry, and its version and revision now."""
    with app.app_context():
        record = db.session.scalars(
            sa.select(ChangeRecord)
            .filter_by(entity="appointments", entity_id=appointment_id, action="update")
            .order_by(ChangeRecord.id.desc())
        ).first()
        appointment = db.session.get(Appointment, appointment_id)
        db.session.expunge(record)
        return record, appointment.version, appointment.revision


def test_an_import_is_recorded_like_the_same_edit_on_the_form(app: Flask, client: FlaskClient, keller: int) -> None:
    """The import writes through the programme's operation: its history entry is the form's, version and SEQUENCE alike."""
    login(client, "planner@example.org")
    with app.app_context():
        aimmo = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Unternehmensbesuch AIMMO")).one()
        aimmo_id, version, revision = aimmo.id, aimmo.version, aimmo.revision
    exported = client.get(f"/delegations/{keller}/calendar.ics").data
    moved = exported.replace(b"DTSTART;TZID=Asia/Seoul:20241014T140000", b"DTSTART;TZID=Asia/Seoul:20241014T133000")
    import_through_the_web(client, keller, moved)
    imported, imported_version, imported_revision = _latest_update(app, aimmo_id)

    # The same change back, on the edit page: every field as the browser sends it, the start moved.
    edit_url = f"/delegations/{keller}/appointments/{aimmo_id}/edit"
    values = form_values(client.get(edit_url).get_data(as_text=True)).values
    assert ("starts", "2024-10-14T13:30") in values
    values = [(name, "2024-10-14T14:00" if name == "starts" else value) for name, value in values]
    assert client.post(edit_url, data=MultiDict(values)).status_code == 302
    edited, edited_version, edited_revision = _latest_update(app, aimmo_id)

    assert imported.changes == {"start_at": ["2024-10-14T05:00:00+00:00", "2024-10-14T04:30:00+00:00"]}
    assert edited.changes == {name: [new, old] for name, (old, new) in imported.changes.items()}
    assert (imported.user_email, imported.label, imported.delegation_id) == (
        edited.user_email,
        edited.label,
        edited.delegation_id,
    )
    assert imported.user_email == "planner@example.org"
    assert (imported_version, imported_revision) == (version + 1, revision + 1)
    assert (edited_version, edited_revision) == (version + 2, revision + 2)


DST_FILE = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//DE\r\n"
    b"BEGIN:VEVENT\r\nUID:gap@test\r\nSUMMARY:Vorbesprechung\r\n"
    b"DTSTART;TZID=Europe/Berlin:20241013T090000\r\nDTEND;TZID=Europe/Berlin:20241013T100000\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:twice@test\r\nSUMMARY:Nachtzug\r\n"
    b"DTSTART;TZID=Europe/Berlin:20241027T023000\r\nDURATION:PT30M\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:skipped@test\r\nSUMMARY:Fruehtermin\r\n"
    b"DTSTART;TZID=Europe/Berlin:20240331T023000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


@pytest.mark.parametrize(
    ("locale", "twice", "skipped"),
    [
        (
            "de",
            "Den Beginn am 27.10.2024 um 02:30 (Europe/Berlin) gibt es wegen der Zeitumstellung zweimal. "
            "Übernommen wurde das erste Mal (UTC+2), wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt.",
            "Den Beginn am 31.03.2024 um 02:30 (Europe/Berlin) gibt es wegen der Zeitumstellung nicht. "
            "Wie RFC 5545 (Abschnitt 3.3.5) es vorschreibt, wurde er um die Länge der Lücke "
            "(60 Minuten) auf 03:30 Uhr verschoben.",
        ),
        (
            "en",
            "The start on 27.10.2024 at 02:30 (Europe/Berlin) happens twice because the clocks go back. "
            "The first occurrence (UTC+2) was taken, as RFC 5545 (section 3.3.5) prescribes.",
            "The start on 31.03.2024 at 02:30 (Europe/Berlin) does not exist because the clocks go forward. "
            "As RFC 5545 (section 3.3.5) prescribes, it was moved forward by the length of the gap (60 minutes) to 03:30.",
        ),
    ],
)
def test_preview_says_how_dst_wall_times_were_read_and_the_file_imports(
    app: Flask, client: FlaskClient, keller: int, locale: str, twice: str, skipped: str
) -> None:
    set_locale(app, "planner@example.org", locale)
    login(client, "planner@example.org")
    before = sum(counts(app))
    preview, _page = import_through_the_web(client, keller, DST_FILE)
    assert twice in preview and skipped in preview
    assert preview.count("RFC 5545") == 2, "the plain event gets no note"
    assert sum(counts(app)) == before + 3
