"""Forms of the calendar feature."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice


class NewFeedForm(FlaskForm):
    member_id = SelectField(_l("Für"), coerce=int)
    locale = SelectField(_l("Sprache der Einträge"), choices=[SelectChoice("de", "Deutsch"), SelectChoice("en", "English")])


class ActionForm(FlaskForm):
    """A bare POST with its CSRF token (rotate, revoke, confirm, discard)."""


class ImportForm(FlaskForm):
    file = FileField(_l("iCalendar-Datei (.ics)"), validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))])
