"""The brief and the trip pages carry the programme's version and what changed since the last one.

Releases are prepared and approved through the real pages by two planners;
the draft is edited through the operations, committed like a page does.
Expected sentences are written out by hand.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from planner.briefs import queries as brief_queries
from planner.briefs import render, rendering
from planner.briefs.options import Audience, BriefOptions, Edition
from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import Member, Person, Release
from planner.program import operations
from planner.program.inputs import AppointmentInput, MoveInput
from tests.briefs.conftest import ensure_briefs
from tests.conftest import make_city, make_delegation, new_browser
from tests.releases.test_releases import approve, prepare, text, trip  # noqa: F401  (trip is a fixture)

WCICO = "Gespräche mit der Western China International Communication Organization (WCICO)"
PRESS_OFFICER = "Pressereferent/in Oberbürgermeister (Platzhalter)"
MOVED = f"Do., 17. Okt.: {WCICO} verschoben von 15:00 auf 16:30 (Ortszeit Chongqing)"
NOTE_CHANGED = f"Do., 17. Okt.: {WCICO} – interne Hinweise geändert"
NOTE = "Raum erst am Vortag bestätigt."
NOW = datetime(2024, 10, 14, 8, 30, tzinfo=UTC)  # 10:30 in Düsseldorf


@pytest.fixture
def app(app: Flask) -> Flask:
    return ensure_briefs(app)


def release(app: Flask, trip: int) -> int:  # noqa: F811
    """Anna prepares the draft as it is, Ben approves it; the new number."""
    assert prepare(new_browser(app, "anna@example.org"), trip).status_code == 302
    with app.app_context():
        number = db.session.scalar(sa.select(sa.func.max(Release.number)).where(Release.delegation_id == trip))
    assert approve(new_browser(app, "ben@example.org"), trip, number).status_code == 302
    return number


def approval_day(app: Flask, trip: int, number: int) -> str:  # noqa: F811
    """The approval's calendar day in Düsseldorf, as a German office writes it."""
    with app.app_context():
        approved = db.session.scalar(
            sa.select(Release.approved_at).where(Release.delegation_id == trip, Release.number == number)
        )
    return approved.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y")


def move_wcico_and_note_it(app: Flask, trip: int) -> None:  # noqa: F811
    """The WCICO talks move from 15:00 to 16:30 Chongqing time; the office notes something internal on them."""
    with app.test_request_context():
        live = delegation_with_programme(trip)
        assert live is not None
        wcico = next(a for a in live.appointments if a.title == WCICO)
        operations.move_appointment(live, wcico, MoveInput(wcico.start_at + timedelta(minutes=90), wcico.version))
        db.session.commit()
        db.session.expire_all()
        live = delegation_with_programme(trip)
        assert live is not None
        wcico = next(a for a in live.appointments if a.title == WCICO)
        operations.save_appointment(live, dataclasses.replace(AppointmentInput.of(wcico), notes=NOTE), wcico)
        db.session.commit()


def press_officer(app: Flask, trip: int) -> tuple[int, int, str]:  # noqa: F811
    """The press officer's member id, person id and name (they attend the WCICO talks)."""
    with app.app_context():
        member = db.session.scalars(
            sa.select(Member).join(Person).where(Member.delegation_id == trip, Person.family_name == PRESS_OFFICER)
        ).one()
        return member.id, member.person_id, member.person.display_name


def cover_version(page: str) -> str:
    found = re.search(r'<dd class="cover__version">([^<]*)</dd>', page)
    assert found, "no version on the cover"
    return unescape(found.group(1))


def footer(page: str) -> str:
    found = re.search(r"@bottom-left \{ content: \"([^\"]*)\"", page)
    assert found, "no running footer"
    return unescape(found.group(1))


def changes_block(page: str) -> str:
    found = re.search(r'<section class="chapter release-changes".*?</section>', page, re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))) if found else ""


def result(response) -> str:
    """The compare page's list of changes, as text."""
    found = re.search(r'<section aria-labelledby="compare-result".*?</section>', response.get_data(as_text=True), re.S)
    assert found, "no result"
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


def options(page: str, name: str) -> list[str]:
    """The values a select of the page offers."""
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert found, name
    return re.findall(r'value="([^"]*)"', found.group(1))


def pdf_text(app: Flask, trip: int, options: BriefOptions, tmp_path: Path) -> list[str]:  # noqa: F811
    with app.app_context():
        body = rendering.build_pdf(trip, options, "http://localhost/")
    assert body is not None
    path = tmp_path / f"{options.slug}.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


def test_a_trip_without_release_prints_the_draft_with_its_time(app: Flask, trip: int) -> None:  # noqa: F811
    page = text(new_browser(app, "vera@example.org").get(f"/delegations/{trip}/brief"))
    assert re.fullmatch(r"Entwurf, Stand \d\d\.\d\d\.\d{4} \d\d:\d\d", cover_version(page))
    assert footer(page).startswith(cover_version(page))
    # Asking for the released version of a trip that has none is refused with the reason.
    refused = new_browser(app, "vera@example.org").get(f"/delegations/{trip}/brief?edition=released")
    assert refused.status_code == 400
    assert "noch keine Fassung freigegeben" in text(refused)
    assert new_browser(app, "vera@example.org").get(f"/delegations/{trip}/brief?edition=nonsense").status_code == 400


def test_the_draft_brief_says_entwurf_with_the_home_time(app: Flask, trip: int) -> None:  # noqa: F811
    release(app, trip)
    with app.test_request_context():
        source = brief_queries.brief_source(trip, Edition.DRAFT)
        assert source is not None
        _brief, page = render.brief_html(source, BriefOptions(edition=Edition.DRAFT), now=NOW)
    assert cover_version(page) == "Entwurf, Stand 14.10.2024 10:30"
    assert footer(page).startswith("Entwurf, Stand 14.10.2024 10:30")


def test_a_released_brief_carries_its_version_on_cover_and_footer_and_in_the_pdf(
    app: Flask,
    trip: int,  # noqa: F811
    tmp_path: Path,
) -> None:
    number = release(app, trip)
    expected = f"Version {number} vom {approval_day(app, trip, number)}"
    page = text(new_browser(app, "vera@example.org").get(f"/delegations/{trip}/brief"))
    assert cover_version(page) == expected
    assert footer(page).startswith(expected)
    assert "Ersetzt Version" not in page  # the first release replaces nothing

    pages = pdf_text(app, trip, BriefOptions(edition=Edition.RELEASED), tmp_path)
    assert expected in pages[0]  # the cover
    assert all(expected in p for p in pages[1:]), "every page's footer carries the version"


def test_a_released_brief_is_unchanged_by_a_draft_edit(app: Flask, trip: int) -> None:  # noqa: F811
    release(app, trip)

    def same(page: str) -> str:
        return re.sub(r'nonce="[^"]*"', "", page)  # a new one per request, by design

    def both() -> tuple[str, str]:
        with app.test_request_context():
            db.session.expire_all()
            released = brief_queries.brief_source(trip)
            draft = brief_queries.brief_source(trip, Edition.DRAFT)
            assert released is not None and draft is not None
            return (
                same(render.brief_html(released, BriefOptions(), now=NOW)[1]),
                same(render.brief_html(draft, BriefOptions(edition=Edition.DRAFT), now=NOW)[1]),
            )

    released_before, draft_before = both()
    move_wcico_and_note_it(app, trip)
    released_after, draft_after = both()
    assert released_after == released_before
    assert draft_after != draft_before


def test_version_2_lists_a_members_own_changes_and_no_internal_note(app: Flask, trip: int, tmp_path: Path) -> None:  # noqa: F811
    first = release(app, trip)
    move_wcico_and_note_it(app, trip)
    second = release(app, trip)
    _member_id, person_id, name = press_officer(app, trip)

    member_page = text(new_browser(app, "vera@example.org").get(f"/delegations/{trip}/brief?member={person_id}"))
    block = changes_block(member_page)
    assert f"Ersetzt Version {first}. Änderungen für {name}:" in block
    assert MOVED in block
    assert "interne Hinweise" not in block and NOTE not in member_page
    assert cover_version(member_page).startswith(f"Version {second} vom ")

    # The team's brief reads the note change too, the press programme never.
    full = changes_block(text(new_browser(app, "vera@example.org").get(f"/delegations/{trip}/brief?audience=full")))
    assert "Änderungen für das Planungsteam:" in full and MOVED in full and NOTE_CHANGED in full
    press = text(new_browser(app, "vera@example.org").get(f"/delegations/{trip}/brief?audience=press"))
    assert "interne Hinweise" not in press and NOTE not in press

    # The printed member brief: the same list on the page right after the cover, nothing internal anywhere.
    pages = pdf_text(app, trip, BriefOptions(audience=Audience.MEMBER, person_id=person_id), tmp_path)
    assert f"Version {second} vom" in pages[0]
    assert f"Ersetzt Version {first}. Änderungen für {name}:" in pages[1]
    assert " ".join(MOVED.split()) in pages[1]
    assert not any("interne Hinweise" in p or NOTE in p for p in pages)


def test_the_trip_page_lists_the_drafts_changes_since_the_release(app: Flask, trip: int) -> None:  # noqa: F811
    client = new_browser(app, "vera@example.org")
    assert "Änderungen im Entwurf seit" not in text(client.get(f"/delegations/{trip}"))
    number = release(app, trip)
    assert "Änderungen im Entwurf seit" not in text(client.get(f"/delegations/{trip}"))  # nothing changed yet
    move_wcico_and_note_it(app, trip)
    page = text(client.get(f"/delegations/{trip}"))
    assert f"Änderungen im Entwurf seit Version {number}" in page
    assert MOVED in page and NOTE_CHANGED in page


def test_the_compare_page_shows_a_chosen_readers_changes(app: Flask, trip: int) -> None:  # noqa: F811
    first = release(app, trip)
    move_wcico_and_note_it(app, trip)
    second = release(app, trip)
    member_id, _person_id, _name = press_officer(app, trip)
    client = new_browser(app, "vera@example.org")
    url = f"/delegations/{trip}/releases/compare"

    team = client.get(f"{url}?old={first}&new={second}&audience=team")
    assert team.status_code == 200
    assert MOVED in result(team) and NOTE_CHANGED in result(team)

    member = client.get(f"{url}?old={first}&new={second}&audience=member&member={member_id}")
    assert member.status_code == 200
    assert result(member).split() == ["Änderungen", *MOVED.split()]

    leadership = result(client.get(f"{url}?old={first}&new={second}&audience=leadership"))
    assert MOVED in leadership and "interne Hinweise" not in leadership

    # The release in force against the draft: nothing changed since.
    draft = result(client.get(f"{url}?old={second}&new=draft&audience=team"))
    assert "Keine Änderungen für diese Sicht." in draft
    # Without choices: the release in force against the draft, as the team reads it.
    assert client.get(url).status_code == 200


def test_the_compare_page_offers_only_what_the_reader_may_pick(app: Flask, trip: int) -> None:  # noqa: F811
    first = release(app, trip)
    # A release prepared but not approved: not a version anyone may compare.
    assert prepare(new_browser(app, "anna@example.org"), trip).status_code == 302
    client = new_browser(app, "vera@example.org")
    url = f"/delegations/{trip}/releases/compare"
    with app.app_context():
        # A member of another trip: the compare page of this one must not read its view.
        other = make_delegation(make_city("Bonn"), title="Andere Reise")
        person = db.session.scalars(sa.select(Person)).first()
        assert person is not None
        db.session.add(stranger := Member(delegation=other, person=person))
        db.session.commit()
        stranger_id = stranger.id

    page = client.get(url).get_data(as_text=True)
    assert options(page, "old") == [str(first)]  # the prepared one is not offered
    assert options(page, "new") == ["draft", str(first)]
    assert options(page, "audience") == ["team", "leadership", "press", "member"]
    assert str(stranger_id) not in options(page, "member")

    for query in (
        f"old={first + 1}&new=draft&audience=team",  # prepared, not approved
        "old=99&new=draft&audience=team",  # no such version
        f"old={first}&new=draft&audience=everyone",  # no such audience
        f"old={first}&new=draft&audience=member",  # a member's view without the member
        f"old={first}&new=draft&audience=member&member=999999",  # not on this trip
        f"old={first}&new=draft&audience=member&member=abc",
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, query
        assert "Bitte prüfen Sie die markierten Angaben." in text(response), query
    assert client.get(f"{url}?old={first}&new=draft&audience=member&member={stranger_id}").status_code == 400
    assert client.get("/delegations/999999/releases/compare").status_code == 404
    assert new_browser(app, "vera@example.org").get(f"{url}?old={first}").status_code == 200


def test_a_long_list_of_draft_changes_is_folded_away(app: Flask, trip: int) -> None:  # noqa: F811
    number = release(app, trip)
    with app.test_request_context():
        live = delegation_with_programme(trip)
        assert live is not None
        ids = [a.id for a in live.appointments][:6]
    for appointment_id in ids:  # six appointments each half an hour later: six changes
        with app.test_request_context():
            live = delegation_with_programme(trip)
            assert live is not None
            item = next(a for a in live.appointments if a.id == appointment_id)
            operations.move_appointment(live, item, MoveInput(item.start_at + timedelta(minutes=30), item.version))
            db.session.commit()
    page = new_browser(app, "vera@example.org").get(f"/delegations/{trip}").get_data(as_text=True)
    folded = re.search(r'<details class="release-changes">\s*<summary>([^<]*)</summary>(.*?)</details>', page, re.S)
    assert folded, "six changes are folded into a <details>"
    assert unescape(folded.group(1)).startswith(f"Änderungen im Entwurf seit Version {number} (6 Änderungen)")
    assert folded.group(2).count("<li>") == 6
