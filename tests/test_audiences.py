"""Every output is built for an audience, and no audience gets what it must not see (issue 11, no. 1).

A trip is planted with a distinct marker in every internal field; each output
(feeds, downloads, briefs in HTML and PDF, the member page) is then read as
text and checked for the markers its audience must not see, and for those it
must. The outputs are fetched through the web app, as participants and
planners get them.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from planner.audiences import Viewer, may_see, shows_item
from planner.extensions import db
from planner.models import (
    Appointment,
    AppointmentKind,
    Audience,
    FeedToken,
    ItemStatus,
    Journey,
    Leg,
    Member,
    MemberRole,
    Person,
    UserRole,
    Visibility,
)
from planner.timezones import to_utc
from tests.conftest import csrf_token, login, make_appointment, make_city, make_delegation, make_user
from tests.jobs import follow_pdf, running_worker

# One marker per internal field; the letter says which appointment it belongs to.
NOTES = {"A": "MARKER-NOTES-7f3-A", "B": "MARKER-NOTES-7f3-B"}
OBJECTIVES = {"A": "MARKER-OBJECTIVES-A", "B": "MARKER-OBJECTIVES-B"}
TALKING = {"A": "MARKER-TALKING-A", "B": "MARKER-TALKING-B"}
BACKGROUND = {"A": "MARKER-BACKGROUND-A", "B": "MARKER-BACKGROUND-B"}
DRESS = "MARKER-DRESS-A"
INTERNAL_TITLE = "MARKER-INTERNAL-ITEM"
JOURNEY_NOTES = "MARKER-JOURNEY-NOTES"
BOOKING = "MARKERBOOKING42"
HOTEL_NAME, HOTEL_PHONE, HOTEL_ADDRESS = "MARKER-HOTEL-NAME", "MARKER-HOTEL-PHONE", "MARKER-HOTEL-ADDRESS"
LEG_NOTES = "MARKER-LEG-NOTES"
PERSON_NOTES = "MARKER-PERSON-NOTES"
CONTACT_PHONE, CONTACT_EMAIL = "MARKER-CONTACT-PHONE", "marker-contact@example.org"
MEMBER_PHONE, MEMBER_EMAIL = "MARKER-MEMBER-PHONE", "marker-member@example.org"
PUBLIC_TITLE, DELEGATION_TITLE = "Öffentlicher Empfang", "Delegationsgespräch"

TEAM_ONLY = [*NOTES.values(), INTERNAL_TITLE, JOURNEY_NOTES, BOOKING, LEG_NOTES, PERSON_NOTES]
BRIEFING = [*OBJECTIVES.values(), *TALKING.values(), *BACKGROUND.values()]
PERSONAL = [CONTACT_PHONE, CONTACT_EMAIL, MEMBER_PHONE, MEMBER_EMAIL]
HOTEL = [HOTEL_NAME, HOTEL_PHONE, HOTEL_ADDRESS]


@dataclass(frozen=True)
class Trip:
    delegation_id: int
    leader: int  # member ids
    briefed: int
    plain: int
    plain_person: int  # person ids, as the brief's options name members
    briefed_person: int
    leader_person: int


@pytest.fixture
def trip(app: Flask) -> Trip:
    with app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
        delegation = make_delegation()
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        arrive = to_utc(datetime(2024, 10, 14, 9, 0), "Asia/Seoul")
        db.session.add(
            Leg(
                delegation=delegation,
                city=seoul,
                arrive_at=arrive,
                depart_at=arrive + timedelta(days=3),
                hotel_name=HOTEL_NAME,
                hotel_phone=HOTEL_PHONE,
                hotel_address=HOTEL_ADDRESS,
                notes=LEG_NOTES,
            )
        )
        people = {
            "leader": Person(given_name="Lea", family_name="Leitung"),
            "briefed": Person(given_name="Bert", family_name="Gebrieft"),
            "plain": Person(given_name="Mia", family_name="Mitglied", phone=MEMBER_PHONE, email=MEMBER_EMAIL),
        }
        contact = Person(given_name="Kim", family_name="Vorort", phone=CONTACT_PHONE, email=CONTACT_EMAIL, notes=PERSON_NOTES)
        db.session.add_all([*people.values(), contact])
        roles = {"leader": MemberRole.LEADER, "briefed": MemberRole.MEMBER, "plain": MemberRole.MEMBER}
        members = {
            key: Member(delegation=delegation, person=person, role=roles[key], sort_order=n)
            for n, (key, person) in enumerate(people.items())
        }
        db.session.add_all(members.values())
        db.session.flush()
        everyone = list(members.values())
        planted = {"A": (PUBLIC_TITLE, Visibility.PUBLIC, 10), "B": (DELEGATION_TITLE, Visibility.DELEGATION, 14)}
        for key, (title, visibility, hour) in planted.items():
            appointment = make_appointment(
                delegation,
                datetime(2024, 10, 15, hour, 0),
                title=title,
                visibility=visibility,
                city=seoul,
                status=ItemStatus.CONFIRMED,
                notes=NOTES[key],
                objectives=OBJECTIVES[key],
                talking_points=TALKING[key],
                background=BACKGROUND[key],
                contact_person=contact,
                dress_code=DRESS if key == "A" else None,
            )
            appointment.attendees = everyone
            if key == "A":
                appointment.briefed = [members["briefed"]]
        internal = make_appointment(
            delegation,
            datetime(2024, 10, 16, 8, 0),
            title=INTERNAL_TITLE,
            visibility=Visibility.INTERNAL,
            kind=AppointmentKind.OTHER,
            city=seoul,
        )
        internal.attendees = everyone
        depart = to_utc(datetime(2024, 10, 17, 12, 0), "Asia/Seoul")
        journey = Journey(
            delegation=delegation,
            departure_place="Incheon (ICN)",
            depart_at=depart,
            departure_timezone="Asia/Seoul",
            arrival_place="Chongqing (CKG)",
            arrive_at=depart + timedelta(hours=4),
            arrival_timezone="Asia/Shanghai",
            carrier="Asiana",
            number="OZ 123",
            booking_reference=BOOKING,
            notes=JOURNEY_NOTES,
        )
        journey.travellers = everyone
        db.session.add(journey)
        db.session.commit()
        return Trip(
            delegation.id,
            members["leader"].id,
            members["briefed"].id,
            members["plain"].id,
            people["plain"].id,
            people["briefed"].id,
            people["leader"].id,
        )


@pytest.fixture
def planner(client: FlaskClient, trip: Trip) -> FlaskClient:
    login(client, "planner@example.org")
    return client


def _feed(app: Flask, client: FlaskClient, trip: Trip, member_id: int | None, audience: Audience | None = None) -> str:
    with app.app_context():
        member = db.session.get(Member, member_id) if member_id else None
        feed = FeedToken.issue(member.delegation if member else _delegation(trip), member, audience=audience, locale="de")
        db.session.add(feed)
        db.session.commit()
        token = feed.token
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    return _calendar_text(response.data)


def _delegation(trip: Trip):
    from planner.models import Delegation

    return db.session.get(Delegation, trip.delegation_id)


def _calendar_text(body: bytes) -> str:
    """Every property value of the calendar, unfolded and unescaped: what a client shows."""
    calendar = Calendar.from_ical(body)
    return "\n".join(f"{name}:{value}" for component in calendar.walk() for name, value in component.property_items())


def _absent(text: str, markers: list[str], where: str) -> None:
    leaked = [m for m in markers if m in text]
    assert not leaked, f"{where} shows {leaked}"


def _present(text: str, markers: list[str], where: str) -> None:
    missing = [m for m in markers if m not in text]
    assert not missing, f"{where} lacks {missing}"


# -- calendars --------------------------------------------------------------------


def test_a_members_feed_and_download_carry_no_internal_field(app: Flask, planner: FlaskClient, trip: Trip) -> None:
    feed = _feed(app, planner, trip, trip.plain)
    download = _calendar_text(planner.get(f"/delegations/{trip.delegation_id}/members/{trip.plain}/calendar.ics").data)
    for where, text in (("member feed", feed), ("member download", download)):
        _absent(text, TEAM_ONLY + BRIEFING + HOTEL, where)
        # Their own items with dress code and the on-site contact.
        _present(text, [PUBLIC_TITLE, DELEGATION_TITLE, DRESS, CONTACT_PHONE, "OZ 123"], where)


def test_briefed_members_and_the_leader_get_briefing_material_but_never_internal_notes(
    app: Flask, planner: FlaskClient, trip: Trip
) -> None:
    briefed = _feed(app, planner, trip, trip.briefed)
    _present(briefed, [OBJECTIVES["A"], TALKING["A"]], "briefed member's feed")
    _absent(briefed, [*TEAM_ONLY, OBJECTIVES["B"], TALKING["B"]], "briefed member's feed")
    leader = _feed(app, planner, trip, trip.leader)
    _present(leader, [OBJECTIVES["A"], TALKING["A"], OBJECTIVES["B"], TALKING["B"]], "leader's feed")
    _absent(leader, TEAM_ONLY, "leader's feed")
    leadership = _feed(app, planner, trip, None, Audience.LEADERSHIP)
    _present(leadership, [OBJECTIVES["A"], OBJECTIVES["B"]], "leadership feed")
    _absent(leadership, TEAM_ONLY, "leadership feed")


def test_the_press_feed_has_public_items_only_and_no_personal_data(app: Flask, planner: FlaskClient, trip: Trip) -> None:
    press = _feed(app, planner, trip, None, Audience.PRESS)
    _present(press, [PUBLIC_TITLE], "press feed")
    _absent(press, TEAM_ONLY + BRIEFING + PERSONAL + HOTEL + [DELEGATION_TITLE, "OZ 123"], "press feed")


def test_the_planning_team_gets_everything_but_booking_references(app: Flask, planner: FlaskClient, trip: Trip) -> None:
    team = _feed(app, planner, trip, None)  # a whole-trip link is the team's unless chosen otherwise
    _present(team, [*NOTES.values(), INTERNAL_TITLE, JOURNEY_NOTES, OBJECTIVES["B"], TALKING["B"], CONTACT_PHONE], "team feed")
    _absent(team, [BOOKING], "team feed")  # never in a feed: a forwarded link must not rebook a flight
    download = _calendar_text(planner.get(f"/delegations/{trip.delegation_id}/calendar.ics").data)
    _present(download, [*NOTES.values(), INTERNAL_TITLE], "planner's download")


# -- briefs -----------------------------------------------------------------------


def _brief(client: FlaskClient, trip: Trip, query: str) -> str:
    response = client.get(f"/delegations/{trip.delegation_id}/brief?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_member_briefs_follow_the_member_rules(planner: FlaskClient, trip: Trip) -> None:
    plain = _brief(planner, trip, f"audience=member&member={trip.plain_person}")
    _absent(plain, TEAM_ONLY + BRIEFING, "plain member's brief")
    _present(plain, [PUBLIC_TITLE, DELEGATION_TITLE, DRESS, CONTACT_PHONE, HOTEL_NAME], "plain member's brief")
    briefed = _brief(planner, trip, f"audience=member&member={trip.briefed_person}")
    _present(briefed, [OBJECTIVES["A"], TALKING["A"], BACKGROUND["A"]], "briefed member's brief")
    _absent(briefed, [*TEAM_ONLY, OBJECTIVES["B"], TALKING["B"], BACKGROUND["B"]], "briefed member's brief")
    leader = _brief(planner, trip, f"audience=member&member={trip.leader_person}")
    _present(leader, BRIEFING, "leader's brief")
    _absent(leader, TEAM_ONLY, "leader's brief")


def test_the_press_brief_has_public_items_only_and_no_personal_data_or_hotels(planner: FlaskClient, trip: Trip) -> None:
    press = _brief(planner, trip, "audience=press")
    _present(press, [PUBLIC_TITLE], "press brief")
    _absent(press, TEAM_ONLY + BRIEFING + PERSONAL + HOTEL + [DELEGATION_TITLE, "OZ 123"], "press brief")


def test_the_full_brief_is_the_planning_teams(planner: FlaskClient, trip: Trip) -> None:
    full = _brief(planner, trip, "audience=full")
    _present(full, [*NOTES.values(), *BRIEFING, INTERNAL_TITLE, JOURNEY_NOTES, BOOKING, HOTEL_NAME, MEMBER_PHONE], "full brief")


@pytest.mark.skipif(not Path("/usr/bin/pdftotext").exists(), reason="poppler-utils not installed")
def test_the_member_brief_pdf_carries_no_internal_field(app: Flask, planner: FlaskClient, trip: Trip, tmp_path: Path) -> None:
    # Through the job queue, as a browser gets it: request, progress page, file.
    with running_worker(app):
        response, _seen = follow_pdf(
            planner, f"/delegations/{trip.delegation_id}/brief.pdf?audience=member&member={trip.plain_person}"
        )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "member.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    _present(text, [PUBLIC_TITLE, DRESS], "member brief PDF")
    _absent(text, TEAM_ONLY + BRIEFING, "member brief PDF")


# -- pages ------------------------------------------------------------------------


def test_the_member_page_leaves_out_internal_items(planner: FlaskClient, trip: Trip) -> None:
    page = planner.get(f"/delegations/{trip.delegation_id}/members/{trip.plain}").get_data(as_text=True)
    _present(page, [PUBLIC_TITLE, DELEGATION_TITLE], "member page")
    _absent(page, TEAM_ONLY + BRIEFING, "member page")


# -- choosing audiences -----------------------------------------------------------


def test_feed_links_get_their_audience_when_made(app: Flask, planner: FlaskClient, trip: Trip) -> None:
    url = f"/delegations/{trip.delegation_id}/subscriptions"

    def make(member_id: int, audience: str) -> None:
        data = {"csrf_token": csrf_token(planner, url), "member_id": member_id, "locale": "de", "audience": audience}
        assert planner.post(url, data=data).status_code == 302

    make(trip.plain, "")  # the usual: a member's link is a member feed
    make(0, "")  # the whole trip: the planning team
    make(0, "press")
    with app.app_context():
        made = db.session.execute(sa.select(FeedToken.member_id, FeedToken.audience).order_by(FeedToken.id)).all()
    assert [tuple(row) for row in made] == [(trip.plain, Audience.MEMBER), (None, Audience.TEAM), (None, Audience.PRESS)]
    # A member's view of the whole trip names no member: refused with a message, nothing made.
    data = {"csrf_token": csrf_token(planner, url), "member_id": 0, "locale": "de", "audience": "member"}
    refused = planner.post(url, data=data, follow_redirects=True)
    assert refused.status_code == 200 and "konnte nicht angelegt werden" in refused.get_data(as_text=True)
    assert "Die Zielgruppe „Mitglied“ braucht ein Mitglied." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(FeedToken.id))) == 3
    page = planner.get(url).get_data(as_text=True)
    assert "Presse (nur öffentliche Termine)" in page and "Mitglied (eigene Termine)" in page


def test_visibility_and_briefings_are_saved_from_the_appointment_form(app: Flask, planner: FlaskClient, trip: Trip) -> None:
    with app.app_context():
        appointment = db.session.scalars(sa.select(Appointment).filter_by(title=DELEGATION_TITLE)).one()
        appointment_id, version, city_id = appointment.id, appointment.version, appointment.city_id
    url = f"/delegations/{trip.delegation_id}/appointments/{appointment_id}/edit"
    data = {
        "csrf_token": csrf_token(planner, url),
        "version": str(version),
        "title": DELEGATION_TITLE,
        "kind": "other",
        "status": "confirmed",
        "city_id": city_id,
        "timezone": "Asia/Seoul",
        "starts": "2024-10-15T14:00",
        "ends": "2024-10-15T15:00",
        "organization_id": "0",
        "contact_person_id": "0",
        "visibility": "public",
        "briefed": [str(trip.plain)],
        "attendees": [str(trip.plain)],
    }
    response = planner.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        saved = db.session.get(Appointment, appointment_id)
        assert saved.visibility is Visibility.PUBLIC and [m.id for m in saved.briefed] == [trip.plain]
    bad = {**data, "csrf_token": csrf_token(planner, url), "version": str(version + 1), "visibility": "everyone"}
    assert planner.post(url, data=bad).status_code == 422  # the form again, with its message
    with app.app_context():
        assert db.session.get(Appointment, appointment_id).visibility is Visibility.PUBLIC


# -- the rules themselves ---------------------------------------------------------


def test_the_rules_in_one_table(app: Flask, trip: Trip) -> None:
    with app.app_context():
        a = db.session.scalars(sa.select(Appointment).filter_by(title=PUBLIC_TITLE)).one()
        internal = db.session.scalars(sa.select(Appointment).filter_by(title=INTERNAL_TITLE)).one()
        plain, briefed = db.session.get(Member, trip.plain), db.session.get(Member, trip.briefed)
        team, press = Viewer.team(), Viewer(Audience.PRESS)
        assert shows_item(team, internal) and not shows_item(Viewer(Audience.MEMBER, plain), internal)
        assert not shows_item(Viewer(Audience.LEADERSHIP), internal) and not shows_item(press, internal)
        assert shows_item(press, a)
        assert may_see(Viewer(Audience.MEMBER, briefed), "objectives", a)
        assert not may_see(Viewer(Audience.MEMBER, plain), "objectives", a)
        assert not may_see(Viewer(Audience.LEADERSHIP), "notes", a) and may_see(team, "notes", a)
        assert not may_see(press, "contact") and not may_see(press, "hotels")
