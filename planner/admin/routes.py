"""User management pages; admins only (others get 403, anonymous visitors the sign-in page)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.admin import operations, queries
from planner.admin.forms import AccountForm, InviteForm
from planner.auth.access import admins_only
from planner.auth.operations import AccountError
from planner.editing import EditConflict
from planner.extensions import db
from planner.models import User
from planner.web.edit_flow import ConflictPage, render_conflict

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _account_or_404(user_id: int) -> User:
    user = queries.account(user_id)
    if user is None:
        abort(404)
    return user


def _one_time_password_page(user: User, password: str, *, invited: bool) -> Response:
    response = make_response(render_template("admin/password.html", user=user, password=password, invited=invited))
    # Shown once: neither the browser cache nor a proxy may keep the page.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.get("/users")
@admins_only
def users() -> str:
    return render_template(
        "admin/users.html",
        rows=queries.accounts(current_app.config["HOME_TIMEZONE"]),
        home_zone=current_app.config["HOME_TIMEZONE"],
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admins_only
def invite() -> str | Response:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user, password = operations.invite_user(form.email.data or "", form.role.data)
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            return _one_time_password_page(user, password, invited=True)
    return render_template("admin/invite.html", form=form)


@bp.get("/users/<int:user_id>")
@admins_only
def edit(user_id: int) -> str:
    user = _account_or_404(user_id)
    return render_template("admin/edit.html", user=user, form=AccountForm.for_user(user))


@bp.post("/users/<int:user_id>")
@admins_only
def update(user_id: int) -> str | Response | tuple[str, int]:
    user = _account_or_404(user_id)
    form = AccountForm()
    if not form.validate_on_submit():
        if form.version.errors:
            abort(400)  # the hidden version is missing or tampered with: nothing sensible to show
        return render_template("admin/edit.html", user=user, form=form)
    try:
        changed = operations.change_account(
            user, role=form.role.data, active=form.active, version=form.version.data, actor=current_user
        )
    except EditConflict:
        return render_conflict(
            form,
            ConflictPage(AccountForm.for_user(user), user.email, url_for("admin.users"), url_for("admin.edit", user_id=user.id)),
        )
    except operations.AccountRuleError as error:
        form[error.field].errors.append(str(error))
    else:
        if changed:
            flash(_("Konto %(email)s gespeichert.", email=user.email), "info")
        else:
            flash(_("Keine Änderung: %(email)s war schon so gespeichert.", email=user.email), "info")
        return redirect(url_for("admin.users"))
    return render_template("admin/edit.html", user=user, form=form)


@bp.post("/users/<int:user_id>/password")
@admins_only
def reset_password(user_id: int) -> Response:
    user = _account_or_404(user_id)
    return _one_time_password_page(user, operations.reset_password(user), invited=False)
