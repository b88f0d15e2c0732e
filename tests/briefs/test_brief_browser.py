"""The print view in Chromium (print media, a screenshot, Chromium's own PDF) and the PDF download through the queue."""

from __future__ import annotations

import re

import sqlalchemy as sa

from planner.extensions import db
from planner.models import Delegation, UserRole
from tests.briefs.conftest import ARTIFACTS, KELLER_TITLE, read_pdf
from tests.browser.fixtures import LiveServer, screenshot, sign_in
from tests.conftest import make_user
from tests.jobs import running_worker


def test_print_view_in_chromium_print_preview(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        email = make_user(UserRole.VIEWER, "leserin@example.org").email
        delegation_id = db.session.scalars(sa.select(Delegation.id).filter_by(title=KELLER_TITLE)).one()

    sign_in(page, live_server, email)

    page.goto(f"{live_server.url}/delegations/{delegation_id}/brief")
    # On screen: the toolbar with its print button (shown by the page's script).
    assert page.get_by_role("button", name="Drucken").is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Drucken").is_visible()  # print media hides the toolbar
    assert page.get_by_role("heading", level=1, name="Delegationsreise nach Seoul und Chongqing").is_visible()
    # The Korean and Chinese names are set in the app's own fonts (served by /brief-fonts/, allowed by the CSP),
    # not in whatever CJK font this browser's machine has.
    loaded = page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family))"
    )
    assert {family.strip('"') for family in loaded} == {"Brief Noto Sans KR", "Brief Noto Sans SC"}, loaded
    screenshot(page, "brief-print-preview")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "brief-chromium.pdf"
    # prefer_css_page_size: A4 and the margins come from brief.css, as in the browser's print dialog.
    page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
    printed = read_pdf(target)
    assert printed.page_count() > 10
    assert "Mo., 14. Okt. 2024" in printed.text
    assert "Seite 2 von" in printed.text  # Chromium draws the same running footer from the page's @page rules
    assert "서울" in printed.text and "重庆" in printed.text


def test_the_keller_pdf_shows_progress_and_then_downloads(live_server: LiveServer, page) -> None:
    """The PDF button leads to the progress page; the page's own refresh opens the file once the worker made it."""
    with live_server.app.app_context():
        email = make_user(UserRole.VIEWER, "leser@example.org").email
        delegation_id = db.session.scalars(sa.select(Delegation.id).filter_by(title=KELLER_TITLE)).one()

    sign_in(page, live_server, email)

    page.goto(f"{live_server.url}/delegations/{delegation_id}/brief/options")
    page.get_by_role("button", name="PDF erstellen").click()
    # No worker yet: the request is queued and the browser is on the progress page.
    page.wait_for_url(re.compile(rf"/delegations/{delegation_id}/brief/renders/[0-9a-f]{{40}}$"))
    assert page.get_by_role("heading", level=1, name="Reisebriefing wird erstellt").is_visible()
    assert "wartet in der Warteschlange" in page.get_by_role("status").inner_text()
    screenshot(page, "brief-progress")

    with (
        running_worker(live_server.app),
        page.expect_response(re.compile(r"/brief/renders/[0-9a-f]{40}\.pdf$"), timeout=120_000) as answer,
    ):
        pass  # nothing to click: the page reloads itself until the file is there, then opens it
    file_response = answer.value
    assert file_response.status == 200 and file_response.headers["content-type"] == "application/pdf"
    assert file_response.headers["content-disposition"] == f'inline; filename="reisebriefing-{delegation_id}-full-de.pdf"'
    page.wait_for_url(re.compile(r"\.pdf$"))  # the browser is on the file now
    body = page.request.get(page.url).body()  # the same file, as "save as" would write it
    assert body.startswith(b"%PDF-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "brief-downloaded.pdf"
    target.write_bytes(body)
    printed = read_pdf(target)
    assert "Delegationsreise nach Seoul und Chongqing" in printed.text and printed.page_count() > 10
