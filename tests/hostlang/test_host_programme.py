"""The programme in the host's language: the translations page, its completeness check, and the host programme.

The Keller trip is translated through the page as an interpreter would (a POST of the form),
then printed in Korean and Chinese. Dates are compared with CLDR's full date written out by
hand; "no German" is checked against the German catalogue's msgids, the trip's German texts
and planted markers.
"""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.hostlang.texts import host_texts
from planner.models import Appointment, ContentTranslation, UserRole
from tests.conftest import PLANNER_EMAIL, VIEWER_EMAIL, csrf_token, login, make_user
from tests.jobs import follow_pdf, running_worker

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "hostlang"
POT = Path(__file__).resolve().parents[2] / "planner" / "translations" / "messages.pot"
NOTE_MARKER = "GEHEIM-NOTIZ-7731"
POINTS_MARKER = "GESPRAECHSPUNKT-4410"
# What the test's interpreter writes: plainly test text, in the language's script ("test translation n").
SAMPLE = {"ko": "시험 번역 {n}", "zh-Hans": "测试译文 {n}"}
# A proper name an interpreter keeps in Latin letters (a company's own spelling).
PROPER_NAMES = {"AIMMO"}


def _page(client: FlaskClient, delegation_id: int, language: str) -> str:
    response = client.get(f"/delegations/{delegation_id}/translations?language={language}")
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def _form_fields(html: str) -> list[str]:
    """The keys of the texts the form offers, in page order."""
    return re.findall(r'name="text_([a-z]+-\d+-[a-z_]+)"', html)


def _translate_all(
    client: FlaskClient, delegation_id: int, language: str, *, leave_out: int = 0, reviewed: bool = True
) -> list[str]:
    """Fill in every text of the page (but the last ``leave_out``) and post it; the keys of the page."""
    url = f"/delegations/{delegation_id}/translations?language={language}"
    html = _page(client, delegation_id, language)
    keys = _form_fields(html)
    data: dict[str, object] = {"csrf_token": csrf_token(client, url), "version": 1}
    for n, key in enumerate(keys):
        source = re.search(
            rf'name="source_{re.escape(key)}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="source_{re.escape(key)}"', html
        )
        assert source, key
        data[f"source_{key}"] = unescape(source.group(1) or source.group(2))
        if n >= len(keys) - leave_out:
            continue
        data[f"text_{key}"] = (
            "AIMMO"
            if key.startswith("organization-") and "AIMMO" in str(data[f"source_{key}"]) and key.endswith("-name")
            else SAMPLE[language].format(n=n)
        )
        if reviewed and n % 2 == 0:
            data[f"reviewed_{key}"] = "y"
    response = client.post(url, data=data)
    assert response.status_code == 302, unescape(response.get_data(as_text=True))[-3000:]
    return keys


def _german_msgids() -> list[str]:
    """Every German UI text of the catalogue that is a word or more, without its placeholders."""
    text = POT.read_text(encoding="utf-8")
    found = []
    for raw in re.findall(r'^msgid "(.+)"$', text, flags=re.M):
        for piece in re.split(r"%\(\w+\)[sd]|\{\w+\}|\\n", raw):
            piece = piece.strip(' .,:;–-()„“"')
            if len(re.sub(r"[^A-Za-zÄÖÜäöüß]", "", piece)) >= 4:
                found.append(piece)
    return found


@pytest.fixture
def trip(app: Flask, keller: int) -> int:
    """The Keller trip with a note and talking points planted on a visit the host programme shows."""
    with app.app_context():
        seegene = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Unternehmensbesuch Seegene")).one()
        seegene.notes, seegene.talking_points = NOTE_MARKER, POINTS_MARKER
        db.session.commit()
    return keller


def test_the_page_lists_every_missing_text_and_the_check_follows_each_change(app: Flask, planner: FlaskClient, trip: int) -> None:
    html = _page(planner, trip, "ko")
    keys = _form_fields(html)
    # The trip's title, titles and places of what the host sees, and the delegation list; nothing internal.
    assert f"delegation-{trip}-title" in keys
    assert "Internes Briefing der Delegation" not in html
    with app.app_context():
        texts = host_texts(trip, "ko")
        assert texts is not None
        assert len(texts.missing) == len(keys) and len(keys) > 20
        members = len(texts.members)
    assert sum(key.startswith("person-") for key in keys) == members
    assert f"{len(keys)} Texte fehlen noch oder sind veraltet" in html

    _translate_all(planner, trip, "ko", leave_out=2)
    html = _page(planner, trip, "ko")
    assert "2 Texte fehlen noch oder sind veraltet" in html
    with app.app_context():
        texts = host_texts(trip, "ko")
        assert texts is not None and [item.key for item in texts.missing] == keys[-2:]
        # Nobody reviewed every second one: those are counted, not hidden.
        assert len(texts.unreviewed) == (len(keys) - 2) // 2
        # The German title changes: its translation is outdated, so missing again.
        seegene = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Unternehmensbesuch Seegene")).one()
        seegene.title = "Besuch bei Seegene"
        db.session.commit()
        outdated = host_texts(trip, "ko")
        assert outdated is not None and f"appointment-{seegene.id}-title" in [item.key for item in outdated.missing]
    assert "veraltet (deutscher Text geändert)" in _page(planner, trip, "ko")
    # Each saved translation is in the trip's change history, with what it translates.
    history = unescape(planner.get(f"/delegations/{trip}/history").get_data(as_text=True))
    assert "Übersetzung" in history and f"delegation {trip} title [ko]" in history
    # Another language knows nothing of the Korean ones.
    with app.app_context():
        chinese = host_texts(trip, "zh-Hans")
        assert chinese is not None and len(chinese.missing) == len(keys)


def test_bad_input_gets_a_message_and_changes_nothing(app: Flask, planner: FlaskClient, trip: int) -> None:
    assert planner.get(f"/delegations/{trip}/translations?language=deutsch!").status_code == 422
    url = f"/delegations/{trip}/translations?language=ko"
    key = f"delegation-{trip}-title"
    token = csrf_token(planner, url)
    too_long = planner.post(url, data={"csrf_token": token, "version": 1, f"text_{key}": "가" * 2001})
    assert too_long.status_code == 422 and "höchstens 2000 Zeichen" in unescape(too_long.get_data(as_text=True))
    nothing_to_review = planner.post(url, data={"csrf_token": token, "version": 1, f"reviewed_{key}": "y"})
    assert nothing_to_review.status_code == 422
    assert "Ohne Übersetzung gibt es nichts zu prüfen." in unescape(nothing_to_review.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentTranslation)) == 0
    # A language the host programme has no words for can be translated, not printed.
    assert planner.get(f"/delegations/{trip}/translations?language=ja").status_code == 200
    assert planner.get(f"/delegations/{trip}/host-programme/ja").status_code == 404


def test_viewers_read_editors_write_outsiders_see_nothing(app: Flask, client: FlaskClient, trip: int) -> None:
    url = f"/delegations/{trip}/translations?language=ko"
    login(client, VIEWER_EMAIL)
    page = client.get(url)
    assert page.status_code == 200 and 'name="text_' not in page.get_data(as_text=True)
    assert client.get(f"/delegations/{trip}/host-programme/ko").status_code == 200
    assert client.post(url, data={"csrf_token": csrf_token(client, url), "version": 1}).status_code == 403
    with app.app_context():
        make_user(UserRole.PLANNER, "outsider@example.org")
    outsider = app.test_client()
    login(outsider, "outsider@example.org", teams=False)  # a planner, but not on this trip's team
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, data={"csrf_token": csrf_token(outsider, "/"), "version": 1}).status_code == 404
    assert outsider.get(f"/delegations/{trip}/host-programme/ko").status_code == 404
    assert outsider.get(f"/delegations/{trip}/host-programme/ko.pdf").status_code == 404
    planner = app.test_client()
    login(planner, PLANNER_EMAIL)
    assert 'name="text_' in planner.get(url).get_data(as_text=True)


def _main_text(html: str) -> str:
    main = html.split('<main class="document">', 1)[1].split("</main>", 1)[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _german_left(text: str, sources: list[str]) -> list[str]:
    found = [word for word in re.findall(r"[A-Za-zÄÖÜäöüß]{2,}", text) if word not in PROPER_NAMES]
    found += [msgid for msgid in _german_msgids() if msgid in text]
    found += [source for source in sources if source in text and source not in PROPER_NAMES]
    return found + [marker for marker in (NOTE_MARKER, POINTS_MARKER) if marker in text]


def test_the_host_programme_in_korean_and_chinese_has_local_dates_and_no_german(
    app: Flask, planner: FlaskClient, trip: int
) -> None:
    _translate_all(planner, trip, "ko", leave_out=1)
    _translate_all(planner, trip, "zh-Hans")
    with app.app_context():
        texts = host_texts(trip, "ko")
        assert texts is not None
        sources = [item.source for item in texts]

    korean = planner.get(f"/delegations/{trip}/host-programme/ko")
    assert korean.status_code == 200
    html = unescape(korean.get_data(as_text=True))
    assert '<html lang="ko">' in html
    text = _main_text(html)
    # CLDR's full date in Korean: year 년, month 월, day 일, then the weekday (16 Oct 2024 was a Wednesday).
    assert "2024년 10월 14일 월요일" in text and "2024년 10월 16일 수요일" in text
    assert "09:00–10:30" in text  # the Seegene visit, Seoul time, 24-hour clock
    assert "대표단 명단" in text and "시험 번역 0" in text
    # The one text left out is a visible gap in Korean, counted at the top; unreviewed ones are starred.
    assert text.count("[번역 없음]") == 1 and "번역 미완료: 1개 항목 누락" in text
    assert "* 검토되지 않은 번역" in text
    assert _german_left(text, sources) == []

    chinese = planner.get(f"/delegations/{trip}/host-programme/zh-Hans")
    html = unescape(chinese.get_data(as_text=True))
    assert '<html lang="zh-Hans">' in html
    text = _main_text(html)
    assert "2024年10月16日星期三" in text and "2024年10月17日星期四" in text
    assert "测试译文 0" in text and "代表团名单" in text
    assert "[暂无译文]" not in text and "译文不完整" not in text  # complete
    assert _german_left(text, sources) == []

    # One PDF, through the real queue and WeasyPrint: the Korean programme.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_worker(app):
        pdf, _seen = follow_pdf(planner, f"/delegations/{trip}/host-programme/ko.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", pdf.get_data(as_text=True)[:2000]
    assert pdf.headers["Content-Disposition"] == f'inline; filename="host-programme-{trip}-ko.pdf"'
    path = ARTIFACTS / "host-programme-ko.pdf"
    path.write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(path), str(ARTIFACTS / "host-programme-ko")], check=True)
    pages = sorted(ARTIFACTS.glob("host-programme-ko*.png"))
    assert pages and all(page.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for page in pages)
    pdf_text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(pdf_text.split())
    assert "2024년 10월 16일 수요일" in flat and "시험 번역 0" in flat and "대표단 명단" in flat
    assert re.search(r"1\s*/\s*\d+\s*쪽", flat)  # the page footer in Korean
    assert _german_left(flat, sources) == []
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    # The "emb" column is the fifth from the end (emb, sub, uni, object, generation).
    korean_fonts = [line.split() for line in fonts.splitlines() if re.search(r"Noto-?Sans-?KR", line)]
    assert korean_fonts and all(parts[-5] == "yes" for parts in korean_fonts), fonts
