"""What a write of the programme needs, as typed values: from a form, an .ics import, a clone or the seed.

Instants are aware UTC datetimes already resolved from wall time (the form's
:class:`~planner.web.localtime.LocalTimeField` or the importer did that);
zones are IANA names. ``version`` is the version the writer saw (None when
creating). Fields that the edit form does not show (``all_day``, coordinates,
``uid``) are None there, meaning "keep what the record has" (a new record
takes the model's default).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from planner.editing import Row
from planner.models import Appointment, AppointmentKind, Delegation, ItemStatus, Journey, JourneyMode, Visibility

# How long a new appointment lasts until the planner says otherwise (the full form's proposal, quick add's default).
DEFAULT_DURATION = timedelta(hours=1)


def whole_delegation(delegation: Delegation) -> tuple[int, ...]:
    """Who attends a new appointment or travels on a new journey until the planner says otherwise: everyone."""
    return tuple(m.id for m in delegation.members)


@dataclass(frozen=True)
class AppointmentInput:
    title: str
    start_at: datetime
    end_at: datetime
    timezone: str
    city_id: int | None = None
    kind: AppointmentKind = AppointmentKind.OTHER
    status: ItemStatus = ItemStatus.TENTATIVE
    venue: str | None = None
    address: str | None = None
    organization_id: int | None = None
    contact_person_id: int | None = None
    attendee_ids: tuple[int, ...] = ()
    visibility: Visibility = Visibility.DELEGATION
    briefed_ids: tuple[int, ...] = ()
    objectives: str | None = None
    talking_points: str | None = None
    background: str | None = None
    dress_code: str | None = None
    notes: str | None = None
    all_day: bool | None = None
    latitude: float | None = None
    longitude: float | None = None
    uid: str | None = None
    version: int | None = None

    @classmethod
    def of(cls, appointment: Appointment) -> AppointmentInput:
        """The appointment as saved: the base for a change of a few fields (``dataclasses.replace``)."""
        return cls(
            **{f.name: getattr(appointment, f.name) for f in dataclasses.fields(cls) if hasattr(Appointment, f.name)},
            attendee_ids=tuple(m.id for m in appointment.attendees),
            briefed_ids=tuple(m.id for m in appointment.briefed),
        )


@dataclass(frozen=True)
class MoveInput:
    """An appointment to another start (aware UTC), its length kept; ``version`` as the mover saw it."""

    start_at: datetime
    version: int | None


@dataclass(frozen=True)
class JourneyInput:
    departure_place: str
    depart_at: datetime
    departure_timezone: str
    arrival_place: str
    arrive_at: datetime
    arrival_timezone: str
    departure_city_id: int | None = None
    arrival_city_id: int | None = None
    mode: JourneyMode = JourneyMode.FLIGHT
    status: ItemStatus = ItemStatus.TENTATIVE
    carrier: str | None = None
    number: str | None = None
    booking_reference: str | None = None
    notes: str | None = None
    traveller_ids: tuple[int, ...] = ()
    visibility: Visibility = Visibility.DELEGATION
    uid: str | None = None
    version: int | None = None

    @classmethod
    def of(cls, journey: Journey) -> JourneyInput:
        """The journey as saved: the base for a change of a few fields (``dataclasses.replace``)."""
        return cls(
            **{f.name: getattr(journey, f.name) for f in dataclasses.fields(cls) if hasattr(Journey, f.name)},
            traveller_ids=tuple(m.id for m in journey.travellers),
        )


@dataclass(frozen=True)
class JourneyRowsInput:
    """Several new journeys from one form; each keeps its row's position for a message about it."""

    rows: tuple[Row[JourneyInput], ...]
