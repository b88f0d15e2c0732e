"""The vehicle plan on the Keller trip: vehicles and transfers through the one edit flow, its checks, its pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from benchmarks.harness import counted
from planner.directory.operations import delete_city
from planner.editing import Rejected
from planner.extensions import db
from planner.models import Appointment, ChangeRecord, City, Delegation, ItemStatus, Transfer, UserRole, Vehicle
from planner.timezones import to_local
from planner.transport import operations, queries
from planner.transport.checks import check_day
from planner.transport.inputs import TransferInput, VehicleInput
from tests.conftest import VIEWER_EMAIL, csrf_token, login, signed_in_as

DAY = date(2024, 10, 15)  # a day of the Keller trip in Seoul
PHONE = "+82 10 5555 0142"  # the driver's work number: a marker that must stay on the team's pages


def day_appointments(delegation_id: int) -> list[Appointment]:
    found = queries.appointments_on(delegation_id, DAY)
    assert len(found) >= 2, "the Keller trip has several appointments on 15 Oct."
    return found


def seoul_id(delegation_id: int) -> int:
    return day_appointments(delegation_id)[0].city_id or 0


def add_vehicle(delegation_id: int, seats: int = 3, plate: str = "서울 12가 3456") -> Vehicle:
    delegation = db.session.get(Delegation, delegation_id)
    assert delegation is not None
    data = VehicleInput(
        day=DAY, city_id=seoul_id(delegation_id), seats=seats, driver_name="Park", driver_phone=PHONE, plate=plate
    )
    return operations.save_vehicle(delegation, data)


def ride(
    delegation_id: int, vehicle: Vehicle, appointment: Appointment, riders: list[int], before: int = 30, **kw: object
) -> Transfer:
    delegation = db.session.get(Delegation, delegation_id)
    assert delegation is not None
    data = TransferInput(
        vehicle_id=vehicle.id,
        appointment_id=appointment.id,
        depart_at=appointment.start_at - timedelta(minutes=before),
        rider_ids=tuple(riders),
        **kw,  # type: ignore[arg-type]
    )
    return operations.save_transfer(delegation, data)


def test_more_riders_than_seats_is_refused(app: Flask, keller: int) -> None:
    with app.app_context():
        vehicle = add_vehicle(keller, seats=2)
        members = [m.id for m in db.session.get(Delegation, keller).members]  # type: ignore[union-attr]
        with pytest.raises(Rejected) as refusal:
            ride(keller, vehicle, day_appointments(keller)[0], members[:3])
        assert refusal.value.field == "riders"
        ride(keller, vehicle, day_appointments(keller)[0], members[:2])  # exactly full is fine
        with pytest.raises(Rejected) as fewer:
            operations.save_vehicle(
                vehicle.delegation, VehicleInput(day=DAY, city_id=vehicle.city_id, seats=1, version=vehicle.version), vehicle
            )
        assert fewer.value.field == "seats"


def test_a_departure_on_another_day_than_the_vehicle_is_refused(app: Flask, keller: int) -> None:
    with app.app_context():
        vehicle = add_vehicle(keller)
        appointment = day_appointments(keller)[0]
        with pytest.raises(Rejected) as refusal:
            ride(keller, vehicle, appointment, [], before=24 * 60)
        assert refusal.value.field == "departs"


def test_checks_capacity_two_vehicles_and_no_seat(app: Flask, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation is not None
        first, second = day_appointments(keller)[:2]
        first.attendees = list(delegation.members[:3])
        kim, lee, third = (m.id for m in delegation.members[:3])
        van, car = add_vehicle(keller, seats=2, plate="VAN"), add_vehicle(keller, seats=2, plate="CAR")
        ride(keller, van, first, [kim, lee])
        ride(keller, car, first, [kim], before=20)  # Kim in both vehicles at once; the third attendee has no seat
        # Seats lowered behind the operation's back (an old row): the check still sees the overload.
        van.seats = 1
        db.session.flush()
        db.session.expire_all()
        warnings = check_day(queries.vehicles_on(keller, DAY), list(delegation.members))
        found = {w.kind for w in warnings}
        assert {"over_capacity", "two_vehicles", "no_seat"} <= found
        names = {m.id: m.person.display_name for m in delegation.members}
        no_seat = next(w.message for w in warnings if w.kind == "no_seat")
        assert names[third] in no_seat and names[kim] not in no_seat
        two = next(w.message for w in warnings if w.kind == "two_vehicles")
        assert names[kim] in two and names[lee] not in two
        assert second.id not in {w.appointment_id for w in warnings}  # no ride goes there: nothing to say


def test_rides_one_after_the_other_are_no_clash(app: Flask, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation is not None
        first, second = day_appointments(keller)[:2]
        kim = delegation.members[0].id
        van = add_vehicle(keller)
        ride(keller, van, first, [kim], travel_minutes=10, before=30)
        ride(keller, van, second, [kim], before=15)
        db.session.expire_all()
        assert "two_vehicles" not in {w.kind for w in check_day(queries.vehicles_on(keller, DAY), list(delegation.members))}


def test_pages_through_the_edit_flow(app: Flask, planner: FlaskClient, keller: int) -> None:
    client = planner
    new_url = f"/delegations/{keller}/vehicles/new?day={DAY.isoformat()}"
    token = csrf_token(client, new_url)
    with app.app_context():
        city = seoul_id(keller)
        first = day_appointments(keller)[0]
        first_id, zone, start = first.id, first.timezone, first.start_at
        member_ids = [m.id for m in db.session.get(Delegation, keller).members][:2]  # type: ignore[union-attr]
    form = {
        "csrf_token": token,
        "version": "1",
        "day": DAY.isoformat(),
        "city_id": str(city),
        "kind": "minibus",
        "driver_name": "Park",
        "driver_phone": PHONE,
        "plate": "B-TR 15",
        "notes": "",
    }
    refused = client.post(new_url, data={**form, "seats": "0"})
    assert refused.status_code == 422
    assert "zwischen 1 und 99" in refused.get_data(as_text=True)
    saved = client.post(new_url, data={**form, "seats": "12"})
    assert saved.status_code == 302
    with app.app_context():
        vehicle = db.session.scalars(sa.select(Vehicle)).one()
        vehicle_id = vehicle.id
        history = db.session.scalars(sa.select(ChangeRecord).where(ChangeRecord.entity == "vehicles")).all()
        assert [h.action for h in history] == ["create"] and history[0].delegation_id == keller

    new_ride = f"/delegations/{keller}/transfers/new?day={DAY.isoformat()}"
    page = client.get(new_ride).get_data(as_text=True)
    assert "B-TR 15" in page
    departs = to_local(start - timedelta(minutes=40), zone).strftime("%Y-%m-%dT%H:%M")
    ride_form = {
        "csrf_token": token,
        "version": "1",
        "vehicle_id": str(vehicle_id),
        "appointment_id": str(first_id),
        "from_appointment_id": "0",
        "from_place": "Hotel Lotte",
        "departs": departs,
        "travel_minutes": "25",
        "riders": [str(m) for m in member_ids],
        "notes": "",
    }
    assert client.post(new_ride, data=ride_form).status_code == 302
    with app.app_context():
        transfer = db.session.scalars(sa.select(Transfer)).one()
        assert transfer.depart_at == start - timedelta(minutes=40)
        assert [m.id for m in transfer.riders] == member_ids
        transfer_id = transfer.id
        history = db.session.scalars(sa.select(ChangeRecord).where(ChangeRecord.entity == "transfers")).one()
        assert len(history.changes["riders"][1]) == 2

    # A stale version: the conflict page, nothing saved.
    edit = f"/delegations/{keller}/transfers/{transfer_id}/edit"
    assert client.get(edit).status_code == 200
    stale = client.post(edit, data={**ride_form, "version": "99", "travel_minutes": "5"})
    assert stale.status_code == 409
    # An appointment of another day (not offered) is refused with a message, not a 500.
    wrong = client.post(edit, data={**ride_form, "version": "1", "appointment_id": "999999"})
    assert wrong.status_code == 422

    plan = client.get(f"/delegations/{keller}/transport/{DAY.isoformat()}").get_data(as_text=True)
    assert PHONE in plan and "Hotel Lotte" in plan and "2 von 12 Plätzen" in plan
    printed = client.get(f"/delegations/{keller}/transport/{DAY.isoformat()}/print")
    assert printed.status_code == 200
    text = printed.get_data(as_text=True)
    assert PHONE in text and "css/sheet.css" in text and "Bearbeiten" not in text

    delete = f"/delegations/{keller}/vehicles/{vehicle_id}/delete"
    assert client.get(delete).status_code == 200
    assert client.post(delete, data={"csrf_token": token, "version": "1"}).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Transfer)).all() == []


def test_bad_days_are_not_found(app: Flask, planner: FlaskClient, keller: int) -> None:
    for day in ("2024-13-01", "kein-tag", "2030-01-01"):
        assert planner.get(f"/delegations/{keller}/transport/{day}").status_code == 404
    assert planner.get(f"/delegations/{keller}/transfers/new?day=x").status_code == 404


def test_viewer_reads_but_does_not_edit(app: Flask, client: FlaskClient, keller: int) -> None:
    with app.app_context():
        add_vehicle(keller)
        db.session.commit()
    login(client, VIEWER_EMAIL)
    page = client.get(f"/delegations/{keller}/transport/{DAY.isoformat()}")
    assert page.status_code == 200 and PHONE in page.get_data(as_text=True)
    assert "Fahrzeug hinzufügen" not in page.get_data(as_text=True)
    assert client.get(f"/delegations/{keller}/vehicles/new?day={DAY.isoformat()}").status_code == 403


def test_outside_the_team_the_plan_does_not_exist(app: Flask, client: FlaskClient, keller: int, outside_teams: None) -> None:
    signed_in_as(client, UserRole.PLANNER, "stranger@example.org")
    assert client.get(f"/delegations/{keller}/transport/{DAY.isoformat()}").status_code == 404
    assert client.get(f"/delegations/{keller}/transport/{DAY.isoformat()}/print").status_code == 404


def test_driver_phone_stays_off_feeds_and_the_press_brief(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        vehicle = add_vehicle(keller)
        ride(keller, vehicle, day_appointments(keller)[0], [])
        db.session.commit()
    for url in (f"/delegations/{keller}/calendar.ics", f"/delegations/{keller}/brief?audience=press", f"/delegations/{keller}"):
        response = planner.get(url)
        assert response.status_code == 200, url
        assert PHONE not in response.get_data(as_text=True), url


def test_day_page_costs_the_same_with_more_rides(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/transport/{DAY.isoformat()}"
    counts = []
    for vehicles in (1, 6):
        with app.app_context():
            members = [m.id for m in db.session.get(Delegation, keller).members]  # type: ignore[union-attr]
            for n in range(vehicles):
                vehicle = add_vehicle(keller, seats=4, plate=f"P{vehicles}-{n}")
                for appointment in day_appointments(keller)[:2]:
                    ride(keller, vehicle, appointment, members[n % 3 : n % 3 + 2])
            db.session.commit()
        with counted(app) as statements:
            assert planner.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_a_ride_to_a_cancelled_appointment_is_flagged(app: Flask, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation is not None
        appointment = day_appointments(keller)[0]
        ride(keller, add_vehicle(keller), appointment, [])
        appointment.status = ItemStatus.CANCELLED
        db.session.flush()
        db.session.expire_all()
        assert "cancelled" in {w.kind for w in check_day(queries.vehicles_on(keller, DAY), list(delegation.members))}


def test_programme_page_shows_travel_warning_and_hint(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        first, second = day_appointments(keller)[:2]
        titles = first.title, second.title
        # A planner's transfer time longer than the gap between the two.
        gap = int((second.start_at - first.end_at).total_seconds() // 60)
        assert gap >= 0
        vehicle = add_vehicle(keller)
        ride(keller, vehicle, second, [], from_appointment_id=first.id, travel_minutes=gap + 1, before=max(gap, 1))
        db.session.commit()
        first_id = first.id
    page = planner.get(f"/delegations/{keller}").get_data(as_text=True)
    assert f"die eingetragene Transferzeit ist {gap + 1} Minuten" in page
    assert titles[0] in page
    # Keller's appointments have no coordinates: elsewhere the travel time is unknown, said as a hint.
    assert "Fahrzeit von" in page and "unbekannt" in page
    one = planner.get(f"/delegations/{keller}/appointments/{first_id}").get_data(as_text=True)
    assert f"die eingetragene Transferzeit ist {gap + 1} Minuten" in one


def test_a_city_with_vehicles_is_not_deleted(app: Flask, keller: int) -> None:
    with app.app_context():
        vehicle = add_vehicle(keller)
        city = db.session.get(City, vehicle.city_id)
        assert city is not None
        with pytest.raises(Rejected) as refusal:
            delete_city(city, city.version)
        assert "1 Fahrzeug des Fahrzeugplans" in str(refusal.value.message)
