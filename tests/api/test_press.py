"""The press programme endpoint: only public items, only the press brief's fields, and the per-trip switch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.extensions import db
from planner.models import (
    AppointmentKind,
    Delegation,
    Journey,
    JourneyMode,
    Member,
    MemberRole,
    Organization,
    OrganizationKind,
    Person,
    TokenScope,
    UserRole,
    Visibility,
)
from planner.timezones import to_utc
from tests.api.conftest import TokenMaker, bearer
from tests.conftest import join_team, login, make_appointment, make_city, make_delegation, make_user
from tests.html_forms import form_values

# Planted in every field the press brief leaves out; none of them may reach the press answer.
MARKERS = {
    "notes": "MARK-NOTES",
    "objectives": "MARK-OBJECTIVES",
    "talking_points": "MARK-TALKING",
    "background": "MARK-BACKGROUND",
    "dress_code": "MARK-DRESS",
}
CONTACT_PHONE = "+49 211 MARK-CONTACT"
BOOKING = "MARK-BOOKING"
JOURNEY_NOTES = "MARK-JOURNEY-NOTES"
HIDDEN_TITLES = ("MARK-DELEGATION-ONLY", "MARK-INTERNAL", "MARK-BRIEFING")
# What the press brief prints of an appointment and a journey (templates/briefs/brief.html, press audience),
# written out here, not taken from the code under test.
PRESS_APPOINTMENT_FIELDS = {
    "id",
    "title",
    "kind",
    "status",
    "all_day",
    "start",
    "end",
    "city",
    "venue",
    "address",
    "organization",
    "attendees",
    "whole_delegation",
}
PRESS_JOURNEY_FIELDS = {"id", "mode", "status", "departure", "arrival", "carrier", "number", "travellers", "whole_delegation"}


@dataclass(frozen=True)
class Trip:
    delegation_id: int
    public_id: int


@pytest.fixture
def trip(app: Flask, outside_teams: None) -> Trip:
    with app.app_context():
        planner = make_user(UserRole.PLANNER, "planner@example.org")
        viewer = make_user(UserRole.VIEWER, "viewer@example.org")
        make_user(UserRole.PLANNER, "outsider@example.org")
        city = make_city("Düsseldorf", "Europe/Berlin", "DE")
        delegation = make_delegation(home=city, title="Pressereise")
        join_team(planner, delegation)
        join_team(viewer, delegation)
        mayor = Member(delegation=delegation, person=Person(given_name="Olga", family_name="Oberbürgermeisterin"))
        mayor.role = MemberRole.LEADER
        db.session.add(mayor)
        contact = Person(given_name="Kim", family_name="Kontakt", phone=CONTACT_PHONE)
        host = Organization(name="Rathaus Seoul", kind=OrganizationKind.GOVERNMENT_BODY)
        db.session.add_all([contact, host])
        db.session.flush()
        public = make_appointment(
            delegation,
            datetime(2024, 10, 15, 10, 0),
            zone="Europe/Berlin",
            title="Empfang im Rathaus",
            visibility=Visibility.PUBLIC,
            **MARKERS,
        )
        public.city, public.venue, public.organization, public.contact_person = city, "Rathaus", host, contact
        public.attendees, public.briefed = [mayor], [mayor]
        hidden = [
            (HIDDEN_TITLES[0], Visibility.DELEGATION, AppointmentKind.OTHER),
            (HIDDEN_TITLES[1], Visibility.INTERNAL, AppointmentKind.OTHER),
            (HIDDEN_TITLES[2], Visibility.PUBLIC, AppointmentKind.INTERNAL_BRIEFING),
        ]
        for hour, (title, visibility, kind) in enumerate(hidden, start=12):
            item = make_appointment(delegation, datetime(2024, 10, 15, hour, 0), zone="Europe/Berlin", title=title)
            item.visibility, item.kind = visibility, kind
        depart = to_utc(datetime(2024, 10, 16, 8, 0), "Europe/Berlin")
        journey = Journey(
            delegation=delegation,
            mode=JourneyMode.TRAIN,
            departure_place="Düsseldorf Hbf",
            departure_timezone="Europe/Berlin",
            depart_at=depart,
            arrival_place="Berlin Hbf",
            arrival_timezone="Europe/Berlin",
            arrive_at=depart + timedelta(hours=4),
            booking_reference=BOOKING,
            notes=JOURNEY_NOTES,
            visibility=Visibility.PUBLIC,
        )
        journey.travellers = [mayor]
        db.session.add(journey)
        db.session.commit()
        return Trip(delegation.id, public.id)


def _url(trip: Trip) -> str:
    return f"/api/v1/delegations/{trip.delegation_id}/press"


def test_the_press_answer_has_only_public_items_with_the_press_briefs_fields(
    client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    response = client.get(_url(trip), headers=bearer(make_token("planner@example.org")))
    assert response.status_code == 200
    body = response.get_json()
    assert [a["id"] for a in body["appointments"]] == [trip.public_id]
    appointment = body["appointments"][0]
    assert set(appointment) == PRESS_APPOINTMENT_FIELDS
    assert appointment["organization"] == "Rathaus Seoul"
    assert appointment["attendees"] == ["Olga Oberbürgermeisterin"] and appointment["whole_delegation"] is True
    assert len(body["journeys"]) == 1 and set(body["journeys"][0]) == PRESS_JOURNEY_FIELDS
    text = json.dumps(body, ensure_ascii=False)
    for planted in [*MARKERS.values(), CONTACT_PHONE, "Kontakt", BOOKING, JOURNEY_NOTES, *HIDDEN_TITLES]:
        assert planted not in text, planted
    # The team's answer does carry them: the markers are real, and the press answer leaves them out.
    team = client.get(f"/api/v1/delegations/{trip.delegation_id}/appointments", headers=bearer(make_token("planner@example.org")))
    assert MARKERS["notes"] in team.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "scope", "status"),
    [
        ("planner@example.org", TokenScope.READ, 200),
        ("planner@example.org", TokenScope.WRITE, 200),
        ("viewer@example.org", TokenScope.READ, 200),
        ("outsider@example.org", TokenScope.READ, 404),
    ],
)
def test_who_reads_the_press_programme_with_a_token(
    client: FlaskClient, trip: Trip, make_token: TokenMaker, email: str, scope: TokenScope, status: int
) -> None:
    assert client.get(_url(trip), headers=bearer(make_token(email, scope))).status_code == status


def test_without_a_token_only_when_the_trip_publishes_it(app: Flask, client: FlaskClient, trip: Trip) -> None:
    closed = client.get(_url(trip))
    assert closed.status_code == 401 and closed.mimetype == "application/problem+json"
    assert client.get("/api/v1/delegations/999999/press").status_code == 401  # no trip is revealed either
    assert client.get(_url(trip), headers={"Authorization": "Bearer dpt_wrong"}).status_code == 401

    # A planner turns the switch on with the trip's own form.
    login(client, "planner@example.org")
    url = f"/delegations/{trip.delegation_id}/edit"
    data = MultiDict(form_values(client.get(url).get_data(as_text=True)).values)
    assert "press_public" not in data  # off by default
    data.setlist("press_public", ["y"])
    assert client.post(url, data=data).status_code == 302
    client.get("/auth/logout")
    client.delete_cookie("session")

    with app.app_context():
        delegation = db.session.get(Delegation, trip.delegation_id)
        assert delegation is not None and delegation.press_public
    opened = client.get(_url(trip))
    assert opened.status_code == 200
    assert [a["id"] for a in opened.get_json()["appointments"]] == [trip.public_id]
    for planted in [*MARKERS.values(), *HIDDEN_TITLES, BOOKING]:
        assert planted not in opened.get_data(as_text=True)
    # Only the press programme opens: the rest of the trip still needs a token.
    assert client.get(f"/api/v1/delegations/{trip.delegation_id}/appointments").status_code == 401


def test_a_published_press_programme_is_open_to_a_token_outside_the_team(
    app: Flask, client: FlaskClient, trip: Trip, make_token: TokenMaker
) -> None:
    outsider = bearer(make_token("outsider@example.org"))
    assert client.get(_url(trip), headers=outsider).status_code == 404
    with app.app_context():
        delegation = db.session.get(Delegation, trip.delegation_id)
        assert delegation is not None
        delegation.press_public = True
        db.session.commit()
    opened = client.get(_url(trip), headers=outsider)
    assert opened.status_code == 200
    assert [a["id"] for a in opened.get_json()["appointments"]] == [trip.public_id]
    # The rest of the trip stays closed to them.
    assert client.get(f"/api/v1/delegations/{trip.delegation_id}/appointments", headers=outsider).status_code == 404
