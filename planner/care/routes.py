"""The carers' pages of a trip: the members' travel data at a glance, one member's data, its edit page, the read log.

Who may reach them: the sign-in hook keeps every trip URL to the trip's team
(404 outside it); these views then need the trip's care right
(:func:`planner.teams.access.may_care`: admins and team members with it),
403 otherwise. Changing the data also needs an account that may edit at all
(a viewer with the care right reads).

Every page that shows values records the read (:class:`PersonalDataRead`)
before it is sent, in the same transaction that read the data: if the log
cannot be written, the page is not shown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from planner.care import operations, queries
from planner.care.forms import TravelProfileForm
from planner.delegations import queries as delegation_queries
from planner.entry import queries as entry_queries
from planner.extensions import db
from planner.labels import label
from planner.models import PassportType, TravelProfile
from planner.teams.access import may_care, role_may_edit
from planner.web.edit_flow import Page, SavedNow, edit_page
from planner.web.forms import InputForm

bp = Blueprint("care", __name__, url_prefix="/delegations/<int:delegation_id>/care")

F = TypeVar("F", bound=Callable[..., Any])


def carers_only(view: F) -> F:
    """Allow a view of a trip's personal data only to the trip's carers and admins (403 otherwise)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not may_care(current_user, kwargs["delegation_id"]):
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


@bp.get("/")
@carers_only
def index(delegation_id: int) -> str:
    delegation = delegation_queries.delegation_or_404(delegation_id)
    states = queries.overview(delegation)
    # The overview shows no values, but whether a passport is valid for the trip comes from one.
    for state in states:
        if state.has_profile:
            operations.record_read(current_user, state.member.person_id, delegation_id, "status")
    html = render_template(
        "care/index.html",
        delegation=delegation,
        states=states,
        warning_months=queries.EXPIRY_WARNING_MONTHS,
        may_change=role_may_edit(current_user.role),
    )
    db.session.commit()
    return html


@bp.get("/members/<int:member_id>")
@carers_only
def member(delegation_id: int, member_id: int) -> str:
    delegation = delegation_queries.delegation_or_404(delegation_id)
    trip_member = delegation_queries.member_or_404(delegation_id, member_id)
    profile = queries.profile_of(trip_member.person_id)
    if profile is not None:
        operations.record_read(current_user, trip_member.person_id, delegation_id, "profile")
    # The entry check of this member's passport against the rules of every country they stay in.
    passport = entry_queries.passport_facts(profile)
    findings = entry_queries.check_member(delegation, trip_member, passport) if passport is not None else None
    html = render_template(
        "care/member.html",
        delegation=delegation,
        member=trip_member,
        profile=profile,
        findings=findings,
        passport_type_label=_passport_type_label(profile),
        may_change=role_may_edit(current_user.role),
    )
    db.session.commit()  # the read goes with the page: no log, no page
    return html


def _passport_type_label(profile: TravelProfile | None) -> str | None:
    value = profile.passport_type if profile is not None else None
    known = {kind.value: kind for kind in PassportType}
    return label(known[value]) if value in known else value


def _form(profile: TravelProfile | None, formdata: MultiDict | None = None) -> TravelProfileForm:
    if formdata is not None:
        return TravelProfileForm(formdata=formdata)
    # A person without data yet: version 0, so a profile someone else creates meanwhile is a conflict.
    return TravelProfileForm(version=0) if profile is None else TravelProfileForm()


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@carers_only
def edit(delegation_id: int, member_id: int) -> Page:
    if not role_may_edit(current_user.role):
        abort(403)
    delegation = delegation_queries.delegation_or_404(delegation_id)
    trip_member = delegation_queries.member_or_404(delegation_id, member_id)
    person_id, name, title = trip_member.person_id, trip_member.person.display_name, delegation.title
    profile = queries.profile_of(person_id)
    form = _form(profile)
    if not form.is_submitted() and profile is not None:
        operations.record_read(current_user, person_id, delegation_id, "profile")
    member_url = url_for("care.member", delegation_id=delegation_id, member_id=member_id)
    user = current_user._get_current_object()

    def saved_now() -> TravelProfile:
        # The conflict page shows the data as saved now: a read like any other.
        current = queries.profile_of(person_id)
        if current is None:
            abort(404)
        operations.record_read(user, person_id, delegation_id, "profile")
        return current

    def render(shown: InputForm) -> str:
        return render_template(
            "form_page.html",
            form=shown,
            heading=_("Reisedaten von %(name)s bearbeiten", name=name),
            intro=_("Nur die Betreuerinnen und Betreuer der Reise sehen diese Angaben; jedes Ansehen wird protokolliert."),
            delegation_id=delegation_id,
            delegation_title=title,
            cancel_url=member_url,
        )

    result = edit_page(
        form,
        record=profile,
        save=lambda data: operations.save_profile(person_id, data, user=user, delegation_id=delegation_id),
        render=render,
        done=lambda saved: member_url,
        saved_message=lambda saved: _("Die Reisedaten von %(name)s sind gespeichert.", name=name),
        conflict=SavedNow(
            load=saved_now,
            form=lambda: _form(None, MultiDict()),
            title=lambda saved: name,
            back_url=member_url,
            edit_url=url_for("care.edit", delegation_id=delegation_id, member_id=member_id),
        ),
    )
    # What the page showed was read in this transaction (the form, the conflict page): its log entry goes with it.
    # After a save the flow has committed already, and a refused form read nothing stored.
    db.session.commit()
    return result


@bp.get("/reads")
@carers_only
def reads(delegation_id: int) -> str:
    delegation = delegation_queries.delegation_or_404(delegation_id)
    return render_template(
        "care/reads.html", delegation=delegation, entries=queries.reads(delegation_id), limit=queries.READS_SHOWN
    )
