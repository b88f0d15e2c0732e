"""The vehicle plan's own checks, for planners: warnings, never blocks (like the programme's conflicts).

A pure function of one day's vehicles (loaded with their transfers, riders and
the appointments they go to) and the trip's members, so the day page, its
print view and tests see the same warnings:

* ``over_capacity``: more riders than the vehicle has seats (the save refuses
  it; rows from before a change of seats still show it);
* ``two_vehicles``: a member booked into two rides at the same time;
* ``no_seat``: someone attending an appointment that vehicles drive to has a
  seat in none of them (an appointment without named attendees is for the
  whole delegation, as in the conflict checks);
* ``cancelled``: a ride to a cancelled appointment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _

from planner.formatting import clock
from planner.models import ItemStatus, Member, Transfer, Vehicle

# How long a ride is taken to last when neither a travel time is entered nor the appointment is later:
# a ride still occupies its riders for a while after it leaves.
SHORTEST_RIDE = timedelta(minutes=1)


@dataclass(frozen=True)
class TransportWarning:
    """A warning about a transfer (``transfer_id``) or about the rides to an appointment (``appointment_id``)."""

    kind: str
    message: str
    transfer_id: int | None = None
    appointment_id: int | None = None


def ride_window(transfer: Transfer) -> tuple[datetime, datetime]:
    """When a ride occupies its riders: from departure to arrival (departure + travel time, else the appointment's start)."""
    if transfer.travel_minutes:
        end = transfer.depart_at + timedelta(minutes=transfer.travel_minutes)
    elif transfer.appointment is not None:
        end = transfer.appointment.start_at
    else:
        end = transfer.depart_at
    return transfer.depart_at, max(end, transfer.depart_at + SHORTEST_RIDE)


def check_day(vehicles: list[Vehicle], members: list[Member]) -> list[TransportWarning]:
    """All warnings of one day's vehicle plan, by ride."""
    warnings: list[TransportWarning] = []
    names = {m.id: m.person.display_name for m in members}
    everyone = [m.id for m in members]
    transfers = sorted((t for v in vehicles for t in v.transfers if t.appointment is not None), key=lambda t: (t.depart_at, t.id))
    for transfer in transfers:
        vehicle = transfer.vehicle
        if len(transfer.riders) > vehicle.seats:
            warnings.append(
                TransportWarning(
                    "over_capacity",
                    _(
                        "%(riders)d Mitfahrende, aber nur %(seats)d Sitzplätze im Fahrzeug %(vehicle)s.",
                        riders=len(transfer.riders),
                        seats=vehicle.seats,
                        vehicle=vehicle.plate or vehicle.driver_name or vehicle.id,
                    ),
                    transfer_id=transfer.id,
                )
            )
        assert transfer.appointment is not None
        if transfer.appointment.status == ItemStatus.CANCELLED:
            warnings.append(
                TransportWarning(
                    "cancelled",
                    _("Die Fahrt geht zu „%(a)s“, der Termin ist abgesagt.", a=transfer.appointment.title),
                    transfer_id=transfer.id,
                )
            )

    windows = {t.id: ride_window(t) for t in transfers}
    for index, first in enumerate(transfers):
        first_end = windows[first.id][1]
        first_riders = {m.id for m in first.riders}
        for second in transfers[index + 1 :]:
            second_start = windows[second.id][0]
            if second_start >= first_end:
                break  # sorted by departure: no later ride overlaps ``first``
            common = first_riders & {m.id for m in second.riders}
            if not common:
                continue
            text = _(
                "%(who)s sitzt gleichzeitig in zwei Fahrzeugen (Fahrten um %(a)s und %(b)s).",
                who=", ".join(sorted(names.get(m, "?") for m in common)),
                a=_clock(first),
                b=_clock(second),
            )
            warnings += [
                TransportWarning("two_vehicles", text, transfer_id=first.id),
                TransportWarning("two_vehicles", text, transfer_id=second.id),
            ]

    seated: dict[int, set[int]] = {}
    appointments = {}
    for transfer in transfers:
        assert transfer.appointment is not None
        appointments[transfer.appointment.id] = transfer.appointment
        seated.setdefault(transfer.appointment.id, set()).update(m.id for m in transfer.riders)
    for appointment_id, appointment in appointments.items():
        if appointment.status == ItemStatus.CANCELLED:
            continue
        attending = [m.id for m in appointment.attendees] or everyone
        missing = [m for m in attending if m not in seated[appointment_id]]
        if missing:
            warnings.append(
                TransportWarning(
                    "no_seat",
                    _(
                        "Ohne Platz in einem Fahrzeug zu „%(a)s“: %(who)s.",
                        a=appointment.title,
                        who=", ".join(names.get(m, "?") for m in missing),
                    ),
                    appointment_id=appointment_id,
                )
            )
    return warnings


def _clock(transfer: Transfer) -> str:
    zone = transfer.appointment.timezone if transfer.appointment is not None else transfer.vehicle.city.timezone
    return clock(transfer.depart_at, zone)
