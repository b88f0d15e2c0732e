"""The entry-rule form: the admin's page to create and edit one rule, handing on an :class:`EntryRuleInput`."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import TextInput

from planner.editing import optional_text
from planner.entry.inputs import EntryRuleInput
from planner.formatting import country_choices
from planner.labels import choices
from planner.models import EntryRule, PassportType, ValidityFrom
from planner.web.forms import InputForm, plausible_date

TEXT_MAX = 10_000
_TOO_LONG = _l("Bitte höchstens %(max)d Zeichen eingeben (jetzt %(length)d).")
_CHOOSE = _l("Bitte ein Land aus der Liste wählen.")


class _WholeNumberField(IntegerField):
    """A whole number in a text input (a numeric keyboard on phones; a spinner changes the value on scroll).

    Anything but digits gets one clear message of ours, not also "between 1 and 3650" about a missing value.
    """

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = valuelist[0].strip() if valuelist and valuelist[0] else ""
        if not text:
            self.data = None
            return
        if not text.lstrip("-").isdigit() or len(text) > 9:
            self.data = None
            raise ValueError(_("Bitte eine ganze Zahl eingeben, z. B. 90."))
        self.data = int(text)

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()


def _whole_number(label: Any, low: int, high: int) -> IntegerField:
    return _WholeNumberField(
        label,
        render_kw={"inputmode": "numeric"},
        validators=[
            Optional(),
            NumberRange(min=low, max=high, message=_l("Bitte eine ganze Zahl zwischen %(min)s und %(max)s eingeben.")),
        ],
    )


def _text(value: str | None) -> str | None:
    # Browsers send line breaks as CRLF; store them as the seed does.
    return optional_text((value or "").replace("\r\n", "\n"))


def _date(label: Any) -> DateField:
    return DateField(label, validators=[Optional(), plausible_date])


class EntryRuleForm(InputForm):
    destination = SelectField(_l("Zielland"), validators=[InputRequired(message=_CHOOSE)])
    nationality = SelectField(
        _l("Staatsangehörigkeit (Pass ausstellender Staat)"), validators=[InputRequired(message=_CHOOSE)], default="DE"
    )
    passport_type = SelectField(_l("Passart"), choices=choices(PassportType), default=PassportType.ORDINARY.value)
    valid_from = _date(_l("Gilt ab (leer: seit jeher)"))
    visa_required = BooleanField(_l("Visum erforderlich"))
    visa_free_days = _whole_number(_l("Visumfreie Tage (höchstens)"), 1, 3650)
    counts_arrival_day = BooleanField(_l("Einreisetag zählt als erster Tag"), default=True)
    passport_validity_months = _whole_number(_l("Pass muss noch gültig sein (Monate)"), 0, 120)
    passport_validity_from = SelectField(
        _l("Passgültigkeit gerechnet"), choices=choices(ValidityFrom), default=ValidityFrom.DEPARTURE.value
    )
    waiver_covers_official = BooleanField(_l("Befreiung gilt auch für Dienstpässe"))
    notes = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=TEXT_MAX, message=_TOO_LONG)], render_kw={"rows": 4})
    source = TextAreaField(
        _l("Quelle (Adresse oder Dokument)"),
        validators=[Optional(), Length(max=TEXT_MAX, message=_TOO_LONG)],
        render_kw={"rows": 3},
    )
    checked_on = _date(_l("Zuletzt geprüft am"))
    to_be_verified = BooleanField(_l("Noch zu prüfen (keine belegte Quelle)"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = [("", _l("– bitte wählen –")), *country_choices()]
        self.destination.choices = countries
        self.nationality.choices = countries

    def fill(self, record: EntryRule) -> None:
        self.process(formdata=None, obj=record)
        self.passport_type.data = record.passport_type.value
        self.passport_validity_from.data = record.passport_validity_from.value

    def to_input(self) -> EntryRuleInput:
        return EntryRuleInput(
            destination=self.destination.data,
            nationality=self.nationality.data,
            passport_type=PassportType(self.passport_type.data),
            valid_from=self.valid_from.data,
            visa_required=self.visa_required.data,
            visa_free_days=self.visa_free_days.data,
            counts_arrival_day=self.counts_arrival_day.data,
            passport_validity_months=self.passport_validity_months.data,
            passport_validity_from=ValidityFrom(self.passport_validity_from.data),
            waiver_covers_official=self.waiver_covers_official.data,
            notes=_text(self.notes.data),
            source=_text(self.source.data),
            checked_on=self.checked_on.data,
            to_be_verified=self.to_be_verified.data,
        )
