"""Cloning a trip brings its logistics along: night overrides, rooms, vehicles and transfers, shifted by the same days.

Occupants and riders become the copy's own members, transfers go to the copies of their
appointments; what belonged to the old bookings (room numbers, plates, drivers) and
every traveller's personal data stay behind.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import (
    Appointment,
    Delegation,
    ItemStatus,
    Member,
    NightKind,
    NightOverride,
    Room,
    RoomType,
    Transfer,
    TravelProfile,
    Vehicle,
)
from planner.rooms import operations as room_operations
from planner.rooms import queries as room_queries
from planner.rooms.inputs import NightInput, RoomInput
from planner.timezones import to_local
from tests.care.conftest import plant_profile
from tests.conftest import csrf_token
from tests.transport.test_vehicle_plan import DAY, PHONE, add_vehicle, day_appointments, ride

SHIFT = timedelta(days=364)  # 13 Oct 2024 (a Sunday) -> 12 Oct 2025 (a Sunday)


def _plan_logistics(delegation_id: int) -> dict[str, object]:
    """Rooms, an override, a vehicle with two rides (one to an appointment that is then cancelled)."""
    rooming = room_queries.rooming(delegation_id)
    assert rooming is not None
    delegation = rooming.delegation
    keller, diener = delegation.members[0], delegation.members[1]
    override = room_operations.save_night(
        delegation,
        date(2024, 10, 16),
        NightInput(NightKind.HOTEL, "Hotel Anders", "Chongqing, Nebenstraße 1", "+86 23 0000"),
        None,
    )
    room_operations.save_room(
        rooming.nights,
        rooming.rooms,
        RoomInput(RoomType.TWIN, date(2024, 10, 14), date(2024, 10, 15), (keller.id, diener.id), "1801", "Ruhiges Zimmer"),
    )
    vehicle = add_vehicle(delegation_id, seats=4)
    first, second = day_appointments(delegation_id)[:2]
    to_first = ride(delegation_id, vehicle, first, [keller.id, diener.id], before=40, from_place="Hotel", travel_minutes=25)
    ride(delegation_id, vehicle, second, [keller.id], before=20)
    second.status = ItemStatus.CANCELLED  # its ride has no appointment in the copy to go to
    plant_profile(keller.person_id)  # commits
    return {
        "override": override.id,
        "keller": keller.person_id,
        "diener": diener.person_id,
        "first_title": first.title,
        "first_start": first.start_at,
        "depart": to_first.depart_at,
        "city_zone": vehicle.city.timezone,
    }


def test_the_copy_has_the_rooms_nights_vehicles_and_rides_of_the_original(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        planned = _plan_logistics(keller)
        profiles = db.session.scalar(sa.select(sa.func.count(TravelProfile.id)))
    url = f"/delegations/{keller}/clone"
    response = planner.post(
        url, data={"csrf_token": csrf_token(planner, url), "title": "Keller 2025", "start_date": "2025-10-12"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]

    with app.app_context():
        copy = db.session.scalars(sa.select(Delegation).where(Delegation.title == "Keller 2025")).one()
        person_of = {m.id: m.person_id for m in db.session.scalars(sa.select(Member).where(Member.delegation_id == copy.id))}

        overrides = db.session.scalars(sa.select(NightOverride).where(NightOverride.delegation_id == copy.id)).all()
        assert [(o.night, o.kind, o.hotel_name, o.hotel_phone) for o in overrides] == [
            (date(2025, 10, 15), NightKind.HOTEL, "Hotel Anders", "+86 23 0000")
        ]

        rooms = db.session.scalars(sa.select(Room).where(Room.delegation_id == copy.id)).all()
        assert len(rooms) == 1
        room = rooms[0]
        assert (room.first_night, room.last_night, room.room_type) == (date(2025, 10, 13), date(2025, 10, 14), RoomType.TWIN)
        assert room.note == "Ruhiges Zimmer" and room.room_number is None  # the number was the old booking's
        assert set(person_of) >= {m.id for m in room.occupants}  # the copy's own members ...
        assert sorted(person_of[m.id] for m in room.occupants) == sorted(
            [planned["keller"], planned["diener"]]
        )  # ... the same people

        vehicles = db.session.scalars(sa.select(Vehicle).where(Vehicle.delegation_id == copy.id)).all()
        assert len(vehicles) == 1
        vehicle = vehicles[0]
        assert vehicle.day == DAY + SHIFT and vehicle.seats == 4
        assert vehicle.driver_name is None and vehicle.driver_phone is None and vehicle.plate is None

        transfers = db.session.scalars(sa.select(Transfer).where(Transfer.delegation_id == copy.id)).all()
        assert len(transfers) == 1  # the ride to the cancelled appointment stayed behind with it
        transfer = transfers[0]
        target = db.session.get(Appointment, transfer.appointment_id)
        assert target is not None and target.delegation_id == copy.id and target.title == planned["first_title"]
        assert transfer.vehicle_id == vehicle.id and transfer.from_place == "Hotel" and transfer.travel_minutes == 25
        assert sorted(person_of[m.id] for m in transfer.riders) == sorted([planned["keller"], planned["diener"]])
        # The same wall time in the vehicle's city, a year later, still before the appointment.
        zone = str(planned["city_zone"])
        assert to_local(transfer.depart_at, zone).time() == to_local(planned["depart"], zone).time()  # type: ignore[arg-type]
        assert to_local(transfer.depart_at, zone).date() == DAY + SHIFT
        assert transfer.depart_at < target.start_at

        # The original is untouched, and no personal data was copied.
        assert db.session.scalar(sa.select(sa.func.count(Room.id)).where(Room.delegation_id == keller)) == 1
        assert db.session.scalar(sa.select(sa.func.count(Transfer.id)).where(Transfer.delegation_id == keller)) == 2
        assert db.session.scalar(sa.select(sa.func.count(TravelProfile.id))) == profiles
    # The copy's own pages show what came along.
    plan = planner.get(f"/delegations/{copy.id}/transport/{(DAY + SHIFT).isoformat()}").get_data(as_text=True)
    assert planned["first_title"] in plan and PHONE not in plan
    assert planner.get(f"/delegations/{copy.id}/rooms/2025-10-13/list").status_code == 200
