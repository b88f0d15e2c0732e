"""Pages for editing the programme: appointments, journeys, the trash and the timeline."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from planner.auth.access import editors_only
from planner.delegations.queries import delegation_with_programme
from planner.editing import EditConflict
from planner.extensions import db
from planner.models import Appointment, Delegation, ItemStatus, Journey
from planner.program import operations, queries
from planner.program.conflicts import check_programme
from planner.program.forms import AppointmentForm, JourneyForm
from planner.program.timeline import timeline_days
from planner.timezones import to_local
from planner.web.edit_flow import ConflictPage, render_conflict
from planner.web.forms import VersionField

bp = Blueprint("program", __name__, url_prefix="/delegations/<int:delegation_id>")


class ItemActionForm(FlaskForm):
    """Cancel / delete buttons: CSRF plus the version the planner saw."""

    version = VersionField()


def _delegation(delegation_id: int) -> Delegation:
    delegation = delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    return delegation


def _programme_url(delegation: Delegation, anchor: str | None = None) -> str:
    return url_for("delegations.show", delegation_id=delegation.id, _anchor=anchor)


def _buffer() -> timedelta:
    return timedelta(minutes=current_app.config["CONFLICT_BUFFER_MINUTES"])


def _appointment_form(delegation: Delegation, obj: Appointment | None = None, formdata: object = None) -> AppointmentForm:
    form = AppointmentForm(formdata=formdata) if formdata is not None else AppointmentForm()
    cities, zones = queries.city_choices()
    form.city_id.choices = cities
    form.city_zones = zones
    form.timezone.choices = queries.zone_choices(_("Zeitzone der Stadt"))
    form.organization_id.choices = queries.organization_choices()
    form.contact_person_id.choices = queries.person_choices()
    form.attendees.choices = queries.member_choices(delegation)
    form.briefed.choices = queries.member_choices(delegation)
    return form


def _fill_appointment(form: AppointmentForm, appointment: Appointment) -> None:
    form.title.data = appointment.title
    form.kind.data = appointment.kind.value
    form.status.data = appointment.status.value
    form.city_id.data = appointment.city_id or 0
    form.timezone.data = appointment.timezone
    form.starts.data = to_local(appointment.start_at, appointment.timezone).replace(tzinfo=None)
    form.ends.data = to_local(appointment.end_at, appointment.timezone).replace(tzinfo=None)
    form.venue.data = appointment.venue
    form.address.data = appointment.address
    form.organization_id.data = appointment.organization_id or 0
    form.contact_person_id.data = appointment.contact_person_id or 0
    form.attendees.data = [m.id for m in appointment.attendees]
    form.visibility.data = appointment.visibility.value
    form.briefed.data = [m.id for m in appointment.briefed]
    for name in ("objectives", "talking_points", "background", "dress_code", "notes"):
        getattr(form, name).data = getattr(appointment, name)
    form.version.data = appointment.version


def _flash_warnings(delegation_id: int, appointment_id: int) -> None:
    fresh = delegation_with_programme(delegation_id)
    if fresh is None:  # deleted by another planner right after this save: nothing left to warn about
        return
    for warning in check_programme(fresh, _buffer()):
        if warning.appointment_id == appointment_id:
            flash(warning.message, "warning")


@bp.route("/appointments/new", methods=["GET", "POST"])
@editors_only
def new_appointment(delegation_id: int) -> str | Response:
    delegation = _delegation(delegation_id)
    form = _appointment_form(delegation)
    if request.method == "GET":
        day = _parse_day(request.args.get("day"))
        city_id, start = queries.default_place(delegation, day)
        form.city_id.data = city_id or 0
        form.timezone.data = ""
        if start is not None:
            form.starts.data, form.ends.data = start, start + timedelta(hours=1)
        form.attendees.data = [m.id for m in delegation.members]
        form.version.data = 1
    elif form.validate_on_submit():
        appointment = operations.save_appointment(delegation, form)
        flash(_("Termin „%(title)s“ angelegt.", title=appointment.title), "info")
        _flash_warnings(delegation.id, appointment.id)
        return redirect(_programme_url(delegation, f"appointment-{appointment.id}"))
    return render_template("program/appointment_form.html", delegation=delegation, form=form, appointment=None)


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_appointment(delegation_id: int, appointment_id: int) -> str | Response | tuple[str, int]:
    delegation = _delegation(delegation_id)
    appointment = queries.appointment_in(delegation, appointment_id)
    if appointment is None:
        abort(404)
    form = _appointment_form(delegation)
    if request.method == "GET":
        _fill_appointment(form, appointment)
    elif form.validate_on_submit():
        try:
            operations.save_appointment(delegation, form, appointment)
        except EditConflict:
            return _appointment_conflict(delegation_id, appointment_id, form)
        flash(_("Termin „%(title)s“ gespeichert.", title=appointment.title), "info")
        _flash_warnings(delegation.id, appointment.id)
        return redirect(_programme_url(delegation, f"appointment-{appointment.id}"))
    return render_template("program/appointment_form.html", delegation=delegation, form=form, appointment=appointment)


def _appointment_conflict(delegation_id: int, appointment_id: int, submitted: AppointmentForm) -> tuple[str, int]:
    # Ids, not the loaded objects: after the rollback they are expired, and reading them again
    # fails if another planner deleted the trip or the appointment meanwhile (then: 404 page).
    db.session.rollback()
    fresh = _delegation(delegation_id)
    current_item = queries.appointment_in(fresh, appointment_id)
    if current_item is None:
        abort(404)
    current = _appointment_form(fresh, formdata=MultiDict())
    _fill_appointment(current, current_item)
    return render_conflict(
        submitted,
        ConflictPage(
            current,
            current_item.title,
            _programme_url(fresh, f"appointment-{current_item.id}"),
            url_for("program.edit_appointment", delegation_id=fresh.id, appointment_id=current_item.id),
        ),
    )


def _item_action(delegation_id: int, appointment_id: int) -> tuple[Delegation, Appointment, ItemActionForm]:
    delegation = _delegation(delegation_id)
    appointment = queries.appointment_in(delegation, appointment_id)
    if appointment is None:
        abort(404)
    form = ItemActionForm()
    if not form.validate_on_submit():
        abort(400)
    return delegation, appointment, form


@bp.post("/appointments/<int:appointment_id>/cancel")
@editors_only
def cancel_appointment(delegation_id: int, appointment_id: int) -> Response:
    delegation, appointment, form = _item_action(delegation_id, appointment_id)
    try:
        operations.set_appointment_status(appointment, ItemStatus.CANCELLED, form.version.data)
    except EditConflict:
        flash(_("„%(title)s“ wurde inzwischen geändert. Bitte prüfen und erneut absagen.", title=appointment.title), "error")
    else:
        flash(_("„%(title)s“ ist abgesagt.", title=appointment.title), "info")
    return redirect(_programme_url(delegation, f"appointment-{appointment.id}"))


@bp.post("/appointments/<int:appointment_id>/delete")
@editors_only
def delete_appointment(delegation_id: int, appointment_id: int) -> Response:
    delegation, appointment, form = _item_action(delegation_id, appointment_id)
    try:
        operations.trash_appointment(appointment, form.version.data)
    except EditConflict:
        flash(_("„%(title)s“ wurde inzwischen geändert. Bitte prüfen und erneut löschen.", title=appointment.title), "error")
        return redirect(_programme_url(delegation, f"appointment-{appointment.id}"))
    flash(_("„%(title)s“ liegt jetzt im Papierkorb.", title=appointment.title), "info")
    return redirect(_programme_url(delegation))


@bp.get("/trash")
@editors_only
def trash(delegation_id: int) -> str:
    delegation = _delegation(delegation_id)
    return render_template(
        "program/trash.html", delegation=delegation, items=queries.trashed_appointments(delegation_id), form=FlaskForm()
    )


@bp.post("/trash/<int:appointment_id>/restore")
@editors_only
def restore(delegation_id: int, appointment_id: int) -> Response:
    appointment = queries.trashed_appointment(delegation_id, appointment_id)
    if appointment is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    operations.restore_appointment(appointment)
    flash(_("„%(title)s“ ist wiederhergestellt.", title=appointment.title), "info")
    return redirect(url_for("delegations.show", delegation_id=delegation_id, _anchor=f"appointment-{appointment.id}"))


# -- journeys ------------------------------------------------------------------


def _journey_form(formdata: object = None) -> JourneyForm:
    form = JourneyForm(formdata=formdata) if formdata is not None else JourneyForm()
    cities, zones = queries.city_choices()
    form.departure_city_id.choices = cities
    form.arrival_city_id.choices = cities
    form.city_zones = zones
    zone_list = queries.zone_choices(_("Zeitzone der Stadt"))
    form.departure_timezone.choices = zone_list
    form.arrival_timezone.choices = zone_list
    return form


def _fill_journey(form: JourneyForm, journey: Journey) -> None:
    for name in (
        "departure_place",
        "departure_timezone",
        "arrival_place",
        "arrival_timezone",
        "carrier",
        "number",
        "booking_reference",
        "notes",
    ):
        getattr(form, name).data = getattr(journey, name)
    form.mode.data = journey.mode.value
    form.status.data = journey.status.value
    form.departure_city_id.data = journey.departure_city_id or 0
    form.arrival_city_id.data = journey.arrival_city_id or 0
    form.departs.data = to_local(journey.depart_at, journey.departure_timezone).replace(tzinfo=None)
    form.arrives.data = to_local(journey.arrive_at, journey.arrival_timezone).replace(tzinfo=None)
    form.travellers.data = [m.id for m in journey.travellers]
    form.visibility.data = journey.visibility.value
    form.version.data = journey.version


@bp.route("/journeys/new", methods=["GET", "POST"])
@editors_only
def new_journey(delegation_id: int) -> str | Response:
    delegation = _delegation(delegation_id)
    form = _journey_form()
    form.travellers.choices = queries.member_choices(delegation)
    if request.method == "GET":
        form.departure_timezone.data = form.arrival_timezone.data = ""
        form.travellers.data = [m.id for m in delegation.members]
        form.version.data = 1
    elif form.validate_on_submit():
        journey = operations.save_journey(delegation, form)
        flash(_("Reise %(a)s → %(b)s angelegt.", a=journey.departure_place, b=journey.arrival_place), "info")
        return redirect(_programme_url(delegation, f"journey-{journey.id}"))
    return render_template("program/journey_form.html", delegation=delegation, form=form, journey=None)


@bp.route("/journeys/<int:journey_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_journey(delegation_id: int, journey_id: int) -> str | Response | tuple[str, int]:
    delegation = _delegation(delegation_id)
    journey = queries.journey_in(delegation, journey_id)
    if journey is None:
        abort(404)
    form = _journey_form()
    form.travellers.choices = queries.member_choices(delegation)
    if request.method == "GET":
        _fill_journey(form, journey)
    elif form.validate_on_submit():
        try:
            operations.save_journey(delegation, form, journey)
        except EditConflict:
            db.session.rollback()
            fresh = _delegation(delegation_id)  # 404 page if the trip was deleted meanwhile
            current_item = queries.journey_in(fresh, journey_id)
            if current_item is None:
                abort(404)
            current = _journey_form(formdata=MultiDict())
            current.travellers.choices = queries.member_choices(fresh)
            _fill_journey(current, current_item)
            return render_conflict(
                form,
                ConflictPage(
                    current,
                    f"{current_item.departure_place} → {current_item.arrival_place}",
                    _programme_url(fresh, f"journey-{journey_id}"),
                    url_for("program.edit_journey", delegation_id=fresh.id, journey_id=journey_id),
                ),
            )
        flash(_("Reise gespeichert."), "info")
        return redirect(_programme_url(delegation, f"journey-{journey.id}"))
    return render_template("program/journey_form.html", delegation=delegation, form=form, journey=journey)


@bp.post("/journeys/<int:journey_id>/delete")
@editors_only
def delete_journey(delegation_id: int, journey_id: int) -> Response:
    delegation = _delegation(delegation_id)
    journey = queries.journey_in(delegation, journey_id)
    if journey is None:
        abort(404)
    form = ItemActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.delete_journey(journey, form.version.data)
    except EditConflict:
        flash(_("Die Reise wurde inzwischen geändert. Bitte prüfen und erneut löschen."), "error")
    else:
        flash(_("Reise gelöscht."), "info")
    return redirect(_programme_url(delegation))


@bp.get("/timeline")
def timeline(delegation_id: int) -> str:
    delegation = _delegation(delegation_id)
    return render_template(
        "program/timeline.html",
        delegation=delegation,
        days=timeline_days(delegation),
        warned={w.appointment_id for w in check_programme(delegation, _buffer())},
    )


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/appointments/<int:appointment_id>")
def show_appointment(delegation_id: int, appointment_id: int) -> str:
    delegation = _delegation(delegation_id)
    appointment = queries.appointment_in(delegation, appointment_id)
    if appointment is None:
        abort(404)
    warnings = [w.message for w in check_programme(delegation, _buffer()) if w.appointment_id == appointment.id]
    return render_template(
        "program/appointment.html", delegation=delegation, appointment=appointment, warnings=list(dict.fromkeys(warnings))
    )
