"""Record selects that can be searched and that offer "Neu …" beside them.

A select of people, organizations or cities is marked in its form with
``render_kw=searchable("organization")``: the attribute ``data-searchable`` lets
``static/js/searchable.js`` turn it into a Tom Select (accent-insensitive search),
and ``data-create`` names the kind of record the directory can create for it.
The field macro (``templates/macros.html``) asks :func:`create_control` for the
"Neu …" link beside such a select: a plain link to the directory's "new" page
that comes back to this form (``next``) without JavaScript, and the opener of
the create dialog (``static/js/create_dialog.js``, htmx) with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import Field

from planner.models import UserRole

# Kind -> the directory's "new" endpoint and the control's label.
_CREATE = {
    "organization": ("directory.new_organization", _l("Neue Organisation")),
    "person": ("directory.new_person", _l("Neue Person")),
    "city": ("directory.new_city", _l("Neue Stadt")),
}

DIALOG_ID = "create-dialog"
DIALOG_BODY_ID = "create-dialog-body"
# The dialog's form fields get this prefix: their ids must not clash with the page's form
# (the city form's "timezone" beside the appointment form's "timezone").
DIALOG_PREFIX = "dialog"


def searchable(create: str | None = None) -> dict[str, Any]:
    """``render_kw`` of a searchable select; ``create``: the kind of record "Neu …" creates for it."""
    if create is not None and create not in _CREATE:
        raise ValueError(f"unknown record kind {create!r}")
    attributes: dict[str, Any] = {"data-searchable": "", "data-no-results": _l("Keine Treffer")}
    if create:
        attributes["data-create"] = create
    return attributes


@dataclass(frozen=True)
class CreateControl:
    """The "Neu …" link beside a select: ``url`` without JavaScript, ``dialog_url`` for the dialog."""

    label: str
    url: str
    dialog_url: str
    select_id: str


def _here() -> str:
    return request.full_path if request.query_string else request.path


def create_control(field: Field) -> CreateControl | None:
    """The "Neu …" control for ``field``, or None (not a creating select, or the user only reads)."""
    kind = (field.render_kw or {}).get("data-create")
    if kind not in _CREATE or not current_user.is_authenticated:
        return None
    if current_user.role not in (UserRole.ADMIN, UserRole.PLANNER):
        return None
    endpoint, label = _CREATE[kind]
    return CreateControl(
        label=str(label),
        url=url_for(endpoint, next=_here()),
        dialog_url=url_for(endpoint),
        select_id=field.id,
    )


def init_app(app: Flask) -> None:
    app.add_template_global(create_control)
    app.jinja_env.globals["create_dialog_ids"] = {"dialog": DIALOG_ID, "body": DIALOG_BODY_ID}
