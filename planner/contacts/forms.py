"""The admin form of an emergency number; it turns into :class:`~planner.contacts.inputs.EmergencyNumberInput`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Length, Optional
from wtforms.validators import StopValidation as _Stop

from planner.contacts.inputs import EmergencyNumberInput
from planner.formatting import country_choices
from planner.labels import choices
from planner.models import EmergencyNumber, EmergencyService
from planner.web.forms import InputForm, plausible_date

_TOO_LONG = _l("Bitte höchstens %(max)d Zeichen eingeben (jetzt %(length)d).")


def _clean(value: Any) -> Any:
    """Trim text; an empty entry is stored as "nothing" (NULL)."""
    return (value.strip() or None) if isinstance(value, str) else value


def _required(_form: Any, field: Any) -> None:
    if field.data in (None, ""):
        field.errors[:] = []
        raise _Stop(_l("Bitte ausfüllen."))


def _text(label_text: Any, max_length: int, *, required: bool = False) -> StringField:
    first = _required if required else Optional()
    return StringField(label_text, validators=[first, Length(max=max_length, message=_TOO_LONG)], filters=[_clean])


class EmergencyNumberForm(InputForm):
    # No choice check by WTForms: an unknown code gets the directory's own message (planner.directory.operations).
    country_iso = SelectField(_l("Land"), validators=[_required], validate_choice=False)
    service = SelectField(_l("Dienst"), choices=choices(EmergencyService), validators=[_required])
    number = _text(_l("Nummer"), 30, required=True)
    note = _text(_l("Hinweis"), 300)
    source = _text(_l("Quelle (Webadresse oder Dokument)"), 500)
    checked_on = DateField(_l("Geprüft am"), validators=[Optional(), plausible_date])
    to_be_verified = BooleanField(_l("Noch zu prüfen (ohne Quelle oder Prüfdatum nicht abwählbar)"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country_iso.choices = [("", _l("– bitte wählen –")), *country_choices()]

    def fill(self, record: EmergencyNumber) -> None:
        self.process(formdata=None, obj=record)
        self.country_iso.data = record.country.iso_code
        self.service.data = record.service.value

    def validate_checked_on(self, field: DateField) -> None:
        if field.raw_data and field.raw_data[0].strip() and field.data is None:
            field.errors[:] = []
            raise _Stop(_l("Bitte ein gültiges Datum angeben."))

    def to_input(self) -> EmergencyNumberInput:
        return EmergencyNumberInput(
            country_iso=self.country_iso.data or "",
            service=EmergencyService(self.service.data),
            number=self.number.data or "",
            note=self.note.data,
            source=self.source.data,
            checked_on=self.checked_on.data,
            to_be_verified=bool(self.to_be_verified.data),
        )
