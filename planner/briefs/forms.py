"""The brief's options form: audience, edition (released or draft), language, sections and member, sent by GET."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from planner.briefs.options import (
    AUDIENCE_LABELS,
    EDITION_LABELS,
    MEMBER_FIELD_LABEL,
    NO_MEMBER_LABEL,
    SECTION_LABELS,
    SECTIONS,
    Audience,
    BriefOptions,
    Edition,
    check_options,
)
from planner.editing import Rejected
from planner.formatting import current_locale
from planner.labels import language_choices
from planner.models import Delegation


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BriefOptionsForm(FlaskForm):
    """Read from the query string; a GET changes nothing, so there is no CSRF token."""

    class Meta:
        csrf = False

    audience = RadioField(
        _l("Fassung"),
        choices=[SelectChoice(a.value, AUDIENCE_LABELS[a]) for a in Audience],
        default=Audience.FULL.value,
        validate_choice=False,
    )
    # No default: without a choice the released version is printed when there is one, else the draft.
    # Not labelled "Fassung": that word names the audience variants above (and their refusal messages).
    edition = RadioField(
        _l("Programmstand"),
        choices=[SelectChoice(e.value, EDITION_LABELS[e]) for e in Edition],
        validate_choice=False,
    )
    member = SelectField(MEMBER_FIELD_LABEL, choices=[], validate_choice=False)
    lang = RadioField(
        _l("Sprache"),
        choices=language_choices(),
        default=current_locale,
        validate_choice=False,
    )
    sections = _Checkboxes(
        _l("Abschnitte"),
        choices=[SelectChoice(s, SECTION_LABELS[s]) for s in SECTIONS],
        default=list(SECTIONS),
        validate_choice=False,
    )

    options: BriefOptions | None = None

    def __init__(self, *args: Any, delegation: Delegation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = delegation.members if delegation is not None else []
        self.member.choices = [SelectChoice("", NO_MEMBER_LABEL)] + [
            SelectChoice(str(m.person_id), m.person.display_name) for m in members
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.options = check_options(
                _raw(self.audience),
                _raw(self.member),
                _raw(self.lang),
                self.sections.raw_data or None,
                default_lang=current_locale(),
                edition=_raw(self.edition),
            )
        except Rejected as error:
            getattr(self, error.field).errors = [*getattr(self, error.field).errors, error.message]
            return False
        return True


def _raw(field: Any) -> str | None:
    """What the request said, not the field's default: "no audience" differs from "audience=full"."""
    return field.raw_data[0] if field.raw_data else None
