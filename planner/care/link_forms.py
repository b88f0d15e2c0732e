"""The traveller's own form at their one-time link, and the carers' small buttons.

Country selects offer ISO codes only (named in the reader's language); a code
that is not on the list is refused like any tampered choice. The dietary needs
are the fixed :class:`~planner.models.DietaryNeed` list; anything else goes
into the note.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from planner.care.link_inputs import OwnProfileInput
from planner.formatting import country_choices
from planner.labels import choices
from planner.models import DietaryNeed, PassportType, TravelProfile
from planner.web.forms import InputForm, MultiCheckboxField, plausible_date, year_range_message

_TOO_LONG = _l("Bitte höchstens %(max)d Zeichen eingeben (jetzt %(length)d).")
_NONE = ("", "—")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _line(label: Any, max_length: int, **kwargs: Any) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=max_length, message=_TOO_LONG)], filters=[_strip], **kwargs)


def _text(label: Any, max_length: int = 2000) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=max_length, message=_TOO_LONG)], filters=[_strip])


class OwnProfileForm(InputForm):
    """Everything the traveller may enter about themselves; every field may stay empty."""

    passport_type = SelectField(_l("Art des Passes"), validators=[Optional()])
    passport_country = SelectField(_l("Ausstellender Staat"), validators=[Optional()])
    passport_number = _line(_l("Passnummer"), 30, render_kw={"autocomplete": "off", "spellcheck": "false"})
    passport_expires_on = DateField(
        _l("Pass gültig bis"), validators=[Optional(), plausible_date], render_kw={"autocomplete": "off"}
    )
    nationality = SelectField(_l("Staatsangehörigkeit"), validators=[Optional()])
    mobile_phone = _line(_l("Mobilnummer während der Reise"), 50, render_kw={"autocomplete": "tel", "type": "tel"})
    emergency_contact = _text(_l("Kontakt für den Notfall (Name, Beziehung, Telefon)"), 500)
    dietary_needs = MultiCheckboxField(_l("Ernährung"))
    dietary_notes = _text(_l("Weitere Hinweise zur Ernährung"), 1000)
    medical_notes = _text(_l("Gesundheit (was die Betreuung im Notfall wissen sollte)"))
    mobility_needs = _text(_l("Mobilität (z. B. Rollstuhl, keine langen Wege)"), 1000)
    room_preference = _text(_l("Zimmerwunsch"), 500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = [_NONE, *country_choices()]
        self.passport_type.choices = [_NONE, *choices(PassportType)]
        self.passport_country.choices = countries
        self.nationality.choices = countries
        self.dietary_needs.choices = choices(DietaryNeed)
        # A date the browser's picker cannot produce ("31.02.") is a typing mistake with a clear message.
        self.passport_expires_on.messages = {"invalid": year_range_message()}

    def fill(self, record: TravelProfile | None) -> None:
        if record is None:
            return
        for name in (
            "passport_type",
            "passport_country",
            "passport_number",
            "passport_expires_on",
            "nationality",
            "mobile_phone",
            "emergency_contact",
            "dietary_notes",
            "medical_notes",
            "mobility_needs",
            "room_preference",
            "version",
        ):
            value = getattr(record, name)
            self[name].data = "" if value is None and name not in ("passport_expires_on", "version") else value
        self.dietary_needs.data = [need.value for need in record.dietary_need_list]

    def to_input(self) -> OwnProfileInput:
        def text(field: Any) -> str | None:
            return field.data or None

        return OwnProfileInput(
            passport_type=PassportType(self.passport_type.data) if self.passport_type.data else None,
            passport_country=text(self.passport_country),
            passport_number=text(self.passport_number),
            passport_expires_on=self.passport_expires_on.data,
            nationality=text(self.nationality),
            mobile_phone=text(self.mobile_phone),
            emergency_contact=text(self.emergency_contact),
            dietary_needs=tuple(DietaryNeed(value) for value in self.dietary_needs.data or ()),
            dietary_notes=text(self.dietary_notes),
            medical_notes=text(self.medical_notes),
            mobility_needs=text(self.mobility_needs),
            room_preference=text(self.room_preference),
        )


class ButtonForm(FlaskForm):
    """A carer's button (send, revoke, names for the organiser): the CSRF token is all it carries."""
