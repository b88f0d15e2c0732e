"""Seat assignment, table by table: who sits where for French, English and round tables, odd and even.

The expected seats are written out by hand from the rules of protocol (host and
co-host, the principal guest on the host's right, then alternating), as
positions a person at the table would describe ("host's right", "opposite"),
never from the code under test.
"""

from __future__ import annotations

import math

import pytest

from planner.models import InterpreterPlace, TableShape
from planner.protocol.seating import Guest, assign, swap, table_sizes, valid_seats


def _guests(sides: str) -> list[Guest[str]]:
    """Guests named by their place in the order of precedence: 'H' hosting side, 'G' the guests' side."""
    return [Guest(f"{side}{index}", side == "H") for index, side in enumerate(sides, start=1)]


def _where(shape: TableShape, sides: str, per_table: int = 10) -> dict[str, tuple[float, float]]:
    layout, seats = assign(shape, _guests(sides), per_table)
    return {key: (layout.seat(number).x, layout.seat(number).y) for key, number in seats.items()}


# French style: the host's side is the lower long side, facing up, so the host's right is +x;
# the co-host sits opposite and faces down, so the co-host's right is -x.
FRENCH = [
    # order of precedence (G1 the guest of honour, H2 the host), and where each sits: (x, side: +0.5 host's, -0.5 opposite)
    ("GHGH", {"H2": (0, 0.5), "G1": (0, -0.5), "G3": (1, 0.5), "H4": (-1, -0.5)}),
    (
        "GHGHG",  # odd: the fifth goes to the host's left, nobody faces them
        {"H2": (0, 0.5), "G1": (0, -0.5), "G3": (1, 0.5), "H4": (-1, -0.5), "G5": (-1, 0.5)},
    ),
    (
        "GHGHGH",
        {"H2": (0, 0.5), "G1": (0, -0.5), "G3": (1, 0.5), "H4": (-1, -0.5), "G5": (-1, 0.5), "H6": (1, -0.5)},
    ),
    (
        "GHGHGHG",
        {
            "H2": (0, 0.5),
            "G1": (0, -0.5),
            "G3": (1, 0.5),
            "H4": (-1, -0.5),
            "G5": (-1, 0.5),
            "H6": (1, -0.5),
            "G7": (2, 0.5),  # one seat further out, again on the host's right first
        },
    ),
]


@pytest.mark.parametrize(("sides", "expected"), FRENCH, ids=[len(s) for s, _ in FRENCH])
def test_french_style_host_in_the_middle_co_host_opposite_then_alternating(sides: str, expected: dict) -> None:
    assert _where(TableShape.FRENCH, sides) == {k: (float(x), float(y)) for k, (x, y) in expected.items()}


def test_french_style_host_first_in_order_still_hosts_and_the_guest_of_honour_sits_opposite() -> None:
    # Whoever comes first, the first of the hosting side hosts and the first guest is the co-host.
    where = _where(TableShape.FRENCH, "HGHG")
    assert where["H1"] == (0.0, 0.5) and where["G2"] == (0.0, -0.5)
    assert where["H3"] == (1.0, 0.5)  # the next in order on the host's right
    assert where["G4"] == (-1.0, -0.5)  # and the next on the co-host's right


def _english(sides: str) -> dict[str, str]:
    """Where each sits at an English table, in words: heads, or lower/upper side counted from the host's end."""
    layout, seats = assign(TableShape.ENGLISH, _guests(sides))
    xs = sorted({round(s.x, 3) for s in layout.seats if s.y != 0})
    words = {}
    for key, number in seats.items():
        seat = layout.seat(number)
        if seat.y == 0:
            words[key] = "host head" if seat.x < 0 else "co-host head"
        else:
            words[key] = f"{'lower' if seat.y > 0 else 'upper'} {xs.index(round(seat.x, 3)) + 1}"
    return words


# English style: the host at the left head faces right, so the host's right is the lower side next to them;
# the co-host at the right head faces left, so the co-host's right is the upper side next to them.
ENGLISH = [
    ("HG", {"H1": "host head", "G2": "co-host head"}),
    ("HGGH", {"H1": "host head", "G2": "co-host head", "G3": "lower 1", "H4": "upper 1"}),
    ("HGGHG", {"H1": "host head", "G2": "co-host head", "G3": "lower 1", "H4": "upper 2", "G5": "upper 1"}),
    (
        "HGGHGH",
        {"H1": "host head", "G2": "co-host head", "G3": "lower 1", "H4": "upper 2", "G5": "upper 1", "H6": "lower 2"},
    ),
]


@pytest.mark.parametrize(("sides", "expected"), ENGLISH, ids=[len(s) for s, _ in ENGLISH])
def test_english_style_host_and_co_host_at_the_heads(sides: str, expected: dict) -> None:
    assert _english(sides) == expected


def _clock(shape_sides: str, per_table: int = 10) -> dict[str, tuple[int, int]]:
    """Round tables: each guest's table and position, counted in seats to the host's right (0: the host's seat)."""
    layout, seats = assign(TableShape.ROUND, _guests(shape_sides), per_table)
    result = {}
    for key, number in seats.items():
        seat = layout.seat(number)
        table = layout.tables[seat.table - 1]
        count = sum(1 for s in layout.seats if s.table == seat.table)
        # Angle from the table's lowest point, running to the right of someone sitting there facing the centre.
        angle = math.atan2(seat.x - table.x, seat.y - table.y)
        result[key] = (seat.table, round(angle / (2 * math.pi / count)) % count)
    return result


ROUND = [
    ("GHGH", 10, {"H2": (1, 0), "G1": (1, 2), "G3": (1, 1), "H4": (1, 3)}),
    ("GHGHG", 10, {"H2": (1, 0), "G1": (1, 2), "G3": (1, 1), "H4": (1, 3), "G5": (1, 4)}),
    (
        # Two tables of four: each its own host (first of the hosting side there) and co-host opposite.
        "GHGHHGGH",
        4,
        {
            "H2": (1, 0),
            "G1": (1, 2),
            "G3": (1, 1),
            "H4": (1, 3),
            "H5": (2, 0),
            "G6": (2, 2),
            "G7": (2, 1),
            "H8": (2, 3),
        },
    ),
]


@pytest.mark.parametrize(("sides", "per_table", "expected"), ROUND, ids=["even", "odd", "two-tables"])
def test_round_tables_co_host_opposite_principal_guest_on_the_right(sides: str, per_table: int, expected: dict) -> None:
    assert _clock(sides, per_table) == expected


def test_round_tables_fill_one_after_the_other() -> None:
    assert table_sizes(TableShape.ROUND, 23, 10) == [10, 10, 3]
    assert table_sizes(TableShape.FRENCH, 23, 10) == [23]
    assert table_sizes(TableShape.ROUND, 0, 10) == []


def test_seat_numbers_run_in_order_of_honour() -> None:
    layout, seats = assign(TableShape.FRENCH, _guests("GHGHG"))
    # Seat 1 the host, seat 2 the co-host, then the next in precedence.
    assert seats == {"H2": 1, "G1": 2, "G3": 3, "H4": 4, "G5": 5}
    assert [s.number for s in layout.seats] == [1, 2, 3, 4, 5]


def test_one_side_only_takes_the_first_two_as_host_and_co_host() -> None:
    assert _where(TableShape.FRENCH, "GGG") == {"G1": (0.0, 0.5), "G2": (0.0, -0.5), "G3": (1.0, 0.5)}


def test_a_swap_exchanges_two_seats_and_nothing_else() -> None:
    seats = {"a": 1, "b": 2, "c": 3}
    assert swap(seats, 1, 3) == {"a": 3, "b": 2, "c": 1}
    assert swap(seats, 2, 2) == seats
    assert valid_seats({"a": 1, "b": 2}, 2) and not valid_seats({"a": 1, "b": 1}, 2) and not valid_seats({"a": None}, 1)


def test_interpreters_sit_behind_or_beside_their_principal() -> None:
    layout, seats = assign(TableShape.FRENCH, _guests("GH"))
    host = layout.seat(seats["H2"])  # lower side, facing up: behind is further down, their left is -x
    bx, by = host.behind(InterpreterPlace.BEHIND)
    assert bx == host.x and by > host.y
    sx, sy = host.behind(InterpreterPlace.BESIDE)
    assert sx < host.x and sy > host.y
    co_host = layout.seat(seats["G1"])  # upper side, facing down: behind is further up, their left is +x
    cx, cy = co_host.behind(InterpreterPlace.BESIDE)
    assert cx > co_host.x and cy < co_host.y
