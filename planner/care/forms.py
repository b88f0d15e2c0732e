"""The form of a person's travel data, as a carer edits it.

Every rule the data needs is checked here, with a German (translated)
message, and the values are handed on as a :class:`TravelProfileInput`:
countries from the app's country list (ISO 3166-1), the passport's expiry a
real date, dietary needs from :class:`DietaryNeed`, the phone number as the
directory takes it (at most 50 characters) written with the characters of a
phone number. The one-line fields hold one line: a line break there (only a
forged request can send one) is refused, not silently joined.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from planner.care.inputs import TravelProfileInput
from planner.formatting import country_choices, is_country_code
from planner.labels import choices
from planner.models import DietaryNeed, PassportType, TravelProfile
from planner.text import is_single_line
from planner.web.forms import InputForm, MultiCheckboxField, plausible_date

NOTES_MAX = 2000
_TOO_LONG = _l("Bitte höchstens %(max)d Zeichen eingeben (jetzt %(length)d).")
# Digits with the separators people write in phone numbers; a leading + for the country code.
_PHONE = re.compile(r"\+?[0-9][0-9 ()/.\-]*")
# Passport numbers are letters and digits (machine-readable zone); blanks as typed are dropped.
_PASSPORT_NUMBER = re.compile(r"[A-Z0-9]+")


def _clean(value: Any) -> Any:
    """Trim text; an empty entry is stored as nothing (NULL), not as ''."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip() or None
    return value


def _one_line(_form: Any, field: Any) -> None:
    if field.data and not is_single_line(field.data):
        raise ValidationError(_("Bitte ohne Zeilenumbruch eingeben: dieses Feld hat eine Zeile."))


def _country(_form: Any, field: Any) -> None:
    if field.data and not is_country_code(field.data):
        raise StopValidation(_("Bitte ein Land aus der Liste wählen."))


def _phone(_form: Any, field: Any) -> None:
    if field.data and not _PHONE.fullmatch(field.data):
        raise ValidationError(_("Bitte eine Telefonnummer aus Ziffern eingeben, z. B. +49 170 1234567."))


def _passport_number(_form: Any, field: Any) -> None:
    if field.data and not _PASSPORT_NUMBER.fullmatch(field.data):
        raise ValidationError(_("Eine Passnummer besteht aus Buchstaben (A–Z) und Ziffern."))


def _passport_number_filter(value: Any) -> Any:
    value = _clean(value)
    return value.replace(" ", "").upper() if isinstance(value, str) else value


class _OptionalDateField(DateField):
    """A date that may stay empty; a typed one that is no date gets a translated message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = date.fromisoformat(str(valuelist[0]).strip())
        except ValueError:
            self.data = None
            raise ValueError(_("Bitte ein gültiges Datum angeben.")) from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:  # that one message, not also the range check about a missing value
            raise StopValidation()


class _Needs(MultiCheckboxField):
    """The dietary needs as checkboxes; a value that is no :class:`DietaryNeed` is refused in German."""

    def pre_validate(self, form: Any) -> None:
        known = {need.value for need in DietaryNeed}
        if any(value not in known for value in self.data or ()):
            raise StopValidation(_("Bitte nur Angaben aus der Liste wählen."))


def _text(label: Any, max_length: int, *extra: Any, filters: tuple[Any, ...] = (_clean,)) -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=max_length, message=_TOO_LONG), _one_line, *extra],
        filters=list(filters),
    )


def _notes(label: Any) -> TextAreaField:
    return TextAreaField(
        label, validators=[Optional(), Length(max=NOTES_MAX, message=_TOO_LONG)], filters=[_clean], render_kw={"rows": 3}
    )


class TravelProfileForm(InputForm):
    """One person's travel data: passport, phone on the trip, emergency contact, diet, health, mobility, room."""

    # _clean: a blank value (whitespace only) is no choice. Optional() lets it through unchecked, as
    # empty, so it must also be empty in the data: "\r" as passport type was a 500, as country stored.
    passport_type = SelectField(_l("Passart"), validate_choice=False, validators=[Optional()], filters=[_clean])
    passport_country = SelectField(
        _l("Ausstellender Staat"), validate_choice=False, validators=[Optional(), _country], filters=[_clean]
    )
    passport_number = _text(_l("Passnummer"), 20, _passport_number, filters=(_passport_number_filter,))
    passport_expires_on = _OptionalDateField(_l("Pass gültig bis"), validators=[Optional(), plausible_date])
    nationality = SelectField(
        _l("Staatsangehörigkeit"), validate_choice=False, validators=[Optional(), _country], filters=[_clean]
    )
    mobile_phone = _text(_l("Mobiltelefon auf der Reise"), 50, _phone)
    emergency_contact = _text(_l("Kontakt im Notfall (Name, Beziehung, Telefon)"), 300)
    dietary_needs = _Needs(_l("Ernährung"))
    dietary_notes = _notes(_l("Ernährung: weitere Hinweise"))
    medical_notes = _notes(_l("Medizinische Hinweise"))
    mobility_needs = _notes(_l("Mobilität und Barrierefreiheit"))
    room_preference = _text(_l("Zimmerwunsch"), 300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        none = SelectChoice("", _("– keine Angabe –"))
        self.passport_type.choices = [none, *choices(PassportType)]
        countries = [none, *(SelectChoice(code, name) for code, name in country_choices())]
        self.passport_country.choices = countries
        self.nationality.choices = countries
        self.dietary_needs.choices = choices(DietaryNeed)

    def validate_passport_type(self, field: SelectField) -> None:
        if field.data and field.data not in {kind.value for kind in PassportType}:
            raise ValidationError(_("Bitte eine Passart aus der Liste wählen."))

    def fill(self, record: TravelProfile | None) -> None:
        """Show ``record`` (None: a person without travel data yet, version 1)."""
        if record is None:
            self.version.data = 1
            return
        self.process(formdata=None, obj=record)
        self.dietary_needs.data = [need.value for need in record.dietary_need_list]

    def to_input(self) -> TravelProfileInput:
        chosen = set(self.dietary_needs.data or ())
        return TravelProfileInput(
            version=self.version.data,
            passport_type=PassportType(self.passport_type.data) if self.passport_type.data else None,
            passport_country=self.passport_country.data or None,
            passport_number=self.passport_number.data,
            passport_expires_on=self.passport_expires_on.data,
            nationality=self.nationality.data or None,
            mobile_phone=self.mobile_phone.data,
            emergency_contact=self.emergency_contact.data,
            dietary_needs=tuple(need for need in DietaryNeed if need.value in chosen),
            dietary_notes=self.dietary_notes.data,
            medical_notes=self.medical_notes.data,
            mobility_needs=self.mobility_needs.data,
            room_preference=self.room_preference.data,
        )
