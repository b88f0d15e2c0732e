"""Writes of the protocol feature: an appointment's seating plan, its participants, their order and seats.

Operations take typed inputs, refuse rule breaks with
:class:`~planner.editing.Rejected` and flush; the caller commits. The history
and the trip's revision follow at flush time (planner.models.history, .revisions).

The seats follow the order of precedence: every change of who takes part, of
their order or of the table's shape seats the table afresh
(:func:`reseat`, by :func:`planner.protocol.seating.assign`). A swap is the
planner's last touch and is kept until the next such change.
"""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from flask_babel import gettext as _

from planner.editing import Rejected, delete_edited, ensure_version, flush_edit, optional_text, record_to_save
from planner.extensions import db
from planner.models import Appointment, Person, PrecedenceRank, ProtocolParticipant, SeatingPlan
from planner.protocol import precedence, seating
from planner.protocol.inputs import ParticipantInput, PlanInput, SwapInput
from planner.protocol.names import protocol_name

MAX_SEATS_PER_TABLE = 30


def hosting(plan: SeatingPlan, participant: ProtocolParticipant) -> bool:
    """Whether ``participant`` is on the side that hosts the occasion."""
    return participant.person.side == plan.host_side


def _renumber(plan: SeatingPlan, principals: list[ProtocolParticipant]) -> None:
    # Interpreters keep their place after the principals: they have none in the order itself.
    for number, participant in enumerate([*principals, *plan.interpreters], start=1):
        if participant.position != number:
            participant.position = number


def reseat(plan: SeatingPlan) -> None:
    """Seat the table afresh from the order of precedence; interpreters have no seat of their own."""
    principals = plan.principals
    # Keyed by place in the order: a participant added just now has no id before the flush.
    guests = [seating.Guest(index, hosting(plan, p)) for index, p in enumerate(principals)]
    _layout, seats = seating.assign(plan.shape, guests, plan.seats_per_table)
    for index, participant in enumerate(principals):
        if participant.seat != seats[index]:
            participant.seat = seats[index]
    for interpreter in plan.interpreters:
        interpreter.seat = None


def _check_plan(data: PlanInput) -> None:
    if not 2 <= data.seats_per_table <= MAX_SEATS_PER_TABLE:
        raise Rejected(
            "seats_per_table",
            _("Ein Tisch hat zwischen 2 und %(most)s Plätze.", most=MAX_SEATS_PER_TABLE),
        )


def save_plan(appointment: Appointment, data: PlanInput, plan: SeatingPlan | None = None) -> SeatingPlan:
    """Create the appointment's plan, or change ``plan`` (EditConflict if ``data.version`` is stale)."""
    _check_plan(data)
    if plan is None and db.session.scalar(sa.select(SeatingPlan.id).where(SeatingPlan.appointment_id == appointment.id)):
        raise Rejected("shape", _("Dieser Termin hat schon eine Sitzordnung."))
    plan = record_to_save(
        plan, data.version, lambda: SeatingPlan(appointment=appointment, delegation_id=appointment.delegation_id)
    )
    plan.delegation = appointment.delegation
    reorder = plan.host_first != data.host_first or plan.host_side != data.host_side
    plan.shape = data.shape
    plan.host_side = data.host_side
    plan.host_first = data.host_first
    plan.interpreter_place = data.interpreter_place
    plan.seats_per_table = data.seats_per_table
    plan.is_placeholder = data.is_placeholder
    plan.note = optional_text(data.note)
    if reorder and plan.participants:
        _renumber(plan, _default_order(plan))
    reseat(plan)
    flush_edit(plan)
    return plan


def _default_order(plan: SeatingPlan) -> list[ProtocolParticipant]:
    return precedence.default_order(
        plan.participants,
        rank=lambda p: p.rank,
        hosting=lambda p: hosting(plan, p),
        host_first=plan.host_first,
    )


def _principal(plan: SeatingPlan, data: ParticipantInput, participant: ProtocolParticipant | None) -> ProtocolParticipant | None:
    """The participant an interpreter serves, checked: in this plan, not an interpreter, not themselves."""
    if data.serves_person_id is None:
        return None
    if data.rank is not PrecedenceRank.INTERPRETER:
        raise Rejected("serves_person_id", _("Nur Dolmetscher/innen dolmetschen für jemanden. Bitte den Rang prüfen."))
    principal = next((p for p in plan.participants if p.person_id == data.serves_person_id), None)
    if principal is None or principal.is_interpreter or principal is participant:
        raise Rejected("serves_person_id", _("Bitte eine Person aus der Rangfolge dieses Termins wählen."))
    return principal


def save_participant(
    plan: SeatingPlan, data: ParticipantInput, participant: ProtocolParticipant | None = None
) -> ProtocolParticipant:
    """Add a person to the plan (at the place the default order gives their rank), or change ``participant``.

    Refused: a person not in the directory, a person already in the plan, a speaking
    order below 1, an interpreter for someone not (or no longer) in the order.
    """
    person = db.session.get(Person, data.person_id)
    if person is None:
        raise Rejected("person_id", _("Diese Person steht nicht (mehr) im Verzeichnis."))
    if any(p.person_id == data.person_id and p is not participant for p in plan.participants):
        raise Rejected(
            "person_id", _("%(name)s steht schon in der Rangfolge dieses Termins.", name=protocol_name(person).display)
        )
    if data.speaking_order is not None and data.speaking_order < 1:
        raise Rejected("speaking_order", _("Die Redefolge beginnt bei 1."))
    if data.rank is None:
        member = next((m for m in plan.delegation.members if m.person_id == person.id), None)
        data = replace(data, rank=precedence.suggest_rank(person.function, member.role if member is not None else None))
    principal = _principal(plan, data, participant)
    is_new = participant is None
    participant = record_to_save(participant, data.version, lambda: ProtocolParticipant(plan=plan, person=person))
    rank = data.rank
    assert rank is not None
    rank_changed = participant.rank != rank
    participant.person = person
    participant.rank = rank
    participant.speaking_order = data.speaking_order
    participant.serves = principal
    if rank is PrecedenceRank.INTERPRETER:
        # An interpreter leaves the order; whoever they served before keeps no link to another interpreter.
        for other in plan.participants:
            if other.serves is participant:
                other.serves = None
    if is_new or rank_changed:
        if participant not in plan.participants:
            plan.participants.append(participant)
        principals = [p for p in plan.principals if p is not participant]
        if not participant.is_interpreter:
            # Where the rules put the new rank: before the first person the default order puts after it.
            ordered = precedence.default_order(
                [*principals, participant],
                rank=lambda p: p.rank,
                hosting=lambda p: hosting(plan, p),
                host_first=plan.host_first,
            )
            after = ordered[ordered.index(participant) + 1 :]
            index = next((principals.index(p) for p in principals if p in after), len(principals))
            principals.insert(index, participant)
        _renumber(plan, principals)
        reseat(plan)
    flush_edit(participant)
    return participant


def remove_participant(plan: SeatingPlan, participant: ProtocolParticipant, version: int | None) -> None:
    """Take ``participant`` off the plan (EditConflict if ``version`` is stale); the rest close up and are seated afresh."""
    ensure_version(participant, version)
    for other in plan.participants:
        if other.serves is participant:
            other.serves = None
    delete_edited(participant, version)
    db.session.expire(plan, ["participants"])  # read again without the one just deleted
    _renumber(plan, plan.principals)
    reseat(plan)
    flush_edit(plan)


def move_participant(plan: SeatingPlan, participant: ProtocolParticipant, step: int, version: int | None) -> None:
    """Move ``participant`` one place up (-1) or down (+1) in the order; the table is seated afresh."""
    ensure_version(participant, version)
    principals = plan.principals
    if participant not in principals:
        raise Rejected("position", _("Dolmetscher/innen haben keinen Platz in der Rangfolge."))
    _renumber(plan, precedence.moved(principals, principals.index(participant), step))
    reseat(plan)
    flush_edit(plan)


def order_by_rank(plan: SeatingPlan, version: int | None) -> None:
    """Put everyone back in the default order (by rank and the plan's host rule) and seat the table afresh."""
    ensure_version(plan, version)
    _renumber(plan, _default_order(plan))
    reseat(plan)
    flush_edit(plan)


def current_seats(plan: SeatingPlan) -> dict[int, int]:
    """The principals' seats as stored; seated afresh first when they are not each seat once (an older plan)."""
    stored = {p.id: p.seat for p in plan.principals}
    if not seating.valid_seats(stored, len(stored)):
        reseat(plan)
    return {p.id: p.seat for p in plan.principals if p.seat is not None}


def swap_seats(plan: SeatingPlan, data: SwapInput) -> None:
    """Exchange who sits on seat ``data.first`` and seat ``data.second`` (EditConflict if the plan changed)."""
    ensure_version(plan, data.version)
    count = len(plan.principals)
    for name, number in (("first", data.first), ("second", data.second)):
        if not 1 <= number <= count:
            raise Rejected(name, _("Die Tafel hat die Plätze 1 bis %(count)s.", count=count))
    if data.first == data.second:
        raise Rejected("second", _("Bitte zwei verschiedene Plätze wählen."))
    swapped = seating.swap(current_seats(plan), data.first, data.second)
    for participant in plan.principals:
        participant.seat = swapped[participant.id]
    flush_edit(plan)


def delete_plan(plan: SeatingPlan, version: int | None) -> None:
    delete_edited(plan, version)


def copy_plan(source: SeatingPlan, appointment: Appointment) -> SeatingPlan:
    """A copy of ``source`` for ``appointment`` (a cloned trip's), with its order, ranks and seats as they are."""
    copy = SeatingPlan(appointment=appointment, delegation=appointment.delegation)
    for name in ("shape", "host_side", "host_first", "interpreter_place", "seats_per_table", "is_placeholder", "note"):
        setattr(copy, name, getattr(source, name))
    db.session.add(copy)
    copies: dict[int, ProtocolParticipant] = {}
    for participant in source.participants:
        copies[participant.id] = ProtocolParticipant(
            plan=copy,
            person_id=participant.person_id,
            rank=participant.rank,
            position=participant.position,
            speaking_order=participant.speaking_order,
            seat=participant.seat,
        )
        db.session.add(copies[participant.id])
    for participant in source.participants:
        if participant.serves_id is not None and participant.serves_id in copies:
            copies[participant.id].serves = copies[participant.serves_id]
    flush_edit(copy)
    return copy


__all__ = [
    "copy_plan",
    "current_seats",
    "delete_plan",
    "move_participant",
    "order_by_rank",
    "remove_participant",
    "reseat",
    "save_participant",
    "save_plan",
    "swap_seats",
]
