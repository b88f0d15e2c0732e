"""Pages of the delegations feature: the list, one trip, and editing the trip, its members, legs and follow-ups."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from planner.auth.access import editors_only
from planner.delegations import history_view, operations, queries
from planner.delegations.forms import (
    AddMembersForm,
    CloneForm,
    DelegationForm,
    FollowUpForm,
    LegForm,
    MemberForm,
    NewDelegationForm,
)
from planner.directory import queries as directory_queries
from planner.editing import Rejected
from planner.extensions import db
from planner.formatting import current_locale
from planner.models import Delegation, FollowUp, ItemStatus, Leg, Member
from planner.personal import queries as personal_queries
from planner.program import operations as program_operations
from planner.program import queries as program_queries
from planner.program.calendar_days import shift_warnings
from planner.program.conflicts import check_legs, check_programme, split_hints, warnings_by_appointment, warnings_by_leg
from planner.program.forms import QuickAddForm
from planner.releases import queries as release_queries
from planner.teams.access import may_approve
from planner.timezones import today_in
from planner.transport.queries import travel_rules
from planner.web.edit_flow import Page, SavedNow, confirmation_page, edit_page, restore_action, versioned_action
from planner.web.forms import InputForm
from planner.web.pages import render_large

bp = Blueprint("delegations", __name__)


@bp.get("/")
def index() -> str:
    today = today_in(current_app.config["HOME_TIMEZONE"])
    return render_template("delegations/index.html", overview=queries.delegations_by_period(today, current_user))


def _delegation(delegation_id: int) -> Delegation:
    delegation = queries.delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    return delegation


def _show_url(delegation_id: int, anchor: str | None = None) -> str:
    # By id: after a rollback the loaded delegation is expired, and may have been deleted meanwhile.
    return url_for("delegations.show", delegation_id=delegation_id, _anchor=anchor)


@dataclass(frozen=True)
class QuickAddDay:
    """The quick-add form of one programme day shown again with what was typed and why it was refused."""

    day: date
    form: QuickAddForm


def _trip_page(delegation: Delegation, quick_add: QuickAddDay | None = None) -> Response:
    buffer = timedelta(minutes=current_app.config["CONFLICT_BUFFER_MINUTES"])
    warnings, hints = split_hints(check_programme(delegation, buffer, travel_rules(delegation.id)))
    return render_large(
        "delegations/show.html",
        delegation=delegation,
        programme=queries.programme(delegation, every_day=True),
        warnings=warnings_by_appointment(warnings),
        hints=warnings_by_appointment(hints),
        leg_warnings=warnings_by_leg(check_legs(delegation)),
        # Appointments away from home while no leg is planned (a deleted or cancelled leg's, mostly).
        outside_legs=len({w.appointment_id for w in warnings if w.kind == "outside_legs"}),
        quick_add=quick_add,
        release_status=release_queries.release_status(delegation),
        may_approve=may_approve(current_user, delegation),
    )


@bp.get("/delegations/<int:delegation_id>")
def show(delegation_id: int) -> Response:
    return _trip_page(_delegation(delegation_id))


@bp.post("/delegations/<int:delegation_id>/days/<day>/quick-add")
@editors_only
def quick_add(delegation_id: int, day: str) -> Page:
    """Lines typed under a programme day become appointments on that day: all of them, or none (422)."""
    delegation = _delegation(delegation_id)
    try:
        on = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if on not in queries.trip_days(delegation):  # the trip page offers quick add on these days only
        abort(404)
    form = QuickAddForm()
    form.delegation, form.day = delegation, on
    return edit_page(
        form,
        record=None,
        save=lambda inputs: program_operations.add_appointments(delegation, inputs),
        render=lambda refused: _trip_page(delegation, QuickAddDay(on, refused)),
        done=lambda saved: _show_url(delegation_id, f"day-{on.isoformat()}"),
        saved_message=lambda saved: ngettext("%(num)d Termin angelegt.", "%(num)d Termine angelegt.", len(saved)),
    )


@bp.get("/delegations/<int:delegation_id>/members/<int:member_id>")
def show_member(delegation_id: int, member_id: int) -> str:
    """One participant's own programme, with their calendar download."""
    delegation = _delegation(delegation_id)
    member = queries.member_or_404(delegation_id, member_id)  # the same object as in delegation.members
    # The links are keys to the member's programme: shown to those who may hand them out.
    links = personal_queries.personal_feeds_of(member) if current_user.can_edit() else []
    return render_template(
        "delegations/member.html",
        delegation=delegation,
        member=member,
        programme=queries.programme(delegation, member),
        personal_links=links,
    )


@bp.get("/delegations/<int:delegation_id>/history")
def history(delegation_id: int) -> str:
    delegation = queries.delegation_or_404(delegation_id)  # the header and home city: not the programme
    return render_template(
        "delegations/history.html",
        delegation=delegation,
        entries=history_view.entries(delegation, queries.history(delegation_id)),
    )


def _form_page(heading: str, delegation: Delegation | None, **extra: Any) -> Callable[[InputForm], str]:
    """The page around an edit form of the trip or one of its parts (``form_page.html``)."""
    # Ids and text worked out now: after a refused save the session is rolled back and the objects expired.
    title = delegation.title if delegation is not None else None
    delegation_id = delegation.id if delegation is not None else None
    cancel = _show_url(delegation_id) if delegation_id is not None else url_for("delegations.index")
    return lambda form: render_template(
        "form_page.html",
        form=form,
        heading=heading,
        delegation_id=delegation_id,
        delegation_title=title,
        cancel_url=cancel,
        **extra,
    )


# -- the delegation itself -------------------------------------------------------


def _delegation_form(formdata: MultiDict | None = None) -> DelegationForm:
    form = DelegationForm(formdata=formdata) if formdata is not None else DelegationForm()
    form.home_city_id.choices = queries.home_city_choices()
    return form


def _new_delegation_form() -> NewDelegationForm:
    """The new trip's form, its stops' rows with every city (none chosen: a row left so is ignored)."""
    form = NewDelegationForm()
    form.home_city_id.choices = queries.home_city_choices()
    cities = program_queries.city_choices()
    for row in form.legs.row_forms():
        row.city_id.choices = [SelectChoice(0, "—"), *cities.choices]
        row.city_zones = cities.zones
    return form


@bp.route("/delegations/new", methods=["GET", "POST"])
@editors_only
def new() -> Page:
    form = _new_delegation_form()
    if not form.is_submitted():
        # Not the first city alphabetically: most trips start from the office's own city.
        form.home_city_id.data = queries.configured_home_city_id()
    return edit_page(
        form,
        record=None,
        save=lambda data: operations.create_delegation(data, creator=current_user),
        render=_form_page(
            _("Neue Delegationsreise"),
            None,
            rows_intro=_(
                "Die ersten Stationen gleich mit eintragen (Ortszeit der Stadt); leere Zeilen bleiben unberücksichtigt."
            ),
        ),
        done=lambda delegation: (
            _legs_with_warnings(delegation.id, [leg.id for leg in delegation.legs])
            if delegation.legs
            else _show_url(delegation.id)
        ),
        saved_message=lambda delegation: _("Reise „%(title)s“ angelegt.", title=delegation.title),
    )


@bp.route("/delegations/<int:delegation_id>/edit", methods=["GET", "POST"])
@editors_only
def edit(delegation_id: int) -> Page:
    delegation = queries.delegation_or_404(delegation_id)

    return edit_page(
        _delegation_form(),
        record=delegation,
        save=lambda data: operations.save_delegation(data, delegation),
        render=_form_page(_("Reise bearbeiten"), delegation),
        done=lambda saved: _show_url(delegation_id),
        conflict=SavedNow(
            load=lambda: queries.delegation_or_404(delegation_id),
            form=lambda: _delegation_form(MultiDict()),
            title=lambda saved: saved.title,
            back_url=_show_url(delegation_id),
            edit_url=url_for("delegations.edit", delegation_id=delegation_id),
        ),
    )


_TRIP_CHANGED = _l("Die Reise wurde inzwischen geändert. Bitte prüfen und erneut versuchen.")
_ITEM_CHANGED = _l("Der Eintrag wurde inzwischen geändert. Bitte prüfen und erneut versuchen.")


@bp.get("/delegations/<int:delegation_id>/cancel")
@editors_only
def confirm_cancel(delegation_id: int) -> str:
    delegation = queries.delegation_or_404(delegation_id)
    scope = queries.trip_scope(delegation_id)
    return confirmation_page(
        delegation,
        heading=_("Reise „%(title)s“ absagen?", title=delegation.title),
        consequences=[
            ngettext(
                "Die Reise mit %(num)d Termin wird abgesagt.",
                "Die Reise mit %(num)d Terminen wird abgesagt.",
                scope.appointments,
            ),
            _("Teilnehmende sehen die Reise als abgesagt; ihre Termine bleiben in ihren Kalendern, bis Sie sie einzeln absagen.")
            if scope.appointments
            else None,
            ngettext(
                "%(num)d Kalender-Abonnement zeigt die Termine weiter.",
                "%(num)d Kalender-Abonnements zeigen die Termine weiter.",
                scope.subscriptions,
            )
            if scope.subscriptions and scope.appointments
            else None,
            _("Die Absage lässt sich zurücknehmen: Die Reise bekommt dann wieder ihren bisherigen Status."),
        ],
        action=url_for("delegations.cancel", delegation_id=delegation_id),
        version=delegation.version,
        button=_("Reise absagen"),
        cancel_url=_show_url(delegation_id),
    )


@bp.post("/delegations/<int:delegation_id>/cancel")
@editors_only
def cancel(delegation_id: int) -> Response:
    delegation = queries.delegation_or_404(delegation_id)
    return versioned_action(
        lambda version: operations.cancel_delegation(delegation, version),
        done=_show_url(delegation_id),
        stale=str(_TRIP_CHANGED),
        message=_("Die Reise ist abgesagt."),
    )


@bp.post("/delegations/<int:delegation_id>/uncancel")
@editors_only
def uncancel(delegation_id: int) -> Response:
    """Take the cancellation back: the trip returns to the status it had (stored when it was cancelled)."""
    delegation = queries.delegation_or_404(delegation_id)
    try:
        return versioned_action(
            lambda version: operations.uncancel_delegation(delegation, version),
            done=_show_url(delegation_id),
            stale=str(_TRIP_CHANGED),
            message=_("Die Absage ist zurückgenommen."),
        )
    except Rejected as rejected:  # not cancelled (any more): nothing to take back
        db.session.rollback()
        flash(str(rejected.message), "error")
        return redirect(_show_url(delegation_id))


@bp.post("/delegations/<int:delegation_id>/archive")
@editors_only
def archive(delegation_id: int) -> Response:
    """Archive an active trip, or make an archived one active again (the button says which)."""
    delegation = queries.delegation_or_404(delegation_id)
    archived = delegation.archived_at is None
    return versioned_action(
        lambda version: operations.set_archived(delegation, archived, version),
        done=url_for("delegations.index"),
        stale=str(_TRIP_CHANGED),
        stale_done=_show_url(delegation_id),
        message=_("Die Reise ist archiviert.") if archived else _("Die Reise ist wieder aktiv."),
    )


@bp.route("/delegations/<int:delegation_id>/clone", methods=["GET", "POST"])
@editors_only
def clone(delegation_id: int) -> Page:
    delegation = _delegation(delegation_id)
    form = CloneForm()
    form.source_length = delegation.end_date - delegation.start_date
    if not form.is_submitted():
        form.title.data = _("Kopie von %(title)s", title=delegation.title)[:200]
        form.start_date.data = delegation.start_date
    return edit_page(
        form,
        record=None,
        save=lambda data: operations.clone_delegation(delegation, data, cloner=current_user),
        render=_form_page(
            _("Reise als Vorlage kopieren"),
            delegation,
            intro=_(
                "Alle Termine, Verbindungen und Stationen werden um die Differenz der Abreisedaten verschoben "
                "und behalten ihre Ortszeit; ebenso Zimmer, Hotelnächte, Fahrzeuge und Fahrten. Zimmernummern, "
                "Kennzeichen und Fahrer gehören zur alten Buchung und kommen nicht mit, persönliche Reisedaten nie."
            ),
            submit_label=_("Kopie anlegen"),
        ),
        done=lambda copy: _cloned(delegation_id, copy),
        saved_message=lambda copy: _(
            "Neue Reise „%(title)s“ als Entwurf angelegt; alle Termine behalten ihre Ortszeit.", title=copy.title
        ),
    )


def _cloned(source_id: int, copy: Delegation) -> str:
    """The new trip's page, with a warning for each kind of day off (weekend, holiday) the shift newly hits."""
    source = queries.delegation_with_programme(source_id)  # read again: the commit expired what the form page loaded
    if source is not None:  # None: deleted by another planner right after the copy was saved; the copy stands
        copied = [a for a in source.appointments if a.status != ItemStatus.CANCELLED]  # cancelled ones stay behind
        for message in shift_warnings(copied, copy.start_date - source.start_date, current_locale()):
            flash(message, "warning")
    return _show_url(copy.id)


# -- members -----------------------------------------------------------------


def _member_form(formdata: MultiDict | None = None) -> MemberForm:
    form = MemberForm(formdata=formdata) if formdata is not None else MemberForm()
    form.person_id.choices = directory_queries.person_choices()
    return form


@bp.route("/delegations/<int:delegation_id>/members/new", methods=["GET", "POST"])
@editors_only
def new_member(delegation_id: int) -> Page:
    """The one way to add members: a person from the directory and/or several new people, saved together."""
    delegation = queries.delegation_or_404(delegation_id)
    form = AddMembersForm()
    form.person_id.choices = directory_queries.person_choices(_("– keine –"))
    return edit_page(
        form,
        record=None,
        save=lambda data: operations.add_members(delegation, data),
        render=_form_page(
            _("Mitglieder hinzufügen"),
            delegation,
            rows_intro=_(
                "Personen, die noch nicht im Verzeichnis stehen; sie werden dort als eigene Delegation angelegt. "
                "Leere Zeilen bleiben unberücksichtigt, gespeichert wird alles zusammen oder nichts."
            ),
            submit_label=_("Mitglieder hinzufügen"),
        ),
        done=lambda members: _show_url(delegation_id, "members-heading"),
        saved_message=lambda members: ngettext("%(num)d Mitglied hinzugefügt.", "%(num)d Mitglieder hinzugefügt.", len(members)),
    )


@bp.route("/delegations/<int:delegation_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_member(delegation_id: int, member_id: int) -> Page:
    delegation = queries.delegation_or_404(delegation_id)
    member = queries.member_or_404(delegation_id, member_id)

    return edit_page(
        _member_form(),
        record=member,
        save=lambda data: operations.save_member(delegation, data, member),
        render=_form_page(_("Teilnehmende bearbeiten"), delegation),
        done=lambda saved: _show_url(delegation_id, "members-heading"),
        conflict=SavedNow(
            load=lambda: queries.member_or_404(delegation_id, member_id),
            form=lambda: _member_form(MultiDict()),
            title=lambda saved: saved.person.display_name,
            back_url=_show_url(delegation_id, "members-heading"),
            edit_url=url_for("delegations.edit_member", delegation_id=delegation_id, member_id=member_id),
        ),
    )


@bp.get("/delegations/<int:delegation_id>/members/<int:member_id>/remove")
@editors_only
def confirm_remove_member(delegation_id: int, member_id: int) -> str:
    delegation = queries.delegation_or_404(delegation_id)
    member = queries.member_or_404(delegation_id, member_id)
    links = queries.member_links(member)
    name = member.person.display_name
    return confirmation_page(
        delegation,
        heading=_("Mitglied „%(name)s“ entfernen?", name=name),
        consequences=[
            ngettext(
                "Das entfernt %(name)s aus %(num)d Termin.",
                "Das entfernt %(name)s aus %(num)d Terminen.",
                links.appointments,
                name=name,
            )
            if links.appointments
            else _("%(name)s nimmt an keinem Termin teil.", name=name),
            ngettext(
                "%(name)s reist dann auch auf %(num)d Verbindung nicht mehr mit.",
                "%(name)s reist dann auch auf %(num)d Verbindungen nicht mehr mit.",
                links.journeys,
                name=name,
            )
            if links.journeys
            else None,
            _("Das Mitglied kommt in den Papierkorb; beim Wiederherstellen ist es wieder bei denselben Terminen dabei."),
        ],
        action=url_for("delegations.remove_member", delegation_id=delegation_id, member_id=member_id),
        version=member.version,
        button=_("Mitglied entfernen"),
        cancel_url=_show_url(delegation_id, "members-heading"),
    )


@bp.post("/delegations/<int:delegation_id>/members/<int:member_id>/remove")
@editors_only
def remove_member(delegation_id: int, member_id: int) -> Response:
    member = queries.member_or_404(delegation_id, member_id)
    name = member.person.display_name
    return versioned_action(
        lambda version: operations.trash_member(member, version),
        done=_show_url(delegation_id, "members-heading"),
        stale=str(_ITEM_CHANGED),
        message=_("Mitglied %(name)s in den Papierkorb gelegt.", name=name),
        undo_url=url_for("delegations.restore_member", delegation_id=delegation_id, member_id=member_id),
    )


@bp.post("/delegations/<int:delegation_id>/trash/members/<int:member_id>/restore")
@editors_only
def restore_member(delegation_id: int, member_id: int) -> Response:
    member = queries.trashed_or_404(Member, delegation_id, member_id)
    name = member.person.display_name
    return restore_action(
        lambda: operations.restore_member(member),
        message=_("Mitglied %(name)s wiederhergestellt.", name=name),
        done=lambda: _show_url(delegation_id, "members-heading"),
    )


# -- legs --------------------------------------------------------------------


def _leg_form(formdata: MultiDict | None = None) -> LegForm:
    form = LegForm(formdata=formdata) if formdata is not None else LegForm()
    cities = program_queries.city_choices()
    form.city_id.choices, form.city_zones = cities.choices, cities.zones
    return form


def _left_behind(leg: Leg) -> str | None:
    """What a deleted or cancelled leg leaves behind: its city's appointments during its stay (None if none)."""
    count = queries.appointments_left_in(leg)
    if not count:
        return None
    return ngettext(
        "%(num)d Termin in %(city)s liegt in der Zeit dieser Station und jetzt außerhalb jeder Station.",
        "%(num)d Termine in %(city)s liegen in der Zeit dieser Station und jetzt außerhalb jeder Station.",
        count,
        city=leg.city.name,
    )


def _legs_with_warnings(delegation_id: int, leg_ids: Collection[int]) -> str:
    """Back to the trip's legs, with the warnings the saved legs have now (flashed, like appointments), each once."""
    delegation = queries.delegation_with_legs(delegation_id)
    # Legs deleted by another planner right after this save are simply not found.
    legs = [leg for leg in delegation.legs if leg.id in leg_ids] if delegation is not None else []
    if delegation is not None and legs:
        messages = [warning.message for warning in check_legs(delegation) if warning.leg_id in leg_ids]
        for message in dict.fromkeys(messages):  # an overlap of two new legs is one message, not two
            flash(message, "warning")
        for leg in legs:
            if leg.status == ItemStatus.CANCELLED and (left := _left_behind(leg)):
                flash(left, "warning")
    return _show_url(delegation_id, "legs-heading")


@bp.route("/delegations/<int:delegation_id>/legs/new", methods=["GET", "POST"])
@editors_only
def new_leg(delegation_id: int) -> Page:
    delegation = queries.delegation_or_404(delegation_id)
    return edit_page(
        _leg_form(),
        record=None,
        save=lambda data: operations.save_leg(delegation, data),
        render=_form_page(_("Neue Station"), delegation),
        done=lambda leg: _legs_with_warnings(delegation_id, {leg.id}),
    )


@bp.route("/delegations/<int:delegation_id>/legs/<int:leg_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_leg(delegation_id: int, leg_id: int) -> Page:
    delegation = queries.delegation_or_404(delegation_id)
    leg = queries.leg_or_404(delegation_id, leg_id)

    return edit_page(
        _leg_form(),
        record=leg,
        save=lambda data: operations.save_leg(delegation, data, leg),
        render=_form_page(_("Station bearbeiten"), delegation),
        done=lambda saved: _legs_with_warnings(delegation_id, {saved.id}),
        conflict=SavedNow(
            load=lambda: queries.leg_or_404(delegation_id, leg_id),
            form=lambda: _leg_form(MultiDict()),
            title=lambda saved: saved.city.name,
            back_url=_show_url(delegation_id, "legs-heading"),
            edit_url=url_for("delegations.edit_leg", delegation_id=delegation_id, leg_id=leg_id),
        ),
    )


@bp.get("/delegations/<int:delegation_id>/legs/<int:leg_id>/delete")
@editors_only
def confirm_delete_leg(delegation_id: int, leg_id: int) -> str:
    delegation = queries.delegation_or_404(delegation_id)
    leg = queries.leg_or_404(delegation_id, leg_id)
    count = queries.appointments_left_in(leg)
    city = leg.city.name
    return confirmation_page(
        delegation,
        heading=_("Stopp %(city)s löschen?", city=city),
        consequences=[
            ngettext(
                "%(num)d Termin in %(city)s liegt in diesem Zeitraum; er liegt danach außerhalb jedes Stopps.",
                "%(num)d Termine in %(city)s liegen in diesem Zeitraum; sie liegen danach außerhalb jedes Stopps.",
                count,
                city=city,
            )
            if count
            else _("In diesem Zeitraum liegt kein Termin in %(city)s.", city=city),
            _("Der Stopp kommt in den Papierkorb und lässt sich von dort wiederherstellen."),
        ],
        action=url_for("delegations.delete_leg", delegation_id=delegation_id, leg_id=leg_id),
        version=leg.version,
        button=_("Stopp löschen"),
        cancel_url=_show_url(delegation_id, "legs-heading"),
    )


@bp.post("/delegations/<int:delegation_id>/legs/<int:leg_id>/delete")
@editors_only
def delete_leg(delegation_id: int, leg_id: int) -> Response:
    leg = queries.leg_or_404(delegation_id, leg_id)
    deleted = _("Stopp %(city)s in den Papierkorb gelegt.", city=leg.city.name)
    # Counted before the delete (the leg is hidden after it); flashed only if it succeeds.
    left = _left_behind(leg)
    return versioned_action(
        lambda version: operations.trash_leg(leg, version),
        done=_show_url(delegation_id, "legs-heading"),
        stale=str(_ITEM_CHANGED),
        message=f"{deleted} {left}" if left else deleted,
        undo_url=url_for("delegations.restore_leg", delegation_id=delegation_id, leg_id=leg_id),
    )


@bp.post("/delegations/<int:delegation_id>/trash/legs/<int:leg_id>/restore")
@editors_only
def restore_leg(delegation_id: int, leg_id: int) -> Response:
    """Take a leg out of the trash, with the warnings it has now (it may overlap a leg added since)."""
    leg = queries.trashed_or_404(Leg, delegation_id, leg_id)
    city = leg.city.name
    return restore_action(
        lambda: operations.restore_leg(leg),
        message=_("Stopp %(city)s wiederhergestellt.", city=city),
        done=lambda: _legs_with_warnings(delegation_id, (leg_id,)),
    )


# -- follow-ups ----------------------------------------------------------------


def _follow_up_form(delegation: Delegation, formdata: MultiDict | None = None) -> FollowUpForm:
    form = FollowUpForm(formdata=formdata) if formdata is not None else FollowUpForm()
    form.owner_id.choices = directory_queries.person_choices("—")
    form.organization_id.choices = program_queries.organization_choices()
    form.appointment_id.choices = queries.appointment_choices(delegation)
    return form


@bp.route("/delegations/<int:delegation_id>/follow-ups/new", methods=["GET", "POST"])
@editors_only
def new_follow_up(delegation_id: int) -> Page:
    delegation = queries.delegation_or_404(delegation_id)
    return edit_page(
        _follow_up_form(delegation),
        record=None,
        save=lambda data: operations.save_follow_up(delegation, data),
        render=_form_page(_("Neue Nachbereitung"), delegation),
        done=lambda item: _show_url(delegation_id, "follow-ups-heading"),
    )


@bp.route("/delegations/<int:delegation_id>/follow-ups/<int:follow_up_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_follow_up(delegation_id: int, follow_up_id: int) -> Page:
    delegation = queries.delegation_or_404(delegation_id)
    item = queries.follow_up_or_404(delegation_id, follow_up_id)

    return edit_page(
        _follow_up_form(delegation),
        record=item,
        save=lambda data: operations.save_follow_up(delegation, data, item),
        render=_form_page(_("Nachbereitung bearbeiten"), delegation),
        done=lambda saved: _show_url(delegation_id, "follow-ups-heading"),
        conflict=SavedNow(
            load=lambda: queries.follow_up_or_404(delegation_id, follow_up_id),
            form=lambda: _follow_up_form(queries.delegation_or_404(delegation_id), MultiDict()),
            title=lambda saved: saved.title,
            back_url=_show_url(delegation_id, "follow-ups-heading"),
            edit_url=url_for("delegations.edit_follow_up", delegation_id=delegation_id, follow_up_id=follow_up_id),
        ),
    )


@bp.get("/delegations/<int:delegation_id>/follow-ups/<int:follow_up_id>/delete")
@editors_only
def confirm_delete_follow_up(delegation_id: int, follow_up_id: int) -> str:
    delegation = queries.delegation_or_404(delegation_id)
    item = queries.follow_up_or_404(delegation_id, follow_up_id)
    return confirmation_page(
        delegation,
        heading=_("Wiedervorlage „%(title)s“ löschen?", title=item.title),
        consequences=[_("Die Wiedervorlage kommt in den Papierkorb und lässt sich von dort wiederherstellen.")],
        action=url_for("delegations.delete_follow_up", delegation_id=delegation_id, follow_up_id=follow_up_id),
        version=item.version,
        button=_("Wiedervorlage löschen"),
        cancel_url=_show_url(delegation_id, "follow-ups-heading"),
    )


@bp.post("/delegations/<int:delegation_id>/follow-ups/<int:follow_up_id>/delete")
@editors_only
def delete_follow_up(delegation_id: int, follow_up_id: int) -> Response:
    item = queries.follow_up_or_404(delegation_id, follow_up_id)
    return versioned_action(
        lambda version: operations.trash_follow_up(item, version),
        done=_show_url(delegation_id, "follow-ups-heading"),
        stale=str(_ITEM_CHANGED),
        message=_("Wiedervorlage „%(title)s“ in den Papierkorb gelegt.", title=item.title),
        undo_url=url_for("delegations.restore_follow_up", delegation_id=delegation_id, follow_up_id=follow_up_id),
    )


@bp.post("/delegations/<int:delegation_id>/trash/follow-ups/<int:follow_up_id>/restore")
@editors_only
def restore_follow_up(delegation_id: int, follow_up_id: int) -> Response:
    item = queries.trashed_or_404(FollowUp, delegation_id, follow_up_id)
    title = item.title
    return restore_action(
        lambda: operations.restore_follow_up(item),
        message=_("Wiedervorlage „%(title)s“ wiederhergestellt.", title=title),
        done=lambda: _show_url(delegation_id, "follow-ups-heading"),
    )
