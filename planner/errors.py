"""Error pages: a clear message in the user's language, never a traceback."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from planner.api import problems
from planner.db_recovery import discard_session
from planner.extensions import db, login_manager

_MESSAGES = {
    400: _l("Die Anfrage war fehlerhaft."),
    403: _l("Dafür fehlt Ihnen die Berechtigung."),
    404: _l("Diese Seite gibt es nicht."),
    405: _l("Diese Aktion ist hier nicht möglich."),
    413: _l("Die gesendeten Daten sind zu groß."),
    500: _l("Ein interner Fehler ist aufgetreten. Es wurde nichts geändert."),
}


def _render(code: int, message: object) -> tuple[str, int]:
    return render_template("errors/error.html", code=code, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return _render(400, _l("Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es erneut."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException | Response:
        if error.code is None or error.code < 400:
            return error
        if problems.is_api_request():
            headers = dict(error.get_headers())
            if error.code == 401:
                headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return problems.problem(error.code, headers=headers)
        return _render(error.code, _MESSAGES.get(error.code, error.description))

    @app.errorhandler(InternalServerError)
    def internal_error(_error: InternalServerError) -> tuple[str, int] | Response:
        # Whatever half-done work the request had must not leak into the next one; a connection the
        # server dropped is thrown away instead of failing this handler too.
        discard_session(db.session)
        if problems.is_api_request():
            return problems.problem(500)
        try:
            return _render(500, _MESSAGES[500])
        except Exception:
            # The page header asks the database about the signed-in user; when that is what failed,
            # the page is shown as to a visitor rather than leaving the answer to gunicorn's bare 500.
            current_app.logger.exception("The error page failed; shown without the user's menu")
            discard_session(db.session)
            g._login_user = login_manager.anonymous_user()
            return _render(500, _MESSAGES[500])
