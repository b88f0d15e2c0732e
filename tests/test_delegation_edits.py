"""The trip's own edit pages (the trip, members, legs, follow-ups, clone) on the one edit flow.

Invalid input is the form again with HTTP 422, a stale version the conflict
page (409), a rule of the operations (a person twice in one delegation) a
message on its field; every part of a trip is found by its id *and* its
trip's id; the operations flush and leave the commit to the caller.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.delegations.inputs import LegInput
from planner.delegations.operations import save_leg
from planner.extensions import db
from planner.models import (
    Appointment,
    City,
    Delegation,
    FollowUp,
    ItemStatus,
    Journey,
    Leg,
    Member,
)
from tests.conftest import csrf_token
from tests.html_forms import form_values


def errors(response) -> list[str]:
    return re.findall(r'<ul class="field-errors"[^>]*><li>([^<]+)</li>', response.get_data(as_text=True))


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def dusseldorf_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(City.id).where(City.name == "Düsseldorf")).one()


def leg_form(client: FlaskClient, url: str, city_id: int, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, url), "version": "1", "city_id": str(city_id), "status": "tentative", **fields}


def test_leg_at_the_second_0230_round_trips_through_its_edit_page(app: Flask, planner: FlaskClient, keller: int) -> None:
    """A stay that begins at the *second* 02:30 of 27 Oct 2024 in Düsseldorf opens and saves unchanged."""
    url = f"/delegations/{keller}/legs/new"
    data = leg_form(
        planner, url, dusseldorf_id(app), arrives="2024-10-27T02:30", departs="2024-10-27T09:00", **{"arrives-fold": "1"}
    )
    assert planner.post(url, data=data).status_code == 302
    with app.app_context():
        leg = db.session.scalars(sa.select(Leg).where(Leg.arrive_at == datetime(2024, 10, 27, 1, 30, tzinfo=UTC))).one()
        leg_id, depart_at = leg.id, leg.depart_at

    edit_url = f"/delegations/{keller}/legs/{leg_id}/edit"
    page = planner.get(edit_url).get_data(as_text=True)
    assert 'value="2024-10-27T02:30"' in page
    assert re.search(r'<input type="radio" id="arrives-fold-1" name="arrives-fold" value="1" checked>', page), page
    unchanged = form_values(page).values
    assert ("arrives-fold", "1") in unchanged
    response = planner.post(edit_url, data=MultiDict(unchanged))
    assert response.status_code == 302, errors(response)
    with app.app_context():
        again = db.session.get(Leg, leg_id)
        assert (again.arrive_at, again.depart_at) == (datetime(2024, 10, 27, 1, 30, tzinfo=UTC), depart_at)


def test_leg_arrival_and_departure_in_different_occurrences(app: Flask, planner: FlaskClient, keller: int) -> None:
    """Arrival at the first 02:10 (CEST) and departure at the second 02:50 (CET): each time its own choice."""
    url = f"/delegations/{keller}/legs/new"
    data = leg_form(
        planner,
        url,
        dusseldorf_id(app),
        arrives="2024-10-27T02:10",
        departs="2024-10-27T02:50",
        **{"arrives-fold": "0", "departs-fold": "1"},
    )
    assert planner.post(url, data=data).status_code == 302
    with app.app_context():
        leg = db.session.scalars(sa.select(Leg).where(Leg.arrive_at == datetime(2024, 10, 27, 0, 10, tzinfo=UTC))).one()
        assert leg.depart_at == datetime(2024, 10, 27, 1, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    ("path", "fields", "message"),
    [
        ("new", {"title": "Test", "start_date": "2025-05-10", "end_date": "2025-05-01"}, "nicht vor der Abreise"),
        ("clone", {"title": "Kopie", "start_date": "31.12.2025"}, "gültiges Datum"),
        ("legs/new", {"arrives": "2024-10-15T10:00", "departs": "2024-10-15T09:00"}, "nach der Ankunft"),
        (
            "legs/new",
            {"arrives": "2024-03-31T02:30", "departs": "2024-03-31T09:00"},
            "gibt es am 31. März 2024 in Europe/Berlin nicht",
        ),
        ("follow-ups/new", {"title": ""}, "Dieses Feld wird benötigt."),
    ],
)
def test_invalid_input_is_the_form_again_with_422(
    app: Flask, planner: FlaskClient, keller: int, path: str, fields: dict[str, str], message: str
) -> None:
    url = "/delegations/new" if path == "new" else f"/delegations/{keller}/{path}"
    data = {
        "csrf_token": csrf_token(planner, url),
        "version": "1",
        "home_city_id": str(dusseldorf_id(app)),
        "city_id": str(dusseldorf_id(app)),
        "status": "draft" if path == "new" else "tentative" if path.startswith("legs") else "open",
        "owner_id": "0",
        "organization_id": "0",
        "appointment_id": "0",
        **fields,
    }
    before = (count(app, Delegation), count(app, Leg), count(app, FollowUp))
    response = planner.post(url, data=data)
    assert response.status_code == 422
    assert any(message in e for e in errors(response)), errors(response)
    assert (count(app, Delegation), count(app, Leg), count(app, FollowUp)) == before


def test_a_person_is_in_a_delegation_once(app: Flask, planner: FlaskClient, keller: int) -> None:
    """The rule lives in save_member: adding the same person again, or turning one member into another, is refused."""
    with app.app_context():
        first, second = db.session.get(Delegation, keller).members[:2]
        first_person, second_id, second_version, second_role = first.person_id, second.id, second.version, second.role.value
    members = count(app, Member)
    url = f"/delegations/{keller}/members/new"
    response = planner.post(
        url, data={"csrf_token": csrf_token(planner, url), "version": "1", "person_id": first_person, "role": "member"}
    )
    assert response.status_code == 422
    assert "Diese Person ist bereits Teil der Delegation." in errors(response)
    assert count(app, Member) == members

    edit_url = f"/delegations/{keller}/members/{second_id}/edit"
    data = {"csrf_token": csrf_token(planner, edit_url), "version": second_version, "person_id": first_person}
    response = planner.post(edit_url, data=dict(data, role=second_role))
    assert response.status_code == 422  # was a 500: the database's unique constraint
    assert "Diese Person ist bereits Teil der Delegation." in errors(response)
    with app.app_context():
        assert db.session.get(Member, second_id).person_id != first_person


def test_stale_leg_edit_gets_the_conflict_page(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        leg = db.session.get(Delegation, keller).legs[0]
        leg_id, version, hotel = leg.id, leg.version, leg.hotel_name
    url = f"/delegations/{keller}/legs/{leg_id}/edit"
    data = dict(form_values(planner.get(url).get_data(as_text=True)).values)
    data.update(version=str(version - 1) if version > 1 else "0", hotel_name="Anderes Hotel")
    response = planner.post(url, data=data)
    assert response.status_code == 409
    assert "Anderes Hotel" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Leg, leg_id).hotel_name == hotel


def test_parts_of_another_trip_are_not_found(app: Flask, planner: FlaskClient, keller: int) -> None:
    """A member, leg or follow-up is loaded by its id and its trip's id: another trip's URL is a 404."""
    url = f"/delegations/{keller}/clone"
    clone = planner.post(url, data={"csrf_token": csrf_token(planner, url), "title": "Andere Reise", "start_date": "2025-10-12"})
    assert clone.status_code == 302
    with app.app_context():
        other = db.session.scalars(sa.select(Delegation.id).where(Delegation.title == "Andere Reise")).one()
        source = db.session.get(Delegation, keller)
        member, leg, follow_up = source.members[0], source.legs[0], source.follow_ups[0]
        ids = {"members": member.id, "legs": leg.id, "follow-ups": follow_up.id}
        versions = {"members": member.version, "legs": leg.version}
    token = csrf_token(planner, f"/delegations/{other}")
    for part, item_id in ids.items():
        assert planner.get(f"/delegations/{other}/{part}/{item_id}/edit").status_code == 404, part
    assert planner.get(f"/delegations/{other}/members/{ids['members']}").status_code == 404
    removed = planner.post(
        f"/delegations/{other}/members/{ids['members']}/remove", data={"csrf_token": token, "version": versions["members"]}
    )
    deleted = planner.post(
        f"/delegations/{other}/legs/{ids['legs']}/delete", data={"csrf_token": token, "version": versions["legs"]}
    )
    assert (removed.status_code, deleted.status_code) == (404, 404)
    with app.app_context():
        assert db.session.get(Member, ids["members"]) is not None and db.session.get(Leg, ids["legs"]) is not None


def test_stale_buttons_change_nothing(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        leg_id, leg_version, version = delegation.legs[0].id, delegation.legs[0].version, delegation.version
    token = csrf_token(planner, f"/delegations/{keller}")
    deleted = planner.post(f"/delegations/{keller}/legs/{leg_id}/delete", data={"csrf_token": token, "version": leg_version + 1})
    assert deleted.status_code == 302
    archived = planner.post(f"/delegations/{keller}/archive", data={"csrf_token": token, "version": version + 1})
    # Back to the trip to check it (a successful archive goes to the list instead).
    assert archived.status_code == 302 and archived.location.endswith(f"/delegations/{keller}")
    with app.app_context():
        assert db.session.get(Leg, leg_id) is not None
        assert db.session.get(Delegation, keller).archived_at is None
    page = planner.get(f"/delegations/{keller}").get_data(as_text=True)
    assert "inzwischen geändert" in page
    archived = planner.post(f"/delegations/{keller}/archive", data={"csrf_token": token, "version": version})
    assert archived.status_code == 302 and archived.location.endswith("/")
    with app.app_context():
        assert db.session.get(Delegation, keller).archived_at is not None


def test_clone_copies_through_the_operations(app: Flask, planner: FlaskClient, keller: int) -> None:
    """Attendees map to the copy's own members; bookings, cancelled items and follow-ups stay with the original."""
    with app.app_context():
        source = db.session.get(Delegation, keller)
        journey = source.journeys[0]
        journey.booking_reference = "XKCD42"
        cancelled = source.appointments[0]
        cancelled.status = ItemStatus.CANCELLED
        cancelled_title = cancelled.title
        db.session.commit()
        attendance = {a.title: sorted(m.person_id for m in a.attendees) for a in source.appointments}
    url = f"/delegations/{keller}/clone"
    response = planner.post(
        url, data={"csrf_token": csrf_token(planner, url), "title": "  Neu 2025 ", "start_date": "2025-10-12"}
    )
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalars(sa.select(Delegation).where(Delegation.title == "Neu 2025")).one()
        members = {m.id for m in copy.members}
        assert copy.start_date == date(2025, 10, 12) and not copy.follow_ups
        assert cancelled_title not in {a.title for a in copy.appointments}
        for item in copy.appointments:
            assert {m.id for m in item.attendees} <= members
            assert sorted(m.person_id for m in item.attendees) == attendance[item.title]
            assert item.status == ItemStatus.TENTATIVE
        assert all(j.booking_reference is None for j in copy.journeys)
        uids = db.session.scalars(sa.select(Appointment.uid)).all() + db.session.scalars(sa.select(Journey.uid)).all()
        assert len(uids) == len(set(uids))


def test_operations_flush_and_the_caller_commits(app: Flask, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        leg = delegation.legs[0]
        legs = len(delegation.legs)
        save_leg(
            delegation,
            LegInput(
                city_id=leg.city_id, arrive_at=datetime(2024, 10, 25, 8, tzinfo=UTC), depart_at=datetime(2024, 10, 26, tzinfo=UTC)
            ),
        )
        db.session.rollback()
    assert count(app, Leg) == legs
