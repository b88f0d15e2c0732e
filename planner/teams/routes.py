"""The trip's team page: who works on the trip, with which rights; admins and editors of the trip manage it.

Who may reach these pages at all is decided where every trip URL is checked
(:func:`planner.teams.access.check_request`): the team page for the trip's
team, the changes for those with the trip's edit right.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.auth.access import editors_only
from planner.delegations import queries as delegation_queries
from planner.extensions import db
from planner.models import Delegation, TeamMember
from planner.teams import access, operations, queries
from planner.teams.forms import AddTeamMemberForm, RightsForm
from planner.web.edit_flow import Page, edit_page

bp = Blueprint("teams", __name__, url_prefix="/delegations/<int:delegation_id>/team")


def _add_form(delegation_id: int, *, submitted: bool = False) -> AddTeamMemberForm:
    # Only the form that was sent reads the request; the others on the page show what is saved.
    form = AddTeamMemberForm(prefix="add") if submitted else AddTeamMemberForm(prefix="add", formdata=None)
    form.user_id.choices = queries.candidate_choices(delegation_id)
    return form


def _rights_form(member: TeamMember, *, submitted: bool = False) -> RightsForm:
    prefix = f"member-{member.id}"
    return RightsForm(prefix=prefix) if submitted else RightsForm(prefix=prefix, formdata=None, obj=member)


def _page(delegation: Delegation, add_form: AddTeamMemberForm | None = None, refused: RightsForm | None = None) -> str:
    members = queries.team(delegation.id)
    editable = access.may_edit(current_user, delegation)
    forms = {m.id: refused if refused is not None and refused._prefix == f"member-{m.id}-" else _rights_form(m) for m in members}
    return render_template(
        "teams/show.html",
        delegation=delegation,
        members=members,
        rights_forms=forms,
        add_form=(add_form or _add_form(delegation.id)) if editable else None,
        editable=editable,
    )


def _team_url(delegation_id: int) -> str:
    return url_for("teams.show", delegation_id=delegation_id)


@bp.get("")
def show(delegation_id: int) -> str:
    return _page(delegation_queries.delegation_or_404(delegation_id))


@bp.post("")
@editors_only
def add(delegation_id: int) -> Page:
    delegation = delegation_queries.delegation_or_404(delegation_id)
    return edit_page(
        _add_form(delegation_id, submitted=True),
        record=None,
        save=lambda data: operations.add_team_member(delegation, data),
        # Read the trip again for a refused form: the rollback expired it.
        render=lambda form: _page(delegation_queries.delegation_or_404(delegation_id), add_form=form),
        done=lambda member: _team_url(delegation_id),
        saved_message=lambda member: _("%(email)s gehört jetzt zum Team der Reise.", email=member.user.email),
    )


@bp.post("/<int:team_member_id>")
@editors_only
def update(delegation_id: int, team_member_id: int) -> Page:
    member = queries.team_member_or_404(delegation_id, team_member_id)
    return edit_page(
        _rights_form(member, submitted=True),
        record=None,
        save=lambda data: operations.change_rights(member, data),
        render=lambda form: _page(delegation_queries.delegation_or_404(delegation_id), refused=form),
        done=lambda changed: _team_url(delegation_id),
        saved_message=lambda changed: _("Die Rechte von %(email)s sind geändert.", email=member.user.email),
    )


@bp.post("/<int:team_member_id>/remove")
@editors_only
def remove(delegation_id: int, team_member_id: int) -> Response:
    member = queries.team_member_or_404(delegation_id, team_member_id)
    email = member.user.email
    operations.remove_team_member(member)
    db.session.commit()
    flash(_("%(email)s gehört nicht mehr zum Team der Reise.", email=email), "info")
    if access.trip_rights(current_user, delegation_id) is None:  # took themselves off: the trip is gone for them
        return redirect(url_for("delegations.index"))
    return redirect(_team_url(delegation_id))
