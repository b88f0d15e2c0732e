"""Forms for appointments and journeys: what the planner types, checked, as typed inputs.

Planners type the wall time of the place; each time field
(:class:`~planner.web.localtime.LocalTimeField`) converts it to UTC in the
zone this form works out, and turns the two DST traps into clear messages.
New journeys are entered as rows (:class:`JourneyRowsForm`), several in one
go; the single :class:`JourneyForm` edits one with all its details.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from planner.labels import choices
from planner.models import Appointment, AppointmentKind, Delegation, ItemStatus, Journey, JourneyMode, Visibility
from planner.program.inputs import AppointmentInput, JourneyInput, JourneyRowsInput, MoveInput, whole_delegation
from planner.program.quick_add import QuickAddRefused, appointments_on
from planner.web.forms import (
    FilledRows,
    InputForm,
    MultiCheckboxField,
    RowForm,
    RowsField,
    chosen_zone,
    regroup_on_change,
    zone_choices,
)
from planner.web.localtime import LocalTimeField
from planner.web.searchable import searchable


def _shown_city(field: SelectField) -> int | None:
    """The city the browser shows as chosen: the field's value, or the first city when it has none of the list."""
    values = [int(choice.value if isinstance(choice, SelectChoice) else choice[0]) for choice in field.choices or []]
    return field.data if field.data in values else next(iter(values), None)


def _zones_for(field: SelectField, country: str | None) -> list[SelectChoice]:
    # Empty stays the first choice and the default: it means "the zone of the chosen city", so
    # a planner who picks another city without touching the zone gets that city's zone.
    return zone_choices(country, first=[SelectChoice("", _("Zeitzone der Stadt"))], keep=field.data or None)


class AppointmentForm(InputForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Art"), choices=choices(AppointmentKind), default=AppointmentKind.OTHER.value)
    status = SelectField(_l("Status"), choices=choices(ItemStatus), default=ItemStatus.TENTATIVE.value)
    city_id = SelectField(_l("Stadt"), coerce=int, validators=[InputRequired()], render_kw=searchable("city"))
    # Empty means "the zone of the chosen city", the usual case.
    timezone = SelectField(_l("Zeitzone des Ortes"), validators=[Optional()], validate_choice=False)
    starts = LocalTimeField(
        _l("Beginn (Ortszeit)"), validators=[DataRequired(message=_l("Bitte Datum und Uhrzeit des Beginns angeben."))]
    )
    ends = LocalTimeField(
        _l("Ende (Ortszeit)"), validators=[DataRequired(message=_l("Bitte Datum und Uhrzeit des Endes angeben."))]
    )
    venue = StringField(_l("Ort / Gebäude"), validators=[Optional(), Length(max=200)])
    address = TextAreaField(_l("Adresse"), validators=[Optional(), Length(max=2000)])
    organization_id = SelectField(_l("Besuchte Organisation"), coerce=int, default=0, render_kw=searchable("organization"))
    contact_person_id = SelectField(_l("Ansprechperson vor Ort"), coerce=int, default=0, render_kw=searchable("person"))
    attendees = MultiCheckboxField(_l("Teilnehmende"), coerce=int)
    visibility = SelectField(_l("Sichtbarkeit"), choices=choices(Visibility), default=Visibility.DELEGATION.value)
    # Who gets objectives, talking points and background in their own calendar and brief.
    briefed = MultiCheckboxField(_l("Gebrieft (erhalten Ziele, Gesprächspunkte und Hintergrund)"), coerce=int)
    objectives = TextAreaField(_l("Ziele"), validators=[Optional(), Length(max=10000)])
    talking_points = TextAreaField(_l("Gesprächspunkte"), validators=[Optional(), Length(max=10000)])
    background = TextAreaField(_l("Hintergrund"), validators=[Optional(), Length(max=20000)])
    dress_code = StringField(_l("Kleiderordnung"), validators=[Optional(), Length(max=100)])
    notes = TextAreaField(_l("Interne Hinweise"), validators=[Optional(), Length(max=10000)])

    # Set by the view for each form: each city's zone, used when "zone of the city" is chosen
    # (a read-only empty map until then, never shared and mutated).
    city_zones: Mapping[int, str] = MappingProxyType({})
    # Set by the view: each city's country, whose zones the zone select offers first.
    city_countries: Mapping[int, str] = MappingProxyType({})
    resolved_zone: str | None = None

    def group_zones(self) -> None:
        """The zone choices for the city chosen now: "the city's zone" (empty), then its country's zones, then all."""
        self.timezone.choices = _zones_for(self.timezone, self.city_countries.get(_shown_city(self.city_id) or 0))
        regroup_on_change(self.timezone, self.city_id, self.city_countries.values(), self.city_countries)

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.timezone.data and self.city_id.data in self.city_zones:
            self.resolved_zone = self.city_zones[self.city_id.data]
        else:
            self.resolved_zone = chosen_zone(self.timezone)
        start, end = self.starts.resolve(self.resolved_zone), self.ends.resolve(self.resolved_zone)
        if start and end and end <= start:
            self.ends.errors.append(_("Das Ende muss nach dem Beginn liegen."))
        return valid and start is not None and end is not None and not self.ends.errors

    def fill(self, record: Appointment) -> None:
        self.title.data = record.title
        self.kind.data = record.kind.value
        self.status.data = record.status.value
        self.city_id.data = record.city_id or 0
        self.timezone.data = record.timezone
        self.starts.show(record.start_at, record.timezone)
        self.ends.show(record.end_at, record.timezone)
        self.venue.data = record.venue
        self.address.data = record.address
        self.organization_id.data = record.organization_id or 0
        self.contact_person_id.data = record.contact_person_id or 0
        self.attendees.data = [m.id for m in record.attendees]
        self.visibility.data = record.visibility.value
        self.briefed.data = [m.id for m in record.briefed]
        for name in ("objectives", "talking_points", "background", "dress_code", "notes"):
            self[name].data = getattr(record, name)
        self.version.data = record.version

    def to_input(self) -> AppointmentInput:
        assert self.resolved_zone and self.starts.instant and self.ends.instant  # validate() passed
        return AppointmentInput(
            title=self.title.data,
            kind=AppointmentKind(self.kind.data),
            status=ItemStatus(self.status.data),
            city_id=self.city_id.data or None,
            timezone=self.resolved_zone,
            start_at=self.starts.instant,
            end_at=self.ends.instant,
            venue=self.venue.data,
            address=self.address.data,
            organization_id=self.organization_id.data or None,
            contact_person_id=self.contact_person_id.data or None,
            attendee_ids=tuple(self.attendees.data or ()),
            visibility=Visibility(self.visibility.data),
            briefed_ids=tuple(self.briefed.data or ()),
            objectives=self.objectives.data,
            talking_points=self.talking_points.data,
            background=self.background.data,
            dress_code=self.dress_code.data,
            notes=self.notes.data,
            version=self.version.data,
        )


class MoveAppointmentForm(InputForm):
    """A new start for an appointment, as wall time in the appointment's own zone (the view sets ``zone``).

    The no-JavaScript and keyboard way to do what dragging a block on the timeline does; the
    drag posts this same form. The length and the place stay as they are.
    """

    starts = LocalTimeField(
        _l("Neuer Beginn (Ortszeit)"), validators=[DataRequired(message=_l("Bitte Datum und Uhrzeit des Beginns angeben."))]
    )

    zone: str = "UTC"

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        return self.starts.resolve(self.zone) is not None and valid

    def fill(self, record: Appointment) -> None:
        self.starts.show(record.start_at, record.timezone)
        self.version.data = record.version

    def to_input(self) -> MoveInput:
        assert self.starts.instant  # validate() passed
        return MoveInput(start_at=self.starts.instant, version=self.version.data)


def resolve_journey(
    departs: LocalTimeField, arrives: LocalTimeField, departure_zone: str | None, arrival_zone: str | None
) -> bool:
    """Resolve a journey's wall times, each at its own place; whether both exist and the arrival is after the departure.

    Judged on instants: 08:55 in Seoul the next morning is after 13:40 in Düsseldorf.
    The messages land on the fields.
    """
    depart, arrive = departs.resolve(departure_zone), arrives.resolve(arrival_zone)
    if depart and arrive and arrive <= depart:
        arrives.errors.append(_("Die Ankunft muss nach der Abfahrt liegen (verglichen in echter Zeit, über Zeitzonen hinweg)."))
    return depart is not None and arrive is not None and not arrives.errors


class JourneyForm(InputForm):
    mode = SelectField(_l("Verkehrsmittel"), choices=choices(JourneyMode), default=JourneyMode.FLIGHT.value)
    status = SelectField(_l("Status"), choices=choices(ItemStatus), default=ItemStatus.TENTATIVE.value)
    departure_city_id = SelectField(
        _l("Abfahrt/Abflug: Stadt"), coerce=int, validators=[InputRequired()], render_kw=searchable("city")
    )
    departure_place = StringField(_l("Abfahrt/Abflug: Ort"), validators=[DataRequired(), Length(max=200)])
    departure_timezone = SelectField(_l("Abfahrt/Abflug: Zeitzone"), validators=[Optional()], validate_choice=False)
    departs = LocalTimeField(_l("Abfahrt/Abflug (Ortszeit)"), validators=[DataRequired()])
    arrival_city_id = SelectField(_l("Ankunft: Stadt"), coerce=int, validators=[InputRequired()], render_kw=searchable("city"))
    arrival_place = StringField(_l("Ankunft: Ort"), validators=[DataRequired(), Length(max=200)])
    arrival_timezone = SelectField(_l("Ankunft: Zeitzone"), validators=[Optional()], validate_choice=False)
    arrives = LocalTimeField(_l("Ankunft (Ortszeit)"), validators=[DataRequired()])
    carrier = StringField(_l("Gesellschaft"), validators=[Optional(), Length(max=100)])
    number = StringField(_l("Flug-/Zugnummer"), validators=[Optional(), Length(max=20)])
    booking_reference = StringField(_l("Buchungscode"), validators=[Optional(), Length(max=50)])
    travellers = MultiCheckboxField(_l("Reisende"), coerce=int)
    visibility = SelectField(_l("Sichtbarkeit"), choices=choices(Visibility), default=Visibility.DELEGATION.value)
    notes = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=10000)])

    # Set by the view: each city's zone, used when "zone of the city" is chosen.
    city_zones: Mapping[int, str] = MappingProxyType({})
    city_countries: Mapping[int, str] = MappingProxyType({})
    departure_zone: str | None = None
    arrival_zone: str | None = None

    def group_zones(self) -> None:
        """Each end's zone choices by its own city's country (see :meth:`AppointmentForm.group_zones`)."""
        for city, zone in ((self.departure_city_id, self.departure_timezone), (self.arrival_city_id, self.arrival_timezone)):
            zone.choices = _zones_for(zone, self.city_countries.get(_shown_city(city) or 0))
            regroup_on_change(zone, city, self.city_countries.values(), self.city_countries)

    def validate(self, extra_validators: dict | None = None) -> bool:
        for city, zone in ((self.departure_city_id, self.departure_timezone), (self.arrival_city_id, self.arrival_timezone)):
            if not zone.data and city.data in self.city_zones:
                zone.data = self.city_zones[city.data]
        valid = super().validate(extra_validators)
        self.departure_zone, self.arrival_zone = chosen_zone(self.departure_timezone), chosen_zone(self.arrival_timezone)
        return resolve_journey(self.departs, self.arrives, self.departure_zone, self.arrival_zone) and valid

    def fill(self, record: Journey) -> None:
        for name in (
            "departure_place",
            "departure_timezone",
            "arrival_place",
            "arrival_timezone",
            "carrier",
            "number",
            "booking_reference",
            "notes",
        ):
            self[name].data = getattr(record, name)
        self.mode.data = record.mode.value
        self.status.data = record.status.value
        self.departure_city_id.data = record.departure_city_id or 0
        self.arrival_city_id.data = record.arrival_city_id or 0
        self.departs.show(record.depart_at, record.departure_timezone)
        self.arrives.show(record.arrive_at, record.arrival_timezone)
        self.travellers.data = [m.id for m in record.travellers]
        self.visibility.data = record.visibility.value
        self.version.data = record.version

    def to_input(self) -> JourneyInput:
        assert self.departure_zone and self.arrival_zone and self.departs.instant and self.arrives.instant
        return JourneyInput(
            mode=JourneyMode(self.mode.data),
            status=ItemStatus(self.status.data),
            departure_city_id=self.departure_city_id.data or None,
            departure_place=self.departure_place.data,
            departure_timezone=self.departure_zone,
            depart_at=self.departs.instant,
            arrival_city_id=self.arrival_city_id.data or None,
            arrival_place=self.arrival_place.data,
            arrival_timezone=self.arrival_zone,
            arrive_at=self.arrives.instant,
            carrier=self.carrier.data,
            number=self.number.data,
            booking_reference=self.booking_reference.data,
            notes=self.notes.data,
            traveller_ids=tuple(self.travellers.data or ()),
            visibility=Visibility(self.visibility.data),
            version=self.version.data,
        )


class JourneyRowForm(RowForm):
    """One new journey as a row: mode, flight or train, from where and when to where and when (local times).

    Each end's zone is its city's; status, booking, notes and a different choice of
    travellers are for the journey's own edit page.
    """

    mode = SelectField(_l("Verkehrsmittel"), choices=choices(JourneyMode), default=JourneyMode.FLIGHT.value)
    carrier = StringField(_l("Gesellschaft"), validators=[Optional(), Length(max=100)])
    number = StringField(_l("Flug-/Zugnummer"), validators=[Optional(), Length(max=20)])
    departure_city_id = SelectField(_l("Abfahrt/Abflug: Stadt"), coerce=int, default=0, render_kw=searchable("city"))
    departure_place = StringField(_l("Abfahrt/Abflug: Ort"), validators=[DataRequired(), Length(max=200)])
    departs = LocalTimeField(_l("Abfahrt/Abflug (Ortszeit)"), validators=[DataRequired()])
    arrival_city_id = SelectField(_l("Ankunft: Stadt"), coerce=int, default=0, render_kw=searchable("city"))
    arrival_place = StringField(_l("Ankunft: Ort"), validators=[DataRequired(), Length(max=200)])
    arrives = LocalTimeField(_l("Ankunft (Ortszeit)"), validators=[DataRequired()])

    # Set by the view for each row: each city's zone, and who travels (the whole delegation, as
    # the single form preselects).
    city_zones: Mapping[int, str] = MappingProxyType({})
    traveller_ids: tuple[int, ...] = ()

    def validate_departure_city_id(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_("Bitte eine Stadt wählen."))

    def validate_arrival_city_id(self, field: SelectField) -> None:
        self.validate_departure_city_id(field)

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        zones = self.city_zones.get(self.departure_city_id.data), self.city_zones.get(self.arrival_city_id.data)
        return resolve_journey(self.departs, self.arrives, *zones) and valid

    def to_input(self) -> JourneyInput:
        departure_zone, arrival_zone = self.city_zones[self.departure_city_id.data], self.city_zones[self.arrival_city_id.data]
        assert self.departs.instant and self.arrives.instant  # validate() passed
        return JourneyInput(
            mode=JourneyMode(self.mode.data),
            carrier=self.carrier.data,
            number=self.number.data,
            departure_city_id=self.departure_city_id.data,
            departure_place=self.departure_place.data,
            departure_timezone=departure_zone,
            depart_at=self.departs.instant,
            arrival_city_id=self.arrival_city_id.data,
            arrival_place=self.arrival_place.data,
            arrival_timezone=arrival_zone,
            arrive_at=self.arrives.instant,
            traveller_ids=self.traveller_ids,
        )


class JourneyRowsForm(InputForm):
    """Several new journeys in one submission (blank rows are ignored, at least one is needed)."""

    version = None  # type: ignore[assignment]  # new records only: nothing to compare

    journeys = RowsField(
        JourneyRowForm,
        _l("Verbindungen"),
        rows=3,
        row_label=_l("Verbindung %(number)d"),
        columns=3,  # what, from where and when, to where and when
        validators=[FilledRows(_l("Bitte mindestens eine Verbindung eintragen."))],
    )

    def to_input(self) -> JourneyRowsInput:
        return JourneyRowsInput(rows=self.journeys.inputs())


class QuickAddForm(InputForm):
    """Lines typed under a programme day (:mod:`planner.program.quick_add`): all of them become appointments, or none."""

    lines = TextAreaField(
        _l("Titel, Uhrzeit, Ort"),
        validators=[DataRequired(message=_l("Bitte mindestens eine Zeile eingeben.")), Length(max=10000)],
    )

    # Set by the view: the trip (legs, cities, members loaded) and the day the lines are for.
    delegation: Delegation | None = None
    day: date | None = None
    appointments: tuple[AppointmentInput, ...] = ()

    def validate(self, extra_validators: dict | None = None) -> bool:
        if not super().validate(extra_validators):
            return False
        assert self.delegation is not None and self.day is not None  # set by the view
        try:
            found = appointments_on(self.delegation, self.day, self.lines.data, whole_delegation(self.delegation))
        except QuickAddRefused as refusal:
            self.lines.errors = [str(error) for error in refusal.errors]
            return False
        self.appointments = tuple(found)
        return True

    def to_input(self) -> tuple[AppointmentInput, ...]:
        return self.appointments
