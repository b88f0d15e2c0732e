"""The print view in Chromium: print media, a screenshot for review, and Chromium's own PDF of it."""

from __future__ import annotations

import sqlalchemy as sa

from planner.extensions import db
from planner.models import Delegation, UserRole
from tests.briefs.conftest import ARTIFACTS, KELLER_TITLE, read_pdf
from tests.browser.fixtures import LiveServer, screenshot
from tests.conftest import PASSWORD, make_user


def test_print_view_in_chromium_print_preview(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        email = make_user(UserRole.VIEWER, "leserin@example.org").email
        delegation_id = db.session.scalars(sa.select(Delegation.id).filter_by(title=KELLER_TITLE)).one()

    page.goto(live_server.url + "/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_label("Passwort").press("Enter")
    page.wait_for_url(live_server.url + "/")

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
