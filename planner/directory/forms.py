"""Input rules of the directory forms.

Length limits follow the columns (``String(200)`` -> at most 200 characters);
free-text columns (``Text``) get a generous limit so that a pasted document
cannot bloat pages and briefs. Every message is German and translatable,
including the ones WTForms would otherwise word in English.

Each form comes in two flavours: the "new" form, and the "edit" form that
additionally carries the record ``version`` it was opened with (optimistic
locking, see :mod:`planner.editing`). The ``*_form`` factories fill in the
select choices, which come from the database and the locale.
"""

from __future__ import annotations

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
from planner.formatting import country_choices
from planner.labels import label
from planner.models import City, Organization, OrganizationKind, Partnership, Person
from planner.timezones import is_known_zone, zone_names
from planner.web.forms import VersionField

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


# -- organizations --------------------------------------------------------------


class OrganizationForm(FlaskForm):
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


class OrganizationEditForm(OrganizationForm):
    version = VersionField()


def organization_form(organization: Organization | None = None, **kwargs: Any) -> OrganizationForm:
    """The new form (``organization`` None) or the edit form of ``organization``."""
    form = OrganizationForm(**kwargs) if organization is None else OrganizationEditForm(obj=organization, **kwargs)
    form.kind.choices = [(kind.value, label(kind)) for kind in OrganizationKind]
    form.city_id.choices = [("", _l("– keine –")), *queries.city_choices()]
    return form


# -- people -------------------------------------------------------------------------


class PersonForm(FlaskForm):
    honorific = _text(_l("Titel (z. B. Dr.)"), 50)
    name = _text(_l("Name"), 200, required=True)
    native_name = _text(_l("Name in Landesschrift"), 200)
    function = _text(_l("Funktion"), 200)
    organization_id = SelectField(_l("Organisation"), coerce=_optional_id)
    email = EmailField(
        _l("E-Mail-Adresse"), validators=[Optional(), Length(max=254, message=_TOO_LONG), _email()], filters=[_clean]
    )
    phone = _text(_l("Telefon"), 50)
    languages = _text(_l("Sprachen (z. B. de, en, ko)"), 100)
    notes = _long_text(_l("Notizen"))
    contact_is_placeholder = BooleanField(_l("Kontaktdaten sind Platzhalter (nicht verwenden)"))


class PersonEditForm(PersonForm):
    version = VersionField()


def person_form(person: Person | None = None, **kwargs: Any) -> PersonForm:
    form = PersonForm(**kwargs) if person is None else PersonEditForm(obj=person, **kwargs)
    form.organization_id.choices = [("", _l("– keine –")), *queries.organization_choices()]
    return form


# -- cities ---------------------------------------------------------------------------


class CityForm(FlaskForm):
    name = _text(_l("Name"), 100, required=True)
    native_name = _text(_l("Name in Landesschrift"), 100)
    country_iso = SelectField(_l("Land"), validators=[_Required()])
    # No choice check by WTForms: an unknown zone gets our own, explicit message.
    timezone = SelectField(_l("Zeitzone (IANA)"), validators=[_Required(), _known_zone], validate_choice=False)
    latitude = FloatField(
        _l("Breitengrad"),
        widget=TextInput(),
        render_kw={"inputmode": "decimal"},
        validators=[
            Optional(),
            NumberRange(min=-90, max=90, message=_l("Bitte einen Wert zwischen %(min)s und %(max)s eingeben.")),
        ],
    )
    longitude = FloatField(
        _l("Längengrad"),
        widget=TextInput(),
        render_kw={"inputmode": "decimal"},
        validators=[
            Optional(),
            NumberRange(min=-180, max=180, message=_l("Bitte einen Wert zwischen %(min)s und %(max)s eingeben.")),
        ],
    )
    profile = _long_text(_l("Profil"))


class CityEditForm(CityForm):
    version = VersionField()


def city_form(city: City | None = None, **kwargs: Any) -> CityForm:
    form = CityForm(**kwargs) if city is None else CityEditForm(obj=city, country_iso=city.country.iso_code, **kwargs)
    form.country_iso.choices = [("", _l("– bitte wählen –")), *country_choices()]
    zones = list(zone_names())
    if city is not None and city.timezone not in zones:
        zones.append(city.timezone)  # a valid but unlisted name (an alias) must stay selectable
    form.timezone.choices = [("", _l("– bitte wählen –"))] + [(zone, zone) for zone in zones]
    return form


# -- partnerships -------------------------------------------------------------------


class PartnershipForm(FlaskForm):
    home_city_id = SelectField(_l("Heimatstadt"), coerce=_optional_id, validators=[_Required()])
    partner_city_id = SelectField(_l("Partner-Stadt"), coerce=_optional_id, validators=[_Required()])
    since = DateField(_l("Partnerschaft seit"), validators=[InputRequired(message=_l("Bitte ein Datum angeben."))])
    notes = _long_text(_l("Notizen"))

    def validate_partner_city_id(self, field: Any) -> None:
        if field.data is not None and field.data == self.home_city_id.data:
            raise ValidationError(_l("Die Partnerstadt muss eine andere Stadt sein als die Heimatstadt."))


class PartnershipEditForm(PartnershipForm):
    version = VersionField()


def partnership_form(partnership: Partnership | None = None, **kwargs: Any) -> PartnershipForm:
    form = PartnershipForm(**kwargs) if partnership is None else PartnershipEditForm(obj=partnership, **kwargs)
    choices = [("", _l("– bitte wählen –")), *queries.city_choices()]
    form.home_city_id.choices = choices
    form.partner_city_id.choices = choices
    return form
