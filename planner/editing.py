"""Shared rules for edit forms: optimistic locking and the conflict page.

Every edit form carries the ``version`` of the record it was opened with.
Saving compares it with the record's current version; a mismatch (another
planner saved in between) raises :class:`EditConflict`, and the view shows
both versions side by side instead of overwriting anything. The UPDATE
itself also carries ``WHERE version = ...`` (see VersionedMixin), which
catches the race where both saves pass the check at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import render_template
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field, HiddenField, IntegerField
from wtforms.validators import InputRequired

from planner.extensions import db

T = TypeVar("T")


class VersionField(IntegerField):
    """The record version a form was opened with (hidden)."""

    widget = HiddenField.widget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validators=[InputRequired()], **kwargs)


class EditConflict(Exception):
    """Someone else saved the record after this form was opened."""

    def __init__(self, obj: Any) -> None:
        # The key from the identity map, not obj.id: after a rollback the attributes are expired,
        # and reading them would query a row that may have been deleted meanwhile.
        state = sa.inspect(obj, raiseerr=False)
        key = ", ".join(map(str, state.identity)) if state is not None and state.identity else "?"
        super().__init__(f"{type(obj).__name__} {key} changed meanwhile")
        self.obj = obj


def optional_text(value: str | None) -> str | None:
    """A form's text as stored: surrounding blanks trimmed, empty input as NULL."""
    value = (value or "").strip()
    return value or None


def converted(value: T | None, name: str) -> T:
    """A value that a form's ``validate()`` worked out (a UTC instant, a zone): present once it passed.

    None here means a caller saved a form it had not validated; that is a bug to report, not
    something to store as NULL.
    """
    if value is None:
        raise ValueError(f"{name} is missing: only a validated form can be saved")
    return value


def ensure_version(obj: Any, submitted: int | None) -> None:
    if submitted is None or submitted != obj.version:
        raise EditConflict(obj)


def commit_edit(obj: Any) -> None:
    """Commit, turning a lost race on the version column into an :class:`EditConflict`."""
    try:
        db.session.commit()
    except StaleDataError:
        # No refresh: the row may have been deleted meanwhile. The caller reloads by id (404 if gone).
        db.session.rollback()
        raise EditConflict(obj) from None


@dataclass(frozen=True)
class ConflictRow:
    label: str
    yours: str
    theirs: str

    @property
    def differs(self) -> bool:
        return self.yours != self.theirs


def _display(field: Field, value: Any) -> str:
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
        rows.append(
            ConflictRow(
                str(field.label.text), _display(field, field.data), _display(current[field.name], current[field.name].data)
            )
        )
    return rows


def render_conflict(submitted: FlaskForm, current: FlaskForm, *, title: str, back_url: str, edit_url: str) -> tuple[str, int]:
    """The conflict page (HTTP 409): both versions side by side, nothing saved.

    ``current`` is the same form class filled from the record as saved now.
    """
    return (
        render_template(
            "conflict.html", rows=conflict_rows(submitted, current), title=title, back_url=back_url, edit_url=edit_url
        ),
        409,
    )
