"""Forms of the protocol feature: the table and its rules, one participant, and a swap of two seats."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from planner.labels import choices
from planner.models import InterpreterPlace, PersonSide, PrecedenceRank, ProtocolParticipant, SeatingPlan, TableShape
from planner.protocol.inputs import ParticipantInput, PlanInput, SwapInput
from planner.web.forms import InputForm

# The empty choice of "interprets for": nobody yet.
NOBODY = ""
# The empty choice of the rank: as the member role on the trip and the function suggest (planner.protocol.precedence).
AUTOMATIC = ""


class PlanForm(InputForm):
    shape = SelectField(_l("Tafelform"), choices=choices(TableShape), default=TableShape.FRENCH.value)
    host_side = SelectField(
        _l("Gastgebende Seite"),
        choices=[
            SelectChoice(PersonSide.HOST.value, _l("Die Gastgeber vor Ort")),
            SelectChoice(PersonSide.OWN.value, _l("Unsere Seite (wir laden ein)")),
        ],
        default=PersonSide.HOST.value,
    )
    host_first = BooleanField(_l("Gastgeber vor Gästen gleichen Rangs (wenn die Regel des Gastgebers es so will)"))
    interpreter_place = SelectField(
        _l("Platz der Dolmetscher/innen"), choices=choices(InterpreterPlace), default=InterpreterPlace.BEHIND.value
    )
    seats_per_table = IntegerField(
        _l("Plätze je Tisch (runde Tische)"),
        default=10,
        validators=[
            InputRequired(message=_l("Bitte eine Zahl angeben.")),
            NumberRange(min=2, max=30, message=_l("Ein Tisch hat zwischen 2 und 30 Plätze.")),
        ],
    )
    is_placeholder = BooleanField(_l("Platzhalter (noch nicht mit dem Protokoll der Gastgeber abgestimmt)"))
    note = TextAreaField(_l("Notiz"), validators=[Optional(), Length(max=2000)])

    def fill(self, record: SeatingPlan) -> None:
        self.shape.data = record.shape.value
        self.host_side.data = record.host_side.value
        self.host_first.data = record.host_first
        self.interpreter_place.data = record.interpreter_place.value
        self.seats_per_table.data = record.seats_per_table
        self.is_placeholder.data = record.is_placeholder
        self.note.data = record.note
        self.version.data = record.version

    def to_input(self) -> PlanInput:
        return PlanInput(
            shape=TableShape(self.shape.data),
            host_side=PersonSide(self.host_side.data),
            host_first=bool(self.host_first.data),
            interpreter_place=InterpreterPlace(self.interpreter_place.data),
            seats_per_table=int(self.seats_per_table.data or 10),
            is_placeholder=bool(self.is_placeholder.data),
            note=self.note.data,
            version=self.version.data,
        )


class ParticipantForm(InputForm):
    person_id = SelectField(
        _l("Person"), coerce=int, validators=[InputRequired(message=_l("Bitte eine Person wählen."))], validate_choice=False
    )
    rank = SelectField(_l("Rang"), choices=choices(PrecedenceRank), default=AUTOMATIC)
    speaking_order = IntegerField(
        _l("Redefolge (1 spricht zuerst; leer: spricht nicht)"),
        validators=[Optional(), NumberRange(min=1, max=99, message=_l("Die Redefolge ist eine Zahl von 1 bis 99."))],
    )
    serves_person_id = SelectField(_l("Dolmetscht für (nur Dolmetscher/innen)"), default=NOBODY)

    def validate_person_id(self, field: SelectField) -> None:
        if field.data is None:  # not a number at all: WTForms has said so already
            return
        known = {value for value, *_rest in _flat(field.choices)}
        if field.data not in known:
            raise ValidationError(_("Bitte eine Person aus der Liste wählen."))

    def validate_serves_person_id(self, field: SelectField) -> None:
        if field.data and self.rank.data != PrecedenceRank.INTERPRETER.value:
            raise ValidationError(_("Nur Dolmetscher/innen dolmetschen für jemanden. Bitte den Rang prüfen."))

    def fill(self, record: ProtocolParticipant) -> None:
        self.person_id.data = record.person_id
        self.rank.data = record.rank.value
        self.speaking_order.data = record.speaking_order
        self.serves_person_id.data = str(record.serves.person_id) if record.serves is not None else NOBODY
        self.version.data = record.version

    def to_input(self) -> ParticipantInput:
        return ParticipantInput(
            person_id=int(self.person_id.data),
            rank=PrecedenceRank(self.rank.data) if self.rank.data else None,
            speaking_order=self.speaking_order.data,
            serves_person_id=int(self.serves_person_id.data) if self.serves_person_id.data else None,
            version=self.version.data,
        )


def _flat(choices: Any) -> list[tuple[Any, ...]]:
    """Select choices with their groups flattened (a dict of groups, or a plain list)."""
    if isinstance(choices, dict):
        return [tuple(choice) for group in choices.values() for choice in group]
    return [tuple(choice) for choice in choices or []]


class SwapForm(InputForm):
    first = SelectField(_l("Platz"), coerce=int, validators=[InputRequired(message=_l("Bitte einen Platz wählen."))])
    second = SelectField(
        _l("tauschen mit Platz"), coerce=int, validators=[InputRequired(message=_l("Bitte einen Platz wählen."))]
    )

    def validate_second(self, field: SelectField) -> None:
        if field.data == self.first.data:
            raise ValidationError(_("Bitte zwei verschiedene Plätze wählen."))

    def to_input(self) -> SwapInput:
        return SwapInput(first=int(self.first.data), second=int(self.second.data), version=self.version.data)
