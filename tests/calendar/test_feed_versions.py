"""Subscription feeds follow the released version or the draft, and say which version they show.

The Keller trip, a member's link (follows the released version, the default for
personal links) and the planning team's link (follows the draft). The events
each parser reads are compared with the database as ``export-data`` writes it
(see test_interop), taken at the moment each version was approved.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import Appointment, Delegation, FeedFollows, FeedToken, ItemStatus, Member, Person, Release, User, UserRole
from planner.program import operations as program_operations
from planner.program.inputs import MoveInput
from planner.releases import operations as release_operations
from planner.releases.inputs import ApprovalInput, PrepareInput
from tests.calendar.test_interop import assert_every_parser_reads, expected_events, exported_rows
from tests.conftest import KellerSeeder, csrf_token, join_team, login, make_user

HOME = ZoneInfo("Europe/Berlin")  # the home time zone the approval date is written in (config HOME_TIMEZONE)
MEMBER_NAME = "Wolfram Diener"


@pytest.fixture
def trip(app: Flask, seed_keller: KellerSeeder) -> int:
    seed_keller(app)
    with app.app_context():
        anna = make_user(UserRole.PLANNER, "anna@example.org")  # prepares releases, makes the links
        ben = make_user(UserRole.PLANNER, "ben@example.org")  # approves them
        delegation = db.session.scalars(sa.select(Delegation)).one()
        for user in (anna, ben):  # approving is a right on the trip's team
            join_team(user, delegation, may_approve=True)
        db.session.commit()
        return delegation.id


@pytest.fixture
def anna(app: Flask, trip: int) -> FlaskClient:
    client = app.test_client()
    login(client, "anna@example.org")
    return client


def _member_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(Member.id).join(Person).where(Person.name == MEMBER_NAME)).one()


def new_link(client: FlaskClient, trip: int, *, member_id: int = 0, follows: str = "", audience: str = "") -> str:
    """A feed link made on the subscriptions page; returns its path."""
    page = f"/delegations/{trip}/subscriptions"
    before = set(re.findall(r"/feeds/[A-Za-z0-9_-]{43}\.ics", client.get(page).get_data(as_text=True)))
    data = {"csrf_token": csrf_token(client, page), "member_id": member_id, "locale": "de"}
    data |= {"audience": audience, "follows": follows}
    assert client.post(page, data=data).status_code == 302
    after = set(re.findall(r"/feeds/[A-Za-z0-9_-]{43}\.ics", client.get(page).get_data(as_text=True)))
    (made,) = after - before
    return made


def calendar(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def unescape_text(raw: str) -> str:
    """A TEXT value as written (RFC 5545 3.3.11) back to its text."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), raw)


def name_and_description(body: bytes) -> tuple[str, str, str, str]:
    """X-WR-CALNAME, NAME, X-WR-CALDESC and DESCRIPTION of the calendar, read from the content lines themselves."""
    unfolded = body.decode("utf-8").replace("\r\n ", "")
    header = unfolded.split("BEGIN:VTIMEZONE", 1)[0].split("BEGIN:VEVENT", 1)[0]
    values = dict(line.split(":", 1) for line in header.split("\r\n") if ":" in line)
    return tuple(unescape_text(values[key]) for key in ("X-WR-CALNAME", "NAME", "X-WR-CALDESC", "DESCRIPTION"))  # type: ignore[return-value]


def event_of(body: bytes, uid: str):
    (event,) = [e for e in calendar(body).walk("VEVENT") if str(e["UID"]) == uid]
    return event


def own_uids(app: Flask, member_id: int) -> set[str]:
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert member is not None
        return {a.uid for a in member.delegation.appointments if member in a.attendees} | {
            j.uid for j in member.delegation.journeys if member in j.travellers
        }


def first_own_appointment(app: Flask, member_id: int) -> tuple[int, str, datetime]:
    """A timed, not cancelled appointment the member attends: its id, UID and start."""
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert member is not None
        appointment = min(
            (
                a
                for a in member.delegation.appointments
                if member in a.attendees and not a.all_day and a.status != ItemStatus.CANCELLED
            ),
            key=lambda a: a.start_at,
        )
        return appointment.id, appointment.uid, appointment.start_at


def exported(app: Flask, folder: Path) -> dict[str, list[dict]]:
    folder.mkdir()
    return exported_rows(app, folder)


def release(app: Flask, trip: int) -> Release:
    """Anna prepares a release of the draft as it is, Ben approves it (the four-eyes rule)."""
    with app.app_context():
        anna = db.session.scalars(sa.select(User).where(User.email == "anna@example.org")).one()
        ben = db.session.scalars(sa.select(User).where(User.email == "ben@example.org")).one()
        delegation = delegation_with_programme(trip)
        assert delegation is not None
        prepared = release_operations.prepare_release(delegation, PrepareInput(note=None), anna)
        approved = release_operations.approve_release(prepared, ApprovalInput(version=prepared.version), ben)
        db.session.commit()
        db.session.refresh(approved)
        db.session.expunge(approved)
        return approved


def move(app: Flask, trip: int, appointment_id: int, by: timedelta) -> datetime:
    with app.app_context():
        delegation = delegation_with_programme(trip)
        assert delegation is not None
        appointment = next(a for a in delegation.appointments if a.id == appointment_id)
        program_operations.move_appointment(delegation, appointment, MoveInput(appointment.start_at + by, appointment.version))
        db.session.commit()
        return appointment.start_at


def approval_day(approved: Release) -> str:
    assert approved.approved_at is not None
    return approved.approved_at.astimezone(HOME).strftime("%d.%m.%Y")


def test_member_feed_follows_the_released_version_and_carries_it(
    app: Flask, trip: int, anna: FlaskClient, tmp_path: Path
) -> None:
    member_id = _member_id(app)
    member_feed = new_link(anna, trip, member_id=member_id)  # the usual for a personal link: released
    team_feed = new_link(anna, trip)  # the usual for the whole trip's team link: draft
    with app.app_context():
        follows = dict(db.session.execute(sa.select(FeedToken.member_id, FeedToken.follows)).all())
    assert follows == {member_id: FeedFollows.RELEASED, None: FeedFollows.DRAFT}
    own = own_uids(app, member_id)
    appointment_id, uid, start = first_own_appointment(app, member_id)
    subscriber = app.test_client()  # no login: the secret link is the key

    # Before the first release the released-following feed shows the draft, and says so.
    first = subscriber.get(member_feed)
    assert first.status_code == 200
    calname, name, caldesc, description = name_and_description(first.data)
    assert calname == name and caldesc == description
    assert "Entwurf, Stand " in calname and MEMBER_NAME in calname
    assert "Noch keine Fassung freigegeben" in description
    assert event_of(first.data, uid)["DTSTART"].dt == start

    # Version 1 approved: the same link now shows it, with its number and approval day, and is not a 304.
    v1 = release(app, trip)
    tables_v1 = exported(app, tmp_path / "v1")
    released = subscriber.get(member_feed, headers={"If-None-Match": first.headers["ETag"]})
    assert released.status_code == 200
    calname, name, caldesc, description = name_and_description(released.data)
    assert f"(Version 1 vom {approval_day(v1)})" in calname and calname == name
    assert description.startswith(f"Version 1 vom {approval_day(v1)}") and caldesc == description
    assert "Entwurf" not in calname and "Noch keine Fassung" not in description
    v1_event = event_of(released.data, uid)
    assert v1_event["DTSTART"].dt == start
    v1_wanted = {e for e in expected_events(tables_v1, trip, include_cancelled=False) if e[0] in own}
    assert_every_parser_reads(released.data, v1_wanted)
    team_before = subscriber.get(team_feed)
    assert "Entwurf, Stand " in name_and_description(team_before.data)[0]

    # The draft moves on: the released feed does not (a 304 for the subscriber, the same bytes for anyone),
    # the team's draft feed shows the move at once with a higher SEQUENCE.
    moved_to = move(app, trip, appointment_id, timedelta(hours=1, minutes=30))
    assert moved_to == start + timedelta(hours=1, minutes=30)
    assert subscriber.get(member_feed, headers={"If-None-Match": released.headers["ETag"]}).status_code == 304
    unchanged = app.test_client().get(member_feed)
    assert unchanged.data == released.data
    assert event_of(unchanged.data, uid)["DTSTART"].dt == start
    assert_every_parser_reads(unchanged.data, v1_wanted)
    team_after = subscriber.get(team_feed, headers={"If-None-Match": team_before.headers["ETag"]})
    assert team_after.status_code == 200
    team_event = event_of(team_after.data, uid)
    assert team_event["DTSTART"].dt == moved_to
    assert int(team_event["SEQUENCE"]) == int(event_of(team_before.data, uid)["SEQUENCE"]) + 1
    assert "Version" not in name_and_description(team_after.data)[0]

    # Version 2 approved: the released feed shows the move, same UID, higher SEQUENCE, its new number.
    v2 = release(app, trip)
    tables_v2 = exported(app, tmp_path / "v2")
    second = subscriber.get(member_feed, headers={"If-None-Match": released.headers["ETag"]})
    assert second.status_code == 200
    calname, _name, _caldesc, description = name_and_description(second.data)
    assert f"(Version 2 vom {approval_day(v2)})" in calname and description.startswith("Version 2 vom ")
    v2_event = event_of(second.data, uid)
    assert v2_event["DTSTART"].dt == moved_to
    assert str(v2_event["UID"]) == str(v1_event["UID"]) == uid
    assert int(v2_event["SEQUENCE"]) > int(v1_event["SEQUENCE"])
    results_wanted = {e for e in expected_events(tables_v2, trip, include_cancelled=False) if e[0] in own}
    assert_every_parser_reads(second.data, results_wanted)
    # Every event of version 1 is in version 2 under the same UID, and the parsers' SEQUENCE never went down.
    v1_sequences = {e[0]: e[4] for e in v1_wanted}
    v2_sequences = {e[0]: e[4] for e in results_wanted}
    assert v1_sequences.keys() == v2_sequences.keys()
    assert all(v2_sequences[k] >= v1_sequences[k] for k in v1_sequences) and v2_sequences[uid] > v1_sequences[uid]


def test_draft_edits_after_a_release_do_not_reach_the_released_feed_from_the_cache_either(
    app: Flask, trip: int, anna: FlaskClient
) -> None:
    member_id = _member_id(app)
    appointment_id, uid, start = first_own_appointment(app, member_id)
    released_feed = new_link(anna, trip, member_id=member_id)
    draft_feed = new_link(anna, trip, member_id=member_id, follows="draft")  # a member link that follows the draft
    release(app, trip)
    subscriber = app.test_client()
    released_before = subscriber.get(released_feed)
    draft_before = subscriber.get(draft_feed)
    assert "Version 1 vom " in name_and_description(released_before.data)[0]
    assert "Entwurf, Stand " in name_and_description(draft_before.data)[0]
    assert "Noch keine Fassung" not in name_and_description(draft_before.data)[3]

    move(app, trip, appointment_id, timedelta(minutes=45))
    # The draft-following link was built for the old revision: it is rebuilt, the released one answers 304.
    draft_after = subscriber.get(draft_feed, headers={"If-None-Match": draft_before.headers["ETag"]})
    assert draft_after.status_code == 200 and event_of(draft_after.data, uid)["DTSTART"].dt == start + timedelta(minutes=45)
    assert subscriber.get(released_feed, headers={"If-None-Match": released_before.headers["ETag"]}).status_code == 304
    assert event_of(subscriber.get(released_feed).data, uid)["DTSTART"].dt == start


def test_a_member_added_after_the_release_has_an_empty_released_feed_not_the_whole_trip(
    app: Flask, trip: int, anna: FlaskClient
) -> None:
    release(app, trip)
    with app.app_context():
        delegation = db.session.get(Delegation, trip)
        assert delegation is not None
        newcomer = Person(name="Neu Hinzugekommen", given_name="Neu", family_name="Hinzugekommen")
        member = Member(delegation=delegation, person=newcomer)
        db.session.add(member)
        db.session.flush()
        appointment = db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == trip)).first()
        assert appointment is not None
        appointment.attendees.append(member)
        db.session.commit()
        member_id = member.id
    feed = new_link(anna, trip, member_id=member_id)
    body = app.test_client().get(feed).data
    assert "Version 1 vom " in name_and_description(body)[0]
    assert calendar(body).walk("VEVENT") == []


def test_the_subscriptions_page_offers_and_shows_what_a_link_follows(app: Flask, trip: int, anna: FlaskClient) -> None:
    page = anna.get(f"/delegations/{trip}/subscriptions").get_data(as_text=True)
    assert 'name="follows"' in page and 'value="released"' in page and 'value="draft"' in page
    new_link(anna, trip, follows="released")  # the whole trip, team audience, but released chosen
    page = anna.get(f"/delegations/{trip}/subscriptions").get_data(as_text=True)
    assert "Zeigt: Freigegebene Fassung" in page
    with app.app_context():
        assert db.session.scalars(sa.select(FeedToken.follows)).one() == FeedFollows.RELEASED


def test_an_unknown_choice_is_refused_with_a_message_and_creates_nothing(app: Flask, trip: int, anna: FlaskClient) -> None:
    page = f"/delegations/{trip}/subscriptions"
    data = {"csrf_token": csrf_token(anna, page), "member_id": 0, "locale": "de", "audience": "", "follows": "everything"}
    response = anna.post(page, data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "Das Abonnement konnte nicht angelegt werden" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedToken)) == 0


def test_rotating_a_link_keeps_what_it_follows(app: Flask, trip: int, anna: FlaskClient) -> None:
    new_link(anna, trip, follows="released")
    with app.app_context():
        feed_id = db.session.scalars(sa.select(FeedToken.id)).one()
    url = f"/delegations/{trip}/subscriptions/{feed_id}/rotate"
    token = csrf_token(anna, f"/delegations/{trip}/subscriptions")
    assert anna.post(url, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        rows = db.session.execute(sa.select(FeedToken.revoked_at, FeedToken.follows)).all()
    assert sorted((revoked is None, follows) for revoked, follows in rows) == [
        (False, FeedFollows.RELEASED),
        (True, FeedFollows.RELEASED),
    ]


def test_english_links_write_the_version_date_the_english_way(app: Flask, trip: int, anna: FlaskClient) -> None:
    # The words come from the English catalogue (added with the translations); the date is Babel's, per the link's locale.
    member_id = _member_id(app)
    page = f"/delegations/{trip}/subscriptions"
    data = {"csrf_token": csrf_token(anna, page), "member_id": member_id, "locale": "en", "audience": "", "follows": ""}
    assert anna.post(page, data=data).status_code == 302
    feed = re.findall(r"/feeds/[A-Za-z0-9_-]{43}\.ics", anna.get(page).get_data(as_text=True))[-1]
    approved = release(app, trip)
    assert approved.approved_at is not None
    local = approved.approved_at.astimezone(HOME)
    released_name = name_and_description(app.test_client().get(feed).data)[0]
    assert "Version 1 " in released_name and f"{local.day} {local.strftime('%b')} {local.year}" in released_name
