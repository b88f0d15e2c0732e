"""Errors of the JSON API as ``application/problem+json`` (RFC 9457), never an HTML page or a traceback.

Every error under ``/api/`` is answered here, whatever raised it: routing (404,
405), the token check (401, 403), validation of query and body (422, from
APIFlask), the rate limit (429) and a fault of our own (500). The problem type
is ``about:blank``, so ``title`` is the HTTP status phrase; ``detail`` says in
the client's language (``Accept-Language``; German by default) what went wrong.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, current_app, json, request
from flask_babel import lazy_gettext as _l

API_PREFIX = "/api/"
MEDIA_TYPE = "application/problem+json"

_DETAILS = {
    400: _l("Die Anfrage war fehlerhaft."),
    401: _l("Diese Anfrage braucht ein gültiges API-Token (Authorization: Bearer …)."),
    403: _l("Dafür fehlt diesem Token oder seinem Konto die Berechtigung."),
    404: _l("Das gesuchte Objekt gibt es nicht, oder es ist für dieses Konto nicht sichtbar."),
    405: _l("Diese Methode ist hier nicht möglich."),
    412: _l("Das Objekt wurde inzwischen geändert (If-Match passt nicht mehr zum ETag). Bitte neu laden und erneut senden."),
    413: _l("Die gesendeten Daten sind zu groß."),
    422: _l("Die Angaben der Anfrage sind ungültig."),
    428: _l("Diese Änderung braucht den Kopf If-Match mit dem ETag der zuletzt gelesenen Fassung."),
    429: _l("Zu viele Anfragen in kurzer Zeit. Bitte warten Sie, bis die im Kopf Retry-After genannte Zeit vergangen ist."),
    500: _l("Ein interner Fehler ist aufgetreten. Es wurde nichts geändert."),
}


def is_api_request() -> bool:
    """Whether the current request is one for the JSON API (its errors are problem documents)."""
    return request.path.startswith(API_PREFIX)


def problem(status: int, detail: object | None = None, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """A problem document for ``status``: ``detail`` (default: the status's own message) and extra members."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail if detail is not None else _DETAILS.get(status, HTTPStatus(status).description)),
    }
    body.update(extra)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for key, value in (headers or {}).items():
        if key.lower() != "content-type":
            response.headers[key] = value
    return response


def from_apiflask_error(error: Any) -> Response:
    """APIFlask's error callback: its validation errors (422, with the fields in ``errors``) and aborts."""
    extra: dict[str, Any] = {}
    if error.status_code == 422 and error.detail:
        extra["errors"] = error.detail  # {"query": {"limit": ["..."]}}: where and which field
    detail = error.message if error.status_code not in _DETAILS and error.message else None
    return problem(error.status_code, detail, dict(error.headers or {}), **extra)


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "description": "422 only: the invalid fields by location (query, json)."},
        "instants": {
            "type": "object",
            "description": "422 for a repeated wall time only: per field, both possible instants (RFC 3339 UTC).",
        },
    },
    "required": ["type", "title", "status", "detail"],
}


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Make every error response of the OpenAPI document a problem document (APIFlask writes plain JSON)."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                if str(code).isdigit() and int(code) >= 400:
                    response["content"] = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    # APIFlask adds its own error schemas; the problem replaces them.
    for name in ("HTTPError", "ValidationError"):
        spec["components"]["schemas"].pop(name, None)
    return spec
