"""How dates and times are written on pages, in the user's language.

German offices write "Mi., 16. Okt. 2024" and the 24-hour clock; times are
always shown in the zone of the place, with the home time beside them.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from flask import Flask
from flask_babel import get_locale

from planner.labels import field_label, label
from planner.timezones import get_zone, to_local

_DAY_PATTERNS = {"de": "EEE, d. MMM y", "en": "EEE, d MMM y"}


def _locale() -> str:
    return str(get_locale() or "de")


def day(value: date | datetime, zone_name: str | None = None) -> str:
    """'Mi., 16. Okt. 2024' / 'Wed, 16 Oct 2024'.

    An instant needs the zone whose calendar day is meant (``instant | day(zone)``):
    08:55 in Seoul on 14 October is still 13 October in UTC.
    """
    if isinstance(value, datetime) and zone_name is not None:
        value = to_local(value, zone_name)
    locale = _locale()
    return format_date(value, _DAY_PATTERNS.get(locale[:2], _DAY_PATTERNS["en"]), locale=locale)


def day_range(start: date, end: date) -> str:
    return f"{day(start)} – {day(end)}"


def clock(instant: datetime, zone_name: str) -> str:
    """The wall-clock time of ``instant`` at ``zone_name``, 24-hour: '09:30'."""
    return format_datetime(to_local(instant, zone_name), "HH:mm", tzinfo=get_zone(zone_name), locale=_locale())


def place_name(zone_name: str, city: object | None = None) -> str:
    """How a place is named beside a time: the city if known, else the zone's own city ('Asia/Seoul' -> 'Seoul')."""
    name = getattr(city, "name", None)
    return name or zone_name.rsplit("/", 1)[-1].replace("_", " ")


def offset_to_home(instant: datetime, zone_name: str, home_zone: str) -> str:
    """'+7 h zu Düsseldorf'-style difference of ``zone_name`` to the home zone at ``instant``."""
    from flask_babel import gettext as _

    from planner.timezones import offset_between

    hours = offset_between(instant, zone_name, home_zone).total_seconds() / 3600
    text = f"{hours:+.1f}".replace(".0", "") if hours % 1 else f"{int(hours):+d}"
    return _("%(offset)s h zur Heimatzeit", offset=text)


def current_locale() -> str:
    return _locale()


def register(app: Flask) -> None:
    app.add_template_global(current_locale)
    app.add_template_filter(day)
    app.add_template_filter(clock)
    app.add_template_filter(label)
    app.add_template_filter(field_label)
    app.add_template_global(day_range)
    app.add_template_global(place_name)
    app.add_template_global(offset_to_home)
