"""The base of every edit form, and the fields and validators that forms of several features share.

An edit form does three things and nothing else: it checks what was typed
(WTForms validators, plus ``validate()`` where fields depend on each other),
it shows a record (:meth:`InputForm.fill`), and it hands a validated form's
values on as a typed input (:meth:`InputForm.to_input`). Operations take those
inputs and never see a form, so the importer, clone and the seed loader write
through the same operations as the pages.

Several records in one submission (the stops of a new trip, a day's journeys)
are rows: a :class:`RowsField` of :class:`RowForm` s. Rows the planner left
as shown are ignored; each filled row is checked on its own and hands on its
input with its position (:class:`planner.editing.Row`), so a message, also one
an operation raises, appears at the row it is about (:func:`field_named`).
"""

from __future__ import annotations

import json
from abc import ABCMeta, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, FieldList, FormField, HiddenField, IntegerField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.form import BaseForm, Form, FormMeta
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select

from planner.editing import Row
from planner.formatting import territory_name
from planner.text import is_phone_number, single_line
from planner.timezones import FIRST_YEAR, LAST_YEAR, is_known_zone, zone_names, zones_of_country


class VersionField(IntegerField):
    """The record version a form was opened with (hidden); the edit flow compares it when saving."""

    widget = HiddenField.widget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validators=[InputRequired()], **kwargs)


class _InputFormMeta(FormMeta, ABCMeta):
    """WTForms' form metaclass with abstract methods: a form without ``to_input`` cannot be built."""


class OptionsSelect(Select):
    """WTForms' select widget, with each plain option written out directly: the same HTML, a third of the time.

    The planner's selects are long (~250 countries, ~600 time zones on the city form), and
    WTForms builds every option's attributes through its general ``html_params`` (sorting,
    formatting Markup): ~19 ms for the zone select alone, most of such a page. An option with
    no extra attributes has only ``value`` and perhaps ``selected``, so it is written as
    ``html_params`` would write it (sorted: ``selected`` first; the value escaped, a quote as
    ``&quot;``); any other option goes through WTForms as before.

    The same options are drawn on page after page (the zone list on every form with a place, the
    countries, the directory's records), so an option whose value and label are plain strings or
    numbers is written once per process and then looked up: escaping and wrapping it as Markup took
    ~20 µs an option, ~10 ms for the zone select, a third of a refused submission of such a form.
    Other labels (lazily translated ones, Markup) are written afresh each time, as they may differ.
    """

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value, label = choice.value, choice.label
        if type(value) in _CACHED_TYPES and type(label) in _CACHED_TYPES:
            return _plain_option(value, label, bool(choice.selected))
        return _write_option(value, label, bool(choice.selected))


# Exact types only: a Markup (a str subclass) or a lazy string is escaped differently from a plain str.
_CACHED_TYPES = frozenset({str, int})


def _write_option(value: Any, label: Any, selected: bool) -> Markup:
    value = str(value) if isinstance(value, bool) else value
    attribute = escape(value).replace(Markup('"'), Markup("&quot;"))
    return Markup(f'<option{" selected" if selected else ""} value="{attribute}">{escape(label or value)}</option>')


# typed: 1 and "1" are different keys (they print the same, but keep the cache honest). The bound keeps a
# long-running worker's memory flat whatever the directory holds (an option is ~100 bytes).
_plain_option = lru_cache(maxsize=8192, typed=True)(_write_option)


_OPTIONS_SELECTS = {False: OptionsSelect(), True: OptionsSelect(multiple=True)}


class OptionsSelectMeta:
    """Form options (WTForms ``Meta``): a select field with WTForms' own select widget is drawn by :class:`OptionsSelect`."""

    def bind_field(self, form: BaseForm, unbound_field: Any, options: dict[str, Any]) -> Field:
        widget = getattr(unbound_field.field_class, "widget", None)
        if isinstance(widget, Select) and type(widget) is Select and "widget" not in unbound_field.kwargs:
            options = {**options, "widget": _OPTIONS_SELECTS[widget.multiple]}
        return super().bind_field(form, unbound_field, options)  # type: ignore[misc]


class InputForm(FlaskForm, metaclass=_InputFormMeta):
    """An edit form that shows a record and turns into a typed input.

    The edit flow (:func:`planner.web.edit_flow.edit_page`) calls ``fill(record)``
    to show a record and ``to_input()`` to save. A new record's form is shown
    with its defaults and version 1.
    """

    Meta = OptionsSelectMeta
    version = VersionField(default=1)

    def fill(self, record: Any) -> None:
        """Show ``record`` as saved (GET of an edit page, and "saved now" on the conflict page).

        By default each field takes the record's attribute of the same name, as WTForms' ``obj=``
        does; forms whose fields differ from the record's columns (enums, wall times) override it.
        """
        self.process(obj=record)

    @abstractmethod
    def to_input(self) -> Any:
        """The validated values as the feature's typed input (only called after ``validate()`` passed)."""


class RowForm(Form, metaclass=_InputFormMeta):
    """One row of a :class:`RowsField`: a small form without CSRF token or version of its own (the page's form has them).

    A row is *blank* when the planner left every field as shown (empty, or at its default,
    such as "—" in a select); blank rows are neither checked nor saved.
    """

    Meta = OptionsSelectMeta

    def is_blank(self) -> bool:
        for field in self:
            typed = [str(value).strip() for value in field.raw_data or ()]
            default = field.default() if callable(field.default) else field.default
            shown = "" if default is None else str(default)  # a hotel called "None" is typed, not blank
            if any(value and value != shown for value in typed):
                return False
        return True

    @abstractmethod
    def to_input(self) -> Any:
        """The row's validated values as the feature's typed input (only called for a filled row that passed)."""


class RowsField(FieldList):
    """Several rows of the same :class:`RowForm` in one form, e.g. four stops of a new trip.

    Fields are named ``<name>-<row>-<field>`` (``legs-1-city_id``), row numbers from 0. The
    view sets choices and other per-request values on each row through :meth:`row_forms`.
    Validation checks the filled rows only; a row's messages stay on the row's own fields.
    :meth:`inputs` hands on the filled rows as :class:`~planner.editing.Row` s, whose
    position lets :func:`planner.editing.save_rows` name the row of a refusal. The template
    draws each row as a fieldset titled ``row_label`` with its number (``Station 2``);
    ``macros.html``'s ``rows(field)`` does that, and ``form_page.html`` uses it for any RowsField.

    Use::

        class LegRowForm(RowForm):            # the row: fields, validate(), to_input() -> LegInput
            ...

        class NewDelegationForm(DelegationForm):
            legs = RowsField(LegRowForm, _l("Stationen"), rows=4, row_label=_l("Station %(number)d"))

            def to_input(self):               # the rows as Row[LegInput]s, next to the trip's own input
                return NewDelegationInput(delegation=super().to_input(), legs=self.legs.inputs())

        # the operation: one record per row, a Rejected of row 2 named "legs-1-<field>"
        save_rows("legs", data.legs, lambda leg: save_leg(delegation, leg))

    A select in a row should offer an empty choice as its default (e.g. ``(0, "—")``), so
    that a row left alone is blank; :class:`FilledRows` asks for at least one filled row.
    """

    def __init__(
        self,
        row_form: type[RowForm],
        label: Any = None,
        *,
        rows: int,
        row_label: Any,
        max_rows: int = 20,
        columns: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(FormField(row_form), label, min_entries=rows, max_entries=max_rows, **kwargs)
        self.row_label = row_label
        # Fields per line on a wide screen (2, 3 or 4; the stylesheet knows these), so that related
        # fields share a line; None: as many as fit. On a phone the fields stack either way.
        self.columns = columns
        self.messages: list[str] = []  # about the rows as a whole (e.g. "nothing entered"), not about one row

    def row_forms(self) -> list[Any]:
        """Each row's form, in order (typed loosely: each page knows the fields of its own rows)."""
        return [entry.form for entry in self.entries]

    def filled(self) -> Iterator[tuple[int, Any]]:
        """The position and form of each row that is not blank."""
        for index, row in enumerate(self.row_forms()):
            if not row.is_blank():
                yield index, row

    @property
    def errors(self) -> list[Any]:
        """The messages about the rows as a whole, then one dict per row (``{}`` for a good or blank row) if any row has one.

        Worked out on each read: a refusal by an operation after validation lands on a field in a row.
        """
        rows = [entry.errors for entry in self.entries]
        return [*self.messages, *rows] if any(rows) else list(self.messages)

    @errors.setter
    def errors(self, value: list[Any]) -> None:
        self.messages = [error for error in value if isinstance(error, str)]

    def validate(self, form: BaseForm, extra_validators: Any = ()) -> bool:
        self.messages = []
        valid = True
        for entry in self.entries:
            if not entry.form.is_blank():
                valid = entry.validate(form) and valid
        for validator in [*self.validators, *extra_validators]:
            try:
                validator(form, self)
            except ValidationError as error:  # StopValidation too
                if str(error):
                    self.messages.append(str(error))
        return valid and not self.messages

    def inputs(self) -> tuple[Row[Any], ...]:
        """The filled rows' typed inputs with their positions (after validation passed)."""
        return tuple(Row(index, row.to_input()) for index, row in self.filled())


class FilledRows:
    """A validator of a :class:`RowsField`: at least one row must be filled (``message`` says what to enter)."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: BaseForm, field: RowsField) -> None:
        if next(field.filled(), None) is None:
            raise ValidationError(str(self.message))


def field_named(form: BaseForm, name: str) -> Field:
    """The field of ``form`` whose input is called ``name``, also a field in a row (``legs-1-city_id``).

    A form with a prefix (several forms on one page) is also found by the field's own name, as
    operations name it (``user_id`` for the input ``add-user_id``).
    """
    for field in form:
        if name in (field.name, field.short_name):
            return field
        if isinstance(field, FieldList) and name.startswith(f"{field.name}-"):
            for entry in field.entries:
                if isinstance(entry, FormField) and name.startswith(f"{entry.name}-"):
                    return field_named(entry.form, name)
    raise KeyError(name)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (e.g. the attending members)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def year_range_message() -> str:
    return _("Bitte ein Datum zwischen %(first)d und %(last)d angeben.", first=FIRST_YEAR, last=LAST_YEAR)


def phone_number(form: FlaskForm, field: Field) -> None:
    """A validator: a number one can dial (digits, an optional "+", spaces, brackets, "-" and "/")."""
    # A line break in a one-line field is stored as a space (planner.text.single_line): judge the number so.
    if field.data and not is_phone_number(single_line(str(field.data)).strip()):
        raise ValidationError(_("Bitte nur eine Telefonnummer eingeben, wie man sie wählt (z. B. +49 211 123456)."))


def plausible_date(form: FlaskForm, field: Field) -> None:
    """A validator: dates far outside any trip are typing mistakes (and overflow date arithmetic)."""
    value = field.data
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(year_range_message())


def chosen_zone(field: SelectField) -> str | None:
    """The IANA zone chosen in ``field``, or None with a clear error (a select can be tampered with)."""
    if field.data and is_known_zone(field.data):
        return str(field.data)
    if field.data:
        field.errors.append(_("Unbekannte Zeitzone „%(zone)s“. Bitte eine Zeitzone aus der Liste wählen.", zone=field.data))
    else:
        field.errors.append(_("Bitte eine Zeitzone wählen."))
    return None


def zone_choices(country: str | None, *, first: Iterable[SelectChoice] = (), keep: str | None = None) -> list[SelectChoice]:
    """The choices of a time-zone select: ``first`` (e.g. "the city's zone"), then the zones of ``country``.

    With a country (ISO code) its zones come as the group "Zeitzonen in <Land>"
    (Seoul's one, Germany's two), and every other zone after them as
    "Alle anderen Zeitzonen", so nobody scrolls through some 500 names to find
    the usual choice and each zone is listed once (a repeated option would be
    selected twice). Without a country, or for one the tz database lists no
    zone for, all zones in one list. ``keep``: the zone already chosen, kept
    selectable even where the list does not name it (a valid alias).
    """
    zones = list(zone_names())
    if keep and keep not in zones and is_known_zone(keep):
        zones.append(keep)
    choices = list(first)
    own = zones_of_country(country) if country else ()
    if not own:
        return choices + [SelectChoice(zone, zone) for zone in zones]
    group, others = _zone_group_label(country or ""), _("Alle anderen Zeitzonen")
    choices += [SelectChoice(zone, zone, optgroup=group) for zone in own]
    return choices + [SelectChoice(zone, zone, optgroup=others) for zone in zones if zone not in own]


def _zone_group_label(country: str) -> str:
    return _("Zeitzonen in %(country)s", country=territory_name(country))


@lru_cache(maxsize=64)
def _zone_groups_json(locale: str, countries: tuple[str, ...]) -> str:
    """The zone groups of ``countries`` for zone_select.js, as JSON: the same for every page in ``locale``.

    Written once per language and list of countries: the city form offers every country, and
    translating ~250 group labels and writing their zones took several milliseconds a page.
    The labels come from the app's one translation catalogue, so the locale is all they depend on.
    """
    groups = {code: {"label": _zone_group_label(code), "zones": zones_of_country(code)} for code in countries}
    return json.dumps(
        {code: group for code, group in groups.items() if group["zones"]}, ensure_ascii=False, separators=(",", ":")
    )


def regroup_on_change(
    field: SelectField, source: Field, countries: Iterable[str], city_countries: Mapping[int, str] | None = None
) -> None:
    """Let planner/static/js/zone_select.js regroup the zone select ``field`` when ``source`` changes.

    The grouping :func:`zone_choices` draws on the server follows the city
    (or country) shown when the page was drawn; with JavaScript, choosing
    another one regroups at once. ``source`` is the city select (then
    ``city_countries`` says each city's country) or the country select
    itself. ``countries``: those whose groups the page may need. The
    attributes are added to any the field already has.
    """
    data = {
        "data-zone-source": source.id,
        "data-zone-groups": _zone_groups_json(str(get_locale()), tuple(sorted(set(countries)))),
        "data-zone-others": _("Alle anderen Zeitzonen"),
    }
    if city_countries is not None:
        data["data-zone-city-countries"] = json.dumps(
            {str(city): code for city, code in city_countries.items()}, separators=(",", ":")
        )
    field.render_kw = {**(field.render_kw or {}), **data}
