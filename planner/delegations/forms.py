"""Forms of the delegations feature: the trip itself, its members, legs and follow-ups."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from planner.labels import choices
from planner.models import DelegationStatus, FollowUpStatus, ItemStatus, MemberRole
from planner.timezones import FIRST_YEAR, LAST_YEAR
from planner.web.forms import VersionField, plausible_date, year_range_message
from planner.web.localtime import LocalTimeField


class DelegationForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    purpose = TextAreaField(_l("Zweck und Ziele"), validators=[Optional(), Length(max=20000)])
    home_city_id = SelectField(_l("Heimatstadt"), coerce=int, validators=[InputRequired()])
    start_date = DateField(
        _l("Abreise (Datum)"), validators=[DataRequired(message=_l("Bitte ein gültiges Datum angeben.")), plausible_date]
    )
    end_date = DateField(
        _l("Rückkehr (Datum)"), validators=[DataRequired(message=_l("Bitte ein gültiges Datum angeben.")), plausible_date]
    )
    status = SelectField(_l("Status"), choices=choices(DelegationStatus), default=DelegationStatus.DRAFT.value)
    notes = TextAreaField(_l("Interne Hinweise"), validators=[Optional(), Length(max=20000)])
    version = VersionField()

    def validate_end_date(self, field: DateField) -> None:
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_("Die Rückkehr darf nicht vor der Abreise liegen."))


class CloneForm(FlaskForm):
    title = StringField(_l("Titel der neuen Reise"), validators=[DataRequired(), Length(max=200)])
    start_date = DateField(
        _l("Neues Abreisedatum"), validators=[DataRequired(message=_l("Bitte ein gültiges Datum angeben.")), plausible_date]
    )

    def validate_start_date(self, field: DateField) -> None:
        # The copy ends as many days later as the original; keep that inside the plausible range too.
        if field.data is None or self.source_length is None or not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            return  # missing or implausible: reported by the other validators
        if field.data.year == LAST_YEAR and (field.data + self.source_length).year > LAST_YEAR:
            raise ValidationError(year_range_message())

    source_length: timedelta | None = None


class MemberForm(FlaskForm):
    person_id = SelectField(_l("Person"), coerce=int, validators=[InputRequired()])
    role = SelectField(_l("Rolle"), choices=choices(MemberRole), default=MemberRole.MEMBER.value)
    function = StringField(_l("Funktion auf dieser Reise"), validators=[Optional(), Length(max=200)])
    version = VersionField()


class LegForm(FlaskForm):
    city_id = SelectField(_l("Stadt"), coerce=int, validators=[InputRequired()])
    arrives = LocalTimeField(_l("Ankunft (Ortszeit)"), validators=[DataRequired()])
    departs = LocalTimeField(_l("Abreise (Ortszeit)"), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=choices(ItemStatus), default=ItemStatus.TENTATIVE.value)
    focus = TextAreaField(_l("Schwerpunkte"), validators=[Optional(), Length(max=5000)])
    hotel_name = StringField(_l("Hotel"), validators=[Optional(), Length(max=200)])
    hotel_address = TextAreaField(_l("Hoteladresse"), validators=[Optional(), Length(max=2000)])
    hotel_phone = StringField(_l("Telefon des Hotels"), validators=[Optional(), Length(max=50)])
    notes = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=10000)])
    version = VersionField()

    arrive_at: datetime | None = None
    depart_at: datetime | None = None
    # Set by the view for each form (a read-only empty map until then, never shared and mutated).
    city_zones: Mapping[int, str] = MappingProxyType({})

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        zone = self.city_zones.get(self.city_id.data)
        self.arrive_at = self.arrives.resolve(zone)
        self.depart_at = self.departs.resolve(zone)
        if self.arrive_at and self.depart_at and self.depart_at <= self.arrive_at:
            self.departs.errors.append(_("Die Abreise muss nach der Ankunft liegen."))
        return (
            valid and zone is not None and self.arrive_at is not None and self.depart_at is not None and not self.departs.errors
        )


class FollowUpForm(FlaskForm):
    title = StringField(_l("Aufgabe"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=10000)])
    owner_id = SelectField(_l("Verantwortlich"), coerce=int, default=0)
    due_on = DateField(_l("Fällig am"), validators=[Optional(), plausible_date])
    status = SelectField(_l("Status"), choices=choices(FollowUpStatus), default=FollowUpStatus.OPEN.value)
    organization_id = SelectField(_l("Organisation"), coerce=int, default=0)
    appointment_id = SelectField(_l("Termin"), coerce=int, default=0)
    version = VersionField()
