"""Forms of the vehicle plan: a vehicle for a day, a transfer with its riders; checked, handed on as typed inputs."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner.labels import choices
from planner.models import Transfer, Vehicle, VehicleKind
from planner.transport.inputs import TransferInput, VehicleInput
from planner.web.forms import InputForm, MultiCheckboxField, plausible_date
from planner.web.localtime import LocalTimeField
from planner.web.searchable import searchable

MAX_SEATS = 99  # a double-decker coach; more is a typing mistake
MAX_TRAVEL_MINUTES = 600  # ten hours: longer is a journey, not a transfer


class VehicleForm(InputForm):
    day = DateField(_l("Tag (Ortsdatum)"), validators=[DataRequired(message=_l("Bitte den Tag angeben.")), plausible_date])
    city_id = SelectField(_l("Stadt"), coerce=int, validators=[InputRequired()], render_kw=searchable("city"))
    kind = SelectField(_l("Fahrzeug"), choices=choices(VehicleKind), default=VehicleKind.VAN.value)
    seats = IntegerField(
        _l("Sitzplätze (ohne Fahrer)"),
        validators=[
            InputRequired(message=_l("Bitte die Zahl der Sitzplätze angeben.")),
            NumberRange(min=1, max=MAX_SEATS, message=_l("Bitte eine Zahl zwischen %(min)d und %(max)d angeben.")),
        ],
    )
    driver_name = StringField(_l("Fahrer/in"), validators=[Optional(), Length(max=200)])
    # The operator's work number for the day, not the delegation's personal data (see planner.models.transport).
    driver_phone = StringField(_l("Telefon Fahrer/in"), validators=[Optional(), Length(max=50)])
    plate = StringField(_l("Kennzeichen"), validators=[Optional(), Length(max=30)])
    notes = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=5000)])

    def fill(self, record: Vehicle) -> None:
        self.day.data = record.day
        self.city_id.data = record.city_id
        self.kind.data = record.kind.value
        self.seats.data = record.seats
        for name in ("driver_name", "driver_phone", "plate", "notes"):
            self[name].data = getattr(record, name)
        self.version.data = record.version

    def to_input(self) -> VehicleInput:
        return VehicleInput(
            day=self.day.data,
            city_id=self.city_id.data,
            kind=VehicleKind(self.kind.data),
            seats=self.seats.data,
            driver_name=self.driver_name.data,
            driver_phone=self.driver_phone.data,
            plate=self.plate.data,
            notes=self.notes.data,
            version=self.version.data,
        )


class TransferForm(InputForm):
    vehicle_id = SelectField(_l("Fahrzeug"), coerce=int, validators=[InputRequired()])
    appointment_id = SelectField(_l("Fahrt zum Termin"), coerce=int, validators=[InputRequired()])
    from_appointment_id = SelectField(_l("Abfahrt vom Termin"), coerce=int, default=0)
    from_place = StringField(_l("Abfahrt von (Ort, z. B. Hotel)"), validators=[Optional(), Length(max=200)])
    departs = LocalTimeField(
        _l("Abfahrt (Ortszeit des Termins)"),
        validators=[DataRequired(message=_l("Bitte Datum und Uhrzeit der Abfahrt angeben."))],
    )
    travel_minutes = IntegerField(
        _l("Fahrzeit in Minuten (für die Prüfung der Abstände)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_TRAVEL_MINUTES, message=_l("Bitte eine Zahl zwischen %(min)d und %(max)d angeben.")),
        ],
    )
    riders = MultiCheckboxField(_l("Mitfahrende"), coerce=int)
    notes = TextAreaField(_l("Hinweise"), validators=[Optional(), Length(max=5000)])

    # Set by the view: each offered appointment's zone; the departure is typed in the destination's local time.
    appointment_zones: Mapping[int, str] = MappingProxyType({})

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        zone = self.appointment_zones.get(self.appointment_id.data or 0)
        if zone is None:
            if not self.appointment_id.errors:
                self.appointment_id.errors.append(_("Bitte einen Termin wählen."))
            return False
        return self.departs.resolve(zone) is not None and valid

    def fill(self, record: Transfer) -> None:
        self.vehicle_id.data = record.vehicle_id
        self.appointment_id.data = record.appointment_id
        self.from_appointment_id.data = record.from_appointment_id or 0
        self.from_place.data = record.from_place
        zone = record.appointment.timezone if record.appointment is not None else record.vehicle.city.timezone
        self.departs.show(record.depart_at, zone)
        self.travel_minutes.data = record.travel_minutes
        self.riders.data = [m.id for m in record.riders]
        self.notes.data = record.notes
        self.version.data = record.version

    def to_input(self) -> TransferInput:
        assert self.departs.instant  # validate() passed
        return TransferInput(
            vehicle_id=self.vehicle_id.data,
            appointment_id=self.appointment_id.data,
            from_appointment_id=self.from_appointment_id.data or None,
            from_place=self.from_place.data,
            depart_at=self.departs.instant,
            travel_minutes=self.travel_minutes.data,
            rider_ids=tuple(self.riders.data or ()),
            notes=self.notes.data,
            version=self.version.data,
        )
