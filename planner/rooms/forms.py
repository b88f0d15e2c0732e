"""Forms of the rooms feature: a room of the rooming list, and a planner's decision for one night."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from planner.formatting import day
from planner.labels import choices
from planner.models import NightKind, NightOverride, Room, RoomType
from planner.rooms.inputs import NightInput, RoomInput
from planner.rooms.nights import Night
from planner.web.forms import InputForm, MultiCheckboxField


def night_choices(nights: list[Night]) -> list[SelectChoice]:
    """The hotel nights of a trip as select choices: ISO date, written as an office writes it."""
    return [SelectChoice(n.day.isoformat(), day(n.day)) for n in nights]


def _parse_night(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


class RoomForm(InputForm):
    room_type = SelectField(_l("Zimmerart"), choices=choices(RoomType), default=RoomType.DOUBLE.value)
    first_night = SelectField(_l("Erste Nacht (Anreise)"), validators=[DataRequired(message=_l("Bitte eine Nacht wählen."))])
    last_night = SelectField(_l("Letzte Nacht"), validators=[DataRequired(message=_l("Bitte eine Nacht wählen."))])
    occupant_ids = MultiCheckboxField(_l("Belegung (wer im Zimmer schläft)"), coerce=int)
    room_number = StringField(_l("Zimmernummer (vom Hotel, falls bekannt)"), validators=[Optional(), Length(max=20)])
    note = TextAreaField(_l("Hinweis für das Hotel"), validators=[Optional(), Length(max=2000)])

    def validate_last_night(self, field: SelectField) -> None:
        first, last = _parse_night(self.first_night.data), _parse_night(field.data)
        if first and last and last < first:
            raise ValidationError(_("Die letzte Nacht darf nicht vor der ersten liegen."))

    def fill(self, record: Room) -> None:
        self.room_type.data = record.room_type.value
        self.first_night.data = record.first_night.isoformat()
        self.last_night.data = record.last_night.isoformat()
        self.occupant_ids.data = [m.id for m in record.occupants]
        self.room_number.data = record.room_number
        self.note.data = record.note
        self.version.data = record.version

    def to_input(self) -> RoomInput:
        first, last = _parse_night(self.first_night.data), _parse_night(self.last_night.data)
        assert first is not None and last is not None  # the choices are ISO dates
        return RoomInput(
            room_type=RoomType(self.room_type.data),
            first_night=first,
            last_night=last,
            occupant_ids=tuple(self.occupant_ids.data or ()),
            room_number=self.room_number.data,
            note=self.note.data,
            version=self.version.data,
        )


# The empty choice of the night form: no override, the night is as the legs say.
AS_DERIVED = ""


class NightForm(InputForm):
    kind = SelectField(
        _l("Diese Nacht"),
        choices=[SelectChoice(AS_DERIVED, _l("Wie aus Stationen und Reisen abgeleitet")), *choices(NightKind)],
        default=AS_DERIVED,
    )
    hotel_name = StringField(_l("Hotel"), validators=[Optional(), Length(max=200)])
    hotel_address = TextAreaField(_l("Hoteladresse"), validators=[Optional(), Length(max=2000)])
    hotel_phone = StringField(_l("Hoteltelefon"), validators=[Optional(), Length(max=50)])
    note = TextAreaField(_l("Notiz (für das Planungsteam)"), validators=[Optional(), Length(max=2000)])

    def fill(self, record: NightOverride) -> None:
        self.kind.data = record.kind.value
        for name in ("hotel_name", "hotel_address", "hotel_phone", "note", "version"):
            self[name].data = getattr(record, name)

    def to_input(self) -> NightInput:
        return NightInput(
            kind=NightKind(self.kind.data) if self.kind.data else None,
            hotel_name=self.hotel_name.data,
            hotel_address=self.hotel_address.data,
            hotel_phone=self.hotel_phone.data,
            note=self.note.data,
            version=self.version.data,
        )
