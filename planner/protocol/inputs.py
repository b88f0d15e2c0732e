"""Typed inputs of the protocol feature: what the forms (and the seed) hand to the operations."""

from __future__ import annotations

from dataclasses import dataclass

from planner.models import InterpreterPlace, PersonSide, PrecedenceRank, TableShape


@dataclass(frozen=True)
class PlanInput:
    shape: TableShape = TableShape.FRENCH
    host_side: PersonSide = PersonSide.HOST
    host_first: bool = False
    interpreter_place: InterpreterPlace = InterpreterPlace.BEHIND
    seats_per_table: int = 10
    is_placeholder: bool = False
    note: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class ParticipantInput:
    """One person at the appointment.

    ``rank`` None: as the member role on the trip and the person's function suggest.
    ``serves_person_id``: the principal an interpreter serves (by person).
    """

    person_id: int
    rank: PrecedenceRank | None = None
    speaking_order: int | None = None
    serves_person_id: int | None = None
    version: int | None = None


@dataclass(frozen=True)
class SwapInput:
    first: int
    second: int
    version: int | None = None  # the plan's
