"""The parsed items of an upload as stored between upload, preview and confirmation.

An upload is parsed once (:func:`planner.calendar.importing.parse_for_delegation`);
what the preview shows and the confirmation imports is this stored list, read
back without parsing the file again. Matching against the database
(:func:`~planner.calendar.importing.plan_import`) is not stored: it runs again
at preview and at confirmation, because the trip may have changed meanwhile.

The list is JSON in the ``pending_imports`` row (the app servers keep no state
of their own; any of them may answer the next step). Its ``format`` number
changes with :class:`~planner.calendar.importing.ImportItem`: a plan stored by
an older release is :class:`StalePlan`, and the planner is asked to upload the
file again, rather than read half of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from planner.calendar.importing import ImportItem, TimeNote
from planner.models import ItemStatus, JourneyMode
from planner.timezones import UTC, WallTimeReading

FORMAT = 1


class StalePlan(ValueError):
    """The stored plan cannot be read by this release (or is damaged)."""


def dump(items: Iterable[ImportItem]) -> str:
    """The parsed (not yet matched) items as JSON text."""
    return json.dumps({"format": FORMAT, "items": [_item(item) for item in items]}, ensure_ascii=False, separators=(",", ":"))


def load(text: str | None) -> list[ImportItem]:
    """The items :func:`dump` stored; raises :class:`StalePlan` for anything else."""
    try:
        document = json.loads(text or "")
        if document.get("format") != FORMAT:
            raise StalePlan("stored by another release")
        return [_read_item(raw) for raw in document["items"]]
    except StalePlan:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StalePlan("damaged") from exc


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _read_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("naive instant in a stored plan")
    return value.astimezone(UTC)


def _item(item: ImportItem) -> dict[str, Any]:
    return {
        "uid": item.uid,
        "summary": item.summary,
        "start": _instant(item.start),
        "end": _instant(item.end),
        "start_zone": item.start_zone,
        "end_zone": item.end_zone,
        "all_day": item.all_day,
        "floating": item.floating,
        "status": item.status.value,
        "location": item.location,
        "description": item.description,
        "is_journey": item.is_journey,
        "status_explicit": item.status_explicit,
        "end_assumed": item.end_assumed,
        "source_tzids": list(item.source_tzids),
        "mode": item.mode.value if item.mode is not None else None,
        "number": item.number,
        "departure_place": item.departure_place,
        "arrival_place": item.arrival_place,
        "time_notes": [_note(note) for note in item.time_notes],
        "raw_summary": item.raw_summary,
        "description_generated": item.description_generated,
        "own_journey_format": item.own_journey_format,
        "start_zone_open": item.start_zone_open,
        "end_zone_open": item.end_zone_open,
        "all_day_dates": [day.isoformat() for day in item.all_day_dates] if item.all_day_dates is not None else None,
    }


def _read_item(raw: dict[str, Any]) -> ImportItem:
    days = raw["all_day_dates"]
    return ImportItem(
        uid=str(raw["uid"]),
        summary=str(raw["summary"]),
        start=_read_instant(raw["start"]),
        end=_read_instant(raw["end"]),
        start_zone=str(raw["start_zone"]),
        end_zone=str(raw["end_zone"]),
        all_day=bool(raw["all_day"]),
        floating=bool(raw["floating"]),
        status=ItemStatus(raw["status"]),
        location=raw["location"],
        description=raw["description"],
        is_journey=bool(raw["is_journey"]),
        status_explicit=bool(raw["status_explicit"]),
        end_assumed=bool(raw["end_assumed"]),
        source_tzids=tuple(str(tzid) for tzid in raw["source_tzids"]),
        mode=JourneyMode(raw["mode"]) if raw["mode"] is not None else None,
        number=raw["number"],
        departure_place=raw["departure_place"],
        arrival_place=raw["arrival_place"],
        time_notes=tuple(_read_note(note) for note in raw["time_notes"]),
        raw_summary=str(raw["raw_summary"]),
        description_generated=bool(raw["description_generated"]),
        own_journey_format=bool(raw["own_journey_format"]),
        start_zone_open=bool(raw["start_zone_open"]),
        end_zone_open=bool(raw["end_zone_open"]),
        all_day_dates=(date.fromisoformat(days[0]), date.fromisoformat(days[1])) if days is not None else None,
    )


def _note(note: TimeNote) -> dict[str, Any]:
    reading = note.reading
    return {
        "ending": note.ending,
        "zone": note.zone,
        "wall": reading.wall.isoformat(),
        "instant": _instant(reading.instant),
        "ambiguous": reading.ambiguous,
        "shifted_to": reading.shifted_to.isoformat() if reading.shifted_to is not None else None,
    }


def _read_note(raw: dict[str, Any]) -> TimeNote:
    reading = WallTimeReading(
        wall=datetime.fromisoformat(raw["wall"]),
        instant=_read_instant(raw["instant"]),
        ambiguous=bool(raw["ambiguous"]),
        shifted_to=datetime.fromisoformat(raw["shifted_to"]) if raw["shifted_to"] is not None else None,
    )
    return TimeNote(ending=bool(raw["ending"]), reading=reading, zone=str(raw["zone"]))
