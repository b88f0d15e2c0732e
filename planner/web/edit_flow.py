"""The one edit flow of every page that creates or edits a record, and of the buttons that change one.

Conventions, the same for every feature:

* GET shows the form: empty (defaults, version 1) to create, filled from the record to edit.
* POST with invalid input, or input an operation refuses (:class:`~planner.editing.Rejected`):
  the form again with the messages, **HTTP 422**, nothing saved.
* POST with a stale version (:class:`~planner.editing.EditConflict`): the conflict page with
  both versions side by side, **HTTP 409**, nothing saved; 404 if the record is gone meanwhile.
* POST that saves: the operation flushes, this flow commits once, flashes and redirects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field

from planner.editing import EditConflict, Rejected
from planner.extensions import db
from planner.formatting import day
from planner.web.forms import InputForm, VersionField, field_named
from planner.web.localtime import FOLD_CHOICES

T = TypeVar("T")
Page = str | tuple[str | Response, int] | Response


@dataclass(frozen=True)
class SavedNow:
    """How the conflict page shows the record as saved now; used after the refused save's rollback.

    ``load`` reads the record again by id (and parent id): a 404 page if another planner
    deleted it meanwhile. ``form`` makes an empty form of the page's class with its choices,
    which the flow fills with the record. ``title`` names the record on the page.
    """

    load: Callable[[], Any]
    form: Callable[[], InputForm]
    title: Callable[[Any], str]
    back_url: str
    edit_url: str


def edit_page(
    form: InputForm,
    *,
    record: Any,
    save: Callable[[Any], T],
    render: Callable[[InputForm], str | Response],
    done: Callable[[T], str | Response],
    saved_message: Callable[[T], str] | None = None,
    conflict: SavedNow | None = None,
) -> Page:
    """Show, validate, save or explain; see the module docstring for the status codes.

    ``save`` is the feature's operation, given the form's typed input (it flushes; this commits).
    ``render`` draws the page around the form. ``done`` says where to go next; a page that
    must not be a redirect (a one-time password shown once) it returns as a Response, which
    is sent as it is, without the flash (the page itself says what was saved). ``conflict``
    says how to show the record as saved now next to what was typed (edits only).
    """
    if not form.is_submitted():
        if record is not None:
            form.fill(record)
        return render(form)
    if form.validate_on_submit():
        try:
            saved = save(form.to_input())
            db.session.commit()
        except EditConflict:
            db.session.rollback()
            if conflict is None:  # pragma: no cover - only edits of existing records carry a version to conflict on
                raise
            return render_conflict(form, conflict)
        except Rejected as refusal:
            db.session.rollback()
            field_named(form, refusal.field).errors.append(refusal.message)
        else:
            target = done(saved)
            if isinstance(target, Response):
                return target
            flash(saved_message(saved) if saved_message else _("Gespeichert."), "info")
            return redirect(target)
    return render(form), 422


class VersionedActionForm(FlaskForm):
    """A button that changes a record (cancel, delete, archive): CSRF plus the version the planner saw."""

    version = VersionField()


# The flash category of a message with an undo button; base.html draws it as a small form.
UNDO = "undo"


def flash_undo(message: str, undo_url: str) -> None:
    """Flash ``message`` with a "Rückgängig" button that POSTs (with the CSRF token) to ``undo_url``.

    The message is a mapping rather than text so the page can draw the button
    as a form: no script, and the undo works without JavaScript.
    """
    flash({"text": message, "undo_url": undo_url}, UNDO)  # type: ignore[arg-type]  # any JSON value is stored


def versioned_action(
    act: Callable[[int], Any],
    *,
    done: str,
    stale: str,
    message: str | None = None,
    stale_done: str | None = None,
    undo_url: str | None = None,
) -> Response:
    """Run ``act(version)`` for a button's POST, commit, flash and go to ``done``.

    A missing token or version is a 400; a stale version flashes ``stale``, changes nothing and goes
    to ``stale_done`` if given (e.g. back to the record to check it, where ``done`` leaves it).
    With ``undo_url`` the message carries a "Rückgängig" button posting there (see :func:`flash_undo`).
    """
    form = VersionedActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        act(form.version.data)
        db.session.commit()
    except EditConflict:
        db.session.rollback()
        flash(stale, "error")
        return redirect(stale_done or done)
    if message and undo_url:
        flash_undo(message, undo_url)
    elif message:
        flash(message, "info")
    return redirect(done)


@dataclass(frozen=True)
class ConflictRow:
    label: str
    yours: str
    theirs: str

    @property
    def differs(self) -> bool:
        return self.yours != self.theirs


def _display(field: Field, value: Any) -> str:
    """A field's value as the form shows it to people: choices by their label, dates as an office writes them."""
    if isinstance(value, datetime):  # a wall time (LocalTimeField): the day, the clock, and which one if it repeats
        text = f"{day(value)}, {value:%H:%M}"
        fold = getattr(field, "fold", None)
        if getattr(field, "asks_fold", False) and fold in (0, 1):
            text += f" ({FOLD_CHOICES[fold][1]})"
        return text
    if isinstance(value, date):
        return day(value)
    choices = getattr(field, "choices", None)
    if choices:
        for choice in choices:
            key, text = (choice.value, choice.label) if hasattr(choice, "value") else (choice[0], choice[1])
            if str(key) == str(value):
                return str(text)
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_display(field, v) for v in value)
    return str(value)


def conflict_rows(submitted: FlaskForm, current: FlaskForm, skip: Iterable[str] = ()) -> list[ConflictRow]:
    """Field by field: what this planner typed, and what is saved now."""
    skipped = {"csrf_token", "version", "submit", *skip}
    rows = []
    for field in submitted:
        if field.name in skipped or field.type in ("HiddenField", "SubmitField", "CSRFTokenField"):
            continue
        theirs = current[field.name]
        rows.append(ConflictRow(str(field.label.text), _display(field, field.data), _display(theirs, theirs.data)))
    return rows


def render_conflict(submitted: FlaskForm, saved_now: SavedNow) -> tuple[str, int]:
    """The conflict page (HTTP 409): what was typed and what is saved now, side by side; nothing saved."""
    record = saved_now.load()
    current = saved_now.form()
    current.fill(record)
    html = render_template(
        "conflict.html",
        rows=conflict_rows(submitted, current),
        title=saved_now.title(record),
        back_url=saved_now.back_url,
        edit_url=saved_now.edit_url,
    )
    return html, 409


def confirmation_page(
    delegation: Any,
    *,
    heading: str,
    consequences: Iterable[str | None],
    action: str,
    version: int,
    button: str,
    cancel_url: str,
) -> str:
    """The GET page before a destructive action: what it does and what goes with it, and the button that does it.

    ``consequences`` are the sentences saying what goes with it (None: a sentence that does not apply).
    The button posts ``version`` to ``action`` (a :func:`versioned_action`), so a
    confirmation left open while someone else changed the record gives the usual
    stale-version answer. Works without JavaScript.
    """
    return render_template(
        "confirm.html",
        delegation=delegation,
        heading=heading,
        consequences=[c for c in consequences if c],
        action=action,
        version=version,
        button=button,
        cancel_url=cancel_url,
    )


def restore_action(restore: Callable[[], Any], *, message: str, done: Callable[[], str]) -> Response:
    """Take an item out of the trash for a POST (the trash page's button or the undo in a flash).

    Only the CSRF token is checked: a restore puts back what was there, whatever
    changed meanwhile. ``done`` is asked after the commit (it may flash the
    warnings the restored item has now, after ``message``).
    """
    if not FlaskForm().validate_on_submit():
        abort(400)
    restore()
    db.session.commit()
    flash(message, "info")
    return redirect(done())
