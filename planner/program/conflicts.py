"""Conflict checks on a programme: warnings for planners, never blocks.

A pure function of the delegation's data (already loaded), so the programme
page, the save of one appointment and tests all see the same warnings. A
page about one appointment runs the same rules over its
:class:`Neighbourhood` only (:func:`check_appointment`), which
:func:`planner.program.queries.neighbourhood` loads. The legs have their own
warnings (:func:`check_legs`): a stay outside the trip dates, two stays at
once. Weekends and public holidays at the place come from
:mod:`planner.program.calendar_days` (appointments need their city with its
country loaded). The travel-time check (:mod:`planner.transport.travel`) runs
with the pairs of consecutive appointments when the caller passes its rules:
where it knows the time needed, it replaces the fixed buffer; where it does
not, the buffer rule stays and a hint says the travel time is unknown.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _

from planner.delegations.itinerary import Itinerary
from planner.formatting import clock, current_locale, day, day_range
from planner.models import Appointment, Delegation, ItemStatus, Journey, Leg, Member
from planner.program.calendar_days import appointment_notes
from planner.timezones import to_local
from planner.transport.travel import TravelRules, needed_time

IMPLAUSIBLE_BEFORE_HOUR = 6  # local starts between 00:00 and 06:00 usually mean a wrong zone


@dataclass(frozen=True)
class Warning:
    appointment_id: int
    # double_booking, buffer, travel_time, during_journey, wrong_city, outside_legs, odd_hour, outside_trip,
    # weekend, holiday; and the hint travel_unknown (see HINT_KINDS)
    kind: str
    message: str


# Kinds that are hints, not warnings: shown beside the item, never counted or marked as a problem.
HINT_KINDS = frozenset({"travel_unknown"})


def split_hints(warnings: list[Warning]) -> tuple[list[Warning], list[Warning]]:
    """The warnings proper and the hints among ``warnings``, each in their order."""
    return [w for w in warnings if w.kind not in HINT_KINDS], [w for w in warnings if w.kind in HINT_KINDS]


@dataclass(frozen=True)
class LegWarning:
    """A warning about one leg (a stay of the itinerary), shown beside it and after saving it."""

    leg_id: int
    kind: str  # outside_trip, overlap
    message: str


def _active(items: list) -> list:
    return [i for i in items if i.status != ItemStatus.CANCELLED]


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def _place(a: Appointment) -> tuple:
    return (a.city_id, (a.venue or "").strip().lower(), (a.address or "").strip().lower())


def _who(a: Appointment, all_members: frozenset[int]) -> frozenset[int]:
    # An appointment without named attendees concerns the whole delegation.
    return frozenset(m.id for m in a.attendees) or all_members


@dataclass(frozen=True)
class Neighbourhood:
    """What the warnings of one appointment depend on: the delegation's data minus the items far from it.

    ``appointments`` must hold every appointment that could be the
    appointment's neighbour in a rule (:func:`planner.program.queries.neighbourhood`
    says which), ``journeys`` those overlapping it; members and legs are all
    of the delegation's. It has the attributes of a delegation that
    :func:`check_programme` reads, so the same rules run over it.
    """

    appointment_id: int
    buffer: timedelta
    appointments: list[Appointment]
    journeys: list[Journey]
    members: list[Member]
    legs: list[Leg]
    home_city_id: int
    home_timezone: str
    start_date: date
    end_date: date
    travel: TravelRules | None = None


def check_appointment(neighbourhood: Neighbourhood) -> list[Warning]:
    """The warnings of one appointment: exactly those :func:`check_programme` gives it, in the same order."""
    warnings = check_programme(neighbourhood, neighbourhood.buffer, neighbourhood.travel)
    return [w for w in warnings if w.appointment_id == neighbourhood.appointment_id]


def check_programme(
    delegation: Delegation | Neighbourhood, buffer: timedelta, travel: TravelRules | None = None
) -> list[Warning]:
    """All warnings for the delegation's programme, in programme order (with ``travel``: also the travel-time check)."""
    warnings: list[Warning] = []
    appointments = sorted(_active(delegation.appointments), key=lambda a: (a.start_at, a.id))
    journeys: list[Journey] = _active(delegation.journeys)
    everyone = frozenset(m.id for m in delegation.members)
    names = {m.id: m.person.display_name for m in delegation.members}
    home = delegation.home_timezone
    language = current_locale()

    # Who each item concerns, worked out once (the checks below ask again and again).
    who = {a: _who(a, everyone) for a in appointments}

    # Per member: too little time to get from one place to the next.
    by_member: dict[int, list[Appointment]] = defaultdict(list)
    for a in appointments:
        for member_id in who[a]:
            by_member[member_id].append(a)
    reported: set[tuple[int, int, str]] = set()
    # Members in id order, not in order of first appearance: then an appointment's warnings come
    # in the same order whether the whole programme is checked or only its neighbourhood.
    for member_id in sorted(by_member):
        for first, second in itertools.pairwise(by_member[member_id]):
            gap = second.start_at - first.end_at
            if gap < timedelta(0) or _place(first) == _place(second):
                continue
            known = (
                travel is not None and _same_day(first, second) and _check_travel(first, second, gap, travel, reported, warnings)
            )
            if known:
                continue  # the travel time is known: it decides instead of the fixed buffer
            if gap >= buffer:
                continue
            if (first.id, second.id, "buffer") in reported:
                continue
            reported.add((first.id, second.id, "buffer"))
            text = _(
                "Nur %(minutes)d Minuten zwischen „%(a)s“ und „%(b)s“ an verschiedenen Orten (mindestens %(buffer)d empfohlen).",
                minutes=int(gap.total_seconds() // 60),
                a=first.title,
                b=second.title,
                buffer=int(buffer.total_seconds() // 60),
            )
            warnings += [Warning(first.id, "buffer", text), Warning(second.id, "buffer", text)]

    # Members booked into overlapping appointments.
    count = len(appointments)
    for index, first in enumerate(appointments):
        for later in range(index + 1, count):
            second = appointments[later]
            if second.start_at >= first.end_at:
                break  # sorted by start: nothing later can overlap ``first``
            _report_overlap(first, second, who, names, reported, warnings)

    itinerary = Itinerary(delegation.legs, delegation.home_timezone)
    travelling = [(j, frozenset(m.id for m in j.travellers) or everyone) for j in journeys]
    for a in appointments:
        for j, travellers in travelling:
            if _overlap(a.start_at, a.end_at, j.depart_at, j.arrive_at) and travellers & who[a]:
                warnings.append(
                    Warning(
                        a.id,
                        "during_journey",
                        _(
                            "„%(a)s“ fällt in die Verbindung %(from)s → %(to)s.",
                            a=a.title,
                            **{"from": j.departure_place, "to": j.arrival_place},
                        ),
                    )
                )
        leg = itinerary.leg_at(a.start_at)
        if leg is not None and a.city_id is not None and a.city_id != leg.city_id:
            warnings.append(
                Warning(
                    a.id,
                    "wrong_city",
                    _(
                        "„%(a)s“ ist in %(city)s, die Delegation ist an diesem Tag aber in %(leg)s.",
                        a=a.title,
                        city=a.city.name if a.city else "?",
                        leg=leg.city.name,
                    ),
                )
            )
        elif leg is None and a.city_id is not None and a.city_id != delegation.home_city_id and itinerary.legs:
            # Away from home while no stay is planned: typically left behind by a deleted or
            # cancelled leg. A trip without any legs yet has nothing to compare with.
            warnings.append(
                Warning(
                    a.id,
                    "outside_legs",
                    _(
                        "„%(a)s“ ist in %(city)s, zu dieser Zeit ist aber keine Station geplant.",
                        a=a.title,
                        city=a.city.name if a.city else "?",
                    ),
                )
            )
        local = to_local(a.start_at, a.timezone)
        if not a.all_day and local.hour < IMPLAUSIBLE_BEFORE_HOUR:
            warnings.append(
                Warning(
                    a.id,
                    "odd_hour",
                    _(
                        "„%(a)s“ beginnt um %(time)s Ortszeit – ist die Zeitzone (%(zone)s) richtig?",
                        a=a.title,
                        time=clock(a.start_at, a.timezone),
                        zone=a.timezone,
                    ),
                )
            )
        home_day = to_local(a.start_at, home).date()
        if not delegation.start_date <= home_day <= delegation.end_date:
            warnings.append(
                Warning(
                    a.id, "outside_trip", _("„%(a)s“ liegt am %(day)s, außerhalb der Reisedaten.", a=a.title, day=day(home_day))
                )
            )
        # Weekends and holidays of the country it takes place in: counterparts may be away, offices closed.
        warnings += [Warning(a.id, note.kind, note.message()) for note in appointment_notes(a, language)]
    return warnings


def _same_day(first: Appointment, second: Appointment) -> bool:
    """Whether ``first`` ends on the local day ``second`` starts (each at its own place)."""
    return to_local(first.end_at, first.timezone).date() == to_local(second.start_at, second.timezone).date()


def _check_travel(
    first: Appointment,
    second: Appointment,
    gap: timedelta,
    travel: TravelRules,
    reported: set[tuple[int, int, str]],
    warnings: list[Warning],
) -> bool:
    """Warn when the gap is shorter than the way takes, or hint that it is unknown; whether the way's time is known."""
    needed = needed_time(first, second, travel)
    if needed is None:
        # Only where it could matter: a gap longer than the longest drive the check reckons with is enough anyway.
        if gap < travel.max_drive + travel.buffer and (first.id, second.id, "travel_unknown") not in reported:
            reported.add((first.id, second.id, "travel_unknown"))
            text = _(
                "Fahrzeit von „%(a)s“ nach „%(b)s“ unbekannt: keine Koordinaten und keine Transferzeit eingetragen.",
                a=first.title,
                b=second.title,
            )
            warnings += [Warning(first.id, "travel_unknown", text), Warning(second.id, "travel_unknown", text)]
        return False
    if gap >= needed.time or (first.id, second.id, "travel_time") in reported:
        return True
    reported.add((first.id, second.id, "travel_time"))
    minutes, needed_minutes = int(gap.total_seconds() // 60), int(needed.time.total_seconds() // 60)
    if needed.entered:
        text = _(
            "Nur %(minutes)d Minuten von „%(a)s“ bis „%(b)s“, die eingetragene Transferzeit ist %(needed)d Minuten.",
            minutes=minutes,
            a=first.title,
            b=second.title,
            needed=needed_minutes,
        )
    else:
        text = _(
            "Nur %(minutes)d Minuten von „%(a)s“ bis „%(b)s“, nötig sind etwa %(needed)d Minuten "
            "(%(km)s km Luftlinie bei %(speed)s km/h und %(buffer)d Minuten Puffer).",
            minutes=minutes,
            a=first.title,
            b=second.title,
            needed=needed_minutes,
            km=format_decimal(needed.km or 0.0, format="#,##0.0"),
            speed=format_decimal(travel.speed_kmh, format="#,##0.#"),
            buffer=int(travel.buffer.total_seconds() // 60),
        )
    warnings += [Warning(first.id, "travel_time", text), Warning(second.id, "travel_time", text)]
    return True


def _report_overlap(
    first: Appointment,
    second: Appointment,
    concerned: dict[Appointment, frozenset[int]],
    names: dict[int, str],
    reported: set[tuple[int, int, str]],
    warnings: list[Warning],
) -> None:
    common = concerned[first] & concerned[second]
    if not common or (first.id, second.id, "double_booking") in reported:
        return
    reported.add((first.id, second.id, "double_booking"))
    who = ", ".join(sorted(names.get(m, "") for m in common))
    text = _("Doppelbuchung für %(who)s: „%(a)s“ und „%(b)s“ überschneiden sich.", who=who, a=first.title, b=second.title)
    warnings += [Warning(first.id, "double_booking", text), Warning(second.id, "double_booking", text)]


def check_legs(delegation: Delegation) -> list[LegWarning]:
    """The warnings of the delegation's legs (with their cities loaded), in order of arrival.

    Cancelled legs do not count (as in :class:`Itinerary`). A leg's days are
    its local dates in its own zone, the trip's dates those of the trip.
    """
    warnings: list[LegWarning] = []
    legs = Itinerary.of(delegation).legs
    for leg in legs:
        first, last = to_local(leg.arrive_at, leg.timezone).date(), to_local(leg.depart_at, leg.timezone).date()
        if first < delegation.start_date or last > delegation.end_date:
            warnings.append(
                LegWarning(
                    leg.id,
                    "outside_trip",
                    _(
                        "Station %(city)s (%(days)s) liegt außerhalb der Reisedaten (%(trip)s).",
                        city=leg.city.name,
                        days=day_range(first, last),
                        trip=day_range(delegation.start_date, delegation.end_date),
                    ),
                )
            )
    for index, first_leg in enumerate(legs):
        for second_leg in legs[index + 1 :]:
            if second_leg.arrive_at >= first_leg.depart_at:
                break  # in order of arrival: no later leg can overlap ``first_leg``
            text = _("Die Stationen %(a)s und %(b)s überschneiden sich zeitlich.", a=first_leg.city.name, b=second_leg.city.name)
            warnings += [LegWarning(first_leg.id, "overlap", text), LegWarning(second_leg.id, "overlap", text)]
    return warnings


def warnings_by_leg(warnings: list[LegWarning]) -> dict[int, list[str]]:
    """The messages of each leg, by leg id, each once."""
    grouped: dict[int, list[str]] = defaultdict(list)
    for w in warnings:
        if w.message not in grouped[w.leg_id]:
            grouped[w.leg_id].append(w.message)
    return dict(grouped)


def warnings_by_appointment(warnings: list[Warning]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for w in warnings:
        if w.message not in grouped[w.appointment_id]:
            grouped[w.appointment_id].append(w.message)
    return dict(grouped)
