"""Typed inputs of the rooms feature: what the forms hand to the operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.models import NightKind, RoomType


@dataclass(frozen=True)
class RoomInput:
    room_type: RoomType
    first_night: date
    last_night: date
    occupant_ids: tuple[int, ...] = ()
    room_number: str | None = None
    note: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class NightInput:
    """A planner's decision for one night; ``kind`` None: as the legs say (no override)."""

    kind: NightKind | None
    hotel_name: str | None = None
    hotel_address: str | None = None
    hotel_phone: str | None = None
    note: str | None = None
    version: int | None = None
