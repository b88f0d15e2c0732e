"""The account page for personal API tokens, and the API's documentation page.

* ``/auth/api-tokens`` (any signed-in account): the account's tokens with
  scopes, expiry and last use; a form to make one (shown once, right after,
  never again) and a button per open token to revoke it. Only one's own.
* ``/api/v1/docs`` (public, like the OpenAPI document it shows): the
  operations, parameters and answers, rendered on the server from
  ``/api/v1/openapi.json``. No script and no CDN (APIFlask's own docs pages
  load theirs from one).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.api import tokens
from planner.api.forms import RevokeForm, TokenForm
from planner.auth.access import public
from planner.editing import Rejected
from planner.extensions import db
from planner.timezones import utc_now

bp = Blueprint("api_account", __name__)


def _page(form: TokenForm, new_secret: str | None = None, status: int = 200) -> tuple[str, int]:
    user = current_user._get_current_object()
    page = render_template(
        "api/tokens.html",
        form=form,
        revoke_form=RevokeForm(),
        tokens=tokens.tokens_of(user),
        now=utc_now(),
        new_secret=new_secret,
    )
    return page, status


@bp.get("/auth/api-tokens")
def token_list() -> tuple[str, int]:
    return _page(TokenForm())


@bp.post("/auth/api-tokens")
def create_token() -> tuple[str, int] | Response:
    form = TokenForm()
    if not form.validate():
        return _page(form, status=422)
    user = current_user._get_current_object()
    try:
        _token, secret = tokens.issue(user, form.to_input(current_app.config["HOME_TIMEZONE"]), utc_now())
    except Rejected as error:
        db.session.rollback()
        form[error.field].errors.append(error.message)
        return _page(form, status=422)
    db.session.commit()
    # Shown in this answer only (no redirect): the token is in no session, log or later page.
    response_page, _status = _page(TokenForm(formdata=None), new_secret=secret)
    response = current_app.make_response(response_page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/auth/api-tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    if not RevokeForm().validate():
        abort(400)
    if not tokens.revoke(current_user._get_current_object(), token_id, utc_now()):
        abort(404)
    db.session.commit()
    flash(_("Das Token ist zurückgezogen; es gilt ab sofort nicht mehr."), "success")
    return redirect(url_for("api_account.token_list"), 303)


@bp.get("/api/v1/docs")
@public
def docs() -> str:
    spec: dict[str, Any] = current_app.spec  # type: ignore[attr-defined]
    return render_template("api/docs.html", spec=spec)
