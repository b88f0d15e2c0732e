"""Quick add: appointments typed as lines under a programme day, "10:30–12:00 Besuch Toyota, Toyota City".

A line is a time or a time range, a title and, after the last comma, the
place (the venue). The time comes first ("14:00 Empfang Rathaus") or as a
part of its own between commas ("Empfang Rathaus, 14:00, Rathaus"). Times are
written as German offices write them: "9:30", "09.30", "9.30 Uhr", "14 Uhr";
a range with a hyphen, an en or em dash or "bis". Without an end the
appointment lasts as long as a new one in the full form
(:data:`planner.program.inputs.DEFAULT_DURATION`).

Decided here, once:

* **The day is the row's day**, so an end before the start is refused
  rather than read as the next morning: a line under Wednesday that ends on
  Thursday is a typing mistake far more often than a night session, and an
  overnight item is better typed in the full form, where both days show.
* **Where** comes from the itinerary: on a day without a leg the home city
  and zone; on a day with one leg that leg's city and zone; on a travel day
  the leg whose stay contains the wall time (read in each leg's own zone).
  A time on a travel day inside no stay (the delegation is on the way) or
  inside two (a westbound hop can repeat an hour) is refused: the planner
  says where in the full form, nothing is guessed.
* **DST**: a wall time that does not exist or happens twice at that place
  is refused with the full form's own message (:mod:`planner.web.localtime`).
* Everything else takes the full form's defaults: the dataclass defaults of
  :class:`~planner.program.inputs.AppointmentInput` (tentative, kind
  "other", visible to the delegation) and the whole delegation attending.

All lines or none: :func:`appointments_on` returns every appointment or
raises :class:`QuickAddRefused` with each bad line's number and reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _

from planner.delegations.itinerary import Itinerary
from planner.models import Delegation, Leg
from planner.program.inputs import DEFAULT_DURATION, AppointmentInput
from planner.timezones import AmbiguousLocalTime, NonexistentLocalTime, to_utc
from planner.web.localtime import nonexistent_time_message, repeated_time_message

# As the columns allow (Appointment.title, Appointment.venue).
MAX_TITLE = 200
MAX_PLACE = 200
# A pasted day, not a pasted file: more lines than this is a mistake, refused as a whole.
MAX_LINES = 60

_CLOCK = r"(?P<{0}h>\d{{1,2}})(?:[:.](?P<{0}m>\d{{2}}))?"
_UHR = r"(?:\s*Uhr\b)?"
_TIME = re.compile(
    rf"{_CLOCK.format('s')}(?P<suhr>{_UHR})(?:\s*(?:[-–—]|\bbis\b)\s*{_CLOCK.format('e')}(?P<euhr>{_UHR}))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QuickLine:
    """One line as typed: wall times (the day is the caller's), title and optional place."""

    start: time
    end: time | None
    title: str
    place: str | None


class LineRefused(ValueError):
    """A line that cannot become an appointment; ``message`` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LineError:
    number: int  # 1-based, counting blank lines too: the number the planner sees in the text box
    message: str

    def __str__(self) -> str:
        return _("Zeile %(number)d: %(message)s", number=self.number, message=self.message)


class QuickAddRefused(ValueError):
    """At least one line is bad: nothing is saved; ``errors`` names each bad line."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _clock(hours: str, minutes: str | None, typed: str) -> time:
    h, m = int(hours), int(minutes or 0)
    if h > 23 or m > 59:
        raise LineRefused(_("„%(time)s“ ist keine Uhrzeit (00:00 bis 23:59).", time=typed.strip()))
    return time(h, m)


def _read_time(text: str) -> tuple[time, time | None] | None:
    """The start and end of ``text`` if it is a time or a time range and nothing else; None if it is none."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    # "2" alone is a number, not a time: a time has minutes or says "Uhr".
    has_minutes = match.group("sm") or match.group("em")
    says_uhr = (match.group("suhr") or "").strip() or (match.group("euhr") or "").strip()
    if not (has_minutes or says_uhr):
        return None
    start = _clock(match.group("sh"), match.group("sm"), text)
    end = _clock(match.group("eh"), match.group("em"), text) if match.group("eh") else None
    return start, end


def _leading_time(line: str) -> tuple[tuple[time, time | None], str] | None:
    """A time or range at the start of ``line`` and the rest of the line, or None."""
    match = _TIME.match(line)
    if match is None:
        return None
    rest = line[match.end() :]
    if rest and not rest[0].isspace() and rest[0] != ",":
        return None  # "2024er Bilanz": digits running into a word are no time
    found = _read_time(match.group(0))
    return (found, rest.lstrip(" ,")) if found is not None else None


def parse_line(line: str) -> QuickLine:
    """Read one line; raise :class:`LineRefused` with the reason if it is no appointment."""
    text = " ".join(line.split())
    found = _leading_time(text)
    if found is not None:
        (start, end), rest = found
        parts = [part.strip() for part in rest.split(",")] if rest else []
    else:
        parts = [part.strip() for part in text.split(",")]
        times = [index for index, part in enumerate(parts) if _read_time(part) is not None]
        if not times:
            raise LineRefused(_("Keine Uhrzeit gefunden. Beispiel: „14:00 Empfang Rathaus“ oder „10:30–12:00 Besuch, Ort“."))
        if len(times) > 1:
            raise LineRefused(_("Mehr als eine Uhrzeit gefunden. Bitte eine Uhrzeit oder eine Spanne je Zeile."))
        read = _read_time(parts.pop(times[0]))
        assert read is not None
        start, end = read
    parts = [part for part in parts if part]
    place = parts.pop() if len(parts) > 1 else None
    title = ", ".join(parts)
    if not title:
        raise LineRefused(_("Der Titel fehlt."))
    if len(title) > MAX_TITLE:
        raise LineRefused(_("Der Titel ist länger als %(max)d Zeichen.", max=MAX_TITLE))
    if place is not None and len(place) > MAX_PLACE:
        raise LineRefused(_("Der Ort ist länger als %(max)d Zeichen.", max=MAX_PLACE))
    if end is not None and end <= start:
        raise LineRefused(
            _(
                "Das Ende (%(end)s) liegt nicht nach dem Beginn (%(start)s). "
                "Termine über Mitternacht bitte im vollständigen Formular anlegen.",
                end=f"{end:%H:%M}",
                start=f"{start:%H:%M}",
            )
        )
    return QuickLine(start=start, end=end, title=title, place=place)


def _stay_contains(leg: Leg, wall: datetime) -> bool:
    """Whether the wall time ``wall``, read in the leg's own zone, falls into the leg's stay."""
    try:
        instant = to_utc(wall, leg.timezone, fold=0)
    except NonexistentLocalTime:
        return False
    return leg.arrive_at <= instant < leg.depart_at


def where(itinerary: Itinerary, home_city_id: int | None, wall: datetime) -> tuple[str, int | None]:
    """The zone and city of an appointment starting at ``wall`` on its day; :class:`LineRefused` if unclear."""
    legs = itinerary.legs_on(wall.date())
    if not legs:
        return itinerary.home_zone, home_city_id
    inside = [leg for leg in legs if _stay_contains(leg, wall)]
    if len(inside) == 1:
        return inside[0].timezone, inside[0].city_id
    if not inside and len(legs) == 1:
        # The arrival or departure day of a single stay: the city's clock, as Itinerary.zone_at decides.
        return legs[0].timezone, legs[0].city_id
    cities = " / ".join(leg.city.name for leg in legs)
    if inside:
        message = _(
            "Um %(time)s ist an diesem Reisetag nicht eindeutig, wo die Delegation ist (%(cities)s). "
            "Bitte das vollständige Formular verwenden.",
            time=f"{wall:%H:%M}",
            cities=cities,
        )
    else:
        message = _(
            "Um %(time)s ist die Delegation an diesem Reisetag unterwegs (%(cities)s). "
            "Bitte das vollständige Formular verwenden und die Stadt wählen.",
            time=f"{wall:%H:%M}",
            cities=cities,
        )
    raise LineRefused(message)


def _instant(wall: datetime, zone: str) -> datetime:
    try:
        return to_utc(wall, zone)
    except NonexistentLocalTime:
        raise LineRefused(nonexistent_time_message(wall, zone)) from None
    except AmbiguousLocalTime:
        use_form = _("Bitte das vollständige Formular verwenden.")
        raise LineRefused(f"{repeated_time_message(wall, zone)} {use_form}") from None


def appointment_for(
    line: QuickLine, day: date, itinerary: Itinerary, home_city_id: int | None, attendee_ids: tuple[int, ...]
) -> AppointmentInput:
    """The appointment a parsed line stands for on ``day``."""
    start_wall = datetime.combine(day, line.start)
    end_wall = datetime.combine(day, line.end) if line.end is not None else start_wall + DEFAULT_DURATION
    zone, city_id = where(itinerary, home_city_id, start_wall)
    start, end = _instant(start_wall, zone), _instant(end_wall, zone)
    return AppointmentInput(
        title=line.title,
        start_at=start,
        end_at=end,
        timezone=zone,
        city_id=city_id,
        venue=line.place,
        attendee_ids=attendee_ids,
    )


def appointments_on(delegation: Delegation, day: date, text: str, attendee_ids: tuple[int, ...]) -> list[AppointmentInput]:
    """Every line of ``text`` as an appointment on ``day``; :class:`QuickAddRefused` if any line is bad.

    ``delegation`` comes with its legs and their cities and its home city (no query here).
    """
    itinerary = Itinerary.of(delegation)
    lines = text.splitlines()
    if sum(1 for line in lines if line.strip()) > MAX_LINES:
        raise QuickAddRefused([LineError(MAX_LINES + 1, _("Höchstens %(max)d Zeilen auf einmal.", max=MAX_LINES))])
    found: list[AppointmentInput] = []
    errors: list[LineError] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            found.append(appointment_for(parse_line(line), day, itinerary, delegation.home_city_id, attendee_ids))
        except LineRefused as refusal:
            errors.append(LineError(number, refusal.message))
    if errors:
        raise QuickAddRefused(errors)
    return found
