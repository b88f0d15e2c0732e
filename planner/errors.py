"""Error pages: a clear message in the user's language, never a traceback."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from planner.extensions import db

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
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return _render(error.code, _MESSAGES.get(error.code, error.description))

    @app.errorhandler(InternalServerError)
    def internal_error(_error: InternalServerError) -> tuple[str, int]:
        # Whatever half-done work the request had must not leak into the next one.
        db.session.rollback()
        return _render(500, _MESSAGES[500])
