"""The base of every edit form, and the fields and validators that forms of several features share.

An edit form does three things and nothing else: it checks what was typed
(WTForms validators, plus ``validate()`` where fields depend on each other),
it shows a record (:meth:`InputForm.fill`), and it hands a validated form's
values on as a typed input (:meth:`InputForm.to_input`). Operations take those
inputs and never see a form, so the importer, clone and the seed loader write
through the same operations as the pages.
"""

from __future__ import annotations

import json
from abc import ABCMeta, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, IntegerField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.form import FormMeta
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from planner.formatting import territory_name
from planner.timezones import FIRST_YEAR, LAST_YEAR, is_known_zone, zone_names, zones_of_country


class VersionField(IntegerField):
    """The record version a form was opened with (hidden); the edit flow compares it when saving."""

    widget = HiddenField.widget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validators=[InputRequired()], **kwargs)


class _InputFormMeta(FormMeta, ABCMeta):
    """WTForms' form metaclass with abstract methods: a form without ``to_input`` cannot be built."""


class InputForm(FlaskForm, metaclass=_InputFormMeta):
    """An edit form that shows a record and turns into a typed input.

    The edit flow (:func:`planner.web.edit_flow.edit_page`) calls ``fill(record)``
    to show a record and ``to_input()`` to save. A new record's form is shown
    with its defaults and version 1.
    """

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


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (e.g. the attending members)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def year_range_message() -> str:
    return _("Bitte ein Datum zwischen %(first)d und %(last)d angeben.", first=FIRST_YEAR, last=LAST_YEAR)


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
    groups = {code: {"label": _zone_group_label(code), "zones": zones_of_country(code)} for code in sorted(set(countries))}
    data = {
        "data-zone-source": source.id,
        "data-zone-groups": json.dumps(
            {code: group for code, group in groups.items() if group["zones"]}, ensure_ascii=False, separators=(",", ":")
        ),
        "data-zone-others": _("Alle anderen Zeitzonen"),
    }
    if city_countries is not None:
        data["data-zone-city-countries"] = json.dumps(
            {str(city): code for city, code in city_countries.items()}, separators=(",", ":")
        )
    field.render_kw = {**(field.render_kw or {}), **data}
