"""Reads of the protocol feature: an appointment's plan with its participants and their people, in a fixed number of queries."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from planner.extensions import db
from planner.models import Appointment, Delegation, Member, Person, PersonSide, ProtocolParticipant, SeatingPlan


def _with_people() -> tuple:
    return (
        selectinload(SeatingPlan.participants).joinedload(ProtocolParticipant.person).joinedload(Person.organization),
        joinedload(SeatingPlan.appointment),
    )


def appointment_or_404(delegation_id: int, appointment_id: int) -> Appointment:
    """Exactly the appointment the URL names, in exactly that trip (404 otherwise), with the trip's members."""
    return db.one_or_404(
        sa.select(Appointment)
        .where(Appointment.id == appointment_id, Appointment.delegation_id == delegation_id)
        .options(
            joinedload(Appointment.delegation).selectinload(Delegation.members).joinedload(Member.person),
            selectinload(Appointment.attendees).joinedload(Member.person),
        )
    )


def plan_for(appointment_id: int) -> SeatingPlan | None:
    """The appointment's plan with its participants and their people, or None."""
    return db.session.scalars(
        sa.select(SeatingPlan).where(SeatingPlan.appointment_id == appointment_id).options(*_with_people())
    ).one_or_none()


def plans_of_trip(delegation_id: int) -> dict[int, SeatingPlan]:
    """Every plan of the trip by appointment id (the brief prints them), in one query however many there are."""
    plans = (
        db.session.scalars(
            sa.select(SeatingPlan)
            .where(SeatingPlan.delegation_id == delegation_id)
            .options(
                joinedload(SeatingPlan.participants).joinedload(ProtocolParticipant.person).joinedload(Person.organization),
                joinedload(SeatingPlan.appointment),
            )
        )
        .unique()
        .all()
    )
    return {plan.appointment_id: plan for plan in plans}


def participant_or_404(plan: SeatingPlan | None, participant_id: int) -> ProtocolParticipant:
    """The participant the URL names, in exactly this plan (404 otherwise)."""
    found = next((p for p in plan.participants if p.id == participant_id), None) if plan is not None else None
    if found is None:
        abort(404)
    return found


def host_people() -> list[Person]:
    """The directory's people of the host side, for the participant form (organization, then name)."""
    return list(
        db.session.scalars(
            sa.select(Person)
            .where(Person.side == PersonSide.HOST)
            .options(joinedload(Person.organization))
            .order_by(Person.family_name, Person.given_name, Person.id)
        )
    )


def own_people() -> list[Person]:
    """The directory's people of our side who are not on the trip (our other staff, a consul of ours)."""
    return list(
        db.session.scalars(
            sa.select(Person).where(Person.side == PersonSide.OWN).order_by(Person.family_name, Person.given_name, Person.id)
        )
    )
