"""Sign-in (with the second factor's code step), sign-out, one's own password and second factor."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.auth import second_factor
from planner.auth.access import public, safe_next_url
from planner.auth.forms import CodeForm, LoginForm, PasswordForm
from planner.auth.operations import MIN_PASSWORD_LENGTH, authenticate, change_password
from planner.auth.ratelimit import count_failure
from planner.auth.sessions import sign_in, sign_out
from planner.calendar.qr import qr_svg
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
        if user is not None and user.has_second_factor:
            # Not signed in yet: the session only remembers who owes a code, for a few minutes.
            second_factor.begin_pending_sign_in(user, remember=bool(form.remember.data), next_url=request.args.get("next"))
            db.session.commit()  # the sign-in time
            return redirect(url_for("auth.code"))
        if user is not None:
            sign_in(user, remember=bool(form.remember.data))
            db.session.commit()  # the sign-in time and the session row the cookie names
            return redirect(safe_next_url(request.args.get("next")))
        count_failure()
        flash(_("E-Mail-Adresse oder Passwort ist falsch."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/code", methods=["GET", "POST"])
@public
def code() -> tuple[str, int] | str | Response:
    """The second step of signing in: the code from the app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("delegations.index"))
    pending = second_factor.pending_sign_in()
    if pending is None:
        second_factor.end_pending_sign_in()
        flash(_("Die Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            second_factor.check_code(pending.user, form.code.data or "")
        except Rejected as refusal:
            db.session.rollback()
            count_failure()  # counted by the sign-in limits like a wrong password
            form.code.errors.append(refusal.message)
        else:
            second_factor.end_pending_sign_in()
            sign_in(pending.user, remember=pending.remember)
            db.session.commit()  # the used step or recovery code, and the session row the cookie names
            return redirect(safe_next_url(pending.next_url))
    if form.is_submitted():
        return render_template("auth/code.html", form=form), 422
    return render_template("auth/code.html", form=form)


@bp.route("/second-factor", methods=["GET", "POST"])
def second_factor_page() -> tuple[str, int] | str | Response:
    """Set up the second factor (QR code, confirm with a code, recovery codes once), or see its state."""
    user = current_user._get_current_object()
    if user.has_second_factor:
        return render_template(
            "auth/second_factor.html",
            user=user,
            unused=second_factor.unused_recovery_codes(user),
            required=second_factor.requires_second_factor(user),
            home_zone=current_app.config["HOME_TIMEZONE"],
        )
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(user, form.code.data or "")
        except Rejected as refusal:
            db.session.rollback()
            form.code.errors.append(refusal.message)
        else:
            db.session.commit()
            # Shown this once (responses to a signed-in user are never cached: planner.security).
            return render_template("auth/recovery_codes.html", codes=codes)
    if form.is_submitted():
        status = 422
    secret = second_factor.start_enrolment(user)
    db.session.commit()  # a new secret stays the same when the page is loaded again
    page = render_template(
        "auth/enrol.html",
        form=form,
        secret=secret,
        qr=qr_svg(second_factor.provisioning_uri(user, secret), _("QR-Code für die Authenticator-App")),
        required=second_factor.requires_second_factor(user),
    )
    return page, status


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
