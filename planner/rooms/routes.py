"""Pages of the rooms feature: nights and hotels, the rooming list per hotel, its print view and PDF.

Every page is a trip's page (the sign-in hook keeps it to the trip's team);
changes are for editors only and go through the one edit flow. The rooms page
shows the trip's carers each member's room preference (personal travel data),
and records each such read; nobody else's page holds a trace of it. The PDF goes
through the one render queue (:func:`planner.briefs.routes.queue_pdf`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from planner.auth.access import editors_only
from planner.briefs.routes import queue_pdf
from planner.care.operations import record_read
from planner.editing import Rejected
from planner.extensions import db
from planner.formatting import day as format_day
from planner.formatting import listed_name
from planner.models import Room
from planner.rooms import operations, queries, sheet
from planner.rooms.checks import room_name
from planner.rooms.forms import NightForm, RoomForm, night_choices
from planner.rooms.nights import Night, Nights, NightState
from planner.teams.access import may_care
from planner.web.edit_flow import Page, SavedNow, confirmation_page, edit_page, versioned_action
from planner.web.forms import InputForm

bp = Blueprint("rooms", __name__)


def _rooming(delegation_id: int) -> queries.Rooming:
    found = queries.rooming(delegation_id)
    if found is None:
        abort(404)
    return found


def _index_url(delegation_id: int, stay_key: str | None = None) -> str:
    return url_for("rooms.index", delegation_id=delegation_id, _anchor=f"stay-{stay_key}" if stay_key else None)


def _night_or_404(rooming: queries.Rooming, value: str) -> Night:
    try:
        night = rooming.nights.on(date.fromisoformat(value))
    except ValueError:
        night = None
    if night is None:
        abort(404)
    return night


def describe(night: Night) -> str:
    """Where the delegation spends ``night``, in words (the rooms page and the night form)."""
    if night.state is NightState.HOTEL:
        hotel = night.hotel.name if night.hotel and night.hotel.name else _("Hotel noch offen")
        return f"{hotel} ({night.city.name})" if night.city is not None else hotel
    if night.state is NightState.JOURNEY and night.journey is not None:
        return _(
            "Unterwegs, kein Hotel: %(from)s → %(to)s",
            **{"from": night.journey.departure_place, "to": night.journey.arrival_place},
        )
    if night.state is NightState.NO_HOTEL:
        return _("Kein Hotel (so festgelegt)")
    return _("Keine Station: zu Hause oder noch nicht geplant, kein Hotel")


@bp.get("/delegations/<int:delegation_id>/rooms")
def index(delegation_id: int) -> str:
    """Nights, stays and rooms; for the trip's carers also each member's room preference (each read logged)."""
    rooming = _rooming(delegation_id)
    warnings = rooming.warnings()
    carer = may_care(current_user, delegation_id)
    # Everyone else gets no preference at all: not read, not counted, not hinted at.
    preferences = queries.room_preferences(delegation_id) if carer else {}
    for preference in preferences.values():
        record_read(current_user, preference.person_id, delegation_id, "rooming")
    html = render_template(
        "rooms/index.html",
        delegation=rooming.delegation,
        rooming=rooming,
        warnings=warnings,
        describe=describe,
        room_name=room_name,
        preferences=preferences,
    )
    if preferences:
        db.session.commit()  # the reads go with the page: no log, no page (as on the carers' pages)
    return html


# -- rooms -----------------------------------------------------------------------


def _room_form(rooming: queries.Rooming, formdata: MultiDict | None = None) -> RoomForm:
    form = RoomForm(formdata=formdata) if formdata is not None else RoomForm()
    nights = night_choices(rooming.nights.hotel_nights())
    form.first_night.choices = nights
    form.last_night.choices = nights
    form.occupant_ids.choices = [(m.id, listed_name(m.person)) for m in rooming.delegation.members]
    return form


def _form_page(
    heading: str, rooming: queries.Rooming, stay_key: str | None, intro: str | None = None
) -> Callable[[InputForm], str]:
    # Plain values now: after a refused save the session is rolled back and the objects expired.
    title, delegation_id = rooming.delegation.title, rooming.delegation.id
    return lambda form: render_template(
        "form_page.html",
        form=form,
        heading=heading,
        delegation_id=delegation_id,
        delegation_title=title,
        cancel_url=_index_url(delegation_id, stay_key),
        intro=intro,
    )


@bp.route("/delegations/<int:delegation_id>/rooms/new", methods=["GET", "POST"])
@editors_only
def new_room(delegation_id: int) -> Page:
    rooming = _rooming(delegation_id)
    form = _room_form(rooming)
    stay = None
    night = request.args.get("night", "")
    with contextlib.suppress(ValueError):
        stay = rooming.nights.stay_on(date.fromisoformat(night))
    if stay is None and rooming.nights.stays:
        stay = rooming.nights.stays[0]
    if stay is None:
        return _form_page(
            _("Neues Zimmer"), rooming, None, _("In keiner Nacht dieser Reise schläft die Delegation in einem Hotel.")
        )(form), 404
    if not form.is_submitted():
        form.first_night.data, form.last_night.data = stay.first_night.isoformat(), stay.last_night.isoformat()
    intro = _(
        "%(hotel)s, Anreise %(arrival)s, Abreise %(departure)s.",
        hotel=stay.hotel.name or _("Hotel noch offen"),
        arrival=format_day(stay.arrival),
        departure=format_day(stay.departure),
    )
    return edit_page(
        form,
        record=None,
        save=lambda data: operations.save_room(rooming.nights, rooming.rooms, data),
        render=_form_page(_("Neues Zimmer"), rooming, stay.key, intro),
        done=lambda room: _index_url(delegation_id, stay.key),
        saved_message=lambda room: _("Zimmer gespeichert."),
    )


@bp.route("/delegations/<int:delegation_id>/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_room(delegation_id: int, room_id: int) -> Page:
    rooming = _rooming(delegation_id)
    room = next((r for r in rooming.rooms if r.id == room_id), None)
    if room is None:
        abort(404)
    stay = rooming.nights.stay_on(room.first_night)
    stay_key = stay.key if stay is not None else None
    return edit_page(
        _room_form(rooming),
        record=room,
        save=lambda data: operations.save_room(rooming.nights, rooming.rooms, data, room),
        render=_form_page(_("Zimmer bearbeiten"), rooming, stay_key),
        done=lambda saved: _index_url(delegation_id, stay_key),
        saved_message=lambda saved: _("Zimmer gespeichert."),
        conflict=SavedNow(
            load=lambda: queries.room_or_404(delegation_id, room_id),
            form=lambda: _room_form(_rooming(delegation_id), MultiDict()),
            title=room_name,
            back_url=_index_url(delegation_id, stay_key),
            edit_url=url_for("rooms.edit_room", delegation_id=delegation_id, room_id=room_id),
        ),
    )


@bp.get("/delegations/<int:delegation_id>/rooms/<int:room_id>/delete")
@editors_only
def confirm_delete_room(delegation_id: int, room_id: int) -> str:
    rooming = _rooming(delegation_id)
    room: Room = queries.room_or_404(delegation_id, room_id)
    return confirmation_page(
        rooming.delegation,
        heading=_("%(room)s löschen?", room=room_name(room)),
        consequences=[_("Das Zimmer verschwindet aus der Rooming-Liste; der Änderungsverlauf behält, was es war.")],
        action=url_for("rooms.delete_room", delegation_id=delegation_id, room_id=room_id),
        version=room.version,
        button=_("Zimmer löschen"),
        cancel_url=_index_url(delegation_id),
    )


@bp.post("/delegations/<int:delegation_id>/rooms/<int:room_id>/delete")
@editors_only
def delete_room(delegation_id: int, room_id: int) -> BaseResponse:
    room = queries.room_or_404(delegation_id, room_id)
    name = room_name(room)
    return versioned_action(
        lambda version: operations.delete_room(room, version),
        done=_index_url(delegation_id),
        stale=_("Das Zimmer wurde inzwischen geändert. Bitte prüfen Sie es und versuchen Sie es erneut."),
        message=_("%(room)s gelöscht.", room=name),
    )


# -- nights ----------------------------------------------------------------------


@bp.route("/delegations/<int:delegation_id>/rooms/nights/<day>", methods=["GET", "POST"])
@editors_only
def edit_night(delegation_id: int, day: str) -> Page:
    rooming = _rooming(delegation_id)
    night = _night_or_404(rooming, day)
    override = night.override
    # What the night would be without this override: said above the form, so the planner sees what "as derived" means.
    without = Nights(rooming.delegation, [o for o in rooming.overrides if o is not override]).on(night.day)
    intro = _("Ohne eigene Festlegung: %(where)s.", where=describe(without)) if without is not None else None
    heading = _("Nacht vom %(day)s", day=format_day(night.day))
    conflict = None
    if override is not None:
        conflict = SavedNow(
            load=lambda: queries.override_on(delegation_id, night.day) or abort(404),
            form=lambda: NightForm(formdata=MultiDict()),
            title=lambda saved: heading,
            back_url=_index_url(delegation_id),
            edit_url=url_for("rooms.edit_night", delegation_id=delegation_id, day=night.day.isoformat()),
        )
    return edit_page(
        NightForm(),
        record=override,
        save=lambda data: operations.save_night(rooming.delegation, night.day, data, override),
        render=_form_page(heading, rooming, None, intro),
        done=lambda saved: url_for("rooms.index", delegation_id=delegation_id, _anchor=f"night-{night.day.isoformat()}"),
        conflict=conflict,
    )


# -- the rooming list --------------------------------------------------------------


def _sheet_choices(night: str) -> sheet.SheetChoices:
    try:
        return sheet.check_choices(night, request.args.get("lang"))
    except Rejected:
        abort(404)


@bp.get("/delegations/<int:delegation_id>/rooms/<day>/list")
def rooming_list(delegation_id: int, day: str) -> Response:
    """The rooming list of the hotel stay that night ``day`` belongs to, as the print view."""
    choices = _sheet_choices(day)
    rooming = _rooming(delegation_id)
    try:
        html = sheet.sheet_html(rooming, choices)
    except Rejected:
        abort(404)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/delegations/<int:delegation_id>/rooms/<day>/list.pdf")
def rooming_list_pdf(delegation_id: int, day: str) -> BaseResponse:
    """The rooming list as PDF, through the one render queue (progress page, then the file)."""
    choices = _sheet_choices(day)
    rooming = _rooming(delegation_id)
    stay = rooming.nights.stay_on(choices.night)
    if stay is None:
        abort(404)
    # Named by the stay's first night: any night of the stay asks for the same list, and so for one render.
    choices = sheet.SheetChoices(stay.first_night, choices.lang)
    state = queries.rooming_state(delegation_id)
    if state is None:
        abort(404)
    return queue_pdf(sheet.KIND, delegation_id, state, choices.as_dict())
