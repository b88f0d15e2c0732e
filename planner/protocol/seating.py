"""Seat assignment: who sits where at a table, from the order of precedence. Pure functions, no database.

The rules, decided here once (the common practice of official tables; a
planner swaps seats where the occasion's own rules differ):

* **Host and co-host.** At each table the first person of the hosting side
  (in the order of precedence) is the host; the first person of the other
  side is the co-host, the guest of honour. A table with people of one side
  only takes the first two in order.
* **French style** (long table): the host sits in the middle of one long
  side, the co-host opposite in the middle of the other.
* **English style** (long table): the host sits at one head, the co-host at
  the other head.
* **Round tables**: the host anywhere, the co-host opposite. Several tables
  are filled in order of precedence, a table full before the next one starts
  (table 1 is the top table); each has its own host and co-host by the rule
  above.
* **Everyone else** fills the seats nearest host and co-host first,
  alternating: the highest-ranking remaining guest on the host's right, the
  next on the co-host's right, then the host's left, the co-host's left, then
  one seat further out, and so on.

"Right" is the sitter's own right, facing the table. Seats are numbered in
this order of honour (seat 1: the host, seat 2: the co-host), so the number a
swap form shows says how honoured a seat is.

Geometry is in table units (one unit: one place's width), screen
orientation: x to the right, y downwards. Every seat carries the unit vector
pointing from the table to the sitter (``normal``), which is where "behind"
is for an interpreter.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from planner.models.protocol import InterpreterPlace, TableShape

K = TypeVar("K", bound=Hashable)

# How many round tables stand side by side in a drawing row.
TABLES_PER_ROW = 3


@dataclass(frozen=True)
class Guest(Generic[K]):
    """One person to seat: a key of the caller's (a participant id) and whether they are of the hosting side."""

    key: K
    hosting: bool


@dataclass(frozen=True)
class Seat:
    number: int  # from 1, in order of honour across the plan
    table: int  # from 1
    x: float
    y: float
    normal: tuple[float, float]  # from the table towards the sitter: "behind" lies that way

    def behind(self, place: InterpreterPlace, nth: int = 0) -> tuple[float, float]:
        """Where an interpreter of this seat's sitter sits: behind, or beside on the sitter's left and set back."""
        nx, ny = self.normal
        if place is InterpreterPlace.BEHIND:
            # A second interpreter of the same principal sits beside the first, still behind.
            return self.x + nx * 0.75 + ny * 0.5 * nth, self.y + ny * 0.75 - nx * 0.5 * nth
        # The sitter faces (-nx, -ny); their left hand points (facing.y, -facing.x) on screen.
        lx, ly = -ny, nx
        return self.x + lx * (0.5 + 0.45 * nth) + nx * 0.35, self.y + ly * (0.5 + 0.45 * nth) + ny * 0.35


@dataclass(frozen=True)
class Table:
    number: int
    round: bool
    x: float  # the centre
    y: float
    width: float  # a round table: the diameter
    height: float


@dataclass(frozen=True)
class Layout:
    shape: TableShape
    tables: tuple[Table, ...]
    seats: tuple[Seat, ...]  # in number order

    def seat(self, number: int) -> Seat:
        return self.seats[number - 1]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """min x, min y, max x, max y of tables and seats (the drawing adds a margin for interpreters and names)."""
        xs = [s.x for s in self.seats] + [t.x - t.width / 2 for t in self.tables] + [t.x + t.width / 2 for t in self.tables]
        ys = [s.y for s in self.seats] + [t.y - t.height / 2 for t in self.tables] + [t.y + t.height / 2 for t in self.tables]
        return min(xs, default=0.0), min(ys, default=0.0), max(xs, default=0.0), max(ys, default=0.0)


def table_sizes(shape: TableShape, count: int, seats_per_table: int) -> list[int]:
    """How many people sit at each table: one long table, or round tables filled one after the other."""
    if count <= 0:
        return []
    if shape is not TableShape.ROUND:
        return [count]
    per_table = max(2, seats_per_table)
    full, rest = divmod(count, per_table)
    return [per_table] * full + ([rest] if rest else [])


def _french(count: int) -> tuple[Table, list[tuple[float, float, tuple[float, float]]]]:
    # The host's side is the lower one, facing up: the host's right is +x. The co-host faces down: their right is -x.
    places: list[tuple[float, float, tuple[float, float]]] = [(0.0, 0.5, (0.0, 1.0)), (0.0, -0.5, (0.0, -1.0))]
    step = 1
    while len(places) < count:
        places += [
            (float(step), 0.5, (0.0, 1.0)),  # host's right
            (float(-step), -0.5, (0.0, -1.0)),  # co-host's right
            (float(-step), 0.5, (0.0, 1.0)),  # host's left
            (float(step), -0.5, (0.0, -1.0)),  # co-host's left
        ]
        step += 1
    places = places[:count]
    low = min(p[0] for p in places)
    high = max(p[0] for p in places)
    return Table(1, False, (low + high) / 2, 0.0, high - low + 1.0, 1.0), places


def _english(count: int) -> tuple[Table, list[tuple[float, float, tuple[float, float]]]]:
    side = max(0, math.ceil((count - 2) / 2))  # places on each long side
    half = (side + 1) / 2 + 0.2  # from the middle to a head's seat
    places: list[tuple[float, float, tuple[float, float]]] = [(-half, 0.0, (-1.0, 0.0)), (half, 0.0, (1.0, 0.0))]

    def along(j: int) -> float:
        return j - (side - 1) / 2

    # The host at the left head faces right: their right is the lower side. The co-host faces left: theirs the upper.
    order = []
    for i in range(side):
        order += [
            (along(i), 0.5, (0.0, 1.0)),  # host's right
            (along(side - 1 - i), -0.5, (0.0, -1.0)),  # co-host's right
            (along(i), -0.5, (0.0, -1.0)),  # host's left
            (along(side - 1 - i), 0.5, (0.0, 1.0)),  # co-host's left
        ]
    for place in order:
        if len(places) >= count:
            break
        if all((place[0], place[1]) != (p[0], p[1]) for p in places):
            places.append(place)
    places = places[:count]
    return Table(1, False, 0.0, 0.0, 2 * half - 0.6, 1.0), places


def _round(count: int) -> tuple[float, list[tuple[float, float, tuple[float, float]]]]:
    # Positions around the table, index 0 at the bottom; a growing index runs to the sitter's right
    # for everyone at a round table (all face the centre).
    radius = max(0.9, count / (2 * math.pi) * 1.1)
    opposite = count // 2
    sequence = [0, opposite]
    step = 1
    while len(set(sequence)) < count:
        sequence += [step, opposite + step, -step, opposite - step]
        step += 1
    taken: list[int] = []
    for index in sequence:
        index %= count
        if index not in taken:
            taken.append(index)
    places = []
    for index in taken[:count]:
        angle = 2 * math.pi * index / count
        nx, ny = math.sin(angle), math.cos(angle)
        places.append((radius * nx, radius * ny, (nx, ny)))
    return radius, places


def layout(shape: TableShape, sizes: Sequence[int]) -> Layout:
    """Tables and seats for tables of ``sizes`` people (see :func:`table_sizes`), seats in order of honour."""
    tables: list[Table] = []
    seats: list[Seat] = []
    number = 1
    if shape is TableShape.ROUND:
        radii = [_round(size) for size in sizes]
        pitch = 2 * max((r for r, _ in radii), default=1.0) + 2.5
        for index, (radius, places) in enumerate(radii):
            cx, cy = (index % TABLES_PER_ROW) * pitch, (index // TABLES_PER_ROW) * pitch
            tables.append(Table(index + 1, True, cx, cy, 2 * (radius - 0.45), 2 * (radius - 0.45)))
            for x, y, normal in places:
                seats.append(Seat(number, index + 1, cx + x, cy + y, normal))
                number += 1
        return Layout(shape, tuple(tables), tuple(seats))
    if sizes:
        table, places = _french(sizes[0]) if shape is TableShape.FRENCH else _english(sizes[0])
        tables.append(table)
        seats = [Seat(i + 1, 1, x, y, normal) for i, (x, y, normal) in enumerate(places)]
    return Layout(shape, tuple(tables), tuple(seats))


def _honour_order(guests: Sequence[Guest[K]]) -> list[Guest[K]]:
    """The table's people as its seats are numbered: host, co-host, then everyone else in order of precedence."""
    if len(guests) < 2:
        return list(guests)
    host = next((g for g in guests if g.hosting), guests[0])
    co_host = next((g for g in guests if g.hosting != host.hosting), None)
    if co_host is None:
        co_host = next(g for g in guests if g is not host)
    return [host, co_host, *(g for g in guests if g is not host and g is not co_host)]


def assign(shape: TableShape, guests: Sequence[Guest[K]], seats_per_table: int = 10) -> tuple[Layout, dict[K, int]]:
    """The layout for ``guests`` (in order of precedence) and each guest's seat number."""
    sizes = table_sizes(shape, len(guests), seats_per_table)
    plan = layout(shape, sizes)
    seats: dict[K, int] = {}
    start = 0
    number = 1
    for size in sizes:
        for guest in _honour_order(guests[start : start + size]):
            seats[guest.key] = number
            number += 1
        start += size
    return plan, seats


def swap(seats: dict[K, int], first: int, second: int) -> dict[K, int]:
    """``seats`` with whoever sits on seat ``first`` and on seat ``second`` exchanged (either may be empty)."""
    swapped = {}
    for key, number in seats.items():
        swapped[key] = second if number == first else first if number == second else number
    return swapped


def valid_seats(seats: dict[K, int | None], count: int) -> bool:
    """Whether stored seats are each of 1..``count`` exactly once: otherwise the plan is seated afresh."""
    return len(seats) == count and sorted(n for n in seats.values() if n is not None) == list(range(1, count + 1))


__all__ = ["Guest", "Layout", "Seat", "Table", "assign", "layout", "swap", "table_sizes", "valid_seats"]
