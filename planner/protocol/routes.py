"""Pages of the protocol feature: an appointment's order of precedence, its seating plan and its place cards.

Every page is a trip's page (the sign-in hook keeps it to the trip's team and
sends a viewer's POST away with 403); changes are for editors only and go
through the one edit flow or a versioned button. The place cards' PDF goes
through the one render queue (:func:`planner.briefs.routes.queue_pdf`).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from planner.auth.access import editors_only
from planner.briefs.routes import queue_pdf
from planner.editing import EditConflict, Rejected
from planner.extensions import db
from planner.labels import choices as enum_choices
from planner.models import Appointment, PrecedenceRank, SeatingPlan
from planner.protocol import cards, operations, queries
from planner.protocol.forms import AUTOMATIC, NOBODY, ParticipantForm, PlanForm, SwapForm
from planner.protocol.names import protocol_name
from planner.protocol.views import protocol_view
from planner.web.edit_flow import Page, SavedNow, edit_page, versioned_action
from planner.web.forms import InputForm

bp = Blueprint("protocol", __name__, url_prefix="/delegations/<int:delegation_id>/appointments/<int:appointment_id>/protocol")


def _index_url(delegation_id: int, appointment_id: int, anchor: str | None = None) -> str:
    return url_for("protocol.index", delegation_id=delegation_id, appointment_id=appointment_id, _anchor=anchor)


def _plan_or_404(appointment_id: int) -> SeatingPlan:
    plan = queries.plan_for(appointment_id)
    if plan is None:
        abort(404)
    return plan


def _swap_form(plan: SeatingPlan, formdata: object = None) -> SwapForm:
    form = SwapForm(formdata=formdata) if formdata is not None else SwapForm()
    seats = [SelectChoice(n, _("Platz %(number)s", number=n)) for n in range(1, len(plan.principals) + 1)]
    form.first.choices = seats
    form.second.choices = seats
    if not form.is_submitted():
        form.version.data = plan.version
    return form


def _render_index(appointment: Appointment, plan: SeatingPlan | None, swap_form: SwapForm | None = None) -> str:
    if plan is not None and swap_form is None and len(plan.principals) > 1:
        swap_form = _swap_form(plan)
    return render_template(
        "protocol/index.html",
        delegation=appointment.delegation,
        appointment=appointment,
        p=protocol_view(plan) if plan is not None else None,
        swap_form=swap_form,
    )


@bp.get("")
def index(delegation_id: int, appointment_id: int) -> str:
    appointment = queries.appointment_or_404(delegation_id, appointment_id)
    return _render_index(appointment, queries.plan_for(appointment_id))


def _form_page(appointment: Appointment, heading: str) -> Callable[[InputForm], str]:
    # Plain values now: after a refused save the session is rolled back and the objects expired.
    title, delegation_id, appointment_id = appointment.delegation.title, appointment.delegation_id, appointment.id
    intro = appointment.title
    return lambda form: render_template(
        "form_page.html",
        form=form,
        heading=heading,
        delegation_id=delegation_id,
        delegation_title=title,
        cancel_url=_index_url(delegation_id, appointment_id),
        intro=intro,
    )


@bp.route("/plan", methods=["GET", "POST"])
@editors_only
def edit_plan(delegation_id: int, appointment_id: int) -> Page:
    appointment = queries.appointment_or_404(delegation_id, appointment_id)
    plan = queries.plan_for(appointment_id)
    return edit_page(
        PlanForm(),
        record=plan,
        save=lambda data: operations.save_plan(appointment, data, plan),
        render=_form_page(appointment, _("Tafel und Regeln der Sitzordnung")),
        done=lambda saved: _index_url(delegation_id, appointment_id),
        saved_message=lambda saved: _("Sitzordnung gespeichert."),
        conflict=SavedNow(
            load=lambda: _plan_or_404(appointment_id),
            form=lambda: PlanForm(formdata=None),
            title=lambda saved: _("Sitzordnung"),
            back_url=_index_url(delegation_id, appointment_id),
            edit_url=url_for("protocol.edit_plan", delegation_id=delegation_id, appointment_id=appointment_id),
        )
        if plan is not None
        else None,
    )


@bp.post("/plan/delete")
@editors_only
def delete_plan(delegation_id: int, appointment_id: int) -> BaseResponse:
    _appointment, plan = _plan_with_appointment(delegation_id, appointment_id)
    return versioned_action(
        lambda version: operations.delete_plan(plan, version),
        done=_index_url(delegation_id, appointment_id),
        stale=str(_STALE),
        message=_("Rangfolge und Sitzordnung gelöscht."),
    )


def _participant_form(appointment: Appointment, plan: SeatingPlan, formdata: object = None) -> ParticipantForm:
    form = ParticipantForm(formdata=formdata) if formdata is not None else ParticipantForm()
    members = appointment.delegation.members
    on_trip = {m.person_id for m in members}
    ours = [SelectChoice(m.person_id, protocol_name(m.person).display) for m in members]
    ours += [SelectChoice(p.id, protocol_name(p).display) for p in queries.own_people() if p.id not in on_trip]
    hosts = []
    for person in queries.host_people():
        name = protocol_name(person).display
        hosts.append(SelectChoice(person.id, f"{name} ({person.organization.name})" if person.organization else name))
    form.person_id.choices = {str(_("Unsere Seite")): ours, str(_("Gastgeber und Gesprächspartner")): hosts}
    form.rank.choices = [SelectChoice(AUTOMATIC, _("Aus Rolle und Funktion ableiten")), *enum_choices(PrecedenceRank)]
    form.serves_person_id.choices = [SelectChoice(NOBODY, "—")] + [
        SelectChoice(str(p.person_id), protocol_name(p.person).display) for p in plan.principals
    ]
    return form


def _plan_with_appointment(delegation_id: int, appointment_id: int) -> tuple[Appointment, SeatingPlan]:
    appointment = queries.appointment_or_404(delegation_id, appointment_id)
    return appointment, _plan_or_404(appointment_id)


@bp.route("/participants/new", methods=["GET", "POST"])
@editors_only
def new_participant(delegation_id: int, appointment_id: int) -> Page:
    appointment, plan = _plan_with_appointment(delegation_id, appointment_id)
    form = _participant_form(appointment, plan)
    return edit_page(
        form,
        record=None,
        save=lambda data: operations.save_participant(plan, data),
        render=_form_page(appointment, _("Person in die Rangfolge aufnehmen")),
        done=lambda saved: _index_url(delegation_id, appointment_id, f"participant-{saved.id}"),
        saved_message=lambda saved: _("%(name)s in die Rangfolge aufgenommen.", name=protocol_name(saved.person).display),
    )


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_participant(delegation_id: int, appointment_id: int, participant_id: int) -> Page:
    appointment, plan = _plan_with_appointment(delegation_id, appointment_id)
    participant = queries.participant_or_404(plan, participant_id)
    return edit_page(
        _participant_form(appointment, plan),
        record=participant,
        save=lambda data: operations.save_participant(plan, data, participant),
        render=_form_page(appointment, _("Person in der Rangfolge bearbeiten")),
        done=lambda saved: _index_url(delegation_id, appointment_id, f"participant-{saved.id}"),
        conflict=SavedNow(
            load=lambda: queries.participant_or_404(queries.plan_for(appointment_id), participant_id),
            form=lambda: _participant_form(*_plan_with_appointment(delegation_id, appointment_id), formdata={}),
            title=lambda saved: protocol_name(saved.person).display,
            back_url=_index_url(delegation_id, appointment_id),
            edit_url=url_for(
                "protocol.edit_participant",
                delegation_id=delegation_id,
                appointment_id=appointment_id,
                participant_id=participant_id,
            ),
        ),
    )


_STALE = _l("Die Rangfolge wurde inzwischen geändert. Bitte prüfen Sie sie und versuchen Sie es erneut.")


@bp.post("/participants/<int:participant_id>/remove")
@editors_only
def remove_participant(delegation_id: int, appointment_id: int, participant_id: int) -> BaseResponse:
    _appointment, plan = _plan_with_appointment(delegation_id, appointment_id)
    participant = queries.participant_or_404(plan, participant_id)
    name = protocol_name(participant.person).display
    return versioned_action(
        lambda version: operations.remove_participant(plan, participant, version),
        done=_index_url(delegation_id, appointment_id),
        stale=str(_STALE),
        message=_("%(name)s aus der Rangfolge entfernt.", name=name),
    )


# Which way a move button goes: a field of the button's form, so the route needs no word in its path.
_STEPS = {"up": -1, "down": 1}


@bp.post("/participants/<int:participant_id>/move")
@editors_only
def move_participant(delegation_id: int, appointment_id: int, participant_id: int) -> BaseResponse:
    _appointment, plan = _plan_with_appointment(delegation_id, appointment_id)
    participant = queries.participant_or_404(plan, participant_id)
    step = _STEPS.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    return _guarded(
        lambda version: operations.move_participant(plan, participant, step, version),
        done=_index_url(delegation_id, appointment_id, f"participant-{participant_id}"),
    )


@bp.post("/order-by-rank")
@editors_only
def order_by_rank(delegation_id: int, appointment_id: int) -> BaseResponse:
    _appointment, plan = _plan_with_appointment(delegation_id, appointment_id)
    return _guarded(
        lambda version: operations.order_by_rank(plan, version),
        done=_index_url(delegation_id, appointment_id, "precedence-heading"),
        message=_("Rangfolge nach Rang geordnet, Tafel neu gesetzt."),
    )


def _guarded(act: Callable[[int], object], *, done: str, message: str | None = None) -> BaseResponse:
    """A versioned button whose operation may also refuse (Rejected): the refusal is flashed, nothing changes."""
    try:
        return versioned_action(act, done=done, stale=str(_STALE), message=message)
    except Rejected as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return redirect(done)


@bp.post("/swap")
@editors_only
def swap(delegation_id: int, appointment_id: int) -> Page:
    appointment, plan = _plan_with_appointment(delegation_id, appointment_id)
    form = _swap_form(plan)
    if form.validate_on_submit():
        try:
            operations.swap_seats(plan, form.to_input())
            db.session.commit()
        except EditConflict:
            db.session.rollback()
            flash(str(_STALE), "error")
            return redirect(_index_url(delegation_id, appointment_id, "seating-heading"))
        except Rejected as refusal:
            db.session.rollback()
            form[refusal.field].errors.append(refusal.message)
        else:
            flash(_("Plätze %(first)s und %(second)s getauscht.", first=form.first.data, second=form.second.data), "info")
            return redirect(_index_url(delegation_id, appointment_id, "seating-heading"))
    plan = _plan_or_404(appointment_id)
    appointment = queries.appointment_or_404(delegation_id, appointment_id)
    return _render_index(appointment, plan, form), 422


# -- place cards ---------------------------------------------------------------------


def _card_choices(lang: str | None) -> cards.CardChoices:
    try:
        return cards.check_choices(lang)
    except Rejected:
        abort(404)


@bp.get("/cards")
def place_cards(delegation_id: int, appointment_id: int) -> Response:
    """The place cards as the print view (the PDF is the same HTML)."""
    choices = _card_choices(request.args.get("lang"))
    queries.appointment_or_404(delegation_id, appointment_id)
    html = cards.cards_html(delegation_id, appointment_id, choices)
    if html is None:
        abort(404)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/cards.pdf")
def place_cards_pdf(delegation_id: int, appointment_id: int) -> BaseResponse:
    choices = _card_choices(request.args.get("lang"))
    queries.appointment_or_404(delegation_id, appointment_id)
    state = cards.cards_state(delegation_id, appointment_id)
    if state is None:
        abort(404)
    return queue_pdf(cards.KIND, delegation_id, state, choices.as_dict(appointment_id))


__all__ = ["bp"]
