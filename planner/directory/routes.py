"""Pages of the directory: lists, profiles and the forms to create and edit.

Everyone signed in reads; only editors (admin, planner) see and send the
forms. A view parses the request, calls one query or operation and renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import ObjectDeletedError
from werkzeug.wrappers import Response

from planner.auth.access import editors_only
from planner.directory import forms, operations, queries
from planner.editing import EditConflict
from planner.extensions import db
from planner.models import OrganizationKind
from planner.timezones import utc_now
from planner.web.edit_flow import ConflictPage, render_conflict

bp = Blueprint("directory", __name__, url_prefix="/directory")

Page = str | tuple[str, int] | Response


def _found(value: Any) -> Any:
    if value is None:
        abort(404)
    return value


def _values(form: FlaskForm) -> dict[str, Any]:
    return {name: value for name, value in form.data.items() if name not in ("csrf_token", "version")}


def _save(
    form: FlaskForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    back_url: str,
    done: Callable[[Any], str],
    current: Callable[[], FlaskForm] | None = None,
    edit_url: str | None = None,
) -> Page:
    """The one flow of every directory form.

    Valid input is saved and the planner sent on; invalid input or a rule
    broken (duplicate name) shows the form again with the messages (HTTP
    422, nothing saved); a stale version shows the conflict page (HTTP 409,
    nothing saved).
    """
    if form.validate_on_submit():
        try:
            record = save(_values(form))
        except EditConflict:
            assert current is not None and edit_url is not None
            # Read the record as saved now; another planner may have deleted it meanwhile (lost race).
            db.session.rollback()
            try:
                saved_now = current()
            except ObjectDeletedError:
                abort(404)
            return render_conflict(form, ConflictPage(saved_now, title, back_url, edit_url))
        except operations.Rejected as error:
            form[error.field].errors.append(error.message)
        else:
            flash(_("Gespeichert."), "info")
            return redirect(done(record))
    # The house form page: the same layout, field markup and error summary as every other form.
    page = render_template("form_page.html", form=form, heading=title, delegation=None, cancel_url=back_url)
    return (page, 422) if form.is_submitted() else page


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
    return render_template("directory/organization.html", profile=_found(queries.organization_profile(organization_id)))


@bp.route("/organizations/new", methods=["GET", "POST"])
@editors_only
def new_organization() -> Page:
    return _save(
        forms.organization_form(),
        operations.create_organization,
        title=_("Neue Organisation"),
        back_url=url_for(".organizations"),
        done=lambda record: url_for(".organization", organization_id=record.id),
    )


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_organization(organization_id: int) -> Page:
    record = _found(queries.organization(organization_id))
    form = forms.organization_form(record)
    return _save(
        form,
        lambda values: operations.update_organization(record, values, form.version.data),
        title=record.name,
        back_url=url_for(".organization", organization_id=organization_id),
        done=lambda _: url_for(".organization", organization_id=organization_id),
        current=lambda: forms.organization_form(record, formdata=None),
        edit_url=url_for(".edit_organization", organization_id=organization_id),
    )


# -- people --------------------------------------------------------------------------


@bp.get("/people")
def people() -> str:
    return render_template("directory/people.html", people=queries.people())


@bp.get("/people/<int:person_id>")
def person(person_id: int) -> str:
    return render_template("directory/person.html", profile=_found(queries.person_profile(person_id)))


@bp.route("/people/new", methods=["GET", "POST"])
@editors_only
def new_person() -> Page:
    return _save(
        forms.person_form(),
        operations.create_person,
        title=_("Neue Person"),
        back_url=url_for(".people"),
        done=lambda record: url_for(".person", person_id=record.id),
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_person(person_id: int) -> Page:
    record = _found(queries.person(person_id))
    form = forms.person_form(record)
    return _save(
        form,
        lambda values: operations.update_person(record, values, form.version.data),
        title=record.display_name,
        back_url=url_for(".person", person_id=person_id),
        done=lambda _: url_for(".person", person_id=person_id),
        current=lambda: forms.person_form(record, formdata=None),
        edit_url=url_for(".edit_person", person_id=person_id),
    )


# -- cities ----------------------------------------------------------------------------


@bp.get("/cities")
def cities() -> str:
    return render_template("directory/cities.html", rows=queries.cities(utc_now()))


@bp.get("/cities/<int:city_id>")
def city(city_id: int) -> str:
    return render_template("directory/city.html", profile=_found(queries.city_profile(city_id, utc_now())))


@bp.route("/cities/new", methods=["GET", "POST"])
@editors_only
def new_city() -> Page:
    return _save(
        forms.city_form(),
        operations.create_city,
        title=_("Neue Stadt"),
        back_url=url_for(".cities"),
        done=lambda record: url_for(".city", city_id=record.id),
    )


@bp.route("/cities/<int:city_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_city(city_id: int) -> Page:
    record = _found(queries.city(city_id))
    form = forms.city_form(record)
    return _save(
        form,
        lambda values: operations.update_city(record, values, form.version.data),
        title=record.name,
        back_url=url_for(".city", city_id=city_id),
        done=lambda _: url_for(".city", city_id=city_id),
        current=lambda: forms.city_form(record, formdata=None),
        edit_url=url_for(".edit_city", city_id=city_id),
    )


# -- partnerships ----------------------------------------------------------------------


@bp.get("/partnerships")
def partnerships() -> str:
    return render_template("directory/partnerships.html", partnerships=queries.partnerships())


@bp.route("/partnerships/new", methods=["GET", "POST"])
@editors_only
def new_partnership() -> Page:
    return _save(
        forms.partnership_form(),
        operations.create_partnership,
        title=_("Neue Städtepartnerschaft"),
        back_url=url_for(".partnerships"),
        done=lambda _: url_for(".partnerships"),
    )


@bp.route("/partnerships/<int:partnership_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_partnership(partnership_id: int) -> Page:
    record = _found(queries.partnership(partnership_id))
    form = forms.partnership_form(record)
    title = f"{record.home_city.name} – {record.partner_city.name}"
    return _save(
        form,
        lambda values: operations.update_partnership(record, values, form.version.data),
        title=title,
        back_url=url_for(".partnerships"),
        done=lambda _: url_for(".partnerships"),
        current=lambda: forms.partnership_form(record, formdata=None),
        edit_url=url_for(".edit_partnership", partnership_id=partnership_id),
    )
