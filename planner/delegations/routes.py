"""Pages of the delegations feature: the list, one trip, and editing the trip, its members, legs and follow-ups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from planner.auth.access import editors_only
from planner.delegations import operations, queries
from planner.delegations.forms import CloneForm, DelegationForm, FollowUpForm, LegForm, MemberForm
from planner.editing import EditConflict
from planner.extensions import db
from planner.models import Delegation, DelegationStatus
from planner.program import queries as program_queries
from planner.program.conflicts import check_programme, warnings_by_appointment
from planner.timezones import today_in
from planner.web.edit_flow import ConflictPage, render_conflict
from planner.web.forms import VersionField

bp = Blueprint("delegations", __name__)

ACTIONS = {
    "create": _l("angelegt"),
    "update": _l("geändert"),
    "delete": _l("gelöscht"),
    "trash": _l("in den Papierkorb"),
    "restore": _l("wiederhergestellt"),
}
ENTITIES = {
    "delegations": _l("Reise"),
    "members": _l("Teilnehmende"),
    "legs": _l("Station"),
    "appointments": _l("Termin"),
    "journeys": _l("Reise-Etappe"),
    "follow_ups": _l("Nachbereitung"),
}


class VersionedActionForm(FlaskForm):
    version = VersionField()


@bp.get("/")
def index() -> str:
    today = today_in(current_app.config["HOME_TIMEZONE"])
    return render_template("delegations/index.html", overview=queries.delegations_by_period(today))


def _delegation(delegation_id: int) -> Delegation:
    delegation = queries.delegation_with_programme(delegation_id)
    if delegation is None:
        abort(404)
    return delegation


def _show_url(delegation: Delegation, anchor: str | None = None) -> str:
    return url_for("delegations.show", delegation_id=delegation.id, _anchor=anchor)


@bp.get("/delegations/<int:delegation_id>")
def show(delegation_id: int) -> str:
    delegation = _delegation(delegation_id)
    buffer = timedelta(minutes=current_app.config["CONFLICT_BUFFER_MINUTES"])
    return render_template(
        "delegations/show.html",
        delegation=delegation,
        programme=queries.programme(delegation),
        warnings=warnings_by_appointment(check_programme(delegation, buffer)),
    )


@bp.get("/delegations/<int:delegation_id>/members/<int:member_id>")
def show_member(delegation_id: int, member_id: int) -> str:
    """One participant's own programme, with their calendar download."""
    delegation = _delegation(delegation_id)
    member = _member(delegation, member_id)
    return render_template(
        "delegations/member.html", delegation=delegation, member=member, programme=queries.programme(delegation, member)
    )


@bp.get("/delegations/<int:delegation_id>/history")
def history(delegation_id: int) -> str:
    delegation = _delegation(delegation_id)
    return render_template(
        "delegations/history.html",
        delegation=delegation,
        records=queries.history(delegation_id),
        actions=ACTIONS,
        entities=ENTITIES,
    )


def _edit(
    *,
    form: FlaskForm,
    obj: Any,
    fill: Callable[[FlaskForm, Any], None],
    make_form: Callable[[MultiDict | None], FlaskForm],
    save: Callable[[], Any],
    heading: str,
    done: Callable[[Any], str],
    conflict_title: Callable[[Any], str],
    delegation: Delegation | None,
    reload: Callable[[], Any],
    edit_url: str,
) -> str | Response | tuple[str, int]:
    """The one flow every edit page shares: show, validate, save, or show the conflict page."""
    if request.method == "GET" and obj is not None:
        fill(form, obj)
    elif request.method == "POST" and form.validate_on_submit():
        try:
            saved = save()
        except EditConflict:
            db.session.rollback()
            fresh = reload()
            if fresh is None:
                abort(404)
            current = make_form(MultiDict())
            fill(current, fresh)
            return render_conflict(form, ConflictPage(current, conflict_title(fresh), done(fresh), edit_url))
        flash(_("Gespeichert."), "info")
        return redirect(done(saved))
    cancel = _show_url(delegation) if delegation else url_for("delegations.index")
    return render_template("form_page.html", form=form, heading=heading, delegation=delegation, cancel_url=cancel)


# -- the delegation itself -------------------------------------------------------


def _delegation_form(formdata: MultiDict | None = None) -> DelegationForm:
    form = DelegationForm(formdata=formdata) if formdata is not None else DelegationForm()
    form.home_city_id.choices = queries.home_city_choices()
    return form


def _fill_delegation(form: DelegationForm, delegation: Delegation) -> None:
    for name in ("title", "purpose", "home_city_id", "start_date", "end_date", "notes", "version"):
        getattr(form, name).data = getattr(delegation, name)
    form.status.data = delegation.status.value


@bp.route("/delegations/new", methods=["GET", "POST"])
@editors_only
def new() -> str | Response:
    form = _delegation_form()
    if request.method == "GET":
        form.version.data = 1
    elif form.validate_on_submit():
        delegation = operations.save_delegation(form)
        flash(_("Reise „%(title)s“ angelegt.", title=delegation.title), "info")
        return redirect(_show_url(delegation))
    return render_template(
        "form_page.html", form=form, heading=_("Neue Delegationsreise"), delegation=None, cancel_url=url_for("delegations.index")
    )


@bp.route("/delegations/<int:delegation_id>/edit", methods=["GET", "POST"])
@editors_only
def edit(delegation_id: int) -> str | Response | tuple[str, int]:
    delegation = _delegation(delegation_id)
    form = _delegation_form()
    return _edit(
        form=form,
        obj=delegation,
        fill=_fill_delegation,
        make_form=_delegation_form,
        save=lambda: operations.save_delegation(form, delegation),
        heading=_("Reise bearbeiten"),
        done=_show_url,
        conflict_title=lambda d: d.title,
        delegation=delegation,
        reload=lambda: db.session.get(Delegation, delegation_id),
        edit_url=url_for("delegations.edit", delegation_id=delegation_id),
    )


def _versioned_post(delegation: Delegation) -> int:
    form = VersionedActionForm()
    if not form.validate_on_submit():
        abort(400)
    return form.version.data


@bp.post("/delegations/<int:delegation_id>/cancel")
@editors_only
def cancel(delegation_id: int) -> Response:
    delegation = _delegation(delegation_id)
    try:
        operations.set_status(delegation, DelegationStatus.CANCELLED, _versioned_post(delegation))
    except EditConflict:
        flash(_("Die Reise wurde inzwischen geändert. Bitte prüfen und erneut versuchen."), "error")
    else:
        flash(_("Die Reise ist abgesagt."), "info")
    return redirect(_show_url(delegation))


@bp.post("/delegations/<int:delegation_id>/archive")
@editors_only
def archive(delegation_id: int) -> Response:
    delegation = _delegation(delegation_id)
    archived = delegation.archived_at is None
    try:
        operations.set_archived(delegation, archived, _versioned_post(delegation))
    except EditConflict:
        flash(_("Die Reise wurde inzwischen geändert. Bitte prüfen und erneut versuchen."), "error")
        return redirect(_show_url(delegation))
    flash(_("Die Reise ist archiviert.") if archived else _("Die Reise ist wieder aktiv."), "info")
    return redirect(url_for("delegations.index"))


@bp.route("/delegations/<int:delegation_id>/clone", methods=["GET", "POST"])
@editors_only
def clone(delegation_id: int) -> str | Response:
    delegation = _delegation(delegation_id)
    form = CloneForm()
    form.source_length = delegation.end_date - delegation.start_date
    if request.method == "GET":
        form.title.data = _("Kopie von %(title)s", title=delegation.title)[:200]
        form.start_date.data = delegation.start_date
    elif form.validate_on_submit():
        copy = operations.clone_delegation(delegation, form)
        flash(_("Neue Reise „%(title)s“ als Entwurf angelegt; alle Termine behalten ihre Ortszeit.", title=copy.title), "info")
        return redirect(_show_url(copy))
    return render_template(
        "form_page.html",
        form=form,
        heading=_("Reise als Vorlage kopieren"),
        delegation=delegation,
        cancel_url=_show_url(delegation),
        intro=_(
            "Alle Termine, Reisen und Stationen werden um die Differenz der Abreisedaten verschoben und behalten ihre Ortszeit."
        ),
        submit_label=_("Kopie anlegen"),
    )


# -- members -----------------------------------------------------------------


def _member_form(formdata: MultiDict | None = None) -> MemberForm:
    form = MemberForm(formdata=formdata) if formdata is not None else MemberForm()
    form.person_id.choices = program_queries.person_choices()[1:]
    return form


def _fill_member(form: MemberForm, member: Any) -> None:
    form.person_id.data, form.function.data, form.version.data = member.person_id, member.function, member.version
    form.role.data = member.role.value


def _member(delegation: Delegation, member_id: int) -> Any:
    member = next((m for m in delegation.members if m.id == member_id), None)
    if member is None:
        abort(404)
    return member


@bp.route("/delegations/<int:delegation_id>/members/new", methods=["GET", "POST"])
@editors_only
def new_member(delegation_id: int) -> str | Response | tuple[str, int]:
    delegation = _delegation(delegation_id)
    form = _member_form()
    if (
        request.method == "POST"
        and form.validate_on_submit()
        and form.person_id.data in {m.person_id for m in delegation.members}
    ):
        form.person_id.errors.append(_("Diese Person ist bereits Teil der Delegation."))
        return render_template(
            "form_page.html",
            form=form,
            heading=_("Teilnehmende hinzufügen"),
            delegation=delegation,
            cancel_url=_show_url(delegation),
        )
    form.version.data = form.version.data or 1
    return _edit(
        form=form,
        obj=None,
        fill=_fill_member,
        make_form=_member_form,
        save=lambda: operations.save_member(delegation, form),
        heading=_("Teilnehmende hinzufügen"),
        done=lambda m: _show_url(delegation, "members-heading"),
        conflict_title=str,
        delegation=delegation,
        reload=lambda: None,
        edit_url="",
    )


@bp.route("/delegations/<int:delegation_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_member(delegation_id: int, member_id: int) -> str | Response | tuple[str, int]:
    delegation = _delegation(delegation_id)
    member = _member(delegation, member_id)
    form = _member_form()
    return _edit(
        form=form,
        obj=member,
        fill=_fill_member,
        make_form=_member_form,
        save=lambda: operations.save_member(delegation, form, member),
        heading=_("Teilnehmende bearbeiten"),
        done=lambda m: _show_url(delegation, "members-heading"),
        conflict_title=lambda m: m.person.display_name,
        delegation=delegation,
        reload=lambda: _member(_delegation(delegation_id), member_id),
        edit_url=url_for("delegations.edit_member", delegation_id=delegation_id, member_id=member_id),
    )


@bp.post("/delegations/<int:delegation_id>/members/<int:member_id>/remove")
@editors_only
def remove_member(delegation_id: int, member_id: int) -> Response:
    delegation = _delegation(delegation_id)
    member = _member(delegation, member_id)
    try:
        operations.remove_member(member, _versioned_post(delegation))
    except EditConflict:
        flash(_("Der Eintrag wurde inzwischen geändert. Bitte prüfen und erneut versuchen."), "error")
    return redirect(_show_url(delegation, "members-heading"))


# -- legs --------------------------------------------------------------------


def _leg_form(formdata: MultiDict | None = None) -> LegForm:
    form = LegForm(formdata=formdata) if formdata is not None else LegForm()
    form.city_id.choices, form.city_zones = program_queries.city_choices()
    return form


def _fill_leg(form: LegForm, leg: Any) -> None:
    for name in ("city_id", "focus", "hotel_name", "hotel_address", "hotel_phone", "notes", "version"):
        getattr(form, name).data = getattr(leg, name)
    form.status.data = leg.status.value
    form.arrives.show(leg.arrive_at, leg.timezone)
    form.departs.show(leg.depart_at, leg.timezone)


def _leg(delegation: Delegation, leg_id: int) -> Any:
    leg = next((item for item in delegation.legs if item.id == leg_id), None)
    if leg is None:
        abort(404)
    return leg


@bp.route("/delegations/<int:delegation_id>/legs/new", methods=["GET", "POST"])
@editors_only
def new_leg(delegation_id: int) -> str | Response | tuple[str, int]:
    delegation = _delegation(delegation_id)
    form = _leg_form()
    form.version.data = form.version.data or 1
    return _edit(
        form=form,
        obj=None,
        fill=_fill_leg,
        make_form=_leg_form,
        save=lambda: operations.save_leg(delegation, form),
        heading=_("Neue Station"),
        done=lambda leg: _show_url(delegation, "legs-heading"),
        conflict_title=str,
        delegation=delegation,
        reload=lambda: None,
        edit_url="",
    )


@bp.route("/delegations/<int:delegation_id>/legs/<int:leg_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_leg(delegation_id: int, leg_id: int) -> str | Response | tuple[str, int]:
    delegation = _delegation(delegation_id)
    leg = _leg(delegation, leg_id)
    form = _leg_form()
    return _edit(
        form=form,
        obj=leg,
        fill=_fill_leg,
        make_form=_leg_form,
        save=lambda: operations.save_leg(delegation, form, leg),
        heading=_("Station bearbeiten"),
        done=lambda item: _show_url(delegation, "legs-heading"),
        conflict_title=lambda item: item.city.name,
        delegation=delegation,
        reload=lambda: _leg(_delegation(delegation_id), leg_id),
        edit_url=url_for("delegations.edit_leg", delegation_id=delegation_id, leg_id=leg_id),
    )


@bp.post("/delegations/<int:delegation_id>/legs/<int:leg_id>/delete")
@editors_only
def delete_leg(delegation_id: int, leg_id: int) -> Response:
    delegation = _delegation(delegation_id)
    leg = _leg(delegation, leg_id)
    try:
        operations.delete_leg(leg, _versioned_post(delegation))
    except EditConflict:
        flash(_("Der Eintrag wurde inzwischen geändert. Bitte prüfen und erneut versuchen."), "error")
    return redirect(_show_url(delegation, "legs-heading"))


# -- follow-ups ----------------------------------------------------------------


def _follow_up_form(delegation: Delegation, formdata: MultiDict | None = None) -> FollowUpForm:
    form = FollowUpForm(formdata=formdata) if formdata is not None else FollowUpForm()
    form.owner_id.choices = program_queries.person_choices()
    form.organization_id.choices = program_queries.organization_choices()
    form.appointment_id.choices = queries.appointment_choices(delegation)
    return form


def _fill_follow_up(form: FollowUpForm, item: Any) -> None:
    for name in ("title", "description", "due_on", "version"):
        getattr(form, name).data = getattr(item, name)
    form.owner_id.data = item.owner_id or 0
    form.organization_id.data = item.organization_id or 0
    form.appointment_id.data = item.appointment_id or 0
    form.status.data = item.status.value


def _follow_up(delegation: Delegation, follow_up_id: int) -> Any:
    item = next((f for f in delegation.follow_ups if f.id == follow_up_id), None)
    if item is None:
        abort(404)
    return item


@bp.route("/delegations/<int:delegation_id>/follow-ups/new", methods=["GET", "POST"])
@editors_only
def new_follow_up(delegation_id: int) -> str | Response | tuple[str, int]:
    delegation = _delegation(delegation_id)
    form = _follow_up_form(delegation)
    form.version.data = form.version.data or 1
    return _edit(
        form=form,
        obj=None,
        fill=_fill_follow_up,
        make_form=lambda data: _follow_up_form(delegation, data),
        save=lambda: operations.save_follow_up(delegation, form),
        heading=_("Neue Nachbereitung"),
        done=lambda item: _show_url(delegation, "follow-ups-heading"),
        conflict_title=str,
        delegation=delegation,
        reload=lambda: None,
        edit_url="",
    )


@bp.route("/delegations/<int:delegation_id>/follow-ups/<int:follow_up_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_follow_up(delegation_id: int, follow_up_id: int) -> str | Response | tuple[str, int]:
    delegation = _delegation(delegation_id)
    item = _follow_up(delegation, follow_up_id)
    form = _follow_up_form(delegation)
    return _edit(
        form=form,
        obj=item,
        fill=_fill_follow_up,
        make_form=lambda data: _follow_up_form(delegation, data),
        save=lambda: operations.save_follow_up(delegation, form, item),
        heading=_("Nachbereitung bearbeiten"),
        done=lambda saved: _show_url(delegation, "follow-ups-heading"),
        conflict_title=lambda f: f.title,
        delegation=delegation,
        reload=lambda: _follow_up(_delegation(delegation_id), follow_up_id),
        edit_url=url_for("delegations.edit_follow_up", delegation_id=delegation_id, follow_up_id=follow_up_id),
    )
