"""The one form field for a time of day at a place: the planner types wall time, the form gets a UTC instant.

The zone is not part of the field: the form decides which zone applies (the
city's, or one chosen in a select) and calls :meth:`LocalTimeField.resolve`
from its ``validate()``. Conversion goes through :mod:`planner.timezones`;
the two daylight-saving traps become messages on the field:

* a wall time in the spring-forward gap does not exist and is refused;
* a wall time in the fall-back hour happens twice; the field then shows its
  own question "which one?" (posted as ``<name>-fold``), so a start in the
  first 02:30 and an end in the second 02:30 are both possible.

:meth:`LocalTimeField.show` puts an instant back as wall time *and* the
occurrence it is, so an item saved at the second 02:30 comes back with the
second one chosen and saves unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import DateTimeLocalField
from wtforms.utils import unset_value
from wtforms.widgets import DateTimeLocalInput

from planner.timezones import FIRST_YEAR, LAST_YEAR, AmbiguousLocalTime, NonexistentLocalTime, UnknownTimeZone, to_local, to_utc
from planner.web.forms import year_range_message

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"

# Which of the two occurrences of a repeated wall time: 0 = the first (clocks not yet turned back).
FOLD_CHOICES = (
    (0, _l("die erste (noch Sommerzeit)")),
    (1, _l("die zweite (schon Winterzeit)")),
)


class LocalTimeInput(DateTimeLocalInput):
    """The datetime-local input, followed by the "which one?" choice when the wall time happens twice."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        html = super().__call__(field, **kwargs)
        if not field.asks_fold:
            return html
        options = []
        for value, text in FOLD_CHOICES:
            option_id = f"{field.id}-fold-{value}"
            checked = " checked" if field.fold == value else ""
            options.append(
                f'<label class="option" for="{option_id}"><input type="radio" id="{option_id}" '
                f'name="{escape(field.fold_name)}" value="{value}"{checked}> {escape(str(text))}</label>'
            )
        legend = escape(_("Welche der beiden Uhrzeiten ist gemeint?"))
        return html + Markup(f'<fieldset class="field--group fold-choice"><legend>{legend}</legend>{"".join(options)}</fieldset>')


class LocalTimeField(DateTimeLocalField):
    """A wall time at a place (naive ``data``) that :meth:`resolve` turns into ``instant`` (UTC)."""

    widget = LocalTimeInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format=LOCAL_FORMAT, **kwargs)
        self.fold: int | None = None  # the occurrence chosen (or shown) in a repeated hour
        self.fold_needed = False  # the typed time is ambiguous and no occurrence was chosen
        self.shows_repeated_time = False  # the shown instant lies in a repeated hour
        self.instant: datetime | None = None

    @property
    def fold_name(self) -> str:
        return f"{self.name}-fold"

    @property
    def asks_fold(self) -> bool:
        return self.fold_needed or self.shows_repeated_time or self.fold is not None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        raw = formdata.get(self.fold_name) if formdata is not None else None
        self.fold = int(raw) if raw in ("0", "1") else None

    def show(self, instant: datetime, zone: str) -> None:
        """Show ``instant`` as the wall time at ``zone``, with the occurrence it is if that time happens twice."""
        local = to_local(instant, zone)
        wall = local.replace(tzinfo=None)
        self.data = wall
        try:
            to_utc(wall, zone)
        except AmbiguousLocalTime:
            self.shows_repeated_time = True
            self.fold = local.fold
        except NonexistentLocalTime:  # pragma: no cover - an instant always shows an existing wall time
            pass

    def resolve(self, zone: str | None) -> datetime | None:
        """The UTC instant of the typed wall time at ``zone``; None with a message on the field if there is none.

        ``zone`` None means the form could not work out a zone (reported on the zone's own field).
        """
        self.instant = None
        wall = self.data
        if wall is None or zone is None:
            return None
        if not FIRST_YEAR <= wall.year <= LAST_YEAR:
            self.errors.append(year_range_message())
            return None
        try:
            self.instant = to_utc(wall, zone, fold=self.fold)
        except UnknownTimeZone:
            return None  # reported on the zone field
        except NonexistentLocalTime:
            self.errors.append(nonexistent_time_message(wall, zone))
        except AmbiguousLocalTime:
            self.fold_needed = True
            choose = _("Bitte unten wählen, welche gemeint ist.")
            self.errors.append(f"{repeated_time_message(wall, zone)} {choose}")
        return self.instant


def nonexistent_time_message(wall: datetime, zone: str) -> str:
    """Why a wall time in the spring-forward gap is refused (every form that takes wall times says it alike)."""
    return _(
        "%(time)s gibt es am %(day)s in %(zone)s nicht: Die Uhren springen wegen der Zeitumstellung vor. "
        "Bitte eine andere Uhrzeit wählen.",
        time=wall.strftime("%H:%M"),
        day=format_datetime(wall, "d. MMMM y"),
        zone=zone,
    )


def repeated_time_message(wall: datetime, zone: str) -> str:
    """Why a wall time in the fall-back overlap cannot be saved as typed; the caller says how to choose."""
    return _(
        "%(time)s gibt es am %(day)s in %(zone)s zweimal (Zeitumstellung).",
        time=wall.strftime("%H:%M"),
        day=format_datetime(wall, "d. MMMM y"),
        zone=zone,
    )
