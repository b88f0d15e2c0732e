"""User management pages; admins only (others get 403, anonymous visitors the sign-in page)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.admin import operations, queries
from planner.admin.forms import AccountForm, InviteForm
from planner.auth import second_factor
from planner.auth.access import admins_only
from planner.extensions import db
from planner.models import User
from planner.web.edit_flow import Page, SavedNow, edit_page
from planner.web.forms import InputForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


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
def invite() -> Page:
    return edit_page(
        InviteForm(),
        record=None,
        save=operations.invite_user,
        render=lambda form: render_template("admin/invite.html", form=form),
        done=lambda invited: _one_time_password_page(*invited, invited=True),
    )


@bp.get("/users/<int:user_id>")
@admins_only
def edit(user_id: int) -> Page:
    return _account_page(user_id)


@bp.post("/users/<int:user_id>")
@admins_only
def update(user_id: int) -> Page:
    return _account_page(user_id)


def _account_page(user_id: int) -> Page:
    """Role and status of one account, through the edit flow (GET shows, POST saves)."""
    user = queries.account(user_id)
    form = AccountForm()
    if form.is_submitted() and not form.version.validate(form):
        abort(400)  # the hidden version is missing or tampered with: nothing sensible to show
    email, users_url = user.email, url_for("admin.users")

    def render(shown: InputForm) -> str:
        return render_template(
            "admin/edit.html",
            user=user,
            form=shown,
            needs_second_factor=second_factor.requires_second_factor(user),
            home_zone=current_app.config["HOME_TIMEZONE"],
        )

    return edit_page(
        form,
        record=user,
        save=lambda data: operations.change_account(user, data, version=form.version.data, actor=current_user),
        render=render,
        done=lambda _changed: users_url,
        saved_message=lambda changed: (
            _("Konto %(email)s gespeichert.", email=email)
            if changed
            else _("Keine Änderung: %(email)s war schon so gespeichert.", email=email)
        ),
        conflict=SavedNow(
            load=lambda: queries.account(user_id),
            form=lambda: AccountForm(formdata=None),
            title=lambda saved: saved.email,
            back_url=users_url,
            edit_url=url_for("admin.edit", user_id=user_id),
        ),
    )


@bp.post("/users/<int:user_id>/password")
@admins_only
def reset_password(user_id: int) -> Response:
    user = queries.account(user_id)
    password = operations.reset_password(user)
    db.session.commit()
    return _one_time_password_page(user, password, invited=False)


@bp.post("/users/<int:user_id>/second-factor")
@admins_only
def reset_second_factor(user_id: int) -> Response:
    """Remove an account's second factor (a lost phone); the user sets up a new one at the next sign-in."""
    user = queries.account(user_id)
    had = second_factor.reset_second_factor(user)
    db.session.commit()
    if had:
        flash(
            _(
                "Der zweite Faktor von %(email)s ist zurückgesetzt; das Konto richtet ihn bei der nächsten Anmeldung neu ein.",
                email=user.email,
            ),
            "info",
        )
    else:
        flash(_("%(email)s hatte keinen zweiten Faktor; nichts geändert.", email=user.email), "info")
    return redirect(url_for("admin.edit", user_id=user_id))
