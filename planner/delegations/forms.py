"""Forms of the delegations feature: the trip itself, its members, legs and follow-ups, as typed inputs.

A leg's times are wall times of its city; each time field
(:class:`~planner.web.localtime.LocalTimeField`) converts its own to UTC,
with its own choice in a repeated hour. A new trip's form also takes its
first stops, as rows (:class:`LegRowForm`), saved with the trip in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from planner.delegations.inputs import (
    AddMembersInput,
    CloneInput,
    DelegationInput,
    FollowUpInput,
    LegInput,
    MemberInput,
    NewDelegationInput,
    NewMemberInput,
)
from planner.editing import optional_text
from planner.labels import choices, language_choices
from planner.models import Delegation, DelegationStatus, FollowUp, FollowUpStatus, ItemStatus, Leg, Member, MemberRole
from planner.timezones import FIRST_YEAR, LAST_YEAR
from planner.web.forms import InputForm, RowForm, RowsField, phone_number, plausible_date, year_range_message
from planner.web.localtime import LocalTimeField
from planner.web.searchable import searchable


class DelegationForm(InputForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    purpose = TextAreaField(_l("Zweck und Ziele"), validators=[Optional(), Length(max=20000)])
    home_city_id = SelectField(_l("Heimatstadt"), coerce=int, validators=[InputRequired()], render_kw=searchable("city"))
    start_date = DateField(
        _l("Abreise (Datum)"), validators=[DataRequired(message=_l("Bitte ein gültiges Datum angeben.")), plausible_date]
    )
    end_date = DateField(
        _l("Rückkehr (Datum)"), validators=[DataRequired(message=_l("Bitte ein gültiges Datum angeben.")), plausible_date]
    )
    status = SelectField(_l("Status"), choices=choices(DelegationStatus), default=DelegationStatus.DRAFT.value)
    notes = TextAreaField(_l("Interne Hinweise"), validators=[Optional(), Length(max=20000)])
    duty_phone = StringField(
        _l("Bereitschaftstelefon der Delegation"),
        description=_l("Die Notfallnummer der Delegation unterwegs; steht auf dem Kontaktblatt und im Reisebriefing."),
        validators=[Optional(), Length(max=50), phone_number],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    press_public = BooleanField(
        _l("Presseprogramm ohne Token veröffentlichen"),
        description=_l(
            "Die als öffentlich markierten Termine und Fahrten dieser Reise stehen dann unter "
            "/api/v1/delegations/<Nr.>/press für jeden lesbar (z. B. für die Website der Stadt)."
        ),
    )

    def validate_end_date(self, field: DateField) -> None:
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_("Die Rückkehr darf nicht vor der Abreise liegen."))

    def fill(self, record: Delegation) -> None:
        shown = ("title", "purpose", "home_city_id", "start_date", "end_date", "notes", "duty_phone", "press_public", "version")
        for name in shown:
            self[name].data = getattr(record, name)
        self.status.data = record.status.value

    def to_input(self) -> DelegationInput:
        return DelegationInput(
            title=self.title.data,
            purpose=self.purpose.data,
            home_city_id=self.home_city_id.data,
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            status=DelegationStatus(self.status.data),
            notes=self.notes.data,
            duty_phone=self.duty_phone.data,
            press_public=bool(self.press_public.data),
            version=self.version.data,
        )


def resolve_stay(arrives: LocalTimeField, departs: LocalTimeField, zone: str | None) -> bool:
    """Resolve a stay's two wall times at ``zone``; whether both exist and the departure is after the arrival.

    The messages land on the fields (the departure's when it is not after the arrival).
    """
    arrive, depart = arrives.resolve(zone), departs.resolve(zone)
    if arrive and depart and depart <= arrive:
        departs.errors.append(_("Die Abreise muss nach der Ankunft liegen."))
    return arrive is not None and depart is not None and not departs.errors


class LegRowForm(RowForm):
    """One stop of a new trip: the city, the stay in its local time, the hotel; the rest on the leg's own page."""

    city_id = SelectField(_l("Stadt"), coerce=int, default=0, render_kw=searchable("city"))
    arrives = LocalTimeField(_l("Ankunft (Ortszeit)"), validators=[DataRequired()])
    departs = LocalTimeField(_l("Abreise (Ortszeit)"), validators=[DataRequired()])
    hotel_name = StringField(_l("Hotel"), validators=[Optional(), Length(max=200)])

    # Set by the view for each row (see DelegationForm's city_zones).
    city_zones: Mapping[int, str] = MappingProxyType({})

    def validate_city_id(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_("Bitte eine Stadt wählen."))

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        return resolve_stay(self.arrives, self.departs, self.city_zones.get(self.city_id.data)) and valid

    def to_input(self) -> LegInput:
        assert self.arrives.instant and self.departs.instant  # validate() passed
        return LegInput(
            city_id=self.city_id.data,
            arrive_at=self.arrives.instant,
            depart_at=self.departs.instant,
            hotel_name=self.hotel_name.data,
        )


class NewDelegationForm(DelegationForm):
    """A new trip with its first stops: the trip's fields, then rows for the legs (blank rows are ignored)."""

    legs = RowsField(LegRowForm, _l("Stationen"), rows=4, row_label=_l("Station %(number)d"))

    def to_input(self) -> NewDelegationInput:  # type: ignore[override]
        return NewDelegationInput(delegation=super().to_input(), legs=self.legs.inputs())


class CloneForm(InputForm):
    """A new trip from an old one: only a title and a departure date (a copy has no version to compare)."""

    version = None  # type: ignore[assignment]  # WTForms: None removes the inherited field

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

    def to_input(self) -> CloneInput:
        return CloneInput(title=self.title.data, start_date=self.start_date.data)


class MemberForm(InputForm):
    person_id = SelectField(_l("Person"), coerce=int, validators=[InputRequired()], render_kw=searchable("person"))
    role = SelectField(_l("Rolle"), choices=choices(MemberRole), default=MemberRole.MEMBER.value)
    function = StringField(_l("Funktion auf dieser Reise"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Sprache für E-Mails und Kalender"), choices=language_choices(), default="de")

    def fill(self, record: Member) -> None:
        self.person_id.data = record.person_id
        self.role.data = record.role.value
        self.function.data = record.function
        self.language.data = record.language
        self.version.data = record.version

    def to_input(self) -> MemberInput:
        return MemberInput(
            person_id=self.person_id.data,
            role=MemberRole(self.role.data),
            function=self.function.data,
            version=self.version.data,
            language=self.language.data,
        )


# Worded as in the directory's person form: these rows create directory people too.
_TOO_LONG = _l("Bitte höchstens %(max)d Zeichen eingeben (jetzt %(length)d).")


class NewPersonRow(RowForm):
    """One new person in the members form: not in the directory yet, travelling with us."""

    title = StringField(_l("Titel"), validators=[Optional(), Length(max=50, message=_TOO_LONG)])
    given_name = StringField(_l("Vorname"), validators=[Optional(), Length(max=100, message=_TOO_LONG)])
    family_name = StringField(
        _l("Familienname"),
        validators=[DataRequired(message=_l("Bitte ausfüllen.")), Length(max=200, message=_TOO_LONG)],
    )
    function = StringField(_l("Funktion"), validators=[Optional(), Length(max=200, message=_TOO_LONG)])
    role = SelectField(_l("Rolle"), choices=choices(MemberRole), default=MemberRole.MEMBER.value)
    language = SelectField(_l("Sprache"), choices=language_choices(), default="de")

    def to_input(self) -> NewMemberInput:
        return NewMemberInput(
            family_name=self.family_name.data.strip(),
            given_name=optional_text(self.given_name.data),
            title=optional_text(self.title.data),
            function=optional_text(self.function.data),
            role=MemberRole(self.role.data),
            language=self.language.data,
        )


class AddMembersForm(InputForm):
    """Adding members in one submission: a person from the directory and/or new people, one per row."""

    person_id = SelectField(_l("Person aus dem Verzeichnis"), coerce=int, default=0, render_kw=searchable("person"))
    role = SelectField(_l("Rolle"), choices=choices(MemberRole), default=MemberRole.MEMBER.value)
    function = StringField(_l("Funktion auf dieser Reise"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Sprache für E-Mails und Kalender"), choices=language_choices(), default="de")
    people = RowsField(NewPersonRow, _l("Neue Personen"), rows=5, row_label=_l("Neue Person %(number)d"), columns=3)

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.person_id.data and next(self.people.filled(), None) is None:
            self.person_id.errors.append(_("Bitte eine Person wählen oder mindestens eine neue Person eintragen."))
            return False
        return valid

    def to_input(self) -> AddMembersInput:
        existing = None
        if self.person_id.data:
            existing = MemberInput(
                person_id=self.person_id.data,
                role=MemberRole(self.role.data),
                function=self.function.data,
                language=self.language.data,
            )
        return AddMembersInput(existing=existing, new_people=self.people.inputs())


class LegForm(InputForm):
    city_id = SelectField(_l("Stadt"), coerce=int, validators=[InputRequired()], render_kw=searchable("city"))
    arrives = LocalTimeField(_l("Ankunft (Ortszeit)"), validators=[DataRequired()])
    departs = LocalTimeField(_l("Abreise (Ortszeit)"), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=choices(ItemStatus), default=ItemStatus.TENTATIVE.value)
    focus = TextAreaField(_l("Schwerpunkte"), validators=[Optional(), Length(max=5000)])
    hotel_name = StringField(_l("Hotel"), validators=[Optional(), Length(max=200)])
    hotel_address = TextAreaField(_l("Hoteladresse"), validators=[Optional(), Length(max=2000)])
    hotel_phone = StringField(_l("Telefon des Hotels"), validators=[Optional(), Length(max=50)])
    notes = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=10000)])

    # Set by the view for each form (a read-only empty map until then, never shared and mutated).
    city_zones: Mapping[int, str] = MappingProxyType({})

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        return resolve_stay(self.arrives, self.departs, self.city_zones.get(self.city_id.data)) and valid

    def fill(self, record: Leg) -> None:
        for name in ("city_id", "focus", "hotel_name", "hotel_address", "hotel_phone", "notes", "version"):
            self[name].data = getattr(record, name)
        self.status.data = record.status.value
        self.arrives.show(record.arrive_at, record.timezone)
        self.departs.show(record.depart_at, record.timezone)

    def to_input(self) -> LegInput:
        assert self.arrives.instant and self.departs.instant  # validate() passed
        return LegInput(
            city_id=self.city_id.data,
            arrive_at=self.arrives.instant,
            depart_at=self.departs.instant,
            status=ItemStatus(self.status.data),
            focus=self.focus.data,
            hotel_name=self.hotel_name.data,
            hotel_address=self.hotel_address.data,
            hotel_phone=self.hotel_phone.data,
            notes=self.notes.data,
            version=self.version.data,
        )


class FollowUpForm(InputForm):
    title = StringField(_l("Aufgabe"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=10000)])
    owner_id = SelectField(_l("Verantwortlich"), coerce=int, default=0)
    due_on = DateField(_l("Fällig am"), validators=[Optional(), plausible_date])
    status = SelectField(_l("Status"), choices=choices(FollowUpStatus), default=FollowUpStatus.OPEN.value)
    organization_id = SelectField(_l("Organisation"), coerce=int, default=0, render_kw=searchable("organization"))
    appointment_id = SelectField(_l("Termin"), coerce=int, default=0)

    def fill(self, record: FollowUp) -> None:
        for name in ("title", "description", "due_on", "version"):
            self[name].data = getattr(record, name)
        self.owner_id.data = record.owner_id or 0
        self.organization_id.data = record.organization_id or 0
        self.appointment_id.data = record.appointment_id or 0
        self.status.data = record.status.value

    def to_input(self) -> FollowUpInput:
        return FollowUpInput(
            title=self.title.data,
            description=self.description.data,
            owner_id=self.owner_id.data or None,
            due_on=self.due_on.data,
            status=FollowUpStatus(self.status.data),
            organization_id=self.organization_id.data or None,
            appointment_id=self.appointment_id.data or None,
            version=self.version.data,
        )
