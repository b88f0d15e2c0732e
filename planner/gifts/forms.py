"""The gift form; it turns into :class:`~planner.gifts.inputs.GiftInput`.

Amounts are typed as the user's language writes them ("1.234,50" in German,
"1,234.50" in English) and parsed strictly: "abc", "12.5.3" or a misplaced
separator get a message rather than a guess.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.validators import StopValidation as _Stop

from planner.formatting import current_locale
from planner.gifts.inputs import GiftInput
from planner.labels import choices
from planner.models import Gift, GiftDirection
from planner.web.forms import InputForm, plausible_date
from planner.web.searchable import searchable

_TOO_LONG = _l("Bitte höchstens %(max)d Zeichen eingeben (jetzt %(length)d).")


def _clean(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _required(_form: Any, field: Any) -> None:
    if field.data in (None, ""):
        field.errors[:] = []
        raise _Stop(_l("Bitte ausfüllen."))


def _date_required(_form: Any, field: Any) -> None:
    """Empty: "please fill in"; typed but no date: "please enter a valid date" (not "please fill in")."""
    if field.data is None:
        field.errors[:] = []
        typed = bool(field.raw_data and str(field.raw_data[0]).strip())
        raise _Stop(_l("Bitte ein gültiges Datum angeben.") if typed else _l("Bitte ausfüllen."))


def _text(label_text: Any, max_length: int, *, required: bool = False) -> StringField:
    first = _required if required else Optional()
    return StringField(label_text, validators=[first, Length(max=max_length, message=_TOO_LONG)], filters=[_clean])


def parse_amount(text: str | None) -> Decimal | None:
    """An amount typed in the user's language as a Decimal with two places; None when empty.

    Raises ValueError (with a translated message) for anything that is not an amount.
    """
    if text is None or not text.strip():
        return None
    cleaned = text.strip().replace("€", "").replace("\u00a0", " ").strip()
    try:
        value = parse_decimal(cleaned.replace(" ", ""), locale=current_locale(), strict=True)
    except (NumberFormatError, InvalidOperation, ValueError):
        example = "1.234,50" if current_locale() == "de" else "1,234.50"
        raise ValueError(_("Bitte einen Betrag wie 25 oder %(example)s angeben.", example=example)) from None
    if not value.is_finite():
        raise ValueError(_("Bitte einen Betrag wie 25 oder %(example)s angeben.", example="25"))
    if value < 0:
        raise ValueError(_("Der Wert darf nicht negativ sein."))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("Bitte höchstens zwei Stellen nach dem Komma angeben."))
    return value.quantize(Decimal("0.01"))


def _amount(form: Any, field: StringField) -> None:
    try:
        parse_amount(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def _shown_amount(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = f"{value:.2f}"
    return text.replace(".", ",") if current_locale() == "de" else text


class GiftForm(InputForm):
    direction = SelectField(_l("Richtung"), choices=choices(GiftDirection), default=GiftDirection.GIVEN.value)
    item = _text(_l("Geschenk (was)"), 200, required=True)
    given_on = DateField(_l("Datum der Übergabe"), validators=[_date_required, plausible_date])
    appointment_id = SelectField(_l("Termin (falls bei einem Termin übergeben)"), coerce=int, default=0)
    occasion = _text(_l("Anlass (bleibt, auch wenn Reise oder Termin gelöscht werden)"), 300)
    person_id = SelectField(_l("Person (von wem / an wen)"), coerce=int, default=0, render_kw=searchable("person"))
    organization_id = SelectField(
        _l("Organisation (von wem / an wen)"), coerce=int, default=0, render_kw=searchable("organization")
    )
    city_id = SelectField(
        _l("Partnerstadt (leer: Ort des Termins oder der Organisation)"), coerce=int, default=0, render_kw=searchable("city")
    )
    our_side = _text(_l("Übergeben bzw. erhalten von (unsere Seite)"), 200)
    value_amount = StringField(_l("Geschätzter Wert"), validators=[Optional(), _amount])
    currency = StringField(
        _l("Währung (Code, z. B. EUR, CNY, KRW)"),
        default="EUR",
        validators=[_required, Length(max=3, message=_TOO_LONG)],
        filters=[_clean],
    )
    value_eur = StringField(_l("Geschätzter Wert in Euro (nur bei anderer Währung)"), validators=[Optional(), _amount])
    kept_at = _text(_l("Verbleib (wo das Geschenk jetzt ist)"), 300)
    declared = BooleanField(_l("Gemeldet (bei meldepflichtigen Geschenken)"))
    declared_on = DateField(_l("Gemeldet am"), validators=[Optional(), plausible_date])
    description = TextAreaField(
        _l("Beschreibung"), validators=[Optional(), Length(max=5000, message=_TOO_LONG)], filters=[_clean]
    )
    notes = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=5000, message=_TOO_LONG)], filters=[_clean])
    placeholder = BooleanField(_l("Angaben noch offen (Platzhalter, zu prüfen)"))
    repeat_confirmed = BooleanField(_l("Trotzdem speichern, auch wenn dasselbe Geschenk schon an dieses Gegenüber ging"))

    def validate_declared_on(self, field: DateField) -> None:
        if field.raw_data and field.raw_data[0].strip() and field.data is None:
            field.errors[:] = []
            raise _Stop(_l("Bitte ein gültiges Datum angeben."))

    def fill(self, record: Gift) -> None:
        self.process(formdata=None, obj=record)
        self.direction.data = record.direction.value
        for name in ("appointment_id", "person_id", "organization_id", "city_id"):
            self[name].data = getattr(record, name) or 0
        self.value_amount.data = _shown_amount(record.value_amount)
        self.value_eur.data = _shown_amount(record.value_eur) if record.currency != "EUR" else None
        self.repeat_confirmed.data = False

    def to_input(self) -> GiftInput:
        assert self.given_on.data is not None  # required
        return GiftInput(
            direction=GiftDirection(self.direction.data),
            item=self.item.data or "",
            given_on=self.given_on.data,
            description=self.description.data,
            occasion=self.occasion.data,
            appointment_id=self.appointment_id.data or None,
            person_id=self.person_id.data or None,
            organization_id=self.organization_id.data or None,
            city_id=self.city_id.data or None,
            our_side=self.our_side.data,
            value_amount=parse_amount(self.value_amount.data),
            currency=(self.currency.data or "EUR").upper(),
            value_eur=parse_amount(self.value_eur.data),
            kept_at=self.kept_at.data,
            declared=bool(self.declared.data),
            declared_on=self.declared_on.data,
            notes=self.notes.data,
            placeholder=bool(self.placeholder.data),
            repeat_confirmed=bool(self.repeat_confirmed.data),
            version=self.version.data,
        )
