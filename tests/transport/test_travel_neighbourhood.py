"""With the travel-time check, one appointment's warnings from its neighbourhood still equal the whole programme's."""

from __future__ import annotations

import itertools
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from benchmarks.trips import generate_trip
from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import Appointment, Transfer, Vehicle
from planner.program.conflicts import Warning, check_appointment, check_programme
from planner.program.queries import neighbourhood
from planner.timezones import to_local
from planner.transport.queries import travel_rules

BUFFER = timedelta(minutes=30)


def test_generated_trip_with_coordinates_and_entered_times(app: Flask) -> None:
    with app.app_context():
        delegation_id, _token = generate_trip(200, label="Fahrzeit")
        appointments = db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.delegation_id == delegation_id)
            .order_by(Appointment.start_at, Appointment.id)
        ).all()
        for n, appointment in enumerate(appointments):
            if n % 5 == 0:
                continue  # some without coordinates: the hint
            # Places up to ~30 km apart: drives up to the two-hour cap, so the neighbourhood must look that far.
            appointment.latitude = 37.5 + (n * 37 % 29) / 100
            appointment.longitude = 127.0 + (n * 53 % 31) / 100
        # A few entered transfer times, some far longer than the fixed buffer.
        for n, (first, second) in enumerate(itertools.pairwise(appointments)):
            if n % 9 or first.city_id is None:
                continue
            vehicle = Vehicle(
                delegation_id=delegation_id,
                day=to_local(first.end_at, first.timezone).date(),
                city_id=first.city_id,
                seats=8,
            )
            db.session.add(
                Transfer(
                    delegation_id=delegation_id,
                    vehicle=vehicle,
                    appointment_id=second.id,
                    from_appointment_id=first.id,
                    depart_at=first.end_at,
                    travel_minutes=30 + n * 7 % 200,
                )
            )
        db.session.commit()

        delegation = delegation_with_programme(delegation_id)
        assert delegation is not None
        rules = travel_rules(delegation_id)
        expected: dict[int, list[Warning]] = {a.id: [] for a in delegation.appointments}
        for warning in check_programme(delegation, BUFFER, rules):
            expected[warning.appointment_id].append(warning)
        seen = {w.kind for ws in expected.values() for w in ws}
        assert {"travel_time", "travel_unknown"} <= seen
        for appointment_id, warnings in expected.items():
            db.session.expunge_all()
            appointment = db.session.get(Appointment, appointment_id)
            assert appointment is not None
            assert check_appointment(neighbourhood(appointment, BUFFER, rules)) == warnings, appointment.title
