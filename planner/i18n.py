"""Language selection: German by default, English on request, remembered per user."""

from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.api.problems import is_api_request
from planner.auth.access import public, safe_next_url
from planner.auth.operations import remember_language
from planner.extensions import db

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if is_api_request():
        # A script has no session and no language switch: the API speaks what its Accept-Language asks for
        # (RFC 9110) and otherwise what the token owner chose on the pages, German by default.
        asked = request.accept_languages.best_match(languages)
        if asked:
            return asked
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.post("/language")
@public
def set_language() -> Response:
    """Switch the interface language (a POST form, so it carries a CSRF token)."""
    code = request.form.get("locale", "")
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            remember_language(current_user._get_current_object(), code)
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")))
