"""The timeline's lane layout is plain geometry: it needs no database and no request."""

from __future__ import annotations

from planner.models import Appointment
from planner.program.timeline import TimelineBlock, assign_lanes


def _blocks(*spans: tuple[float, float]) -> list[TimelineBlock]:
    return [TimelineBlock(Appointment(title=f"{top}"), top, bottom - top) for top, bottom in spans]


def test_a_chain_of_overlaps_shares_one_width_and_reuses_a_freed_lane() -> None:
    # A overlaps B, B overlaps C, A does not overlap C: C takes A's freed lane, all three are halves.
    first, second, third, later = blocks = _blocks((0, 10), (5, 15), (12, 20), (30, 35))
    assign_lanes(blocks)
    assert [(b.lane, b.lanes) for b in (first, second, third)] == [(0, 2), (1, 2), (0, 2)]
    # A block after the clash has the column to itself.
    assert (later.lane, later.lanes) == (0, 1)


def test_touching_blocks_do_not_clash() -> None:
    blocks = _blocks((0, 10), (10, 20))
    assign_lanes(blocks)
    assert [(b.lane, b.lanes) for b in blocks] == [(0, 1), (0, 1)]


def test_no_blocks_is_no_layout() -> None:
    assign_lanes([])
