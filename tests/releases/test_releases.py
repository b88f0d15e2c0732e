"""Released programme versions: prepare, approve by a second person, freeze; withdraw; the trip page says which is in force.

Numbering choice: a withdrawn release keeps its number and the next one gets
a new number, so "Version 2" always means one thing, also in a printout or
an e-mail that mentioned it before it was withdrawn.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Appointment, ChangeRecord, Delegation, FrozenRelease, Release, ReleaseState, User, UserRole
from tests.conftest import KellerSeeder, csrf_token, join_team, make_user, new_browser

CATALOGUE = Path(__file__).parents[2] / "planner" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


@pytest.fixture
def trip(app: Flask, seed_keller: KellerSeeder) -> int:
    seed_keller(app)
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        # Prepares; holds the right to approve too, which the four-eyes rule does not let her use on her own.
        join_team(make_user(UserRole.PLANNER, "anna@example.org"), delegation, may_approve=True)
        # A second planner with the right to approve on this trip's team.
        join_team(make_user(UserRole.PLANNER, "ben@example.org"), delegation, may_approve=True)
        make_user(UserRole.ADMIN, "chef@example.org")
        make_user(UserRole.VIEWER, "vera@example.org")
        db.session.commit()
        return delegation.id


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def field_errors(response) -> list[str]:
    return [unescape(e) for e in re.findall(r'<ul class="field-errors"[^>]*><li>([^<]+)</li>', response.get_data(as_text=True))]


def releases(app: Flask, trip: int) -> list[Release]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Release).where(Release.delegation_id == trip).order_by(Release.number)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(User.id).where(User.email == email)).one()


def prepare(client: FlaskClient, trip: int, note: str = ""):
    url = f"/delegations/{trip}/releases/new"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "note": note})


def approve(client: FlaskClient, trip: int, number: int, reason: str = "", version: int | None = None):
    url = f"/delegations/{trip}/releases/{number}/approve"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    if version is None:
        version = int(re.search(r'name="version"[^>]*value="(\d+)"', page.get_data(as_text=True)).group(1))
    return client.post(url, data={"csrf_token": csrf_token(client, url), "version": version, "reason": reason})


def withdraw(client: FlaskClient, trip: int, number: int):
    url = f"/delegations/{trip}/releases/{number}/withdraw"
    page = client.get(url)
    assert page.status_code == 200
    version = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": csrf_token(client, url), "version": version}, follow_redirects=True)


def test_preparing_gives_number_1_with_a_snapshot_of_the_draft_as_it_is(app: Flask, trip: int) -> None:
    with app.app_context():
        revision = db.session.get(Delegation, trip).revision
    anna = new_browser(app, "anna@example.org")
    response = prepare(anna, trip, note="Stand nach Abstimmung mit Seoul")
    assert response.status_code == 302
    [release] = releases(app, trip)
    assert release.number == 1
    assert release.state == ReleaseState.PREPARED
    assert release.prepared_by_id == user_id(app, "anna@example.org")
    assert release.note == "Stand nach Abstimmung mit Seoul"
    assert release.revision == revision
    assert release.snapshot  # what the outputs show, as the snapshot module captures it
    with app.app_context():
        assert db.session.get(Delegation, trip).revision == revision  # preparing is not a change of the draft
    page = text(anna.get(f"/delegations/{trip}"))
    assert "Version 1 wartet auf Freigabe (vorbereitet von anna@example.org" in page


def test_another_planner_approves_and_the_trip_page_shows_the_released_version(app: Flask, trip: int) -> None:
    prepare(new_browser(app, "anna@example.org"), trip)
    ben = new_browser(app, "ben@example.org")
    response = approve(ben, trip, 1)
    assert response.status_code == 302
    [release] = releases(app, trip)
    assert release.state == ReleaseState.APPROVED
    assert release.approved_by_id == user_id(app, "ben@example.org")
    assert release.approved_at is not None
    assert release.approval_reason is None

    page = text(ben.get(f"/delegations/{trip}"))
    assert re.search(r"Freigegebene Fassung: Version 1 vom \w\w\., \d+\. \w+\.? \d{4}, freigegeben von ben@example\.org", page)
    assert "Der Entwurf ist unverändert seit dieser Fassung." in page
    assert "wartet auf Freigabe" not in page

    # The draft goes on changing after the release: the page says so, the release stays as it was.
    with app.app_context():
        appointment = db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == trip)).first()
        appointment.title = "Treffen mit WCICO (verlegt)"
        db.session.commit()
    page = text(ben.get(f"/delegations/{trip}"))
    assert "Der Entwurf wurde seit dieser Fassung geändert." in page
    assert "Freigegebene Fassung: Version 1" in page
    [after] = releases(app, trip)
    assert (after.snapshot, after.revision, after.state) == (release.snapshot, release.revision, ReleaseState.APPROVED)


def test_the_preparer_cannot_approve_their_own_release(app: Flask, trip: int) -> None:
    anna = new_browser(app, "anna@example.org")
    prepare(anna, trip)
    page = text(anna.get(f"/delegations/{trip}/releases/1/approve"))
    assert "Sie haben diese Fassung selbst vorbereitet." in page
    assert "Version 1 freigeben?" in page and 'name="reason"' not in page  # no button that can only be refused
    response = approve(anna, trip, 1, reason="Eilt", version=1)
    assert response.status_code == 422
    assert field_errors(response) == [
        "Sie haben diese Fassung selbst vorbereitet. Freigeben muss sie eine zweite Person mit Freigaberecht."
    ]
    [release] = releases(app, trip)
    assert (release.state, release.approved_by_id, release.approved_at, release.approval_reason, release.version) == (
        ReleaseState.PREPARED,
        None,
        None,
        None,
        1,
    )


def test_an_admin_alone_approves_their_own_release_only_with_a_reason_which_is_recorded(app: Flask, trip: int) -> None:
    chef = new_browser(app, "chef@example.org")
    prepare(chef, trip)

    refused = approve(chef, trip, 1, reason="   ")
    assert refused.status_code == 422
    assert field_errors(refused) == ["Wer eine selbst vorbereitete Fassung freigibt, muss dafür einen Grund angeben."]
    [release] = releases(app, trip)
    assert (release.state, release.approved_by_id) == (ReleaseState.PREPARED, None)

    assert approve(chef, trip, 1, reason="Ein-Personen-Büro während der Herbstferien").status_code == 302
    [release] = releases(app, trip)
    assert release.state == ReleaseState.APPROVED
    assert release.approved_by_id == release.prepared_by_id == user_id(app, "chef@example.org")
    assert release.approval_reason == "Ein-Personen-Büro während der Herbstferien"
    page = text(chef.get(f"/delegations/{trip}/releases"))
    assert "Ein-Personen-Büro während der Herbstferien" in page


def test_a_second_release_cannot_be_prepared_while_one_waits(app: Flask, trip: int) -> None:
    anna = new_browser(app, "anna@example.org")
    prepare(anna, trip)
    response = prepare(new_browser(app, "ben@example.org"), trip, note="noch eine")
    assert response.status_code == 422
    assert field_errors(response) == ["Version 1 wartet schon auf Freigabe. Bitte diese erst freigeben oder zurückziehen."]
    assert [(r.number, r.state) for r in releases(app, trip)] == [(1, ReleaseState.PREPARED)]


def test_an_approved_release_cannot_be_changed_or_deleted(app: Flask, trip: int) -> None:
    prepare(new_browser(app, "anna@example.org"), trip)
    approve(new_browser(app, "ben@example.org"), trip, 1)
    [before] = releases(app, trip)
    with app.app_context():
        release = db.session.scalars(sa.select(Release)).one()
        release.snapshot = {"format": 1, "title": "Nachträglich geändert"}
        with pytest.raises(FrozenRelease):
            db.session.flush()
        db.session.rollback()

        release = db.session.scalars(sa.select(Release)).one()
        release.number = 7
        with pytest.raises(FrozenRelease):
            db.session.flush()
        db.session.rollback()

        release = db.session.scalars(sa.select(Release)).one()
        release.state = ReleaseState.WITHDRAWN  # set on an expired row: the rule still knows it was approved
        with pytest.raises(FrozenRelease):
            db.session.commit()
        db.session.rollback()

        db.session.delete(db.session.scalars(sa.select(Release)).one())
        with pytest.raises(FrozenRelease):
            db.session.flush()
        db.session.rollback()
    [after] = releases(app, trip)
    assert (after.snapshot, after.number, after.state, after.approved_by_id, after.version) == (
        before.snapshot,
        before.number,
        before.state,
        before.approved_by_id,
        before.version,
    )


def test_an_approved_release_cannot_be_withdrawn_or_approved_again(app: Flask, trip: int) -> None:
    prepare(new_browser(app, "anna@example.org"), trip)
    ben = new_browser(app, "ben@example.org")
    approve(ben, trip, 1)
    page = withdraw(ben, trip, 1)
    assert "Die Fassung wurde inzwischen freigegeben oder zurückgezogen." in text(page)
    chef = new_browser(app, "chef@example.org")
    opened = text(chef.get(f"/delegations/{trip}/releases/1/approve"))
    assert "Die Fassung wurde inzwischen freigegeben oder zurückgezogen." in opened
    again = approve(chef, trip, 1, reason="nochmal", version=releases(app, trip)[0].version)
    assert again.status_code == 422
    assert "Die Fassung wurde inzwischen freigegeben oder zurückgezogen." in text(again)
    [release] = releases(app, trip)
    assert (release.state, release.approved_by_id, release.approval_reason) == (
        ReleaseState.APPROVED,
        user_id(app, "ben@example.org"),
        None,
    )


def test_numbering_continues_after_a_withdrawal(app: Flask, trip: int) -> None:
    anna = new_browser(app, "anna@example.org")
    prepare(anna, trip)
    page = withdraw(anna, trip, 1)
    assert "Version 1 zurückgezogen." in text(page)
    assert prepare(anna, trip).status_code == 302
    assert [(r.number, r.state) for r in releases(app, trip)] == [(1, ReleaseState.WITHDRAWN), (2, ReleaseState.PREPARED)]
    withdrawn = releases(app, trip)[0]
    assert withdrawn.withdrawn_by_id == user_id(app, "anna@example.org")
    assert withdrawn.withdrawn_at is not None
    # The withdrawn one can no longer be approved.
    assert approve(new_browser(app, "ben@example.org"), trip, 1, version=withdrawn.version).status_code == 422


def test_an_approval_page_left_open_while_the_release_was_withdrawn_changes_nothing(app: Flask, trip: int) -> None:
    anna = new_browser(app, "anna@example.org")
    prepare(anna, trip)
    ben = new_browser(app, "ben@example.org")
    opened = ben.get(f"/delegations/{trip}/releases/1/approve").get_data(as_text=True)
    seen = int(re.search(r'name="version"[^>]*value="(\d+)"', opened).group(1))
    withdraw(anna, trip, 1)
    response = approve(ben, trip, 1, version=seen)
    assert response.status_code == 422
    assert "Die Fassung wurde inzwischen freigegeben oder zurückgezogen." in text(response)
    assert 'name="reason"' not in text(response)  # nothing left to approve
    assert releases(app, trip)[0].state == ReleaseState.WITHDRAWN


def test_viewers_read_the_releases_but_cannot_prepare_approve_or_withdraw(app: Flask, trip: int) -> None:
    prepare(new_browser(app, "anna@example.org"), trip)
    vera = new_browser(app, "vera@example.org")
    page = vera.get(f"/delegations/{trip}/releases")
    assert page.status_code == 200
    assert "Zur Freigabe vorbereitet" in text(page)
    trip_page = text(vera.get(f"/delegations/{trip}"))
    assert "Version 1 wartet auf Freigabe" in trip_page
    assert f"/delegations/{trip}/releases/1/approve" not in trip_page
    token = csrf_token(vera, "/")
    for url in (
        f"/delegations/{trip}/releases/new",
        f"/delegations/{trip}/releases/1/approve",
        f"/delegations/{trip}/releases/1/withdraw",
    ):
        assert vera.post(url, data={"csrf_token": token, "version": 1, "reason": "x"}).status_code == 403
    assert vera.get(f"/delegations/{trip}/releases/1/approve").status_code == 403
    assert [(r.number, r.state) for r in releases(app, trip)] == [(1, ReleaseState.PREPARED)]


def test_writes_without_a_csrf_token_are_refused(app: Flask, trip: int) -> None:
    anna = new_browser(app, "anna@example.org")
    assert anna.post(f"/delegations/{trip}/releases/new", data={"note": "x"}).status_code in (400, 422)
    prepare(anna, trip)
    assert anna.post(f"/delegations/{trip}/releases/1/withdraw", data={"version": 1}).status_code == 400
    ben = new_browser(app, "ben@example.org")
    assert ben.post(f"/delegations/{trip}/releases/1/approve", data={"version": 1}).status_code in (400, 422)
    assert [(r.number, r.state) for r in releases(app, trip)] == [(1, ReleaseState.PREPARED)]


def test_a_release_of_another_trip_or_an_unknown_number_is_not_found(app: Flask, trip: int) -> None:
    prepare(new_browser(app, "anna@example.org"), trip)
    ben = new_browser(app, "ben@example.org")
    assert ben.get(f"/delegations/{trip}/releases/2/approve").status_code == 404
    assert ben.get(f"/delegations/{trip + 1}/releases/1/approve").status_code == 404
    assert ben.get(f"/delegations/{trip + 1}/releases").status_code == 404


def test_the_history_and_the_releases_page_tell_who_prepared_and_approved(app: Flask, trip: int) -> None:
    prepare(new_browser(app, "anna@example.org"), trip, note="Erste Fassung")
    ben = new_browser(app, "ben@example.org")
    approve(ben, trip, 1)
    history = text(ben.get(f"/delegations/{trip}/history"))
    assert "angelegt: Programmfassung „Version 1“" in history
    assert "geändert: Programmfassung „Version 1“" in history
    assert "Zur Freigabe vorbereitet" in history and "Freigegeben" in history
    with app.app_context():
        records = db.session.scalars(sa.select(ChangeRecord).where(ChangeRecord.entity == "releases")).all()
        assert [(r.action, r.user_email) for r in records] == [("create", "anna@example.org"), ("update", "ben@example.org")]
        assert all("snapshot" not in r.changes for r in records)  # the programme is not copied into the history
    page = text(ben.get(f"/delegations/{trip}/releases"))
    row = re.search(r'<tr class="release release--approved">(.*?)</tr>', page, re.S).group(1)
    assert "anna@example.org" in row and "ben@example.org" in row and "Erste Fassung" in row
    assert re.search(r"\d\d:\d\d", row)  # when, in the office's local time


def _catalogue_has(*msgids: str) -> bool:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    return all(catalogue.get(m) is not None and catalogue.get(m).string for m in msgids)


@pytest.mark.skipif(
    not _catalogue_has("Freigegeben", "Zur Freigabe vorbereitet", "Zurückgezogen"),
    reason="the English texts of releases arrive with the catalogue regenerated at the merge",
)
def test_the_release_states_read_in_english(app: Flask, trip: int) -> None:
    anna = new_browser(app, "anna@example.org")
    prepare(anna, trip)
    withdraw(anna, trip, 1)
    prepare(anna, trip)
    approve(new_browser(app, "ben@example.org"), trip, 2)
    token = csrf_token(anna, "/")
    anna.post("/language", data={"csrf_token": token, "locale": "en", "next": "/"})
    page = text(anna.get(f"/delegations/{trip}/releases"))
    for english in ("Approved", "Withdrawn"):
        assert english in page
    for german in ("Freigegeben</td>", "Zurückgezogen</td>"):
        assert german not in page


def test_the_right_to_approve_is_per_trip_and_not_the_role(app: Flask, trip: int) -> None:
    """A planner on the team without the right gets 403; a read-only account of the mayor's office with it approves."""
    with app.app_context():
        delegation = db.session.get(Delegation, trip)
        join_team(make_user(UserRole.PLANNER, "carl@example.org"), delegation)
        join_team(make_user(UserRole.VIEWER, "buero@example.org"), delegation, may_approve=True)
        db.session.commit()
    prepare(new_browser(app, "anna@example.org"), trip)

    carl = new_browser(app, "carl@example.org")
    assert carl.get(f"/delegations/{trip}/releases/1/approve").status_code == 403
    token = csrf_token(carl, f"/delegations/{trip}")
    refused = carl.post(f"/delegations/{trip}/releases/1/approve", data={"csrf_token": token, "version": 1})
    assert refused.status_code == 403
    assert [r.state for r in releases(app, trip)] == [ReleaseState.PREPARED]

    office = new_browser(app, "buero@example.org")
    approve(office, trip, 1)
    with app.app_context():
        (release,) = releases(app, trip)
        assert release.state is ReleaseState.APPROVED
        assert release.approved_by_id == user_id(app, "buero@example.org")


def test_release_status_finds_the_newest_approved_and_the_pending_release(app: Flask, trip: int) -> None:
    """The trip page's release in force and pending release (one query): the newest of each state, never a withdrawn one."""
    from planner.releases.queries import release_status

    with app.app_context():
        delegation = db.session.get(Delegation, trip)
        assert delegation is not None
        assert (release_status(delegation).current, release_status(delegation).pending) == (None, None)
        states = [ReleaseState.APPROVED, ReleaseState.APPROVED, ReleaseState.PREPARED, ReleaseState.WITHDRAWN]
        for number, state in enumerate(states, start=1):
            db.session.add(Release(delegation_id=trip, number=number, state=state, snapshot={}, revision=delegation.revision))
        db.session.flush()
        status = release_status(delegation)
        assert status.current is not None and status.current.number == 2
        assert status.pending is not None and status.pending.number == 3
        assert not status.draft_changed
