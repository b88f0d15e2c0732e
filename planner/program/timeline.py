"""The timeline of a trip: one column per day and city, items as blocks placed by local time, clashes side by side.

A domain module: it lays out a delegation that the caller has loaded (with its home city,
its legs and their cities, appointments and journeys) and reads nothing from the database
itself. The geometry is in percent of a day column, so the template turns it into SVG
attributes without inline styles.

Where the delegation is comes from :class:`~planner.delegations.itinerary.Itinerary`: a
column is headed with the leg's city (the home city's name on a day without a leg), never
with the zone's exemplar city (Chongqing keeps Shanghai's clock, but the delegation is in
Chongqing). A travel day has one column per city, in order: the first runs from the local
midnight of the first city up to the instant the delegation leaves it, the next from there
to the local midnight ending the day in the next city, each on its own clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from planner.delegations.itinerary import Itinerary
from planner.models import Appointment, Delegation, Journey, Leg
from planner.timezones import local_day_bounds

# A trip longer than two months is a data error, not a trip; the page stays bounded.
MAX_DAYS = 62
# The shortest block still tall enough to click and to read its time.
MIN_HEIGHT = 1.2


@dataclass
class TimelineBlock:
    """One appointment or journey in one day column, in percent of the column."""

    item: Appointment | Journey
    top: float
    height: float
    lane: int = 0
    lanes: int = 1

    @property
    def is_journey(self) -> bool:
        return isinstance(self.item, Journey)

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass
class TimelineDay:
    """A column: a local date, where the delegation is (place name and zone) and that part's blocks.

    ``since`` and ``until`` (UTC) bound the part of the day the column shows: the whole
    local day, or on a travel day the time in this city. ``part`` counts the columns of
    one day from 1 and ``parts`` is how many it has (1 on a day in one place).
    """

    day: date
    zone: str
    place: str
    since: datetime
    until: datetime
    part: int = 1
    parts: int = 1
    blocks: list[TimelineBlock] = field(default_factory=list)


Span = tuple[Appointment | Journey, datetime, datetime]


def timeline_days(delegation: Delegation) -> list[TimelineDay]:
    """Columns in order (one per day, one per city on a travel day), items as positioned blocks.

    Blocks that overlap share the column side by side (lanes), so clashes are
    visible at a glance; a journey over midnight, or over the change of city on a
    travel day, appears in each column it touches.
    """
    itinerary = Itinerary.of(delegation)
    spans: list[Span] = [(a, a.start_at, a.end_at) for a in delegation.appointments]
    spans += [(j, j.depart_at, j.arrive_at) for j in delegation.journeys]
    spans.sort(key=lambda span: span[1])
    columns: list[TimelineDay] = []
    current = delegation.start_date
    for _ in range(MAX_DAYS):
        if current > delegation.end_date:
            break
        for column in _columns_of(current, itinerary.legs_on(current), delegation):
            column.blocks = _blocks_in(column, spans)
            columns.append(column)
        current += timedelta(days=1)
    return columns


def _columns_of(day: date, legs: list[Leg], delegation: Delegation) -> list[TimelineDay]:
    """The columns of ``day``: the home city without a leg, else one per leg, split where it is left."""
    if not legs:
        bounds = local_day_bounds(day, delegation.home_timezone)
        return [TimelineDay(day, delegation.home_timezone, delegation.home_city.name, bounds.start, bounds.end)]
    columns = []
    for index, leg in enumerate(legs):
        bounds = local_day_bounds(day, leg.timezone)
        # The delegation is in a city up to its departure (the itinerary's rule: at that
        # instant it has left); the journey on to the next city is in the next column.
        since = max(bounds.start, legs[index - 1].depart_at) if index else bounds.start
        until = min(bounds.end, leg.depart_at) if index < len(legs) - 1 else bounds.end
        columns.append(TimelineDay(day, leg.timezone, leg.city.name, since, max(since, until), index + 1, len(legs)))
    return columns


def _blocks_in(column: TimelineDay, spans: list[Span]) -> list[TimelineBlock]:
    """The items of ``column``'s part of the day, placed on its local day (its city's clock)."""
    bounds = local_day_bounds(column.day, column.zone)
    # A day of 23 or 25 hours (DST change) is still the full column.
    length = (bounds.end - bounds.start).total_seconds()
    blocks = []
    for item, start, end in spans:
        if end <= column.since or start >= column.until:
            continue
        top = max(0.0, (max(start, column.since) - bounds.start).total_seconds() / length * 100)
        bottom = min(100.0, (min(end, column.until) - bounds.start).total_seconds() / length * 100)
        blocks.append(TimelineBlock(item, round(top, 3), round(max(bottom - top, MIN_HEIGHT), 3)))
    assign_lanes(blocks)
    return blocks


def assign_lanes(blocks: list[TimelineBlock]) -> None:
    """Give overlapping blocks (sorted by top) side-by-side lanes.

    A group is a run of blocks that overlap one another transitively; every block in a
    group gets the group's lane count as its width divisor, so the lanes of one clash line up.
    Each block takes the first lane that is free at its top.
    """
    lane_ends: list[float] = []
    group: list[TimelineBlock] = []
    group_end = -1.0
    for block in blocks:
        if block.top >= group_end and group:
            for member in group:
                member.lanes = len(lane_ends)
            lane_ends, group = [], []
        for lane, end in enumerate(lane_ends):
            if block.top >= end:
                block.lane = lane
                lane_ends[lane] = block.bottom
                break
        else:
            block.lane = len(lane_ends)
            lane_ends.append(block.bottom)
        group.append(block)
        group_end = max(group_end, block.bottom)
    for member in group:
        member.lanes = max(len(lane_ends), 1)
