"""Sign-in, sign-out and changing one's own password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.auth.access import public, safe_next_url
from planner.auth.forms import LoginForm, PasswordForm
from planner.auth.operations import MIN_PASSWORD_LENGTH, authenticate, change_password
from planner.auth.ratelimit import count_failure
from planner.auth.sessions import sign_in, sign_out
from planner.editing import Rejected
from planner.extensions import db

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
            sign_in(user, remember=bool(form.remember.data))
            db.session.commit()  # the sign-in time and the session row the cookie names
            return redirect(safe_next_url(request.args.get("next")))
        count_failure()
        flash(_("E-Mail-Adresse oder Passwort ist falsch."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    db.session.commit()
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def password() -> str | Response:
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current_password.data or "", form.new_password.data or "")
        except Rejected as refusal:
            if refusal.field == "current_password":
                count_failure()  # a guess at the password of the account whose session this is
            form[refusal.field].errors.append(refusal.message)
        else:
            # change_password ended every session of the account, this one too: sign this browser
            # in again with a new one (keeping "stay signed in" if it was on).
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            sign_in(user, remember=remembered)
            # One transaction: the new password, the end of the old sessions and this browser's new one.
            db.session.commit()
            flash(_("Ihr Passwort ist geändert. Anmeldungen mit dem alten Passwort sind beendet."), "info")
            return redirect(url_for("delegations.index"))
    return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH)
