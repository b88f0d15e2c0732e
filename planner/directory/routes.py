"""Pages of the directory: lists, profiles and the forms to create and edit.

Everyone signed in reads; only editors (admin, planner) see and send the
forms. A view parses the request, calls one query or operation and renders.

The "new" pages of organizations, people and cities also serve the create
dialog of other forms (``planner.web.searchable``): asked by htmx (header
``HX-Request``) they answer with the form alone, and a saved record with 204
and the event ``planner:created`` (its id and label) for the page's script.
Asked with ``next`` (the same control without JavaScript), saving returns
there instead of to the new record's page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.auth.access import editors_only, safe_next_url
from planner.directory import forms, operations, queries
from planner.editing import Rejected
from planner.extensions import db
from planner.models import City, Organization, OrganizationKind, Person
from planner.timezones import utc_now
from planner.web.edit_flow import Page, SavedNow, edit_page, versioned_action
from planner.web.forms import InputForm
from planner.web.searchable import DIALOG_BODY_ID, DIALOG_ID, DIALOG_PREFIX

bp = Blueprint("directory", __name__, url_prefix="/directory")

R = TypeVar("R", Organization, Person, City)


@bp.after_request
def _vary_by_htmx(response: Response) -> Response:
    # The same "new" URL is a page or the dialog's fragment: caches must keep them apart.
    response.vary.add("HX-Request")
    return response


def _form_page(title: str, back_url: str) -> Callable[[InputForm], str]:
    """The house form page: the same layout, field markup and error summary as every other form."""

    def render(form: InputForm) -> str:
        return render_template("form_page.html", form=form, heading=title, delegation=None, cancel_url=back_url)

    return render


def _from_dialog() -> bool:
    return request.headers.get("HX-Request") == "true"


def _next_url() -> str | None:
    """The form to return to after creating (``next``), if it is a path on this site; None otherwise."""
    target = request.args.get("next")
    return target if target and safe_next_url(target) == target else None


def _dialog_fragment(title: str) -> Callable[[InputForm], str]:
    def render(form: InputForm) -> str:
        return render_template(
            "directory/_create_dialog.html",
            form=form,
            heading=title,
            action=request.path,
            dialog_id=DIALOG_ID,
            body_id=DIALOG_BODY_ID,
        )

    return render


def _created(record: Any, label: str) -> Response:
    """A record saved from the dialog: no content to swap, the event carries what the select needs."""
    response = Response(status=204)
    # ASCII JSON (\u escapes): a header cannot carry "서울" as it is.
    response.headers["HX-Trigger"] = json.dumps({"planner:created": {"id": record.id, "label": label}})
    return response


def _new_record(
    form_class: Callable[..., InputForm],
    *,
    save: Callable[[Any], R],
    title: str,
    list_url: str,
    record_url: Callable[[R], str],
    label: Callable[[R], str],
) -> Page:
    """A directory "new" page, the create dialog's form (htmx), or the page that returns to ``next``."""
    if _from_dialog():
        return edit_page(
            form_class(prefix=DIALOG_PREFIX),
            record=None,
            save=save,
            render=_dialog_fragment(title),
            done=lambda record: _created(record, label(record)),
        )
    back = _next_url()
    return edit_page(
        form_class(),
        record=None,
        save=save,
        render=_form_page(title, back or list_url),
        done=lambda record: back or record_url(record),
        # Back in the form, the planner still has to choose the new record: say which it is.
        saved_message=(lambda record: _("„%(name)s“ ist angelegt und kann jetzt gewählt werden.", name=label(record)))
        if back
        else None,
    )


@bp.get("/")
def index() -> Response:
    return redirect(url_for(".organizations"))


# -- organizations ------------------------------------------------------------------


def _kind(value: str | None) -> OrganizationKind | None:
    # An unknown filter value (an old bookmark, a typo) shows everything rather than an error.
    try:
        return OrganizationKind(value) if value else None
    except ValueError:
        return None


@bp.get("/organizations")
def organizations() -> str:
    kind = _kind(request.args.get("kind"))
    return render_template(
        "directory/organizations.html", organizations=queries.organizations(kind), kind=kind, kinds=list(OrganizationKind)
    )


@bp.get("/organizations/<int:organization_id>")
def organization(organization_id: int) -> str:
    return render_template("directory/organization.html", profile=queries.organization_profile(organization_id, current_user))


@bp.route("/organizations/new", methods=["GET", "POST"])
@editors_only
def new_organization() -> Page:
    return _new_record(
        forms.OrganizationForm,
        save=operations.create_organization,
        title=_("Neue Organisation"),
        list_url=url_for(".organizations"),
        record_url=lambda record: url_for(".organization", organization_id=record.id),
        label=lambda record: record.name,
    )


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_organization(organization_id: int) -> Page:
    record = queries.organization(organization_id)
    form = forms.OrganizationForm()
    title, back_url = record.name, url_for(".organization", organization_id=organization_id)
    return edit_page(
        form,
        record=record,
        save=lambda data: operations.update_organization(record, data, form.version.data),
        render=_form_page(title, back_url),
        done=lambda _: back_url,
        conflict=SavedNow(
            load=lambda: queries.organization(organization_id),
            form=lambda: forms.OrganizationForm(formdata=None),
            title=lambda _saved: title,
            back_url=back_url,
            edit_url=url_for(".edit_organization", organization_id=organization_id),
        ),
    )


# -- people --------------------------------------------------------------------------


@bp.get("/people")
def people() -> str:
    return render_template("directory/people.html", people=queries.people())


@bp.get("/people/<int:person_id>")
def person(person_id: int) -> str:
    return render_template("directory/person.html", profile=queries.person_profile(person_id, current_user))


@bp.route("/people/new", methods=["GET", "POST"])
@editors_only
def new_person() -> Page:
    return _new_record(
        forms.PersonForm,
        save=operations.create_person,
        title=_("Neue Person"),
        list_url=url_for(".people"),
        record_url=lambda record: url_for(".person", person_id=record.id),
        # As the record selects name people.
        label=queries.person_choice_label,
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_person(person_id: int) -> Page:
    record = queries.person(person_id)
    form = forms.PersonForm()
    title, back_url = record.display_name, url_for(".person", person_id=person_id)
    return edit_page(
        form,
        record=record,
        save=lambda data: operations.update_person(record, data, form.version.data),
        render=_form_page(title, back_url),
        done=lambda _: back_url,
        conflict=SavedNow(
            load=lambda: queries.person(person_id),
            form=lambda: forms.PersonForm(formdata=None),
            title=lambda _saved: title,
            back_url=back_url,
            edit_url=url_for(".edit_person", person_id=person_id),
        ),
    )


# -- cities ----------------------------------------------------------------------------


@bp.get("/cities")
def cities() -> str:
    return render_template("directory/cities.html", rows=queries.cities(utc_now()))


@bp.get("/cities/<int:city_id>")
def city(city_id: int) -> str:
    return render_template("directory/city.html", profile=queries.city_profile(city_id, utc_now()))


@bp.route("/cities/new", methods=["GET", "POST"])
@editors_only
def new_city() -> Page:
    return _new_record(
        forms.CityForm,
        save=operations.create_city,
        title=_("Neue Stadt"),
        list_url=url_for(".cities"),
        record_url=lambda record: url_for(".city", city_id=record.id),
        label=lambda record: record.name,
    )


@bp.route("/cities/<int:city_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_city(city_id: int) -> Page:
    record = queries.city(city_id)
    city_form = partial(forms.CityForm, saved_zone=record.timezone)
    form = city_form()
    title, back_url = record.name, url_for(".city", city_id=city_id)
    return edit_page(
        form,
        record=record,
        save=lambda data: operations.update_city(record, data, form.version.data),
        render=_form_page(title, back_url),
        done=lambda _: back_url,
        conflict=SavedNow(
            load=lambda: queries.city(city_id),
            form=lambda: city_form(formdata=None),
            title=lambda _saved: title,
            back_url=back_url,
            edit_url=url_for(".edit_city", city_id=city_id),
        ),
    )


@bp.get("/cities/<int:city_id>/delete")
@editors_only
def confirm_delete_city(city_id: int) -> str:
    """Asks before deleting, without JavaScript: this page's form sends the delete."""
    return render_template("directory/city_delete.html", city=queries.city(city_id))


@bp.post("/cities/<int:city_id>/delete")
@editors_only
def delete_city(city_id: int) -> Response:
    record = queries.city(city_id)
    name, city_url = record.name, url_for(".city", city_id=city_id)
    try:
        return versioned_action(
            lambda version: operations.delete_city(record, version),
            done=url_for(".cities"),
            stale=str(_l("Die Stadt wurde inzwischen geändert. Bitte prüfen und erneut versuchen.")),
            stale_done=city_url,
            message=_("Die Stadt %(name)s ist gelöscht.", name=name),
        )
    except Rejected as rejected:
        # Still in use: nothing was changed; the city page shows what refers to it.
        db.session.rollback()
        flash(str(rejected.message), "error")
        return redirect(city_url)


# -- partnerships ----------------------------------------------------------------------


@bp.get("/partnerships")
def partnerships() -> str:
    return render_template("directory/partnerships.html", partnerships=queries.partnerships())


@bp.route("/partnerships/new", methods=["GET", "POST"])
@editors_only
def new_partnership() -> Page:
    back_url = url_for(".partnerships")
    return edit_page(
        forms.PartnershipForm(),
        record=None,
        save=operations.create_partnership,
        render=_form_page(_("Neue Städtepartnerschaft"), back_url),
        done=lambda _: back_url,
    )


@bp.route("/partnerships/<int:partnership_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_partnership(partnership_id: int) -> Page:
    record = queries.partnership(partnership_id)
    form = forms.PartnershipForm()
    title, back_url = f"{record.home_city.name} – {record.partner_city.name}", url_for(".partnerships")
    return edit_page(
        form,
        record=record,
        save=lambda data: operations.update_partnership(record, data, form.version.data),
        render=_form_page(title, back_url),
        done=lambda _: back_url,
        conflict=SavedNow(
            load=lambda: queries.partnership(partnership_id),
            form=lambda: forms.PartnershipForm(formdata=None),
            title=lambda _saved: title,
            back_url=back_url,
            edit_url=url_for(".edit_partnership", partnership_id=partnership_id),
        ),
    )
