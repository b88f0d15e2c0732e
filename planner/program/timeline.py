"""The timeline of a trip: one column per day, items as blocks placed by local time, clashes side by side.

A domain module: it lays out a delegation that the caller has loaded (with its legs,
appointments and journeys) and reads nothing from the database itself. The geometry is in
percent of a day column, so the template turns it into SVG attributes without inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from planner.delegations.itinerary import Itinerary
from planner.models import Appointment, Delegation, Journey
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
    """A day column: the local date and the zone of the place where the delegation is that day."""

    day: date
    zone: str
    blocks: list[TimelineBlock] = field(default_factory=list)


def timeline_days(delegation: Delegation) -> list[TimelineDay]:
    """Days as columns (local date and zone of where the delegation is), items as positioned blocks.

    Blocks that overlap share the column side by side (lanes), so clashes are
    visible at a glance; a journey over midnight appears in each day it touches.
    """
    itinerary = Itinerary.of(delegation)
    days: list[TimelineDay] = []
    current = delegation.start_date
    while current <= delegation.end_date and len(days) < MAX_DAYS:
        days.append(TimelineDay(current, itinerary.zone_on(current)))
        current += timedelta(days=1)
    spans: list[tuple[Appointment | Journey, datetime, datetime]] = [(a, a.start_at, a.end_at) for a in delegation.appointments]
    spans += [(j, j.depart_at, j.arrive_at) for j in delegation.journeys]
    spans.sort(key=lambda span: span[1])
    for column in days:
        bounds = local_day_bounds(column.day, column.zone)
        # A day of 23 or 25 hours (DST change) is still the full column.
        length = (bounds.end - bounds.start).total_seconds()
        blocks = []
        for item, start, end in spans:
            if end <= bounds.start or start >= bounds.end:
                continue
            top = max(0.0, (start - bounds.start).total_seconds() / length * 100)
            bottom = min(100.0, (end - bounds.start).total_seconds() / length * 100)
            blocks.append(TimelineBlock(item, round(top, 3), round(max(bottom - top, MIN_HEIGHT), 3)))
        assign_lanes(blocks)
        column.blocks = blocks
    return days


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
