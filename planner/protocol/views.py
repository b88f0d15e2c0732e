"""The protocol of one appointment as plain view objects: the order of precedence and the drawing of the table.

The appointment page, the seating page, the brief and the place cards all
read these, so each prints the same order and the same seats. The drawing is
numbers only (pixels of the SVG in ``protocol/_seating.svg``); the template
escapes every name it writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from planner.labels import label
from planner.models import ProtocolParticipant, SeatingPlan
from planner.protocol import seating
from planner.protocol.names import protocol_name
from planner.protocol.operations import hosting
from planner.protocol.queries import plan_for

# Pixels per table unit (one place's width), and the margins around tables and seats (in units): room for the
# names beside the outermost seats, and above and below for names and interpreters behind their principals.
UNIT = 120.0
MARGIN_X = 1.4
MARGIN_Y = 1.2
SEAT_RADIUS = 0.22
# A name on the drawing is cut here (the full name is in the list beside it).
SHORT_NAME = 19


@dataclass(frozen=True)
class Row:
    """One line of the order of precedence."""

    id: int
    position: int
    name: str
    native: str | None
    function: str | None
    organization: str | None
    rank: str
    side: str
    hosting: bool
    speaking_order: int | None
    seat: int | None
    interpreters: list[str]
    version: int


@dataclass(frozen=True)
class InterpreterRow:
    id: int
    name: str
    native: str | None
    serves: str | None  # the principal's name; None: not assigned yet
    version: int


@dataclass(frozen=True)
class DrawnSeat:
    number: int
    x: float
    y: float
    r: float
    name: str  # short, for the drawing (the native script is in the list beside it)
    hosting: bool
    label_x: float
    label_y: float
    anchor: str  # SVG text-anchor of the name


@dataclass(frozen=True)
class DrawnTable:
    number: int
    round: bool
    x: float  # top left corner (a rectangle) or the centre (a circle)
    y: float
    width: float
    height: float
    r: float


@dataclass(frozen=True)
class DrawnInterpreter:
    x: float
    y: float
    r: float
    name: str
    serves: int  # the principal's seat number


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    tables: list[DrawnTable]
    seats: list[DrawnSeat]
    interpreters: list[DrawnInterpreter]
    title: str


@dataclass(frozen=True)
class ProtocolView:
    plan_id: int
    version: int
    shape: str
    host_first: bool
    placeholder: bool
    note: str | None
    rows: list[Row]
    interpreters: list[InterpreterRow]
    speakers: list[Row]
    drawing: Drawing | None
    seats: list[tuple[int, Row]] = field(default_factory=list)  # seat number and its sitter, in seat order


def _short(text: str) -> str:
    return text if len(text) <= SHORT_NAME else text[: SHORT_NAME - 1].rstrip() + "…"


def _anchor(nx: float) -> str:
    if nx > 0.4:
        return "start"
    if nx < -0.4:
        return "end"
    return "middle"


def draw(plan: SeatingPlan, seats: dict[int, int], rows: dict[int, Row]) -> Drawing | None:
    """The table of ``plan`` with everyone on their seat (``seats``: participant id -> seat number)."""
    principals = plan.principals
    if not principals:
        return None
    layout = seating.layout(plan.shape, seating.table_sizes(plan.shape, len(principals), plan.seats_per_table))
    low_x, low_y, high_x, high_y = layout.bounds
    ox, oy = -low_x + MARGIN_X, -low_y + MARGIN_Y

    def px(x: float, y: float) -> tuple[float, float]:
        return round((x + ox) * UNIT, 1), round((y + oy) * UNIT, 1)

    tables = []
    for table in layout.tables:
        cx, cy = px(table.x, table.y)
        w, h = table.width * UNIT, table.height * UNIT
        if table.round:
            tables.append(DrawnTable(table.number, True, cx, cy, w, h, round(w / 2, 1)))
        else:
            tables.append(
                DrawnTable(table.number, False, round(cx - w / 2, 1), round(cy - h / 2, 1), round(w, 1), round(h, 1), 0)
            )
    by_seat = {number: pid for pid, number in seats.items()}
    drawn = []
    for seat in layout.seats:
        sitter = rows.get(by_seat.get(seat.number, -1))
        x, y = px(seat.x, seat.y)
        nx, ny = seat.normal
        lx, ly = px(seat.x + nx * (SEAT_RADIUS + 0.12), seat.y + ny * (SEAT_RADIUS + 0.12) + (0.08 if ny >= 0 else 0))
        drawn.append(
            DrawnSeat(
                seat.number,
                x,
                y,
                round(SEAT_RADIUS * UNIT, 1),
                _short(sitter.name) if sitter else "",
                sitter.hosting if sitter else False,
                lx,
                round(ly + (8 if abs(ny) > 0.4 and ny > 0 else 0), 1),
                _anchor(nx),
            )
        )
    interpreters = []
    count: dict[int, int] = {}
    for interpreter in plan.interpreters:
        principal = interpreter.serves
        if principal is None or principal.id not in seats:
            continue
        number = seats[principal.id]
        nth = count.get(number, 0)
        count[number] = nth + 1
        x, y = px(*layout.seat(number).behind(plan.interpreter_place, nth))
        interpreters.append(
            DrawnInterpreter(x, y, round(SEAT_RADIUS * UNIT * 0.7, 1), _short(protocol_name(interpreter.person).display), number)
        )
    width = (high_x - low_x + 2 * MARGIN_X) * UNIT
    height = (high_y - low_y + 2 * MARGIN_Y) * UNIT
    return Drawing(round(width, 1), round(height, 1), tables, drawn, interpreters, label(plan.shape))


def _row(plan: SeatingPlan, participant: ProtocolParticipant, interpreters: list[str], seat: int | None) -> Row:
    name = protocol_name(participant.person)
    organization = participant.person.organization
    is_hosting = hosting(plan, participant)
    return Row(
        id=participant.id,
        position=participant.position,
        name=name.display,
        native=name.native,
        function=name.function,
        organization=organization.name if organization is not None else None,
        rank=label(participant.rank),
        side=_("Gastgeber") if is_hosting else _("Gäste"),
        hosting=is_hosting,
        speaking_order=participant.speaking_order,
        seat=seat,
        interpreters=interpreters,
        version=participant.version,
    )


def seats_of(plan: SeatingPlan) -> dict[int, int]:
    """Participant id -> seat number: as stored, or as the assignment gives them when the stored seats are not whole.

    Reads only (a page, the brief): a plan is seated afresh in the database by the operations.
    """
    principals = plan.principals
    stored = {p.id: p.seat for p in principals}
    if seating.valid_seats(stored, len(stored)):
        return {pid: seat for pid, seat in stored.items() if seat is not None}
    _layout, assigned = seating.assign(
        plan.shape, [seating.Guest(p.id, hosting(plan, p)) for p in principals], plan.seats_per_table
    )
    return assigned


def protocol_view(plan: SeatingPlan) -> ProtocolView:
    """The plan as pages and print show it."""
    seats = seats_of(plan)
    serving: dict[int, list[str]] = {}
    for interpreter in plan.interpreters:
        if interpreter.serves is not None:
            serving.setdefault(interpreter.serves.id, []).append(protocol_name(interpreter.person).display)
    rows = [_row(plan, p, serving.get(p.id, []), seats.get(p.id)) for p in plan.principals]
    by_id = {row.id: row for row in rows}
    interpreter_rows = [
        InterpreterRow(
            p.id,
            protocol_name(p.person).display,
            protocol_name(p.person).native,
            protocol_name(p.serves.person).display if p.serves is not None else None,
            p.version,
        )
        for p in plan.interpreters
    ]
    speakers = sorted((r for r in rows if r.speaking_order is not None), key=lambda r: (r.speaking_order or 0, r.position))
    seat_rows = sorted(((number, by_id[pid]) for pid, number in seats.items() if pid in by_id), key=lambda pair: pair[0])
    return ProtocolView(
        plan_id=plan.id,
        version=plan.version,
        shape=label(plan.shape),
        host_first=plan.host_first,
        placeholder=plan.is_placeholder,
        note=plan.note,
        rows=rows,
        interpreters=interpreter_rows,
        speakers=speakers,
        drawing=draw(plan, seats, by_id),
        seats=seat_rows,
    )


def protocol_of(appointment_id: int) -> ProtocolView | None:
    """The appointment's protocol as the appointment page shows it; None without a plan."""
    plan = plan_for(appointment_id)
    return protocol_view(plan) if plan is not None else None
