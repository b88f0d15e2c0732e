"""The timeline: its lane layout (plain geometry, no database) and its columns on the Keller trip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask

from planner.delegations.queries import delegation_with_programme
from planner.models import Appointment, Journey
from planner.program.timeline import TimelineBlock, TimelineDay, assign_lanes, timeline_days
from tests.conftest import KellerSeeder


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


# -- the Keller trip's columns: where the delegation is, and a travel day in two ------------------


@pytest.fixture
def keller_columns(app: Flask, seed_keller: KellerSeeder) -> Iterator[list[TimelineDay]]:
    seed_keller(app)
    with app.app_context():
        delegation = delegation_with_programme(1)
        assert delegation is not None
        yield timeline_days(delegation)


def _titles(column: TimelineDay) -> list[str]:
    return [block.item.title if isinstance(block.item, Appointment) else block.item.arrival_place for block in column.blocks]


def test_columns_are_headed_with_the_city_not_the_zones_exemplar(keller_columns: list[TimelineDay]) -> None:
    heads = [(column.day.isoformat(), column.place, column.zone) for column in keller_columns]
    assert heads[0] == ("2024-10-13", "Düsseldorf", "Europe/Berlin")  # the day of departure, no leg yet: home
    assert ("2024-10-18", "Chongqing", "Asia/Shanghai") in heads  # the zone is Shanghai's, the place is not
    assert not any(place in {"Berlin", "Shanghai"} for _, place, _ in heads)


def test_the_travel_day_from_seoul_to_chongqing_is_two_columns_each_on_its_own_clock(keller_columns: list[TimelineDay]) -> None:
    seoul, chongqing = (column for column in keller_columns if column.day == date(2024, 10, 16))
    assert (seoul.place, seoul.zone, seoul.part, seoul.parts) == ("Seoul", "Asia/Seoul", 1, 2)
    assert (chongqing.place, chongqing.zone, chongqing.part, chongqing.parts) == ("Chongqing", "Asia/Shanghai", 2, 2)
    # Seoul is left at 14:00 Seoul time (05:00 UTC): the one column ends and the other begins there.
    left = datetime(2024, 10, 16, 5, 0, tzinfo=UTC)
    assert seoul.until == chongqing.since == left
    assert seoul.since == datetime(2024, 10, 15, 15, 0, tzinfo=UTC)  # midnight in Seoul
    assert chongqing.until == datetime(2024, 10, 16, 16, 0, tzinfo=UTC)  # midnight in Chongqing
    # The morning's visit is in Seoul's column, the flight to Chongqing and the evening in Chongqing's.
    assert "Unternehmensbesuch Seegene" in _titles(seoul)
    assert "Unternehmensbesuch Seegene" not in _titles(chongqing)
    flight = next(block for block in chongqing.blocks if isinstance(block.item, Journey))
    assert not any(isinstance(block.item, Journey) for block in seoul.blocks)
    # Placed by Chongqing's clock: 13:00 local (14:00 in Seoul) is 13/24 of the column.
    assert flight.top == round(13 / 24 * 100, 3)
    # Every item of that day is in exactly one of its columns.
    assert not {id(b.item) for b in seoul.blocks} & {id(b.item) for b in chongqing.blocks}
