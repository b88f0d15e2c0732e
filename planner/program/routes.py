"""Pages for editing the programme: appointments, journeys, the trash and the timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from planner.auth.access import editors_only
from planner.care import meals
from planner.delegations import queries as delegation_queries
from planner.delegations.history_view import journey_name
from planner.delegations.queries import delegation_with_programme
from planner.directory import queries as directory_queries
from planner.extensions import db
from planner.formatting import clock, day, end_clock, place_name
from planner.models import Appointment, Delegation, ItemStatus, Journey
from planner.program import operations, queries
from planner.program.conflicts import HINT_KINDS, Neighbourhood, check_appointment, check_programme, split_hints
from planner.program.forms import AppointmentForm, JourneyForm, JourneyRowsForm, MoveAppointmentForm
from planner.program.inputs import DEFAULT_DURATION, whole_delegation
from planner.program.timeline import timeline_days
from planner.protocol.views import protocol_of
from planner.teams.access import may_care
from planner.transport.queries import travel_rules
from planner.web.edit_flow import Page, SavedNow, confirmation_page, edit_page, restore_action, versioned_action
from planner.web.forms import InputForm
from planner.web.pages import render_large

bp = Blueprint("program", __name__, url_prefix="/delegations/<int:delegation_id>")


def _programme_url(delegation_id: int, anchor: str | None = None) -> str:
    return url_for("delegations.show", delegation_id=delegation_id, _anchor=anchor)


def _buffer() -> timedelta:
    return timedelta(minutes=current_app.config["CONFLICT_BUFFER_MINUTES"])


def _appointment_form(delegation: Delegation, formdata: object = None) -> AppointmentForm:
    form = AppointmentForm(formdata=formdata) if formdata is not None else AppointmentForm()
    cities = queries.city_choices()
    form.city_id.choices = cities.choices
    form.city_zones, form.city_countries = cities.zones, cities.countries
    form.group_zones()
    form.organization_id.choices = queries.organization_choices()
    form.contact_person_id.choices = directory_queries.person_choices("—")
    form.attendees.choices = queries.member_choices(delegation)
    form.briefed.choices = queries.member_choices(delegation)
    return form


def _appointment_page(delegation: Delegation, appointment: Appointment | None) -> Callable[[AppointmentForm], str]:
    def render(form: AppointmentForm) -> str:
        form.group_zones()  # by the city shown now: the record's, the proposed one, or the one just chosen
        return render_template("program/appointment_form.html", delegation=delegation, form=form, appointment=appointment)

    return render


def _saved_appointment(message: str) -> Callable[[Appointment], str]:
    return lambda appointment: message % {"title": appointment.title}


def _neighbourhood(appointment: Appointment) -> Neighbourhood:
    """What the warnings of ``appointment`` depend on, the travel-time check's rules included."""
    return queries.neighbourhood(appointment, _buffer(), travel_rules(appointment.delegation_id))


def _flash_warnings(appointment_id: int) -> None:
    """Flash the warnings the saved appointment has now (clashes, too close, holidays); hints as information."""
    saved = db.session.get(Appointment, appointment_id)
    if saved is not None:  # None: deleted by another planner right after this save, nothing to warn about
        for warning in check_appointment(_neighbourhood(saved)):
            flash(warning.message, "info" if warning.kind in HINT_KINDS else "warning")


def _programme_with_warnings(delegation_id: int, appointment_id: int) -> str:
    """Back to the programme at the saved appointment, with the warnings it has now (flashed)."""
    _flash_warnings(appointment_id)
    return _programme_url(delegation_id, f"appointment-{appointment_id}")


@bp.route("/appointments/new", methods=["GET", "POST"])
@editors_only
def new_appointment(delegation_id: int) -> Page:
    delegation = queries.delegation_for_forms(delegation_id)
    form = _appointment_form(delegation)
    if not form.is_submitted():
        day = _parse_day(request.args.get("day"))
        city_id, start = queries.default_place(delegation, day)
        form.city_id.data = city_id or 0
        form.timezone.data = ""
        if start is not None:
            form.starts.data, form.ends.data = start, start + DEFAULT_DURATION
        form.attendees.data = list(whole_delegation(delegation))
    return edit_page(
        form,
        record=None,
        save=lambda data: operations.save_appointment(delegation, data),
        render=_appointment_page(delegation, None),
        done=lambda appointment: _programme_with_warnings(delegation_id, appointment.id),
        saved_message=_saved_appointment(_("Termin „%(title)s“ angelegt.")),
    )


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_appointment(delegation_id: int, appointment_id: int) -> Page:
    delegation = queries.delegation_for_forms(delegation_id)
    appointment = queries.appointment_or_404(delegation_id, appointment_id)

    return edit_page(
        _appointment_form(delegation),
        record=appointment,
        save=lambda data: operations.save_appointment(delegation, data, appointment),
        render=_appointment_page(delegation, appointment),
        done=lambda saved: _programme_with_warnings(delegation_id, saved.id),
        saved_message=_saved_appointment(_("Termin „%(title)s“ gespeichert.")),
        conflict=SavedNow(
            load=lambda: queries.appointment_or_404(delegation_id, appointment_id),
            form=lambda: _appointment_form(queries.delegation_for_forms(delegation_id), formdata=MultiDict()),
            title=lambda saved: saved.title,
            back_url=_programme_url(delegation_id, f"appointment-{appointment_id}"),
            edit_url=url_for("program.edit_appointment", delegation_id=delegation_id, appointment_id=appointment_id),
        ),
    )


def _move_form(zone: str, formdata: object = None) -> MoveAppointmentForm:
    form = MoveAppointmentForm(formdata=formdata) if formdata is not None else MoveAppointmentForm()
    form.zone = zone
    return form


@bp.route("/appointments/<int:appointment_id>/move", methods=["GET", "POST"])
@editors_only
def move_appointment(delegation_id: int, appointment_id: int) -> Page:
    """Another start for an appointment, its length, place and zone kept: the form behind the timeline's drag.

    ``?back=timeline`` (the timeline's links and its drag) returns there, otherwise to the programme;
    either way with the warnings the appointment has at its new time.
    """
    delegation = queries.delegation_for_forms(delegation_id)
    appointment = queries.appointment_or_404(delegation_id, appointment_id)
    from_timeline = request.args.get("back") == "timeline"
    back_url = (
        url_for("program.timeline", delegation_id=delegation_id, _anchor=f"block-{appointment_id}")
        if from_timeline
        else _programme_url(delegation_id, f"appointment-{appointment_id}")
    )
    zone = appointment.timezone
    # Worked out now: after a refused save the session is rolled back and the records expired.
    intro = _(
        "„%(title)s“ ist jetzt am %(day)s, %(start)s–%(end)s Uhr (%(place)s). Die Dauer bleibt, ebenso Ort und "
        "Zeitzone (%(zone)s); die neue Zeit gilt in dieser Zeitzone.",
        title=appointment.title,
        day=day(appointment.start_at, zone),
        start=clock(appointment.start_at, zone),
        end=end_clock(appointment.end_at, zone, appointment.start_at),
        place=place_name(zone, appointment.city),
        zone=zone,
    )
    title = delegation.title

    def render(form: InputForm) -> str:
        return render_template(
            "form_page.html",
            form=form,
            heading=_("Termin verschieben"),
            intro=intro,
            delegation_id=delegation_id,
            delegation_title=title,
            cancel_url=back_url,
            submit_label=_("Verschieben"),
        )

    def done(saved: Appointment) -> str:
        _flash_warnings(saved.id)
        return back_url

    return edit_page(
        _move_form(zone),
        record=appointment,
        save=lambda move: operations.move_appointment(delegation, appointment, move),
        render=render,
        done=done,
        saved_message=_saved_appointment(_("Termin „%(title)s“ verschoben.")),
        conflict=SavedNow(
            load=lambda: queries.appointment_or_404(delegation_id, appointment_id),
            form=lambda: _move_form(zone, formdata=MultiDict()),
            title=lambda saved: saved.title,
            back_url=back_url,
            edit_url=url_for("program.move_appointment", delegation_id=delegation_id, appointment_id=appointment_id),
        ),
    )


@bp.post("/appointments/<int:appointment_id>/cancel")
@editors_only
def cancel_appointment(delegation_id: int, appointment_id: int) -> Response:
    appointment = queries.appointment_or_404(delegation_id, appointment_id)
    return versioned_action(
        lambda version: operations.set_appointment_status(appointment, ItemStatus.CANCELLED, version),
        done=_programme_url(delegation_id, f"appointment-{appointment_id}"),
        stale=_("„%(title)s“ wurde inzwischen geändert. Bitte prüfen und erneut absagen.", title=appointment.title),
        message=_("„%(title)s“ ist abgesagt.", title=appointment.title),
    )


def _goes_from_calendars(people: int) -> str:
    return ngettext(
        "%(num)d Person verliert den Eintrag aus dem eigenen Kalender.",
        "%(num)d Personen verlieren den Eintrag aus ihren Kalendern.",
        people,
    )


@bp.get("/appointments/<int:appointment_id>/delete")
@editors_only
def confirm_delete_appointment(delegation_id: int, appointment_id: int) -> str:
    appointment = queries.appointment_or_404(delegation_id, appointment_id)
    return confirmation_page(
        appointment.delegation,
        heading=_("Termin „%(title)s“ löschen?", title=appointment.title),
        consequences=[
            _goes_from_calendars(len(appointment.attendees)) if appointment.attendees else None,
            _("Der Termin kommt in den Papierkorb und lässt sich von dort wiederherstellen."),
        ],
        action=url_for("program.delete_appointment", delegation_id=delegation_id, appointment_id=appointment_id),
        version=appointment.version,
        button=_("Termin löschen"),
        cancel_url=_programme_url(delegation_id, f"appointment-{appointment_id}"),
    )


@bp.post("/appointments/<int:appointment_id>/delete")
@editors_only
def delete_appointment(delegation_id: int, appointment_id: int) -> Response:
    appointment = queries.appointment_or_404(delegation_id, appointment_id)
    return versioned_action(
        lambda version: operations.trash_appointment(appointment, version),
        done=_programme_url(delegation_id, f"appointment-{appointment_id}"),
        stale=_("„%(title)s“ wurde inzwischen geändert. Bitte prüfen und erneut löschen.", title=appointment.title),
        message=_("Termin „%(title)s“ in den Papierkorb gelegt.", title=appointment.title),
        undo_url=url_for("program.restore", delegation_id=delegation_id, appointment_id=appointment_id),
    )


@bp.get("/trash")
@editors_only
def trash(delegation_id: int) -> str:
    """The trip's one trash: legs, members, appointments, journeys and follow-ups, each with "restore"."""
    delegation = queries.delegation_header(delegation_id)
    return render_template("program/trash.html", delegation=delegation, trash=delegation_queries.trash(delegation_id))


@bp.post("/trash/<int:appointment_id>/restore")
@editors_only
def restore(delegation_id: int, appointment_id: int) -> Response:
    appointment = delegation_queries.trashed_or_404(Appointment, delegation_id, appointment_id)
    title = appointment.title
    return restore_action(
        lambda: operations.restore_appointment(appointment),
        message=_("Termin „%(title)s“ wiederhergestellt.", title=title),
        done=lambda: _programme_url(delegation_id, f"appointment-{appointment_id}"),
    )


# -- journeys ------------------------------------------------------------------


def _journey_form(delegation: Delegation, formdata: object = None) -> JourneyForm:
    form = JourneyForm(formdata=formdata) if formdata is not None else JourneyForm()
    cities = queries.city_choices()
    form.departure_city_id.choices = cities.choices
    form.arrival_city_id.choices = cities.choices
    form.city_zones, form.city_countries = cities.zones, cities.countries
    form.group_zones()
    form.travellers.choices = queries.member_choices(delegation)
    return form


def _journey_page(delegation: Delegation, journey: Journey | None) -> Callable[[JourneyForm], str]:
    def render(form: JourneyForm) -> str:
        form.group_zones()  # by the cities shown now: the record's or the ones just chosen
        return render_template("program/journey_form.html", delegation=delegation, form=form, journey=journey)

    return render


def _journey_rows_form(delegation: Delegation) -> JourneyRowsForm:
    """The rows of new journeys: every city to choose (none chosen: a row left so is ignored), the whole delegation travelling."""
    form = JourneyRowsForm()
    cities = queries.city_choices()
    city_list = [SelectChoice(0, "—"), *cities.choices]
    zones = cities.zones
    travellers = whole_delegation(delegation)
    for row in form.journeys.row_forms():
        row.departure_city_id.choices = row.arrival_city_id.choices = city_list
        row.city_zones = zones
        row.traveller_ids = travellers
    return form


def _journey_rows_page(delegation: Delegation) -> Callable[[InputForm], str]:
    # Id and title now: after a refused save the session is rolled back and the delegation expired.
    delegation_id, title = delegation.id, delegation.title
    return lambda form: render_template(
        "form_page.html",
        form=form,
        heading=_("Verbindungen hinzufügen"),
        delegation_id=delegation_id,
        delegation_title=title,
        cancel_url=_programme_url(delegation_id),
        rows_intro=_(
            "Zeiten in Ortszeit der jeweiligen Stadt. Es reist die ganze Delegation; Reisende, Status und "
            "Buchungscode lassen sich danach an jeder Verbindung ändern. Leere Zeilen bleiben unberücksichtigt."
        ),
    )


@bp.route("/journeys/new", methods=["GET", "POST"])
@editors_only
def new_journey(delegation_id: int) -> Page:
    """New journeys, several at once (the one way to add them; :func:`edit_journey` edits one in full)."""
    delegation = queries.delegation_for_forms(delegation_id)
    return edit_page(
        _journey_rows_form(delegation),
        record=None,
        save=lambda data: operations.add_journeys(delegation, data.rows),
        render=_journey_rows_page(delegation),
        done=lambda journeys: _programme_url(delegation_id, f"journey-{journeys[0].id}"),
        saved_message=lambda journeys: ngettext("%(num)d Verbindung angelegt.", "%(num)d Verbindungen angelegt.", len(journeys)),
    )


@bp.route("/journeys/<int:journey_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_journey(delegation_id: int, journey_id: int) -> Page:
    delegation = queries.delegation_for_forms(delegation_id)
    journey = queries.journey_or_404(delegation_id, journey_id)

    return edit_page(
        _journey_form(delegation),
        record=journey,
        save=lambda data: operations.save_journey(delegation, data, journey),
        render=_journey_page(delegation, journey),
        done=lambda saved: _programme_url(delegation_id, f"journey-{saved.id}"),
        saved_message=lambda saved: _("Verbindung gespeichert."),
        conflict=SavedNow(
            load=lambda: queries.journey_or_404(delegation_id, journey_id),
            form=lambda: _journey_form(queries.delegation_for_forms(delegation_id), formdata=MultiDict()),
            title=lambda saved: f"{saved.departure_place} → {saved.arrival_place}",
            back_url=_programme_url(delegation_id, f"journey-{journey_id}"),
            edit_url=url_for("program.edit_journey", delegation_id=delegation_id, journey_id=journey_id),
        ),
    )


def _journey_name(journey: Journey) -> str:
    return journey_name(journey.departure_place, journey.arrival_place)


@bp.get("/journeys/<int:journey_id>/delete")
@editors_only
def confirm_delete_journey(delegation_id: int, journey_id: int) -> str:
    journey = queries.journey_or_404(delegation_id, journey_id)
    return confirmation_page(
        queries.delegation_header(delegation_id),
        heading=_("Verbindung %(name)s löschen?", name=_journey_name(journey)),
        consequences=[
            _goes_from_calendars(len(journey.travellers)) if journey.travellers else None,
            _("Die Verbindung kommt in den Papierkorb und lässt sich von dort wiederherstellen."),
        ],
        action=url_for("program.delete_journey", delegation_id=delegation_id, journey_id=journey_id),
        version=journey.version,
        button=_("Verbindung löschen"),
        cancel_url=_programme_url(delegation_id, f"journey-{journey_id}"),
    )


@bp.post("/journeys/<int:journey_id>/delete")
@editors_only
def delete_journey(delegation_id: int, journey_id: int) -> Response:
    journey = queries.journey_or_404(delegation_id, journey_id)
    return versioned_action(
        lambda version: operations.trash_journey(journey, version),
        done=_programme_url(delegation_id),
        stale=_("Die Verbindung wurde inzwischen geändert. Bitte prüfen und erneut löschen."),
        message=_("Verbindung %(name)s in den Papierkorb gelegt.", name=_journey_name(journey)),
        undo_url=url_for("program.restore_journey", delegation_id=delegation_id, journey_id=journey_id),
    )


@bp.post("/trash/journeys/<int:journey_id>/restore")
@editors_only
def restore_journey(delegation_id: int, journey_id: int) -> Response:
    journey = delegation_queries.trashed_or_404(Journey, delegation_id, journey_id)
    name = _journey_name(journey)
    return restore_action(
        lambda: operations.restore_journey(journey),
        message=_("Verbindung %(name)s wiederhergestellt.", name=name),
        done=lambda: _programme_url(delegation_id, f"journey-{journey_id}"),
    )


@bp.get("/timeline")
def timeline(delegation_id: int) -> Response:
    delegation = delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    return render_large(
        "program/timeline.html",
        delegation=delegation,
        days=timeline_days(delegation),
        warned={w.appointment_id for w in split_hints(check_programme(delegation, _buffer(), travel_rules(delegation_id)))[0]},
    )


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/appointments/<int:appointment_id>")
def show_appointment(delegation_id: int, appointment_id: int) -> str:
    appointment = queries.appointment_or_404(delegation_id, appointment_id)
    warnings, hints = split_hints(check_appointment(_neighbourhood(appointment)))
    # A meal's dietary needs as counts (editors), names for carers when released; the latter are logged reads.
    diet = meals.meal_diet(appointment, current_user)
    if diet is not None and diet.names:
        db.session.commit()
    return render_template(
        "program/appointment.html",
        delegation=appointment.delegation,
        appointment=appointment,
        warnings=list(dict.fromkeys(w.message for w in warnings)),
        hints=list(dict.fromkeys(h.message for h in hints)),
        diet=diet,
        may_care=may_care(current_user, delegation_id),
        protocol=protocol_of(appointment_id),
    )
