"""Pages of the entry feature: the rules (admins only) and a trip's stays with the rules that apply.

The rules are facts about other states' law that every trip relies on, so only
admins keep them; every change goes through the one edit flow and into the
change history. The trip page is for everyone on the trip's team: it shows
stays and rules, no personal data. The check of each member's passport needs
the carer's right and the passport data (``queries.check_member`` is the hook).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from planner.auth.access import admins_only
from planner.entry import operations, queries
from planner.entry.forms import EntryRuleForm
from planner.formatting import day, territory_name
from planner.labels import label
from planner.models import EntryRule
from planner.web.edit_flow import Page, SavedNow, edit_page, versioned_action
from planner.web.forms import InputForm

bp = Blueprint("entry", __name__)


def rule_title(rule: EntryRule) -> str:
    """ "Südkorea – Dienst- oder Diplomatenpass, DE": what the pages call a rule."""
    title = f"{territory_name(rule.destination)} – {label(rule.passport_type)}, {rule.nationality}"
    if rule.valid_from:
        title += " " + _("ab %(day)s", day=day(rule.valid_from))
    return title


def _form_page(title: str, back_url: str) -> Callable[[InputForm], str]:
    def render(form: InputForm) -> str:
        return render_template(
            "form_page.html",
            form=form,
            heading=title,
            delegation=None,
            cancel_url=back_url,
            intro=_(
                "Einreiseregeln sind Fakten über das Recht anderer Staaten: bitte nur mit Quelle und Prüfdatum. "
                "Ohne beides bleibt die Regel als „noch zu prüfen“ markiert."
            ),
        )

    return render


@bp.get("/admin/entry-rules")
@admins_only
def rules() -> str:
    return render_template("entry/rules.html", rules=queries.rules(), rule_title=rule_title)


@bp.route("/admin/entry-rules/new", methods=["GET", "POST"])
@admins_only
def new_rule() -> Page:
    back_url = url_for(".rules")
    return edit_page(
        EntryRuleForm(),
        record=None,
        save=operations.create_rule,
        render=_form_page(_("Neue Einreiseregel"), back_url),
        done=lambda _rule: back_url,
        saved_message=lambda rule: _("Einreiseregel „%(title)s“ gespeichert.", title=rule_title(rule)),
    )


@bp.route("/admin/entry-rules/<int:entry_rule_id>/edit", methods=["GET", "POST"])
@admins_only
def edit_rule(entry_rule_id: int) -> Page:
    record = queries.rule_or_404(entry_rule_id)
    form = EntryRuleForm()
    title, back_url = rule_title(record), url_for(".rules")
    return edit_page(
        form,
        record=record,
        save=lambda data: operations.update_rule(record, data, form.version.data),
        render=_form_page(title, back_url),
        done=lambda _rule: back_url,
        saved_message=lambda rule: _("Einreiseregel „%(title)s“ gespeichert.", title=rule_title(rule)),
        conflict=SavedNow(
            load=lambda: queries.rule_or_404(entry_rule_id),
            form=lambda: EntryRuleForm(formdata=None),
            title=lambda _saved: title,
            back_url=back_url,
            edit_url=url_for(".edit_rule", entry_rule_id=entry_rule_id),
        ),
    )


@bp.get("/admin/entry-rules/<int:entry_rule_id>/delete")
@admins_only
def confirm_delete_rule(entry_rule_id: int) -> str:
    """Asks before deleting, without JavaScript: this page's form sends the delete."""
    rule = queries.rule_or_404(entry_rule_id)
    return render_template("entry/rule_delete.html", rule=rule, title=rule_title(rule))


@bp.post("/admin/entry-rules/<int:entry_rule_id>/delete")
@admins_only
def delete_rule(entry_rule_id: int) -> Response:
    rule = queries.rule_or_404(entry_rule_id)
    title = rule_title(rule)
    return versioned_action(
        lambda version: operations.delete_rule(rule, version),
        done=url_for(".rules"),
        stale=_("Die Einreiseregel wurde inzwischen geändert. Bitte prüfen und erneut versuchen."),
        message=_("Einreiseregel „%(title)s“ gelöscht.", title=title),
    )


@bp.get("/delegations/<int:delegation_id>/entry")
def trip(delegation_id: int) -> str:
    """The trip's stays abroad and the entry rules that apply to them; no personal data.

    Integrator's hook: where ``planner.teams.access.may_care(current_user, delegation)``,
    build each member's :class:`planner.entry.check.PassportFacts` from their travel
    profile and show ``queries.check_member(delegation, member, passport)`` here.
    """
    delegation = queries.trip_for_entry(delegation_id)
    return render_template(
        "entry/trip.html",
        delegation=delegation,
        stays=queries.trip_stays(delegation, queries.rules()),
        rule_title=rule_title,
    )
