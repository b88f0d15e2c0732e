"""The rooming list for one hotel: what the hotel needs, and nothing else.

One hotel stay (:class:`planner.rooms.nights.Stay`), its rooms with arrival
and departure, room type, number and the names of who shares it, as the
directory writes them ("Keller, Stephan (Dr.)", the native script beside).
No personal data reaches it: the view objects below carry no phone number,
e-mail, diet, health or passport field at all, so no template change can print
one. German or English.

The print view and the PDF are the same HTML (``rooms/rooming_list.html``);
the PDF goes through the one render queue as the document ``rooming_list``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from planner.briefs.rendering import Document, register_document
from planner.briefs.sheets import SHEET_LANGUAGES, render_sheet
from planner.editing import Rejected
from planner.formatting import listed_name, numeric_date
from planner.labels import label
from planner.models import RoomType
from planner.rooms import queries
from planner.rooms.nights import Stay
from planner.timezones import to_local, utc_now

KIND = "rooming_list"


@dataclass(frozen=True)
class Guest:
    name: str  # as the directory lists people: "Keller, Stephan (Dr.)"
    native_name: str | None = None


@dataclass(frozen=True)
class SheetRoom:
    number: str | None
    room_type: str
    arrival: date
    departure: date
    guests: list[Guest]
    note: str | None
    # As a hotel's booking list writes dates ("14.10.2024" / "14 Oct 2024"): the table's narrow columns.
    arrival_text: str = ""
    departure_text: str = ""

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days

    @property
    def shared(self) -> bool:
        return len(self.guests) > 1


@dataclass(frozen=True)
class RoomingSheet:
    delegation_id: int
    trip_title: str
    hotel_name: str | None
    hotel_address: str | None
    city: str | None
    arrival: date
    departure: date
    rooms: list[SheetRoom]
    totals: list[tuple[str, int]]  # room type label, count
    guest_count: int
    lang: str
    night: str  # the stay's key, for links
    as_of: datetime
    revision: int


@dataclass(frozen=True)
class SheetChoices:
    night: date
    lang: str

    def as_dict(self) -> dict[str, Any]:
        return {"night": self.night.isoformat(), "lang": self.lang}


def check_choices(night: str | None, lang: str | None) -> SheetChoices:
    """The night (any night of the stay, ISO date) and language of a rooming list, or :class:`Rejected`."""
    try:
        chosen = date.fromisoformat(night or "")
    except ValueError:
        raise Rejected("night", _("Unbekannte Nacht „%(value)s“.", value=night or "")) from None
    language = lang or "de"
    if language not in SHEET_LANGUAGES:
        raise Rejected("lang", _("Unbekannte Sprache „%(value)s“. Möglich sind: de, en.", value=language))
    return SheetChoices(chosen, language)


def build_sheet(rooming: queries.Rooming, stay: Stay, lang: str, now: datetime | None = None) -> RoomingSheet:
    """The rooming list of ``stay`` (call inside ``force_locale(lang)``: room types are labelled here)."""
    rooms = []
    for room in stay.rooms:
        # Clipped to the stay: a room left over from before a leg moved still prints only this hotel's nights.
        arrival = max(room.first_night, stay.first_night)
        departure = min(room.last_night, stay.last_night) + timedelta(days=1)
        guests = [Guest(listed_name(m.person), m.person.native_name) for m in room.occupants]
        rooms.append(
            SheetRoom(
                room.room_number,
                label(room.room_type),
                arrival,
                departure,
                guests,
                room.note,
                numeric_date(arrival),
                numeric_date(departure),
            )
        )
    counts = Counter(room.room_type for room in stay.rooms)
    totals = [(label(kind), counts[kind]) for kind in RoomType if counts[kind]]
    delegation = rooming.delegation
    return RoomingSheet(
        delegation_id=delegation.id,
        trip_title=delegation.title,
        hotel_name=stay.hotel.name,
        hotel_address=stay.hotel.address,
        city=stay.city.name if stay.city is not None else None,
        arrival=stay.arrival,
        departure=stay.departure,
        rooms=rooms,
        totals=totals,
        guest_count=sum(len(room.guests) for room in rooms),
        lang=lang,
        night=stay.key,
        as_of=to_local(now or utc_now(), delegation.home_timezone),
        revision=delegation.revision,
    )


def sheet_html(rooming: queries.Rooming, choices: SheetChoices) -> str:
    """The rooming list's HTML for the stay that ``choices.night`` belongs to; Rejected when there is none."""
    stay = rooming.nights.stay_on(choices.night)
    if stay is None:
        raise Rejected("night", _("In dieser Nacht schläft die Delegation in keinem Hotel."))
    with force_locale(choices.lang):
        sheet = build_sheet(rooming, stay, choices.lang)
        title = _("Rooming-Liste: %(hotel)s", hotel=sheet.hotel_name or _("Hotel noch offen"))
        stamp = _(
            "%(trip)s · Stand %(date)s · Revision %(revision)s",
            trip=sheet.trip_title,
            date=numeric_date(sheet.as_of),
            revision=sheet.revision,
        )
        return render_sheet(
            "rooms/rooming_list.html",
            lang=choices.lang,
            title=title,
            stamp=stamp,
            sheet=sheet,
            back_url=url_for("rooms.index", delegation_id=sheet.delegation_id, _anchor=f"stay-{sheet.night}"),
            pdf_url=url_for("rooms.rooming_list_pdf", delegation_id=sheet.delegation_id, day=sheet.night, lang=choices.lang),
            other_lang_url=url_for(
                "rooms.rooming_list",
                delegation_id=sheet.delegation_id,
                day=sheet.night,
                lang="en" if choices.lang == "de" else "de",
            ),
        )


def _html(delegation_id: int, choices: dict[str, Any]) -> str | None:
    rooming = queries.rooming(delegation_id)
    if rooming is None:
        return None
    return sheet_html(rooming, check_choices(choices.get("night"), choices.get("lang")))


def _filename(delegation_id: int, choices: dict[str, Any]) -> str:
    return f"rooming-{delegation_id}-{choices['night']}-{choices['lang']}.pdf"


register_document(
    Document(
        kind=KIND,
        html=_html,
        filename=_filename,
        producing=_l("Rooming-Liste wird erstellt"),
        failed=_l("Rooming-Liste konnte nicht erstellt werden"),
        gone=_l("Die Delegation oder dieser Hotelaufenthalt besteht nicht mehr so, wie angefragt."),
        retry_endpoint="rooms.index",
    )
)
