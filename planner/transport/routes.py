"""Pages of the vehicle plan: the trip's days with vehicles, a day's plan and its print view; vehicles and transfers.

Reading is for the trip's team; editing for its editors (the sign-in hook checks both, see
:func:`planner.teams.access.check_request`). The print view and the PDF are one printed
sheet (:mod:`planner.transport.sheet`); the PDF goes through the one render queue
(:func:`planner.briefs.routes.queue_pdf`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from planner.auth.access import editors_only
from planner.briefs.routes import queue_pdf
from planner.delegations.queries import trip_days
from planner.editing import Rejected
from planner.formatting import day as day_text
from planner.models import Delegation, Transfer
from planner.program import queries as program_queries
from planner.transport import operations, queries, sheet
from planner.transport.forms import TransferForm, VehicleForm
from planner.transport.plan import DayPlan, day_plan
from planner.web.edit_flow import Page, SavedNow, confirmation_page, edit_page, versioned_action
from planner.web.forms import InputForm

bp = Blueprint("transport", __name__, url_prefix="/delegations/<int:delegation_id>")


def _trip_day(delegation: Delegation, text: str | None) -> date:
    """The day named in the URL, one of the trip's days (404 otherwise: a day the plan does not have).

    A form opened without a day (a bookmark, the trip page) starts on the trip's first day.
    """
    days = trip_days(delegation)
    if text is None and days:
        return days[0]
    try:
        on = date.fromisoformat(text or "")
    except ValueError:
        abort(404)
    if on not in days:
        abort(404)
    return on


def _day_url(delegation_id: int, on: date, anchor: str | None = None) -> str:
    return url_for("transport.show_day", delegation_id=delegation_id, day=on.isoformat(), _anchor=anchor)


@bp.get("/transport")
def index(delegation_id: int) -> str:
    """The trip's days, each with how many vehicles it has."""
    delegation = program_queries.delegation_header(delegation_id)
    return render_template(
        "transport/index.html",
        delegation=delegation,
        days=trip_days(delegation),
        counts=queries.vehicle_days(delegation_id),
    )


def _plan(delegation_id: int, day: str) -> DayPlan:
    delegation = program_queries.delegation_for_forms(delegation_id)
    return day_plan(delegation, _trip_day(delegation, day))


@bp.get("/transport/<day>")
def show_day(delegation_id: int, day: str) -> str:
    """The vehicle plan of one day: vehicles with drivers and phones, the rides and who sits where, the warnings."""
    return render_template("transport/day.html", **_plan(delegation_id, day).context())


def _print_choices(day: str) -> sheet.PlanChoices:
    try:
        return sheet.check_choices(day, request.args.get("lang"))
    except Rejected:
        abort(404)


@bp.get("/transport/<day>/print")
def print_day(delegation_id: int, day: str) -> FlaskResponse:
    """The day's vehicle plan as the printed sheet (A4): the same HTML as its PDF."""
    choices = _print_choices(day)
    delegation = program_queries.delegation_for_forms(delegation_id)
    _trip_day(delegation, day)
    response = FlaskResponse(sheet.sheet_html(delegation, choices), content_type="text/html; charset=utf-8")
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/transport/<day>/plan.pdf")
def print_day_pdf(delegation_id: int, day: str) -> Response:
    """The day's vehicle plan as PDF, through the one render queue (progress page, then the file)."""
    choices = _print_choices(day)
    delegation = program_queries.delegation_for_forms(delegation_id)
    _trip_day(delegation, day)
    state = sheet.plan_state(delegation_id)
    if state is None:
        abort(404)
    return queue_pdf(sheet.KIND, delegation_id, state, choices.as_dict())


# -- vehicles --------------------------------------------------------------------


def _vehicle_form(formdata: object = None) -> VehicleForm:
    form = VehicleForm(formdata=formdata) if formdata is not None else VehicleForm()
    form.city_id.choices = program_queries.city_choices().choices
    return form


def _form_page(delegation: Delegation, heading: str, back: str) -> Callable[[InputForm], str]:
    # Plain values now: after a refused save the session is rolled back and the delegation expired.
    delegation_id, title = delegation.id, delegation.title
    return lambda form: render_template(
        "form_page.html",
        form=form,
        heading=heading,
        delegation_id=delegation_id,
        delegation_title=title,
        cancel_url=back,
    )


@bp.route("/vehicles/new", methods=["GET", "POST"])
@editors_only
def new_vehicle(delegation_id: int) -> Page:
    delegation = program_queries.delegation_for_forms(delegation_id)
    form = _vehicle_form()
    on = _trip_day(delegation, request.args.get("day")) if request.args.get("day") else delegation.start_date
    if not form.is_submitted():
        form.day.data = on
        city_id, _start = program_queries.default_place(delegation, on)
        form.city_id.data = city_id or 0
    return edit_page(
        form,
        record=None,
        save=lambda data: operations.save_vehicle(delegation, data),
        render=_form_page(delegation, _("Fahrzeug hinzufügen"), _day_url(delegation_id, on)),
        done=lambda vehicle: _day_url(delegation_id, vehicle.day, f"vehicle-{vehicle.id}"),
        saved_message=lambda vehicle: _("Fahrzeug %(name)s angelegt.", name=queries.vehicle_name(vehicle)),
    )


@bp.route("/vehicles/<int:vehicle_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_vehicle(delegation_id: int, vehicle_id: int) -> Page:
    delegation = program_queries.delegation_for_forms(delegation_id)
    vehicle = queries.vehicle_or_404(delegation_id, vehicle_id)
    back = _day_url(delegation_id, vehicle.day, f"vehicle-{vehicle_id}")
    return edit_page(
        _vehicle_form(),
        record=vehicle,
        save=lambda data: operations.save_vehicle(delegation, data, vehicle),
        render=_form_page(delegation, _("Fahrzeug bearbeiten"), back),
        done=lambda saved: _day_url(delegation_id, saved.day, f"vehicle-{saved.id}"),
        saved_message=lambda saved: _("Fahrzeug %(name)s gespeichert.", name=queries.vehicle_name(saved)),
        conflict=SavedNow(
            load=lambda: queries.vehicle_or_404(delegation_id, vehicle_id),
            form=lambda: _vehicle_form(formdata=MultiDict()),
            title=queries.vehicle_name,
            back_url=back,
            edit_url=url_for("transport.edit_vehicle", delegation_id=delegation_id, vehicle_id=vehicle_id),
        ),
    )


@bp.get("/vehicles/<int:vehicle_id>/delete")
@editors_only
def confirm_delete_vehicle(delegation_id: int, vehicle_id: int) -> str:
    vehicle = queries.vehicle_or_404(delegation_id, vehicle_id)
    return confirmation_page(
        program_queries.delegation_header(delegation_id),
        heading=_("Fahrzeug %(name)s löschen?", name=queries.vehicle_name(vehicle)),
        consequences=[
            ngettext("Seine Fahrt wird mitgelöscht.", "Seine %(num)d Fahrten werden mitgelöscht.", len(vehicle.transfers))
            if vehicle.transfers
            else None,
            _("Das lässt sich nicht rückgängig machen."),
        ],
        action=url_for("transport.delete_vehicle", delegation_id=delegation_id, vehicle_id=vehicle_id),
        version=vehicle.version,
        button=_("Fahrzeug löschen"),
        cancel_url=_day_url(delegation_id, vehicle.day, f"vehicle-{vehicle_id}"),
    )


@bp.post("/vehicles/<int:vehicle_id>/delete")
@editors_only
def delete_vehicle(delegation_id: int, vehicle_id: int) -> Response:
    vehicle = queries.vehicle_or_404(delegation_id, vehicle_id)
    back = _day_url(delegation_id, vehicle.day)
    return versioned_action(
        lambda version: operations.delete_vehicle(vehicle, version),
        done=back,
        stale=_("Das Fahrzeug wurde inzwischen geändert. Bitte prüfen und erneut löschen."),
        message=_("Fahrzeug %(name)s gelöscht.", name=queries.vehicle_name(vehicle)),
    )


# -- transfers -------------------------------------------------------------------


def _transfer_form(delegation: Delegation, on: date, formdata: object = None) -> TransferForm:
    """The transfer form for a day: that day's vehicles and appointments, the trip's members as riders."""
    form = TransferForm(formdata=formdata) if formdata is not None else TransferForm()
    vehicles = queries.vehicles_on(delegation.id, on)
    appointments = queries.appointments_on(delegation.id, on)
    form.vehicle_id.choices = queries.vehicle_choices(vehicles)
    form.appointment_id.choices = [queries.appointment_choice(a) for a in appointments]
    form.from_appointment_id.choices = [SelectChoice(0, "—"), *(queries.appointment_choice(a) for a in appointments)]
    form.appointment_zones = {a.id: a.timezone for a in appointments}
    form.riders.choices = program_queries.member_choices(delegation)
    return form


@bp.route("/transfers/new", methods=["GET", "POST"])
@editors_only
def new_transfer(delegation_id: int) -> Page:
    delegation = program_queries.delegation_for_forms(delegation_id)
    on = _trip_day(delegation, request.args.get("day"))
    form = _transfer_form(delegation, on)
    if not form.is_submitted():
        vehicle = request.args.get("vehicle", type=int)
        if vehicle is not None:
            form.vehicle_id.data = vehicle
    return edit_page(
        form,
        record=None,
        save=lambda data: operations.save_transfer(delegation, data),
        render=_form_page(delegation, _("Fahrt hinzufügen"), _day_url(delegation_id, on)),
        done=lambda transfer: _day_url(delegation_id, on, f"transfer-{transfer.id}"),
        saved_message=lambda transfer: _("Fahrt angelegt."),
    )


@bp.route("/transfers/<int:transfer_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_transfer(delegation_id: int, transfer_id: int) -> Page:
    delegation = program_queries.delegation_for_forms(delegation_id)
    transfer = queries.transfer_or_404(delegation_id, transfer_id)
    on = transfer.vehicle.day
    back = _day_url(delegation_id, on, f"transfer-{transfer_id}")
    return edit_page(
        _transfer_form(delegation, on),
        record=transfer,
        save=lambda data: operations.save_transfer(delegation, data, transfer),
        render=_form_page(delegation, _("Fahrt bearbeiten"), back),
        done=lambda saved: _day_url(delegation_id, saved.vehicle.day, f"transfer-{saved.id}"),
        saved_message=lambda saved: _("Fahrt gespeichert."),
        conflict=SavedNow(
            load=lambda: queries.transfer_or_404(delegation_id, transfer_id),
            form=lambda: _transfer_form(program_queries.delegation_for_forms(delegation_id), on, formdata=MultiDict()),
            title=_transfer_title,
            back_url=back,
            edit_url=url_for("transport.edit_transfer", delegation_id=delegation_id, transfer_id=transfer_id),
        ),
    )


def _transfer_title(transfer: Transfer) -> str:
    target = transfer.appointment.title if transfer.appointment is not None else "?"
    return _("Fahrt zu „%(a)s“", a=target)


@bp.get("/transfers/<int:transfer_id>/delete")
@editors_only
def confirm_delete_transfer(delegation_id: int, transfer_id: int) -> str:
    transfer = queries.transfer_or_404(delegation_id, transfer_id)
    return confirmation_page(
        program_queries.delegation_header(delegation_id),
        heading=_("%(ride)s löschen?", ride=_transfer_title(transfer)),
        consequences=[
            _(
                "Die Mitfahrenden verlieren ihren Platz (%(vehicle)s, %(day)s).",
                vehicle=queries.vehicle_name(transfer.vehicle),
                day=day_text(transfer.vehicle.day),
            ),
            _("Das lässt sich nicht rückgängig machen."),
        ],
        action=url_for("transport.delete_transfer", delegation_id=delegation_id, transfer_id=transfer_id),
        version=transfer.version,
        button=_("Fahrt löschen"),
        cancel_url=_day_url(delegation_id, transfer.vehicle.day, f"transfer-{transfer_id}"),
    )


@bp.post("/transfers/<int:transfer_id>/delete")
@editors_only
def delete_transfer(delegation_id: int, transfer_id: int) -> Response:
    transfer = queries.transfer_or_404(delegation_id, transfer_id)
    back = _day_url(delegation_id, transfer.vehicle.day)
    title = _transfer_title(transfer)
    return versioned_action(
        lambda version: operations.delete_transfer(transfer, version),
        done=back,
        stale=_("Die Fahrt wurde inzwischen geändert. Bitte prüfen und erneut löschen."),
        message=_("%(ride)s gelöscht.", ride=title),
    )
