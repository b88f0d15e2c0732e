"""Pages of the directory: lists, profiles and the forms to create and edit.

Everyone signed in reads; only editors (admin, planner) see and send the
forms. A view parses the request, calls one query or operation and renders.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from planner.auth.access import editors_only
from planner.directory import forms, operations, queries
from planner.editing import Rejected
from planner.extensions import db
from planner.models import OrganizationKind
from planner.timezones import utc_now
from planner.web.edit_flow import Page, SavedNow, edit_page, versioned_action
from planner.web.forms import InputForm

bp = Blueprint("directory", __name__, url_prefix="/directory")


def _form_page(title: str, back_url: str) -> Callable[[InputForm], str]:
    """The house form page: the same layout, field markup and error summary as every other form."""

    def render(form: InputForm) -> str:
        return render_template("form_page.html", form=form, heading=title, delegation=None, cancel_url=back_url)

    return render


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
    return render_template("directory/organization.html", profile=queries.organization_profile(organization_id))


@bp.route("/organizations/new", methods=["GET", "POST"])
@editors_only
def new_organization() -> Page:
    return edit_page(
        forms.OrganizationForm(),
        record=None,
        save=operations.create_organization,
        render=_form_page(_("Neue Organisation"), url_for(".organizations")),
        done=lambda record: url_for(".organization", organization_id=record.id),
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
    return render_template("directory/person.html", profile=queries.person_profile(person_id))


@bp.route("/people/new", methods=["GET", "POST"])
@editors_only
def new_person() -> Page:
    return edit_page(
        forms.PersonForm(),
        record=None,
        save=operations.create_person,
        render=_form_page(_("Neue Person"), url_for(".people")),
        done=lambda record: url_for(".person", person_id=record.id),
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
    return edit_page(
        forms.CityForm(),
        record=None,
        save=operations.create_city,
        render=_form_page(_("Neue Stadt"), url_for(".cities")),
        done=lambda record: url_for(".city", city_id=record.id),
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
