"""Forms for appointments and journeys.

Planners type the wall time of the place; the form converts it to UTC
through :mod:`planner.timezones` and turns the two DST traps into clear
messages: a time in the spring-forward gap is refused, a time in the
fall-back hour asks which of the two is meant.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from planner.labels import choices, label
from planner.models import AppointmentKind, ItemStatus, JourneyMode, Visibility
from planner.timezones import (
    FIRST_YEAR,
    LAST_YEAR,
    AmbiguousLocalTime,
    NonexistentLocalTime,
    UnknownTimeZone,
    is_known_zone,
    to_utc,
)
from planner.web.forms import VersionField

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (e.g. the attending members)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def enum_choices(enum_cls: type[enum.Enum]) -> list[SelectChoice]:
    return [SelectChoice(member.value, label(member)) for member in enum_cls]


def visibility_choices() -> list[SelectChoice]:
    """Internal / delegation / public, labelled lazily so the page's language applies."""
    return choices(Visibility)


def fold_choices() -> list[SelectChoice]:
    return [
        SelectChoice("0", _l("die erste (noch Sommerzeit)")),
        SelectChoice("1", _l("die zweite (schon Winterzeit)")),
    ]


def plausible_date(form: FlaskForm, field: Field) -> None:
    """A WTForms validator: dates far outside any trip are typing mistakes (and overflow date arithmetic)."""
    value = field.data
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(_("Bitte ein Datum zwischen %(first)d und %(last)d angeben.", first=FIRST_YEAR, last=LAST_YEAR))


def known_zone(field: Field) -> str | None:
    """The zone chosen in ``field``, or None with a clear error (select boxes can be tampered with)."""
    if field.data and is_known_zone(field.data):
        return field.data
    if field.data:
        field.errors.append(_("Unbekannte Zeitzone „%(zone)s“. Bitte eine Zeitzone aus der Liste wählen.", zone=field.data))
    else:
        field.errors.append(_("Bitte eine Zeitzone wählen."))
    return None


def convert_local(form: FlaskForm, field: Field, zone: str | None, fold_field: RadioField) -> datetime | None:
    """The UTC instant of ``field``'s wall time at ``zone``, or None with an error on the field."""
    wall = field.data
    if wall is None or zone is None:
        return None
    if not FIRST_YEAR <= wall.year <= LAST_YEAR:
        field.errors.append(_("Bitte ein Datum zwischen %(first)d und %(last)d angeben.", first=FIRST_YEAR, last=LAST_YEAR))
        return None
    fold = int(fold_field.data) if fold_field.data in ("0", "1") else None
    try:
        return to_utc(wall, zone, fold=fold)
    except UnknownTimeZone:
        return None  # reported on the zone field
    except NonexistentLocalTime:
        field.errors.append(
            _(
                "%(time)s gibt es am %(day)s in %(zone)s nicht: Die Uhren springen wegen der Zeitumstellung vor. "
                "Bitte eine andere Uhrzeit wählen.",
                time=wall.strftime("%H:%M"),
                day=format_datetime(wall, "d. MMMM y"),
                zone=zone,
            )
        )
    except AmbiguousLocalTime:
        fold_field.needed = True
        field.errors.append(
            _(
                "%(time)s gibt es am %(day)s in %(zone)s zweimal (Zeitumstellung). Bitte unten wählen, welche gemeint ist.",
                time=wall.strftime("%H:%M"),
                day=format_datetime(wall, "d. MMMM y"),
                zone=zone,
            )
        )
    return None


class AppointmentForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Art"), choices=enum_choices(AppointmentKind), default=AppointmentKind.OTHER.value)
    status = SelectField(_l("Status"), choices=enum_choices(ItemStatus), default=ItemStatus.TENTATIVE.value)
    city_id = SelectField(_l("Stadt"), coerce=int, validators=[InputRequired()])
    # Empty means "the zone of the chosen city", the usual case.
    timezone = SelectField(_l("Zeitzone des Ortes"), validators=[Optional()], validate_choice=False)
    starts = DateTimeLocalField(
        _l("Beginn (Ortszeit)"),
        format=LOCAL_FORMAT,
        validators=[DataRequired(message=_l("Bitte Datum und Uhrzeit des Beginns angeben."))],
    )
    ends = DateTimeLocalField(
        _l("Ende (Ortszeit)"),
        format=LOCAL_FORMAT,
        validators=[DataRequired(message=_l("Bitte Datum und Uhrzeit des Endes angeben."))],
    )
    fold = RadioField(_l("Welche der beiden Uhrzeiten ist gemeint?"), choices=fold_choices(), validators=[Optional()])
    venue = StringField(_l("Ort / Gebäude"), validators=[Optional(), Length(max=200)])
    address = TextAreaField(_l("Adresse"), validators=[Optional(), Length(max=2000)])
    organization_id = SelectField(_l("Besuchte Organisation"), coerce=int, default=0)
    contact_person_id = SelectField(_l("Ansprechperson vor Ort"), coerce=int, default=0)
    attendees = MultiCheckboxField(_l("Teilnehmende"), coerce=int)
    visibility = SelectField(_l("Sichtbarkeit"), choices=visibility_choices(), default=Visibility.DELEGATION.value)
    # Who gets objectives, talking points and background in their own calendar and brief.
    briefed = MultiCheckboxField(_l("Gebrieft (erhalten Ziele, Gesprächspunkte und Hintergrund)"), coerce=int)
    objectives = TextAreaField(_l("Ziele"), validators=[Optional(), Length(max=10000)])
    talking_points = TextAreaField(_l("Gesprächspunkte"), validators=[Optional(), Length(max=10000)])
    background = TextAreaField(_l("Hintergrund"), validators=[Optional(), Length(max=20000)])
    dress_code = StringField(_l("Kleiderordnung"), validators=[Optional(), Length(max=100)])
    notes = TextAreaField(_l("Interne Hinweise"), validators=[Optional(), Length(max=10000)])
    version = VersionField()

    start_at: datetime | None = None
    end_at: datetime | None = None
    resolved_zone: str | None = None
    # Set by the view: each city's zone, used when "zone of the city" is chosen.
    # Set by the view for each form (a read-only empty map until then, never shared and mutated).
    city_zones: Mapping[int, str] = MappingProxyType({})

    def validate(self, extra_validators: dict | None = None) -> bool:
        self.fold.needed = False
        valid = super().validate(extra_validators)
        zone: str | None
        if not self.timezone.data and self.city_id.data in self.city_zones:
            zone = self.city_zones[self.city_id.data]
        else:
            zone = known_zone(self.timezone)
        self.resolved_zone = zone
        self.start_at = convert_local(self, self.starts, zone, self.fold)
        self.end_at = convert_local(self, self.ends, zone, self.fold)
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            self.ends.errors.append(_("Das Ende muss nach dem Beginn liegen."))
        return valid and self.start_at is not None and self.end_at is not None and not self.ends.errors


class JourneyForm(FlaskForm):
    mode = SelectField(_l("Verkehrsmittel"), choices=enum_choices(JourneyMode), default=JourneyMode.FLIGHT.value)
    status = SelectField(_l("Status"), choices=enum_choices(ItemStatus), default=ItemStatus.TENTATIVE.value)
    departure_city_id = SelectField(_l("Abfahrt/Abflug: Stadt"), coerce=int, validators=[InputRequired()])
    departure_place = StringField(_l("Abfahrt/Abflug: Ort"), validators=[DataRequired(), Length(max=200)])
    departure_timezone = SelectField(_l("Abfahrt/Abflug: Zeitzone"), validators=[Optional()], validate_choice=False)
    departs = DateTimeLocalField(_l("Abfahrt/Abflug (Ortszeit)"), format=LOCAL_FORMAT, validators=[DataRequired()])
    departure_fold = RadioField(_l("Welche Abflugzeit ist gemeint?"), choices=fold_choices(), validators=[Optional()])
    arrival_city_id = SelectField(_l("Ankunft: Stadt"), coerce=int, validators=[InputRequired()])
    arrival_place = StringField(_l("Ankunft: Ort"), validators=[DataRequired(), Length(max=200)])
    arrival_timezone = SelectField(_l("Ankunft: Zeitzone"), validators=[Optional()], validate_choice=False)
    arrives = DateTimeLocalField(_l("Ankunft (Ortszeit)"), format=LOCAL_FORMAT, validators=[DataRequired()])
    arrival_fold = RadioField(_l("Welche Ankunftszeit ist gemeint?"), choices=fold_choices(), validators=[Optional()])
    carrier = StringField(_l("Gesellschaft"), validators=[Optional(), Length(max=100)])
    number = StringField(_l("Flug-/Zugnummer"), validators=[Optional(), Length(max=20)])
    booking_reference = StringField(_l("Buchungscode"), validators=[Optional(), Length(max=50)])
    travellers = MultiCheckboxField(_l("Reisende"), coerce=int)
    visibility = SelectField(_l("Sichtbarkeit"), choices=visibility_choices(), default=Visibility.DELEGATION.value)
    notes = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=10000)])
    version = VersionField()

    depart_at: datetime | None = None
    arrive_at: datetime | None = None

    # Set by the view: each city's zone, used when "zone of the city" is chosen.
    # Set by the view for each form (a read-only empty map until then, never shared and mutated).
    city_zones: Mapping[int, str] = MappingProxyType({})

    def validate(self, extra_validators: dict | None = None) -> bool:
        for city, zone in ((self.departure_city_id, self.departure_timezone), (self.arrival_city_id, self.arrival_timezone)):
            if not zone.data and city.data in self.city_zones:
                zone.data = self.city_zones[city.data]
        self.departure_fold.needed = False
        self.arrival_fold.needed = False
        valid = super().validate(extra_validators)
        self.depart_at = convert_local(self, self.departs, known_zone(self.departure_timezone), self.departure_fold)
        self.arrive_at = convert_local(self, self.arrives, known_zone(self.arrival_timezone), self.arrival_fold)
        # Judged on instants: 08:55 in Seoul the next morning is after 13:40 in Düsseldorf.
        if self.depart_at and self.arrive_at and self.arrive_at <= self.depart_at:
            self.arrives.errors.append(
                _("Die Ankunft muss nach der Abfahrt liegen (verglichen in echter Zeit, über Zeitzonen hinweg).")
            )
        return valid and self.depart_at is not None and self.arrive_at is not None and not self.arrives.errors
