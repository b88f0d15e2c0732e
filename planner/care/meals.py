"""What a meal's organiser needs to know about diets: counts, never names (unless a carer decides otherwise).

For an appointment of kind meal, :func:`diet_counts` counts the dietary needs
of its attendees ("2 vegetarisch, 1 kein Schweinefleisch") from their travel
profiles. The counts are shown to the trip's editors on the appointment page
and in the full brief (never in member or press briefs). Computing them
decrypts the profiles on the server but shows no one's value, so it is not a
personal read and writes no :class:`~planner.models.PersonalDataRead`.

A carer may switch a meal to "names for the organiser"
(:class:`~planner.models.MealNameRelease`): then the carers, and only they,
also see who needs what, to pass on to the organiser; each such look is a
personal read and is logged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.editing import Rejected
from planner.extensions import db
from planner.labels import label
from planner.models import (
    Appointment,
    AppointmentKind,
    DietaryNeed,
    MealNameRelease,
    Member,
    PersonalDataRead,
    TravelProfile,
    User,
)
from planner.teams.access import may_care, may_edit

READ_WHAT = "meal_names"


@dataclass(frozen=True)
class NamedNeeds:
    """One attendee with their needs (carers only, after the switch)."""

    name: str
    needs: list[str]
    note: str | None


@dataclass(frozen=True)
class MealDiet:
    """The diet line of one meal: counts per need, in the order of :class:`DietaryNeed`."""

    counts: list[tuple[DietaryNeed, int]]
    # Attendees whose profile has a note beyond the list (what it says stays with the carers).
    with_note: int
    # Attendees with no travel data at all: the counts may be incomplete.
    without_data: int
    attendees: int
    names_released: bool = False
    names: list[NamedNeeds] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """ "2 × vegetarisch, 1 × kein Schweinefleisch", in the current locale; a plain sentence when there are none."""
        if not self.counts:
            return _("Keine besonderen Ernährungswünsche bekannt")
        return ", ".join(_("%(count)d × %(need)s", count=count, need=label(need)) for need, count in self.counts)


def needs_by_person(person_ids: Iterable[int]) -> dict[int, tuple[list[DietaryNeed], bool]]:
    """Each person's dietary needs and whether they wrote a note, for those with a profile (one query)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(TravelProfile.person_id, TravelProfile.dietary_needs, TravelProfile.dietary_notes).where(
            TravelProfile.person_id.in_(ids)
        )
    ).all()
    known = {need.value for need in DietaryNeed}
    return {
        person_id: ([DietaryNeed(v) for v in (needs or "").split(",") if v in known], bool((note or "").strip()))
        for person_id, needs, note in rows
    }


def diet_counts(attendees: Iterable[Any], needs: dict[int, tuple[list[DietaryNeed], bool]]) -> MealDiet:
    """The counts among ``attendees`` (members, or a snapshot's members: anything with a ``person_id``)."""
    counter: Counter[DietaryNeed] = Counter()
    with_note = without_data = total = 0
    for member in attendees:
        total += 1
        entry = needs.get(member.person_id)
        if entry is None:
            without_data += 1
            continue
        counter.update(set(entry[0]))
        with_note += entry[1]
    counts = [(need, counter[need]) for need in DietaryNeed if counter[need]]
    return MealDiet(counts=counts, with_note=with_note, without_data=without_data, attendees=total)


def is_meal(appointment: Appointment) -> bool:
    return appointment.kind == AppointmentKind.MEAL


def names_released(appointment_id: int) -> bool:
    return db.session.get(MealNameRelease, appointment_id) is not None


def meal_diet(appointment: Appointment, user: Any) -> MealDiet | None:
    """The diet line of the appointment page for ``user``: None unless a meal and ``user`` edits or cares for the trip.

    Carers also get the names when the meal's names are released; each person
    shown is logged as a personal read (flushed; the view commits).
    """
    if not is_meal(appointment):
        return None
    edits, cares = may_edit(user, appointment.delegation_id), may_care(user, appointment.delegation_id)
    if not (edits or cares):
        return None
    attendees = list(appointment.attendees)
    needs = needs_by_person(m.person_id for m in attendees)
    diet = diet_counts(attendees, needs)
    released = names_released(appointment.id)
    if not (released and cares):
        return replace(diet, names_released=released)
    notes = dict(
        db.session.execute(
            sa.select(TravelProfile.person_id, TravelProfile.dietary_notes).where(
                TravelProfile.person_id.in_([m.person_id for m in attendees])
            )
        ).all()
    )
    names = []
    for member in attendees:
        entry = needs.get(member.person_id)
        note = notes.get(member.person_id)
        if entry is None or not (entry[0] or note):
            continue
        names.append(NamedNeeds(member.person.display_name, [label(n) for n in entry[0]], note))
        _log_read(user, member, appointment.delegation_id)
    return replace(diet, names_released=True, names=names)


def _log_read(user: Any, member: Member, delegation_id: int) -> None:
    db.session.add(
        PersonalDataRead(
            user_id=getattr(user, "id", None),
            user_email=getattr(user, "email", "") or "",
            person_id=member.person_id,
            delegation_id=delegation_id,
            what=READ_WHAT,
        )
    )
    db.session.flush()


def release_names(appointment: Appointment, user: User | None, *, show: bool) -> None:
    """Switch ``appointment`` to names for the organiser (``show``) or back to counts only (flushes)."""
    if not is_meal(appointment):
        raise Rejected("names", _("Namen zu Ernährungswünschen gibt es nur bei Terminen der Art „Essen“."))
    row = db.session.get(MealNameRelease, appointment.id)
    if show and row is None:
        db.session.add(MealNameRelease(appointment_id=appointment.id, released_by_id=user.id if user is not None else None))
    elif not show and row is not None:
        db.session.delete(row)
    db.session.flush()
