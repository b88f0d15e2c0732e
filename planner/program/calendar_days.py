"""Weekends and public holidays at the place of an appointment: days on which counterparts may be away.

An appointment is judged by the calendar of the country it takes place in
(its city's country) on its *local* dates in its own zone: 01:00 on Sunday
in Seoul is a Sunday there, even though UTC still says Saturday. The public
holidays and each country's weekend come from the ``holidays`` package
(most countries rest on Saturday and Sunday; it knows the exceptions, such
as Friday and Saturday in Saudi Arabia, and the Saturdays China declares
working days to bridge a holiday week, which are then not a weekend).

Holiday tables are built once per country, year and language and kept in
memory (:func:`_table`), so warning about a whole programme asks the
database nothing and the package nothing after the first page.

The rules are read by :mod:`planner.program.conflicts` (the warnings of the
programme and of one appointment) and by cloning a trip (:func:`shift_warnings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import holidays
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.formatting import day, day_and_month, territory_name, weekday_name
from planner.timezones import to_local

if TYPE_CHECKING:
    from planner.models import Appointment

# Saturday and Sunday (date.weekday()), for a country the package does not know.
_DEFAULT_WEEKEND = frozenset({5, 6})
# An appointment running for weeks (a trade fair stand, a mistake) is judged on its first weeks only.
_MOST_DAYS = 14


@dataclass(frozen=True)
class CalendarTable:
    """One country's calendar for one year: its holidays (named in one language), weekend and bridging workdays."""

    holidays: Mapping[date, tuple[str, ...]]
    weekend: frozenset[int]  # date.weekday() numbers
    weekend_workdays: frozenset[date]  # weekend days declared working days (China's bridging Saturdays)


@dataclass(frozen=True)
class DayNote:
    """Why a local day may be a bad day for an appointment: a weekend or a public holiday in ``country``."""

    day: date
    country: str  # ISO 3166-1 alpha-2
    kind: str  # weekend, holiday
    name: str = ""  # the holiday's name

    def message(self) -> str:
        """'Samstag — in Südkorea Wochenende' / '3. Oktober: Tag der Deutschen Einheit (Feiertag in Deutschland)'."""
        country = territory_name(self.country)
        if self.kind == "weekend":
            return _("%(weekday)s — in %(country)s Wochenende", weekday=weekday_name(self.day), country=country)
        return _("%(day)s: %(name)s (Feiertag in %(country)s)", day=day_and_month(self.day), name=self.name, country=country)


@lru_cache(maxsize=512)
def holiday_language(country: str, ui_language: str) -> str | None:
    """The language to name ``country``'s holidays in for a user reading ``ui_language`` ('de', 'en').

    The UI language when the package has names in it (German holidays in
    German); otherwise its American English names, which a German office
    reads more easily than Korean or Chinese script ("Hangul Day" rather than
    "한글날"); otherwise (a country without English names) the package's
    default, the country's own language. None for a country it does not know.
    Cached: asking the package builds a calendar object (about a millisecond).
    """
    try:
        supported = holidays.country_holidays(country).supported_languages
    except NotImplementedError:
        return None
    for candidate in (ui_language, f"{ui_language}_US", "en_US", "en_GB"):
        if candidate in supported:
            return candidate
    return None


@lru_cache(maxsize=1024)
def _table(country: str, year: int, language: str | None) -> CalendarTable:
    try:
        calendar = holidays.country_holidays(country, years=year, language=language)
    except NotImplementedError:  # a country the package has no calendar for: a plain weekend, no holidays
        return CalendarTable({}, _DEFAULT_WEEKEND, frozenset())
    names = {when: tuple(calendar.get_list(when)) for when in calendar}
    weekend = frozenset(getattr(calendar, "weekend", _DEFAULT_WEEKEND))
    workdays = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    return CalendarTable(names, weekend, workdays)


def calendar_table(country: str, year: int, ui_language: str) -> CalendarTable:
    """``country``'s calendar for ``year`` with holiday names for a user reading ``ui_language`` (cached in memory)."""
    return _table(country.upper(), year, holiday_language(country.upper(), ui_language))


def notes_on(country: str, local_day: date, ui_language: str) -> list[DayNote]:
    """What makes ``local_day`` in ``country`` a bad day for an appointment: its holidays, then its weekend."""
    table = calendar_table(country, local_day.year, ui_language)
    notes = [DayNote(local_day, country, "holiday", name) for name in table.holidays.get(local_day, ())]
    if local_day.weekday() in table.weekend and local_day not in table.weekend_workdays:
        notes.append(DayNote(local_day, country, "weekend"))
    return notes


def local_days(appointment: Appointment) -> list[date]:
    """The local dates an appointment covers in its zone (an end at midnight does not take in the next day)."""
    first = to_local(appointment.start_at, appointment.timezone).date()
    end = to_local(appointment.end_at, appointment.timezone)
    last = end.date() if end.time() != end.time().min else end.date() - timedelta(days=1)
    count = min(max((last - first).days + 1, 1), _MOST_DAYS)
    return [first + timedelta(days=n) for n in range(count)]


def country_of(appointment: Appointment) -> str | None:
    """The ISO code of the country an appointment takes place in (its city's); None without a city."""
    city = appointment.city
    return city.country.iso_code if city is not None else None


def appointment_notes(appointment: Appointment, ui_language: str) -> list[DayNote]:
    """The weekends and holidays an appointment falls on, day by day (its city with its country must be loaded)."""
    country = country_of(appointment)
    if country is None:
        return []
    return [note for when in local_days(appointment) for note in notes_on(country, when, ui_language)]


def _key(note: DayNote) -> tuple[str, str]:
    return note.kind, note.name


def shift_warnings(appointments: Iterable[Appointment], days: timedelta, ui_language: str) -> list[str]:
    """What moving ``appointments`` by ``days`` (wall times kept, as cloning does) newly puts on weekends and holidays.

    One message for weekends and one for holidays, each naming the
    appointments with their new day. An appointment already on a Sunday, or
    on the same holiday (a clone a year on), is not news and is left out.
    """
    weekend: list[str] = []
    holiday: list[str] = []
    for appointment in appointments:
        country = country_of(appointment)
        if country is None:
            continue
        covered = local_days(appointment)
        before = {_key(note) for when in covered for note in notes_on(country, when, ui_language)}
        after = [note for when in covered for note in notes_on(country, when + days, ui_language) if _key(note) not in before]
        first_weekend = next((note for note in after if note.kind == "weekend"), None)
        if first_weekend is not None:
            weekend.append(_("„%(title)s“ (%(when)s)", title=appointment.title, when=day(first_weekend.day)))
        named = [_("%(day)s: %(name)s", day=day(note.day), name=note.name) for note in after if note.kind == "holiday"]
        if named:
            holiday.append(_("„%(title)s“ (%(when)s)", title=appointment.title, when=", ".join(named)))
    messages = []
    if weekend:
        messages.append(
            ngettext(
                "%(num)d Termin fällt jetzt auf ein Wochenende: %(items)s",
                "%(num)d Termine fallen jetzt auf ein Wochenende: %(items)s",
                len(weekend),
                items="; ".join(weekend),
            )
        )
    if holiday:
        messages.append(
            ngettext(
                "%(num)d Termin fällt jetzt auf einen Feiertag: %(items)s",
                "%(num)d Termine fallen jetzt auf einen Feiertag: %(items)s",
                len(holiday),
                items="; ".join(holiday),
            )
        )
    return messages
