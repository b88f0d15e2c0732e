"""Hostile-but-allowed .ics files for the import's tests and benchmarks (issue 17).

Each file stays inside every limit of :mod:`planner.calendar.importing`
(2 MB, lines, events, parameters and list values per property, properties per
component), so it is imported, not refused: what it measures is the most
work an allowed file can ask of the parser.

* :func:`many_parameters`: every line carries the most parameters allowed,
  the lines the importer reads (DTSTART, SUMMARY ...) too;
* :func:`many_categories`: CATEGORIES lines with the most values allowed;
* :func:`plain_calendar`: the reference, an ordinary 2 MB calendar of 2,000
  events (more events than an import takes: it is only parsed).
"""

from __future__ import annotations

from collections.abc import Callable

from planner.calendar.importing import MAX_BYTES, MAX_ITEMS, MAX_LINES, MAX_PARAMETERS, MAX_PROPERTIES, MAX_VALUES

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Planner benchmarks//DE\r\n"
TAIL = "END:VCALENDAR\r\n"


def _parameters(count: int) -> str:
    return "".join(f";X-P{index}=a" for index in range(count))


def _event(index: int, extra: list[str], parameters: int = 0) -> str:
    day = 14 + index % 5
    every, dtstart = _parameters(parameters), _parameters(max(0, parameters - 1))  # DTSTART has its TZID too
    return (
        "BEGIN:VEVENT\r\n"
        f"UID:hostile-{index}@benchmarks\r\n"
        f"SUMMARY{every}:Termin {index}\r\n"
        f"DTSTART{dtstart};TZID=Asia/Seoul:202410{day}T{9 + index % 8:02d}0000\r\n"
        f"DURATION{every}:PT1H\r\n"
        f"DESCRIPTION{every}:Beschreibung {index}\r\n" + "".join(line + "\r\n" for line in extra) + "END:VEVENT\r\n"
    )


def _fill(make_event: Callable[[int, int], str], events: int = MAX_ITEMS) -> bytes:
    """``events`` events, each as large as ``make_event(index, budget)`` makes it within its share of the limits."""
    budget = (MAX_BYTES - len(HEAD) - len(TAIL) - 1024) // events
    data = HEAD + "".join(make_event(index, budget) for index in range(events)) + TAIL
    encoded = data.encode()
    if len(encoded) > MAX_BYTES:
        raise AssertionError(f"the file grew to {len(encoded)} bytes")
    return encoded


def many_parameters() -> bytes:
    """500 events whose every line carries :data:`MAX_PARAMETERS` parameters, up to 2 MB or the line limit."""
    line = "X-HOSTILE" + _parameters(MAX_PARAMETERS) + ":v"
    lines_per_event = min(MAX_LINES // MAX_ITEMS - 8, MAX_PROPERTIES - 8)

    def make(index: int, budget: int) -> str:
        base = _event(index, [], MAX_PARAMETERS)
        room = (budget - len(base)) // (len(line) + 2)
        return _event(index, [line] * max(0, min(room, lines_per_event)), MAX_PARAMETERS)

    return _fill(make)


def many_categories() -> bytes:
    """500 events with CATEGORIES lines of :data:`MAX_VALUES` values each, up to 2 MB or the line limit."""
    line = "CATEGORIES:" + ",".join(["a"] * MAX_VALUES)
    lines_per_event = min(MAX_LINES // MAX_ITEMS - 8, MAX_PROPERTIES - 8)

    def make(index: int, budget: int) -> str:
        base = _event(index, [])
        room = (budget - len(base)) // (len(line) + 2)
        return _event(index, [line] * max(0, min(room, lines_per_event)))

    return _fill(make)


def plain_calendar(events: int = 2_000) -> bytes:
    """An ordinary calendar of ``events`` events filling about 2 MB (long descriptions, folded)."""

    def make(index: int, budget: int) -> str:
        text = f"Besprechung {index}: " + "Tagesordnung\\, Teilnehmende und Unterlagen. " * 40
        base = _event(index, ["LOCATION:Rathaus\\, Marktplatz 2", "X-NOTE:"])
        text = text[: max(0, (budget - len(base)) * 73 // 76 - 4)]
        folded = "\r\n ".join(text[i : i + 73] for i in range(0, len(text), 73))
        return _event(index, ["LOCATION:Rathaus\\, Marktplatz 2", "X-NOTE:" + folded])

    return _fill(make, events)


FILES: dict[str, Callable[[], bytes]] = {
    "many-parameters": many_parameters,
    "many-categories": many_categories,
    "plain-2000-events": plain_calendar,
}
