"""What changed between two versions of a programme, for one reader, in words they understand.

:func:`changes_between` compares two delegations (a released snapshot
rebuilt by :func:`planner.releases.snapshot.materialize`, or the live draft)
item by item, matched by id, and only as far as ``viewer`` sees them
(:mod:`planner.audiences`):

* which items are in a reader's programme: everything for the team; for a
  personal viewer (a member) only the appointments they attend and the
  journeys they travel on; for the press only public items. An item that
  enters or leaves that programme is new or cancelled for them, or, when
  only their attendance changed, "you now attend" / "you no longer attend";
* which changes count: times (on the item's local calendar and clock, in
  the zone of its place), place, title, confirmation, journeys' times,
  route and connection, hotels and stays (not for the press), who else
  attends (team and leadership, never the press), and changes of team-only
  fields (internal notes, booking references, briefing material) for the
  team alone.

Each :class:`Change` carries the facts and a sentence made with gettext in
the current locale ("Do., 17. Okt.: … verschoben von 15:00 auf 16:30
(Ortszeit Chongqing)"), so a caller renders it inside ``force_locale`` of
the reader's language. People's names are read from the people table at
render time (a snapshot refers to them by id).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _

from planner.audiences import Viewer, may_see, shows_item
from planner.calendar.ical import journey_connection
from planner.formatting import clock, end_clock, place_name, short_day
from planner.labels import label
from planner.models import Appointment, Audience, Delegation, ItemStatus, Journey, Leg, Member


class ChangeKind(enum.StrEnum):
    NEW = "new"
    CANCELLED = "cancelled"  # cancelled, or deleted from the programme
    REMOVED = "removed"  # still there, but no longer shown to this reader (visibility)
    NOW_ATTENDING = "now_attending"  # the reader was added to it
    NO_LONGER_ATTENDING = "no_longer_attending"  # the reader was taken off it
    MOVED = "moved"
    PLACE = "place"
    TITLE = "title"
    STATUS = "status"  # confirmed, or tentative again
    ATTENDEE_ADDED = "attendee_added"
    ATTENDEE_REMOVED = "attendee_removed"
    JOURNEY = "journey"  # a journey's times, route or connection
    STAY = "stay"  # a stay's dates or hotel
    TEAM_ONLY = "team_only"  # internal notes, booking references, briefing material


@dataclass(frozen=True)
class Change:
    """One change as one reader sees it: the facts, and :attr:`text` in the locale it was made in."""

    kind: ChangeKind
    item: str  # "appointment", "journey", "leg" or "delegation"
    item_id: int
    title: str
    at: datetime | None  # the item's start (new, else old): the list's order
    text: str
    before: Any = None
    after: Any = None


_BRIEFING = ("objectives", "talking_points", "background")
# Sorted before every dated item: changes of the trip as a whole.
_TRIP = datetime.min.replace(tzinfo=UTC)


# -- who sees what ------------------------------------------------------------------


def _attends(viewer: Viewer, item: Appointment | Journey) -> bool:
    if viewer.member is None:
        return True
    people = item.attendees if isinstance(item, Appointment) else item.travellers
    return any(m.id == viewer.member.id for m in people)


def _in_programme(viewer: Viewer, item: Appointment | Journey | None) -> bool:
    """Whether ``item`` stands, not cancelled, in ``viewer``'s programme."""
    return item is not None and item.status != ItemStatus.CANCELLED and shows_item(viewer, item) and _attends(viewer, item)


def _sees_others(viewer: Viewer) -> bool:
    """Whether changes of who else attends are news for ``viewer``: the team and the leadership, not members or press."""
    return viewer.audience in (Audience.TEAM, Audience.LEADERSHIP)


# -- wording ------------------------------------------------------------------------


def _names(members: Iterable[Member]) -> str:
    return ", ".join(m.person.display_name for m in members)


def _place(appointment: Appointment) -> str:
    """Where an appointment takes place, as its reader is told: venue and address, else the city."""
    parts = [part for part in (appointment.venue, appointment.address) if part]
    return ", ".join(parts) if parts else place_name(appointment.timezone, appointment.city)


def _when(start: datetime, zone: str, place: str, all_day: bool = False) -> str:
    if all_day:
        return short_day(start, zone)
    return _("%(day)s, %(time)s (Ortszeit %(place)s)", day=short_day(start, zone), time=clock(start, zone), place=place)


def _journey_title(journey: Journey) -> str:
    return f"{label(journey.mode)} {journey.departure_place} → {journey.arrival_place}"


def _journey_times(journey: Journey) -> str:
    return _(
        "ab %(depart)s, an %(arrive)s",
        depart=clock(journey.depart_at, journey.departure_timezone),
        arrive=end_clock(journey.arrive_at, journey.arrival_timezone, journey.depart_at, journey.departure_timezone),
    )


def _stay(leg: Leg) -> str:
    return f"{short_day(leg.arrive_at, leg.timezone)} – {short_day(leg.depart_at, leg.timezone)}"


def _hotel(leg: Leg) -> str:
    return ", ".join(part for part in (leg.hotel_name, leg.hotel_address, leg.hotel_phone) if part) or "–"


# -- items --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """The common face of an appointment, journey or stay for the comparisons below."""

    kind: str
    record: Any
    title: str
    start: datetime
    zone: str
    place: str
    all_day: bool = False

    @property
    def day(self) -> str:
        return short_day(self.start, self.zone)

    @property
    def when(self) -> str:
        return _when(self.start, self.zone, self.place, self.all_day)


def _appointment(a: Appointment) -> _Item:
    return _Item("appointment", a, a.title, a.start_at, a.timezone, place_name(a.timezone, a.city), a.all_day)


def _journey(j: Journey) -> _Item:
    return _Item(
        "journey", j, _journey_title(j), j.depart_at, j.departure_timezone, place_name(j.departure_timezone, j.departure_city)
    )


def _leg(leg: Leg) -> _Item:
    return _Item("leg", leg, _("Aufenthalt in %(city)s", city=leg.city.name), leg.arrive_at, leg.timezone, leg.city.name, True)


class _Collector:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def add(self, kind: ChangeKind, item: _Item, at: datetime, text: str, before: Any = None, after: Any = None) -> None:
        self.changes.append(Change(kind, item.kind, item.record.id, item.title, at, text, before, after))


def _presence(
    out: _Collector,
    viewer: Viewer,
    old: Appointment | Journey | None,
    new: Appointment | Journey | None,
    describe: Any,
) -> bool:
    """Record an item entering or leaving ``viewer``'s programme; True when it is in both versions."""
    was, is_ = _in_programme(viewer, old), _in_programme(viewer, new)
    if was and is_:
        return True
    if was:
        assert old is not None
        item = describe(old)
        if new is None or new.status == ItemStatus.CANCELLED:
            out.add(ChangeKind.CANCELLED, item, item.start, _("Abgesagt: %(title)s, %(when)s", title=item.title, when=item.when))
        elif shows_item(viewer, new) and not _attends(viewer, new):
            text = _("Sie nehmen nicht mehr teil: %(title)s, %(when)s", title=item.title, when=item.when)
            out.add(ChangeKind.NO_LONGER_ATTENDING, item, item.start, text)
        else:
            text = _("Nicht mehr im Programm: %(title)s, %(when)s", title=item.title, when=item.when)
            out.add(ChangeKind.REMOVED, item, item.start, text)
    elif is_:
        assert new is not None
        item = describe(new)
        if old is not None and old.status != ItemStatus.CANCELLED and shows_item(viewer, old) and not _attends(viewer, old):
            text = _("Sie nehmen jetzt teil: %(title)s, %(when)s", title=item.title, when=item.when)
            out.add(ChangeKind.NOW_ATTENDING, item, item.start, text)
        else:
            out.add(ChangeKind.NEW, item, item.start, _("Neu: %(title)s, %(when)s", title=item.title, when=item.when))
    return False


def _status(out: _Collector, item: _Item, old: Appointment | Journey, new: Appointment | Journey) -> None:
    if old.status == new.status:
        return
    if new.status == ItemStatus.CONFIRMED:
        text = _("%(day)s: %(title)s ist jetzt bestätigt", day=item.day, title=item.title)
    else:
        text = _("%(day)s: %(title)s ist wieder vorläufig", day=item.day, title=item.title)
    out.add(ChangeKind.STATUS, item, item.start, text, old.status, new.status)


def _people(out: _Collector, viewer: Viewer, item: _Item, old: list[Member], new: list[Member]) -> None:
    if not _sees_others(viewer):
        return
    old_ids, new_ids = {m.id for m in old}, {m.id for m in new}
    added = [m for m in new if m.id not in old_ids]
    removed = [m for m in old if m.id not in new_ids]
    if added:
        text = _("%(day)s: %(title)s – neu dabei: %(names)s", day=item.day, title=item.title, names=_names(added))
        out.add(ChangeKind.ATTENDEE_ADDED, item, item.start, text, after=[m.person_id for m in added])
    if removed:
        text = _("%(day)s: %(title)s – nicht mehr dabei: %(names)s", day=item.day, title=item.title, names=_names(removed))
        out.add(ChangeKind.ATTENDEE_REMOVED, item, item.start, text, before=[m.person_id for m in removed])


def _team_only(out: _Collector, viewer: Viewer, item: _Item, old: Any, new: Any, fields: Iterable[str]) -> None:
    """One line for any change of fields only the team reads (never in anyone else's list)."""
    if viewer.audience is not Audience.TEAM:
        return
    changed = [name for name in fields if getattr(old, name) != getattr(new, name)]
    if not changed:
        return
    if all(name in _BRIEFING for name in changed):
        text = _("%(day)s: %(title)s – Gesprächsunterlagen geändert", day=item.day, title=item.title)
    else:
        text = _("%(day)s: %(title)s – interne Hinweise geändert", day=item.day, title=item.title)
    out.add(ChangeKind.TEAM_ONLY, item, item.start, text, before=changed, after=changed)


def _compare_appointments(out: _Collector, viewer: Viewer, old: Appointment | None, new: Appointment | None) -> None:
    if not _presence(out, viewer, old, new, _appointment):
        return
    assert old is not None and new is not None
    before, after = _appointment(old), _appointment(new)
    # Named as the reader knows it: the old title, on the old day.
    if old.start_at != new.start_at or old.end_at != new.end_at or old.timezone != new.timezone:
        if old.start_at != new.start_at or old.timezone != new.timezone:
            same_day = before.day == after.day
            length_kept = old.end_at - old.start_at == new.end_at - new.start_at

            def span(a: Appointment, item: _Item) -> str:
                if a.all_day:
                    return item.day
                text = clock(a.start_at, a.timezone)
                if not length_kept:
                    text = f"{text}–{end_clock(a.end_at, a.timezone, a.start_at)}"
                return text if same_day else f"{item.day}, {text}"

            text = _(
                "%(day)s: %(title)s verschoben von %(old)s auf %(new)s (Ortszeit %(place)s)",
                day=before.day,
                title=before.title,
                old=span(old, before),
                new=span(new, after),
                place=after.place,
            )
        else:
            text = _(
                "%(day)s: %(title)s endet jetzt um %(new)s statt um %(old)s (Ortszeit %(place)s)",
                day=before.day,
                title=before.title,
                old=end_clock(old.end_at, old.timezone, old.start_at),
                new=end_clock(new.end_at, new.timezone, new.start_at),
                place=after.place,
            )
        out.add(ChangeKind.MOVED, after, new.start_at, text, (old.start_at, old.end_at), (new.start_at, new.end_at))
    if old.title != new.title:
        text = _("%(day)s: „%(old)s“ heißt jetzt „%(new)s“", day=after.day, old=old.title, new=new.title)
        out.add(ChangeKind.TITLE, after, new.start_at, text, old.title, new.title)
    if (old.city_id, old.venue, old.address) != (new.city_id, new.venue, new.address):
        text = _(
            "%(day)s: %(title)s – neuer Ort: %(new)s (bisher: %(old)s)",
            day=after.day,
            title=after.title,
            new=_place(new),
            old=_place(old),
        )
        out.add(ChangeKind.PLACE, after, new.start_at, text, _place(old), _place(new))
    _status(out, after, old, new)
    _people(out, viewer, after, old.attendees, new.attendees)
    _team_only(out, viewer, after, old, new, ("notes", *_BRIEFING))


def _compare_journeys(out: _Collector, viewer: Viewer, old: Journey | None, new: Journey | None) -> None:
    if not _presence(out, viewer, old, new, _journey):
        return
    assert old is not None and new is not None
    before, after = _journey(old), _journey(new)
    if (old.departure_place, old.arrival_place) != (new.departure_place, new.arrival_place):
        route = f"{new.departure_place} → {new.arrival_place}"
        old_route = f"{old.departure_place} → {old.arrival_place}"
        text = _(
            "%(day)s: %(title)s – neue Strecke: %(new)s (bisher: %(old)s)",
            day=after.day,
            title=before.title,
            new=route,
            old=old_route,
        )
        out.add(ChangeKind.JOURNEY, after, new.depart_at, text, old_route, route)
    if (old.depart_at, old.arrive_at, old.departure_timezone, old.arrival_timezone) != (
        new.depart_at,
        new.arrive_at,
        new.departure_timezone,
        new.arrival_timezone,
    ):
        times = _journey_times(new)
        old_times = _journey_times(old)
        if before.day != after.day:
            times, old_times = f"{after.day}, {times}", f"{before.day}, {old_times}"
        text = _(
            "%(day)s: %(title)s – neue Zeiten: %(new)s statt %(old)s (jeweils Ortszeit)",
            day=before.day,
            title=after.title,
            new=times,
            old=old_times,
        )
        out.add(ChangeKind.JOURNEY, after, new.depart_at, text, (old.depart_at, old.arrive_at), (new.depart_at, new.arrive_at))
    if journey_connection(old) != journey_connection(new):
        text = _(
            "%(day)s: %(title)s – neue Verbindung: %(new)s (bisher: %(old)s)",
            day=after.day,
            title=after.title,
            new=journey_connection(new) or "–",
            old=journey_connection(old) or "–",
        )
        out.add(ChangeKind.JOURNEY, after, new.depart_at, text, journey_connection(old), journey_connection(new))
    _status(out, after, old, new)
    _people(out, viewer, after, old.travellers, new.travellers)
    _team_only(out, viewer, after, old, new, ("notes", "booking_reference"))


def _compare_legs(out: _Collector, viewer: Viewer, old: Leg | None, new: Leg | None) -> None:
    if not may_see(viewer, "hotels"):
        return  # the press programme has no stays
    was = old is not None and old.status != ItemStatus.CANCELLED
    is_ = new is not None and new.status != ItemStatus.CANCELLED
    if was and not is_:
        assert old is not None
        item = _leg(old)
        out.add(ChangeKind.CANCELLED, item, item.start, _("Abgesagt: %(title)s, %(when)s", title=item.title, when=_stay(old)))
    elif is_ and not was:
        assert new is not None
        item = _leg(new)
        out.add(ChangeKind.NEW, item, item.start, _("Neu: %(title)s, %(when)s", title=item.title, when=_stay(new)))
    if not (was and is_):
        return
    assert old is not None and new is not None
    item = _leg(new)
    if _stay(old) != _stay(new):
        text = _("%(title)s – jetzt %(new)s (bisher: %(old)s)", title=item.title, new=_stay(new), old=_stay(old))
        out.add(ChangeKind.STAY, item, new.arrive_at, text, (old.arrive_at, old.depart_at), (new.arrive_at, new.depart_at))
    if _hotel(old) != _hotel(new):
        text = _("%(title)s – Hotel jetzt: %(new)s (bisher: %(old)s)", title=item.title, new=_hotel(new), old=_hotel(old))
        out.add(ChangeKind.STAY, item, new.arrive_at, text, _hotel(old), _hotel(new))
    if viewer.audience is Audience.TEAM and old.notes != new.notes:
        text = _("%(title)s – interne Hinweise geändert", title=item.title)
        out.add(ChangeKind.TEAM_ONLY, item, new.arrive_at, text, ["notes"], ["notes"])


def _pairs(old: Iterable[Any], new: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
    """Items of both versions matched by id, in the order of the newer, then those only in the older."""
    old_by_id = {item.id: item for item in old}
    seen: set[int] = set()
    for item in new:
        seen.add(item.id)
        yield old_by_id.get(item.id), item
    for item_id, item in old_by_id.items():
        if item_id not in seen:
            yield item, None


def changes_between(old: Delegation, new: Delegation, viewer: Viewer) -> list[Change]:
    """What changed from ``old`` to ``new`` in ``viewer``'s programme, sorted by the items' start.

    ``viewer.member`` may belong to either version: members are matched by id.
    """
    out = _Collector()
    if viewer.audience is Audience.TEAM and old.notes != new.notes:
        out.changes.append(
            Change(
                ChangeKind.TEAM_ONLY,
                "delegation",
                new.id,
                new.title,
                _TRIP,
                _("Reise – interne Hinweise geändert"),
                ["notes"],
                ["notes"],
            )
        )
    for old_leg, new_leg in _pairs(old.legs, new.legs):
        _compare_legs(out, viewer, old_leg, new_leg)
    for old_appointment, new_appointment in _pairs(old.appointments, new.appointments):
        _compare_appointments(out, viewer, old_appointment, new_appointment)
    for old_journey, new_journey in _pairs(old.journeys, new.journeys):
        _compare_journeys(out, viewer, old_journey, new_journey)
    # Stable: the changes of one item stay in the order they were found.
    return sorted(out.changes, key=lambda change: change.at or _TRIP)
