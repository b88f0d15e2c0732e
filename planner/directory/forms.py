"""Input rules of the directory forms.

Length limits follow the columns (``String(200)`` -> at most 200 characters);
free-text columns (``Text``) get a generous limit so that a pasted document
cannot bloat pages and briefs. Every message is German and translatable,
including the ones WTForms would otherwise word in English.

Every form is an :class:`~planner.web.forms.InputForm`: the same class creates
and edits (it carries the record ``version`` it was opened with, see
:mod:`planner.editing`), ``fill(record)`` shows a record and ``to_input()``
hands the validated values on as the typed input of
:mod:`planner.directory.inputs`. Each form fills in its select choices, which
come from the database and the locale, when it is made.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextInput

from planner.directory import founded_years, queries
from planner.directory.inputs import CityInput, OrganizationInput, PartnershipInput, PersonInput
from planner.formatting import country_choices
from planner.labels import choices, label
from planner.models import City, OrganizationKind, PersonSide
from planner.timezones import is_known_zone
from planner.web.forms import InputForm, regroup_on_change, zone_choices

TEXT_MAX = 10_000
# The whole (translated) message; WTForms fills in max and length.
_TOO_LONG = _l("Bitte höchstens %(max)d Zeichen eingeben (jetzt %(length)d).")


def _founded_year(form: FlaskForm, field: IntegerField) -> None:
    first, last = founded_years()
    if field.data is not None and not first <= field.data <= last:
        raise ValidationError(_("Bitte ein Jahr zwischen %(min)s und %(max)s eingeben.", min=first, max=last))


def _clean(value: Any) -> Any:
    """Trim text; an empty entry is stored as "nothing" (NULL), not as ''."""
    if isinstance(value, str):
        # Browsers send line breaks as CRLF; store them the way the seed and the CLI do.
        return value.replace("\r\n", "\n").strip() or None
    return value


def _optional_id(value: Any) -> int | None:
    """Coerce a select value to a record id; the empty choice means none."""
    if value in (None, ""):
        return None
    return int(value)


class _Required:
    """Refuses an empty choice and an entry of only spaces (``InputRequired`` would take "   ")."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if field.data in (None, ""):
            field.errors[:] = []
            raise StopValidation(_l("Bitte ausfüllen."))


def _text(label_text: Any, max_length: int, *, required: bool = False, **kwargs: Any) -> StringField:
    validators: list[Any] = [_Required()] if required else [Optional()]
    validators.append(Length(max=max_length, message=_TOO_LONG))
    return StringField(label_text, validators=validators, filters=[_clean], **kwargs)


def _long_text(label_text: Any) -> TextAreaField:
    return TextAreaField(
        label_text,
        validators=[Optional(), Length(max=TEXT_MAX, message=_TOO_LONG)],
        filters=[_clean],
        render_kw={"rows": 5},
    )


def _email() -> Email:
    return Email(message=_l("Bitte eine gültige E-Mail-Adresse eingeben (z. B. name@example.org)."))


def _web_address(_form: FlaskForm, field: Any) -> None:
    # Only http(s): the address becomes a link, and "javascript:" must never be one.
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
        raise ValidationError(_l("Bitte eine vollständige Webadresse mit https:// eingeben."))


def _known_zone(_form: FlaskForm, field: Any) -> None:
    if field.data and not is_known_zone(field.data):
        raise ValidationError(
            _(
                "„%(zone)s“ ist keine bekannte IANA-Zeitzone. Bitte eine Zeitzone aus der Liste wählen, z. B. Europe/Berlin.",
                zone=field.data,
            )
        )


class _DecimalField(FloatField):
    """A number typed the German way ("51,2277") or the English way ("51.2277"), with one message otherwise."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        try:
            # Digits only (no "1e5", "nan", "inf" or "1_000" that float() would take).
            if not text.lstrip("+-").replace(",", "", 1).replace(".", "", 1).isdigit() or ("," in text and "." in text):
                raise ValueError(text)
            self.data = float(text.replace(",", "."))
        except ValueError:
            self.data = None
            raise ValueError(_("Bitte eine Zahl eingeben, z. B. 51,2277 oder 51.2277.")) from None

    def pre_validate(self, form: Any) -> None:
        # Not a number: that one message only, not also "between -90 and 90" about a missing value.
        if self.process_errors:
            raise StopValidation()


def _input(form: FlaskForm, input_type: type[Any], **converted: Any) -> Any:
    """``input_type`` made from the form's fields of the same names (``converted`` overrides some)."""
    values = {field.name: form[field.name].data for field in dataclasses.fields(input_type)}
    return input_type(**(values | converted))


class _RecordForm(InputForm):
    """A directory form whose fields are named like the record's columns."""

    def fill(self, record: Any) -> None:
        self.process(formdata=None, obj=record)


# -- organizations --------------------------------------------------------------


class OrganizationForm(_RecordForm):
    name = _text(_l("Name"), 200, required=True)
    native_name = _text(_l("Name in Landesschrift"), 200)
    kind = SelectField(_l("Art"), validators=[_Required()])
    sector = _text(_l("Branche / Bereich"), 200)
    profile = _long_text(_l("Profil"))
    home_relation = _long_text(_l("Bezug zur Heimatstadt"))
    # Text inputs (with a numeric keyboard on phones) rather than spinners that change a year on scroll.
    founded_year = IntegerField(
        _l("Gründungsjahr"),
        widget=TextInput(),
        render_kw={"inputmode": "numeric"},
        validators=[
            Optional(),
            _founded_year,
        ],
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300, message=_TOO_LONG), _web_address],
        filters=[_clean],
    )
    address = _long_text(_l("Adresse"))
    city_id = SelectField(_l("Stadt"), coerce=_optional_id)
    phone = _text(_l("Telefon"), 50)
    email = EmailField(
        _l("E-Mail-Adresse"), validators=[Optional(), Length(max=254, message=_TOO_LONG), _email()], filters=[_clean]
    )
    contact_is_placeholder = BooleanField(_l("Kontaktdaten sind Platzhalter (nicht verwenden)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, label(kind)) for kind in OrganizationKind]
        self.city_id.choices = [("", _l("– keine –")), *queries.city_choices()]

    def to_input(self) -> OrganizationInput:
        return _input(self, OrganizationInput, kind=OrganizationKind(self.kind.data))


# -- people -------------------------------------------------------------------------


class PersonForm(_RecordForm):
    """A person of the directory; also the "new person" dialog of other pages."""

    title = _text(_l("Titel (z. B. Dr., Prof. Dr.)"), 50)
    title_en = _text(_l("Titel auf Englisch, falls anders (z. B. Prof.)"), 50)
    salutation = _text(_l("Anrede (z. B. Herr Oberbürgermeister)"), 100)
    salutation_en = _text(_l("Anrede auf Englisch (z. B. Lord Mayor)"), 100)
    given_name = _text(_l("Vorname"), 100)
    family_name = _text(_l("Familienname"), 200, required=True)
    family_name_first = BooleanField(_l("Familienname zuerst schreiben (z. B. chinesische oder koreanische Namen)"))
    side = SelectField(_l("Seite"), choices=choices(PersonSide), default=PersonSide.HOST.value)
    native_name = _text(_l("Name in Landesschrift"), 200)
    romanized_name = _text(_l("Umschrift des Namens in Landesschrift (z. B. Pinyin)"), 200)
    function = _text(_l("Funktion"), 200)
    function_en = _text(_l("Funktion auf Englisch"), 200)
    organization_id = SelectField(_l("Organisation"), coerce=_optional_id)
    email = EmailField(
        _l("E-Mail-Adresse"), validators=[Optional(), Length(max=254, message=_TOO_LONG), _email()], filters=[_clean]
    )
    phone = _text(_l("Telefon"), 50)
    languages = _text(_l("Sprachen (z. B. de, en, ko)"), 100)
    notes = _long_text(_l("Notizen"))
    contact_is_placeholder = BooleanField(_l("Kontaktdaten sind Platzhalter (nicht verwenden)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id.choices = [("", _l("– keine –")), *queries.organization_choices()]

    def to_input(self) -> PersonInput:
        return _input(self, PersonInput, side=PersonSide(self.side.data))


# -- cities ---------------------------------------------------------------------------


class CityForm(_RecordForm):
    name = _text(_l("Name"), 100, required=True)
    native_name = _text(_l("Name in Landesschrift"), 100)
    country_iso = SelectField(_l("Land"), validators=[_Required()])
    # No choice check by WTForms: an unknown zone gets our own, explicit message.
    timezone = SelectField(_l("Zeitzone (IANA)"), validators=[_Required(), _known_zone], validate_choice=False)
    latitude = _DecimalField(
        _l("Breitengrad"),
        render_kw={"inputmode": "decimal"},
        validators=[
            Optional(),
            NumberRange(min=-90, max=90, message=_l("Bitte einen Wert zwischen %(min)s und %(max)s eingeben.")),
        ],
    )
    longitude = _DecimalField(
        _l("Längengrad"),
        render_kw={"inputmode": "decimal"},
        validators=[
            Optional(),
            NumberRange(min=-180, max=180, message=_l("Bitte einen Wert zwischen %(min)s und %(max)s eingeben.")),
        ],
    )
    profile = _long_text(_l("Profil"))

    def __init__(self, *args: Any, saved_zone: str | None = None, **kwargs: Any) -> None:
        """``saved_zone``: the zone of the city being edited, offered even if it is not in the list."""
        super().__init__(*args, **kwargs)
        self.country_iso.choices = [("", _l("– bitte wählen –")), *country_choices()]
        self._saved_zone = saved_zone
        self._zone_choices()

    def _zone_choices(self) -> None:
        """The chosen country's zones first (a short group), then all the others."""
        self.timezone.choices = zone_choices(
            self.country_iso.data, first=[SelectChoice("", _l("– bitte wählen –"))], keep=self._saved_zone
        )
        regroup_on_change(self.timezone, self.country_iso, (str(code) for code, _name in self.country_iso.choices or [] if code))

    def fill(self, record: City) -> None:
        super().fill(record)
        self.country_iso.data = record.country.iso_code
        self._zone_choices()

    def to_input(self) -> CityInput:
        return _input(self, CityInput)


# -- partnerships -------------------------------------------------------------------


class PartnershipForm(_RecordForm):
    home_city_id = SelectField(_l("Heimatstadt"), coerce=_optional_id, validators=[_Required()])
    partner_city_id = SelectField(_l("Partner-Stadt"), coerce=_optional_id, validators=[_Required()])
    since = DateField(_l("Partnerschaft seit"), validators=[InputRequired(message=_l("Bitte ein Datum angeben."))])
    notes = _long_text(_l("Notizen"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _l("– bitte wählen –")), *queries.city_choices()]
        self.home_city_id.choices = choices
        self.partner_city_id.choices = choices

    def validate_partner_city_id(self, field: Any) -> None:
        if field.data is not None and field.data == self.home_city_id.data:
            raise ValidationError(_l("Die Partnerstadt muss eine andere Stadt sein als die Heimatstadt."))

    def to_input(self) -> PartnershipInput:
        return _input(self, PartnershipInput)
