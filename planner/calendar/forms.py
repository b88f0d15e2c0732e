"""Forms of the calendar feature."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from planner.labels import choices, language_choices
from planner.models import Audience, FeedFollows


class NewFeedForm(FlaskForm):
    member_id = SelectField(_l("Für"), coerce=int)
    # Empty: the member's own language (planner.calendar.operations.issue_feed); German for the whole trip.
    locale = SelectField(
        _l("Sprache der Einträge"),
        choices=[SelectChoice("", _l("Sprache des Mitglieds")), *language_choices()],
        default="",
    )
    # Empty: the usual audience of the link (a member's own link: member; the whole trip: planning team).
    audience = SelectField(
        _l("Zielgruppe"),
        choices=[SelectChoice("", _l("Üblich (Mitglied bzw. Planungsteam)")), *choices(Audience)],
        default="",
    )
    # Empty: the usual for the audience (the planning team: the draft; everyone else: the released version).
    follows = SelectField(
        _l("Zeigt"),
        choices=[SelectChoice("", _l("Üblich (Planungsteam: Entwurf, sonst freigegebene Fassung)")), *choices(FeedFollows)],
        default="",
    )

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.audience.data == Audience.MEMBER.value and not self.member_id.data:
            # A member's view needs the member: their items and their briefings.
            self.audience.errors = [*self.audience.errors, _l("Die Zielgruppe „Mitglied“ braucht ein Mitglied.")]
            return False
        return True

    @property
    def chosen_audience(self) -> Audience | None:
        """The audience picked, or None for the usual one."""
        return Audience(self.audience.data) if self.audience.data else None

    @property
    def chosen_follows(self) -> FeedFollows | None:
        """The version picked (released or draft), or None for the usual one of the audience."""
        return FeedFollows(self.follows.data) if self.follows.data else None


class ActionForm(FlaskForm):
    """A bare POST with its CSRF token (rotate, revoke, confirm, discard)."""


class ImportForm(FlaskForm):
    file = FileField(_l("iCalendar-Datei (.ics)"), validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))])
