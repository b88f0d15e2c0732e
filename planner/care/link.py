"""The travellers' one-time links: the carers' page that sends them, and the public form behind them.

* ``/delegations/<id>/care/links`` (carers of the trip, :func:`planner.teams.access.may_care`):
  every member with the state of their newest link (none, sent, used, expired,
  revoked), and buttons (POST, CSRF) to send a new link by e-mail in the
  member's language or to revoke the open one. The page shows no personal data.
* ``/travel-data/<token>`` (no account; the token is the key): the person's own
  travel data, prefilled with what is stored, in the member's language. Saving
  confirms the data and uses the link up. Unknown, used, revoked and lapsed
  links all get the same page with 404, so nothing tells which existed. The
  route is rate-limited per client (:mod:`planner.auth.ratelimit`), its path is
  redacted from every log line (:mod:`planner.log_redaction`), and no cache
  may keep its answer (``Cache-Control: no-store``): it carries a passport.

Also the carer's switch of a meal to "names for the organiser"
(:mod:`planner.care.meals`).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from planner.auth.access import public
from planner.care import meals, self_service
from planner.care.link_forms import ButtonForm, OwnProfileForm
from planner.delegations import queries as delegation_queries
from planner.editing import EditConflict, Rejected
from planner.extensions import db
from planner.models import TravelDataLink
from planner.program import queries as program_queries
from planner.teams.access import may_care
from planner.timezones import utc_now

bp = Blueprint("care_link", __name__)

FORM_ENDPOINT = "care_link.form"


def _carers_only(delegation_id: int) -> None:
    # The sign-in hook already answered 404 outside the trip's team; inside it, personal data needs the care right.
    if not may_care(current_user, delegation_id):
        abort(403)


def _links_url(delegation_id: int) -> str:
    return url_for("care_link.links", delegation_id=delegation_id)


@bp.get("/delegations/<int:delegation_id>/care/links")
def links(delegation_id: int) -> str:
    _carers_only(delegation_id)
    delegation = delegation_queries.delegation_or_404(delegation_id)
    return render_template(
        "care/link/links.html",
        delegation=delegation,
        rows=self_service.member_links(delegation, utc_now()),
        form=ButtonForm(),
        days=int(current_app.config["TRAVEL_DATA_LINK_DAYS"]),
    )


@bp.post("/delegations/<int:delegation_id>/care/links/<int:member_id>/send")
def send(delegation_id: int, member_id: int) -> BaseResponse:
    _carers_only(delegation_id)
    member = self_service.member_of(delegation_id, member_id)
    if member is None:
        abort(404)
    if not ButtonForm().validate():
        abort(400)
    name = member.person.display_name
    try:
        self_service.send_link(member, current_user, utc_now())
    except Rejected as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(_links_url(delegation_id), 303)
    db.session.commit()
    flash(_("Der Link für %(name)s ist verschickt.", name=name), "success")
    return redirect(_links_url(delegation_id), 303)


@bp.post("/delegations/<int:delegation_id>/care/links/<int:member_id>/revoke")
def revoke(delegation_id: int, member_id: int) -> BaseResponse:
    _carers_only(delegation_id)
    member = self_service.member_of(delegation_id, member_id)
    if member is None:
        abort(404)
    if not ButtonForm().validate():
        abort(400)
    name = member.person.display_name
    closed = self_service.revoke_links(member, utc_now())
    db.session.commit()
    if closed:
        flash(_("Der Link für %(name)s ist zurückgezogen.", name=name), "success")
    else:
        flash(_("Für %(name)s gab es keinen offenen Link.", name=name), "info")
    return redirect(_links_url(delegation_id), 303)


@bp.post("/delegations/<int:delegation_id>/care/meals/<int:appointment_id>/names")
def meal_names(delegation_id: int, appointment_id: int) -> BaseResponse:
    """Switch a meal between counts only and names for the organiser (a carer's decision)."""
    _carers_only(delegation_id)
    appointment = program_queries.appointment_or_404(delegation_id, appointment_id)
    if not ButtonForm().validate():
        abort(400)
    target = url_for("program.show_appointment", delegation_id=delegation_id, appointment_id=appointment_id)
    show = request.form.get("names") == "on"
    try:
        meals.release_names(appointment, current_user, show=show)
    except Rejected as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(target, 303)
    db.session.commit()
    if show:
        flash(_("Die Betreuung sieht bei diesem Essen jetzt die Namen zu den Ernährungswünschen."), "success")
    else:
        flash(_("Bei diesem Essen stehen wieder nur die Zahlen."), "success")
    return redirect(target, 303)


# -- the public form --------------------------------------------------------------------


def _private(response: Response) -> Response:
    # The page carries a passport number: no cache keeps it, no search engine lists it, no link takes the URL along.
    response.cache_control.no_store = True
    response.cache_control.private = True
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(body: str, status: int) -> Response:
    return _private(Response(body, status=status, mimetype="text/html"))


def _not_open() -> Response:
    # One answer for unknown, used, revoked and lapsed links: nothing to learn about which existed.
    return _page(render_template("care/link/not_open.html", days=int(current_app.config["TRAVEL_DATA_LINK_DAYS"])), 404)


def _form_page(link: TravelDataLink, form: OwnProfileForm, status: int, message: str | None = None) -> Response:
    member = link.member
    return _page(
        render_template(
            "care/link/form.html",
            form=form,
            member=member,
            delegation=member.delegation,
            message=message,
            retention_days=int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"]),
        ),
        status,
    )


@bp.route("/travel-data/<token>", methods=["GET", "POST"])
@public
def form(token: str) -> Response:
    """The traveller's own data: GET shows it, POST saves it, confirms it and uses the link up."""
    now = utc_now()
    link = self_service.link_for_token(token, now)
    if link is None:
        return _not_open()
    member = link.member
    with force_locale(member.language):
        profile = self_service.profile_of(member.person_id)
        if request.method == "GET":
            form = OwnProfileForm(formdata=None)
            form.fill(profile)
            return _form_page(link, form, 200)
        form = OwnProfileForm()
        if not form.validate():
            return _form_page(link, form, 422)
        try:
            self_service.save_own_profile(member.person, form.to_input(), form.version.data if profile else None, now)
            self_service.use_link(link, now)
            db.session.commit()
        except (EditConflict, IntegrityError):
            # The carers saved the data meanwhile: show what is stored now, the traveller checks it again.
            db.session.rollback()
            link = self_service.link_for_token(token, now)
            if link is None:
                return _not_open()
            fresh = OwnProfileForm(formdata=None)
            fresh.fill(self_service.profile_of(link.member.person_id))
            message = _("Ihre Angaben wurden inzwischen von der Betreuung geändert. Bitte prüfen Sie sie und senden Sie erneut.")
            return _form_page(link, fresh, 409, message)
        return _page(render_template("care/link/thanks.html", delegation=member.delegation), 200)
