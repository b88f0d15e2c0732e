"""Pages of the gift register: per trip (the trip's team) and the whole register (admins).

The trip's pages are checked where every trip URL is checked
(:func:`planner.teams.access.check_request`): the team reads, editors change.
The whole register spans every trip and year, and only admins see every trip,
so it is theirs alone (a planner sees the gifts of their own trips there).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from planner.auth.access import admins_only, editors_only
from planner.directory import queries as directory_queries
from planner.formatting import day, money
from planner.gifts import export, operations, queries
from planner.gifts.checks import GiftRow, declaration_threshold, register_rows
from planner.gifts.forms import GiftForm
from planner.models import Delegation, Gift
from planner.web.edit_flow import Page, SavedNow, confirmation_page, edit_page, versioned_action
from planner.web.forms import InputForm

bp = Blueprint("gifts", __name__)


def _rows(gifts: list[Gift]) -> list[GiftRow]:
    pool = queries.given_to([g.person_id for g in gifts], [g.organization_id for g in gifts])
    return register_rows(gifts, pool, declaration_threshold())


def _form(delegation: Delegation | None, formdata: MultiDict | None = None) -> GiftForm:
    form = GiftForm(formdata=formdata) if formdata is not None else GiftForm()
    form.appointment_id.choices = queries.appointment_choices(delegation)
    form.person_id.choices = directory_queries.person_choices("—")
    form.organization_id.choices = [
        SelectChoice(0, "—"),
        *(SelectChoice(i, n) for i, n in directory_queries.organization_choices()),
    ]
    form.city_id.choices = [SelectChoice(0, "—"), *(SelectChoice(i, n) for i, n in directory_queries.city_choices())]
    return form


def _intro() -> str:
    return _(
        "Erhaltene Geschenke ab %(threshold)s sind meldepflichtig. "
        "Ein Geschenk, das schon einmal an dasselbe Gegenüber ging, wird vor dem Speichern gemeldet.",
        threshold=money(declaration_threshold()),
    )


def _form_page(heading: str, back_url: str, delegation: Delegation | None) -> Callable[[InputForm], str]:
    # Plain values: after a refused save the session is rolled back and the objects expired.
    delegation_id = delegation.id if delegation else None
    title = delegation.title if delegation else None
    intro = _intro()
    return lambda form: render_template(
        "form_page.html",
        form=form,
        heading=heading,
        delegation_id=delegation_id,
        delegation_title=title,
        cancel_url=back_url,
        intro=intro,
    )


def _saved(gift: Gift) -> str:
    return _("Geschenk „%(item)s“ vom %(day)s gespeichert.", item=gift.item, day=day(gift.given_on))


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _export(rows: list[GiftRow], kind: str, stem: str) -> Response:
    if kind == "csv":
        return _download(export.to_csv(rows), "text/csv; charset=utf-8", f"{stem}.csv")
    if kind == "xlsx":
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _download(export.to_xlsx(rows), xlsx, f"{stem}.xlsx")
    abort(404)


# -- one trip ----------------------------------------------------------------------


def _trip_url(delegation_id: int) -> str:
    return url_for("gifts.trip", delegation_id=delegation_id)


@bp.get("/delegations/<int:delegation_id>/gifts")
def trip(delegation_id: int) -> str:
    delegation = queries.trip_or_404(delegation_id)
    return render_template(
        "gifts/index.html",
        delegation=delegation,
        rows=_rows(queries.trip_gifts(delegation_id)),
        threshold=declaration_threshold(),
        filters=None,
    )


@bp.get("/delegations/<int:delegation_id>/gifts/export.<kind>")
def trip_export(delegation_id: int, kind: str) -> Response:
    queries.trip_or_404(delegation_id)
    return _export(_rows(queries.trip_gifts(delegation_id)), kind, f"geschenke-reise-{delegation_id}")


@bp.route("/delegations/<int:delegation_id>/gifts/new", methods=["GET", "POST"])
@editors_only
def new_trip_gift(delegation_id: int) -> Page:
    delegation = queries.trip_or_404(delegation_id)
    back_url = _trip_url(delegation_id)
    return edit_page(
        _form(delegation),
        record=None,
        save=lambda data: operations.save_gift(data, delegation=delegation),
        render=_form_page(_("Neues Geschenk"), back_url, delegation),
        done=lambda _gift: back_url,
        saved_message=_saved,
    )


@bp.route("/delegations/<int:delegation_id>/gifts/<int:gift_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_trip_gift(delegation_id: int, gift_id: int) -> Page:
    delegation = queries.trip_or_404(delegation_id)
    gift = queries.gift_or_404(gift_id, delegation_id)
    form = _form(delegation)
    back_url = _trip_url(delegation_id)
    return edit_page(
        form,
        record=gift,
        save=lambda data: operations.save_gift(data, delegation=delegation, gift=gift),
        render=_form_page(_("Geschenk bearbeiten"), back_url, delegation),
        done=lambda _gift: back_url,
        saved_message=_saved,
        conflict=SavedNow(
            load=lambda: queries.gift_or_404(gift_id, delegation_id),
            form=lambda: _form(queries.trip_or_404(delegation_id), MultiDict()),
            title=lambda saved: saved.item,
            back_url=back_url,
            edit_url=url_for("gifts.edit_trip_gift", delegation_id=delegation_id, gift_id=gift_id),
        ),
    )


@bp.get("/delegations/<int:delegation_id>/gifts/<int:gift_id>/delete")
@editors_only
def confirm_delete_trip_gift(delegation_id: int, gift_id: int) -> str:
    delegation = queries.trip_or_404(delegation_id)
    gift = queries.gift_or_404(gift_id, delegation_id)
    return confirmation_page(
        delegation,
        heading=_("Geschenk „%(item)s“ löschen?", item=gift.item),
        consequences=[_("Der Eintrag verschwindet aus dem Geschenkeregister; der Änderungsverlauf behält, was er war.")],
        action=url_for("gifts.delete_trip_gift", delegation_id=delegation_id, gift_id=gift_id),
        version=gift.version,
        button=_("Geschenk löschen"),
        cancel_url=_trip_url(delegation_id),
    )


@bp.post("/delegations/<int:delegation_id>/gifts/<int:gift_id>/delete")
@editors_only
def delete_trip_gift(delegation_id: int, gift_id: int) -> BaseResponse:
    gift = queries.gift_or_404(gift_id, delegation_id)
    item = gift.item
    return versioned_action(
        lambda version: operations.delete_gift(gift, version),
        done=_trip_url(delegation_id),
        stale=_("Das Geschenk wurde inzwischen geändert. Bitte prüfen Sie es und versuchen Sie es erneut."),
        message=_("Geschenk „%(item)s“ gelöscht.", item=item),
    )


# -- the whole register ----------------------------------------------------------------


def _filters() -> tuple[int | None, int | None]:
    """The register's filter from the query string; a value that is no number is ignored, not a 500."""
    city = request.args.get("city", "")
    year = request.args.get("year", "")
    city_id = int(city) if city.isdigit() and len(city) < 10 else None
    year_number = int(year) if year.isdigit() and len(year) == 4 else None
    return city_id, year_number


@bp.get("/gifts")
@admins_only
def register() -> str:
    city_id, year = _filters()
    return render_template(
        "gifts/index.html",
        delegation=None,
        rows=_rows(queries.register(city_id, year)),
        threshold=declaration_threshold(),
        filters={"city": city_id, "year": year, "cities": queries.filter_cities(), "years": queries.filter_years()},
    )


@bp.get("/gifts/export.<kind>")
@admins_only
def register_export(kind: str) -> Response:
    city_id, year = _filters()
    stem = "geschenkeregister" + (f"-{year}" if year else "") + (f"-stadt-{city_id}" if city_id else "")
    return _export(_rows(queries.register(city_id, year)), kind, stem)


@bp.route("/gifts/new", methods=["GET", "POST"])
@admins_only
def new_gift() -> Page:
    back_url = url_for("gifts.register")
    return edit_page(
        _form(None),
        record=None,
        save=lambda data: operations.save_gift(data, delegation=None),
        render=_form_page(_("Neues Geschenk"), back_url, None),
        done=lambda _gift: back_url,
        saved_message=_saved,
    )


@bp.route("/gifts/<int:gift_id>/edit", methods=["GET", "POST"])
@admins_only
def edit_gift(gift_id: int) -> Page:
    gift = queries.gift_or_404(gift_id)
    delegation = queries.trip_or_404(gift.delegation_id) if gift.delegation_id else None
    back_url = url_for("gifts.register")
    return edit_page(
        _form(delegation),
        record=gift,
        save=lambda data: operations.save_gift(data, delegation=delegation, gift=gift),
        render=_form_page(_("Geschenk bearbeiten"), back_url, delegation),
        done=lambda _gift: back_url,
        saved_message=_saved,
        conflict=SavedNow(
            load=lambda: queries.gift_or_404(gift_id),
            form=lambda: _form(None, MultiDict()),
            title=lambda saved: saved.item,
            back_url=back_url,
            edit_url=url_for("gifts.edit_gift", gift_id=gift_id),
        ),
    )
