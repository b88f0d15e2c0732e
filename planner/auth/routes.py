"""Sign-in and sign-out pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from planner.auth.access import public, safe_next_url
from planner.auth.forms import LoginForm
from planner.auth.operations import authenticate

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("delegations.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")))
        flash(_("E-Mail-Adresse oder Passwort ist falsch."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("auth.login"))
