"""A large .ics upload in Chromium: the progress page while the job worker parses it, then the preview and the import."""

from __future__ import annotations

import re

import sqlalchemy as sa

from planner.extensions import db
from planner.models import Appointment, Delegation, UserRole
from tests.browser.fixtures import LiveServer, screenshot, sign_in
from tests.calendar_import.test_parse_once import large_booking
from tests.conftest import make_user
from tests.jobs import running_worker

KELLER_TITLE = "Delegationsreise nach Seoul und Chongqing"


def test_a_large_upload_shows_progress_then_the_preview_and_imports(live_server: LiveServer, page) -> None:
    app = live_server.app
    data = large_booking(60, notes=1200)
    assert len(data) > app.config["IMPORT_INLINE_MAX_BYTES"], "large enough for the job queue under the shipped setting"
    with app.app_context():
        email = make_user(UserRole.PLANNER, "import@example.org").email
        delegation_id = db.session.scalars(sa.select(Delegation.id).filter_by(title=KELLER_TITLE)).one()
        before = db.session.scalar(sa.select(sa.func.count(Appointment.id)))

    sign_in(page, live_server, email)
    page.goto(f"{live_server.url}/delegations/{delegation_id}/import")
    page.get_by_label("iCalendar-Datei (.ics)").set_input_files(
        {"name": "reisebuero-gross.ics", "mimeType": "text/calendar", "buffer": data}
    )
    page.get_by_role("button", name="Vorschau anzeigen").click()

    # No worker yet: the upload is queued, the browser on the progress page of its preview URL.
    page.wait_for_url(re.compile(rf"/delegations/{delegation_id}/import/[A-Za-z0-9_-]{{20,}}$"))
    assert page.get_by_role("heading", level=1, name="Datei wird gelesen").is_visible()
    assert "wartet in der Warteschlange" in page.get_by_role("status").inner_text()
    screenshot(page, "import-progress")

    with running_worker(app):
        # Nothing to click: the page reloads itself until the worker has stored the parsed items.
        page.get_by_role("heading", level=1, name="Import-Vorschau").wait_for(timeout=60_000)
    assert page.get_by_text("neu", exact=True).count() == 60
    screenshot(page, "import-preview-large")

    # Sixty items are more than a request writes: the worker imports them, behind the same progress page.
    page.get_by_role("button", name="Jetzt importieren").click()
    page.get_by_role("heading", level=1, name="Einträge werden importiert").wait_for()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Appointment.id))) == before, "nothing written in the request"
    with running_worker(app):
        page.wait_for_url(f"{live_server.url}/delegations/{delegation_id}", timeout=60_000)
    assert page.get_by_text("Import abgeschlossen: 60 neu, 0 aktualisiert, 0 unverändert.").is_visible()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Appointment.id))) == before + 60
