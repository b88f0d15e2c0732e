"""The form of an etiquette note; it turns into :class:`~planner.etiquette.inputs.EtiquetteNoteInput`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.validators import StopValidation as _Stop

from planner.etiquette.inputs import EtiquetteNoteInput
from planner.formatting import country_choices
from planner.labels import choices
from planner.models import EtiquetteNote, EtiquetteTopic
from planner.web.forms import InputForm, plausible_date

_TOO_LONG = _l("Bitte höchstens %(max)d Zeichen eingeben (jetzt %(length)d).")


def _clean(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _required(_form: Any, field: Any) -> None:
    if field.data in (None, ""):
        field.errors[:] = []
        raise _Stop(_l("Bitte ausfüllen."))


def _long_text(label_text: Any, *, required: bool = False) -> TextAreaField:
    first = _required if required else Optional()
    return TextAreaField(label_text, validators=[first, Length(max=5000, message=_TOO_LONG)], filters=[_clean])


LANGUAGE_CHOICES = [
    SelectChoice("", _l("– keine –")),
    SelectChoice("ko", _l("Koreanisch")),
    SelectChoice("zh_Hans", _l("Chinesisch (vereinfacht)")),
]


class EtiquetteNoteForm(InputForm):
    country_iso = SelectField(_l("Land"), validators=[_required], validate_choice=False)
    topic = SelectField(_l("Thema"), choices=choices(EtiquetteTopic), validators=[_required])
    text_de = _long_text(_l("Hinweis (Deutsch)"), required=True)
    text_en = _long_text(_l("Hinweis (Englisch)"))
    native_language = SelectField(_l("Sprache der Übersetzung"), choices=LANGUAGE_CHOICES, default="")
    text_native = _long_text(_l("Übersetzung in die Landessprache"))
    native_reviewed = BooleanField(_l("Übersetzung von einer Person mit dieser Sprache geprüft"))
    source = StringField(
        _l("Quelle (Webadresse oder Dokument)"), validators=[Optional(), Length(max=500, message=_TOO_LONG)], filters=[_clean]
    )
    checked_on = DateField(_l("Geprüft am"), validators=[Optional(), plausible_date])
    to_be_verified = BooleanField(_l("Noch zu prüfen (ohne Quelle oder Prüfdatum nicht abwählbar)"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country_iso.choices = [SelectChoice("", _l("– bitte wählen –")), *(SelectChoice(c, n) for c, n in country_choices())]

    def fill(self, record: EtiquetteNote) -> None:
        self.process(formdata=None, obj=record)
        self.country_iso.data = record.country.iso_code
        self.topic.data = record.topic.value
        self.native_language.data = record.native_language or ""

    def validate_checked_on(self, field: DateField) -> None:
        if field.raw_data and field.raw_data[0].strip() and field.data is None:
            field.errors[:] = []
            raise _Stop(_l("Bitte ein gültiges Datum angeben."))

    def to_input(self) -> EtiquetteNoteInput:
        return EtiquetteNoteInput(
            country_iso=self.country_iso.data or "",
            topic=EtiquetteTopic(self.topic.data),
            text_de=self.text_de.data or "",
            text_en=self.text_en.data,
            native_language=self.native_language.data or None,
            text_native=self.text_native.data,
            native_reviewed=bool(self.native_reviewed.data),
            source=self.source.data,
            checked_on=self.checked_on.data,
            to_be_verified=bool(self.to_be_verified.data),
        )
