"""The API's records as dictionaries for one audience (:mod:`planner.audiences` decides each field).

Instants are written as ``flask export-data`` writes them (:func:`planner.backup.export.utc_text`)
with the place's IANA zone and the local wall time beside them (:func:`planner.timezones.to_local`).
Nothing here reads personal travel data, contact details or booking references.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from planner.audiences import Viewer, may_see, shows_item
from planner.backup.export import utc_text
from planner.models import (
    Appointment,
    Audience,
    City,
    Delegation,
    FollowUp,
    Journey,
    Leg,
    Member,
    Organization,
    Partnership,
    Person,
    Release,
    User,
)
from planner.releases.changes import Change
from planner.timezones import to_local


def instant(value: datetime, zone: str) -> dict[str, str]:
    return {"utc": utc_text(value), "zone": zone, "local": to_local(value, zone).replace(tzinfo=None).isoformat()}


def city(value: City | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"id": value.id, "name": value.name, "timezone": value.timezone, "country": value.country.iso_code}


def _organization(value: Organization | None) -> dict[str, Any] | None:
    return None if value is None else {"id": value.id, "name": value.name}


def delegation(value: Delegation, viewer: Viewer) -> dict[str, Any]:
    return {
        "id": value.id,
        "title": value.title,
        "purpose": value.purpose,
        "status": value.status.value,
        "start_date": value.start_date,
        "end_date": value.end_date,
        "home_city": city(value.home_city),
        "revision": value.revision,
        "notes": value.notes if may_see(viewer, "notes") else None,
    }


def member(value: Member) -> dict[str, Any]:
    return {
        "id": value.id,
        "name": value.person.display_name,
        "role": value.role.value,
        "function": value.function,
        "sort_order": value.sort_order,
        "person_id": value.person_id,
        "language": value.language,
    }


def leg(value: Leg, viewer: Viewer) -> dict[str, Any]:
    hotels = may_see(viewer, "hotels")
    return {
        "id": value.id,
        "city": city(value.city),
        "arrive": instant(value.arrive_at, value.city.timezone),
        "depart": instant(value.depart_at, value.city.timezone),
        "status": value.status.value,
        "focus": value.focus,
        "hotel_name": value.hotel_name if hotels else None,
        "hotel_address": value.hotel_address if hotels else None,
        "notes": value.notes if may_see(viewer, "notes") else None,
    }


def appointment(value: Appointment, viewer: Viewer) -> dict[str, Any]:
    def briefing(field: str) -> str | None:
        return getattr(value, field) if may_see(viewer, field, value) else None

    return {
        "id": value.id,
        "uid": value.uid,
        "revision": value.revision,
        "title": value.title,
        "kind": value.kind.value,
        "status": value.status.value,
        "visibility": value.visibility.value,
        "all_day": value.all_day,
        "start": instant(value.start_at, value.timezone),
        "end": instant(value.end_at, value.timezone),
        "city": city(value.city),
        "venue": value.venue,
        "address": value.address,
        "latitude": value.latitude,
        "longitude": value.longitude,
        "organization": _organization(value.organization),
        "dress_code": value.dress_code if may_see(viewer, "dress_code") else None,
        "objectives": briefing("objectives"),
        "talking_points": briefing("talking_points"),
        "background": briefing("background"),
        "notes": value.notes if may_see(viewer, "notes") else None,
        "attendees": [m.id for m in value.attendees],
    }


def journey(value: Journey, viewer: Viewer) -> dict[str, Any]:
    return {
        "id": value.id,
        "uid": value.uid,
        "revision": value.revision,
        "mode": value.mode.value,
        "status": value.status.value,
        "visibility": value.visibility.value,
        "departure": {
            "place": value.departure_place,
            "city": city(value.departure_city),
            "at": instant(value.depart_at, value.departure_timezone),
        },
        "arrival": {
            "place": value.arrival_place,
            "city": city(value.arrival_city),
            "at": instant(value.arrive_at, value.arrival_timezone),
        },
        "carrier": value.carrier,
        "number": value.number,
        "notes": value.notes if may_see(viewer, "notes") else None,
        "travellers": [m.id for m in value.travellers],
    }


# The press programme: what the press brief prints of an item (templates/briefs/brief.html with the press
# audience), nothing more. Built field by field, not by leaving fields out of the team's answer, so a field
# added to the team's answer later does not reach the press unseen.
PRESS = Viewer(Audience.PRESS)


def _names(people: list[Member], everyone: set[int]) -> tuple[list[str], bool]:
    return [m.person.display_name for m in people], {m.id for m in people} == everyone


def press_appointment(value: Appointment, everyone: set[int]) -> dict[str, Any]:
    assert shows_item(PRESS, value), "only public items reach the press"
    names, whole = _names(value.attendees, everyone)
    return {
        "id": value.id,
        "title": value.title,
        "kind": value.kind.value,
        "status": value.status.value,
        "all_day": value.all_day,
        "start": instant(value.start_at, value.timezone),
        "end": instant(value.end_at, value.timezone),
        "city": city(value.city),
        "venue": value.venue,
        "address": value.address,
        "organization": None if value.organization is None else value.organization.name,
        "attendees": names,
        "whole_delegation": whole,
    }


def press_journey(value: Journey, everyone: set[int]) -> dict[str, Any]:
    assert shows_item(PRESS, value), "only public items reach the press"
    names, whole = _names(value.travellers, everyone)
    return {
        "id": value.id,
        "mode": value.mode.value,
        "status": value.status.value,
        "departure": {
            "place": value.departure_place,
            "city": city(value.departure_city),
            "at": instant(value.depart_at, value.departure_timezone),
        },
        "arrival": {
            "place": value.arrival_place,
            "city": city(value.arrival_city),
            "at": instant(value.arrive_at, value.arrival_timezone),
        },
        "carrier": value.carrier,
        "number": value.number,
        "travellers": names,
        "whole_delegation": whole,
    }


def press_programme(delegation: Delegation, appointments: list[Appointment], journeys: list[Journey]) -> dict[str, Any]:
    everyone = {m.id for m in delegation.members}
    return {
        "delegation": {
            "id": delegation.id,
            "title": delegation.title,
            "start_date": delegation.start_date,
            "end_date": delegation.end_date,
        },
        "appointments": [press_appointment(a, everyone) for a in appointments if shows_item(PRESS, a)],
        "journeys": [press_journey(j, everyone) for j in journeys if shows_item(PRESS, j)],
    }


# -- the directory ----------------------------------------------------------------------------------------------
# As the directory's pages show a record, without e-mail addresses and phone numbers (the API carries none).


def directory_appointment(value: Appointment) -> dict[str, Any]:
    return {
        "id": value.id,
        "delegation_id": value.delegation_id,
        "title": value.title,
        "status": value.status.value,
        "start": instant(value.start_at, value.timezone),
    }


def person_ref(value: Person) -> dict[str, Any]:
    return {"id": value.id, "name": value.display_name, "function": value.function}


def organization_record(value: Organization) -> dict[str, Any]:
    return {
        "id": value.id,
        "name": value.name,
        "native_name": value.native_name,
        "kind": value.kind.value,
        "sector": value.sector,
        "profile": value.profile,
        "home_relation": value.home_relation,
        "founded_year": value.founded_year,
        "website": value.website,
        "address": value.address,
        "city": city(value.city),
    }


def organization_profile(value: Organization, appointments: list[Appointment]) -> dict[str, Any]:
    return {
        **organization_record(value),
        "people": [person_ref(p) for p in value.people],
        "appointments": [directory_appointment(a) for a in appointments],
    }


def person_record(value: Person) -> dict[str, Any]:
    return {
        "id": value.id,
        "name": value.display_name,
        "given_name": value.given_name,
        "family_name": value.family_name,
        "family_name_first": value.family_name_first,
        "native_name": value.native_name,
        "romanized_name": value.romanized_name,
        "title": value.title,
        "salutation": value.salutation,
        "function": value.function,
        "function_en": value.function_en,
        "side": value.side.value,
        "organization": _organization(value.organization),
        "languages": value.languages,
        "notes": value.notes,
    }


def person_profile(value: Person, memberships: list[Member], contact_for: list[Appointment]) -> dict[str, Any]:
    return {
        **person_record(value),
        "memberships": [
            {
                "delegation_id": m.delegation_id,
                "delegation_title": m.delegation.title,
                "member_id": m.id,
                "role": m.role.value,
                "function": m.function,
            }
            for m in memberships
        ],
        "contact_for": [directory_appointment(a) for a in contact_for],
    }


def city_record(value: City) -> dict[str, Any]:
    return {
        "id": value.id,
        "name": value.name,
        "native_name": value.native_name,
        "country": value.country.iso_code,
        "timezone": value.timezone,
        "latitude": value.latitude,
        "longitude": value.longitude,
        "profile": value.profile,
    }


def city_profile(value: City, organizations: list[Organization], partnerships: list[Partnership]) -> dict[str, Any]:
    return {
        **city_record(value),
        "organizations": [{"id": o.id, "name": o.name} for o in organizations],
        "partnerships": [p.id for p in partnerships],
    }


def partnership(value: Partnership) -> dict[str, Any]:
    return {
        "id": value.id,
        "home_city": city(value.home_city),
        "partner_city": city(value.partner_city),
        "since": value.since,
        "notes": value.notes,
    }


# -- released versions ------------------------------------------------------------------------------------------


def account_name(user: User | None) -> str | None:
    """How an answer names an account: the part of its e-mail address before the @ (accounts have no other name).

    The whole address stays out: the API carries no e-mail addresses.
    """
    return None if user is None else user.email.split("@", 1)[0]


def _step(at: datetime | None, by: User | None, zone: str) -> dict[str, Any] | None:
    return None if at is None else {"at": instant(at, zone), "by": account_name(by)}


def release(value: Release, home_zone: str) -> dict[str, Any]:
    """A release with its steps in the trip's home zone (the pages show them there)."""
    return {
        "number": value.number,
        "state": value.state.value,
        "note": value.note,
        "revision": value.revision,
        "prepared": _step(value.prepared_at, value.prepared_by, home_zone),
        "approved": _step(value.approved_at, value.approved_by, home_zone),
        "withdrawn": _step(value.withdrawn_at, value.withdrawn_by, home_zone),
        "approval_reason": value.approval_reason,
    }


def change(value: Change, zones: dict[tuple[str, int], str]) -> dict[str, Any]:
    """One change; ``zones``: each item's zone (an appointment's, a journey's departure, a stay's city) by (item, id)."""
    zone = zones.get((value.item, value.item_id))
    at = None
    if value.item != "delegation" and value.at is not None and zone is not None:
        at = instant(value.at, zone)
    return {
        "kind": value.kind.value,
        "item": value.item,
        "item_id": value.item_id,
        "title": value.title,
        "at": at,
        "text": value.text,
    }


def follow_up(value: FollowUp) -> dict[str, Any]:
    """A follow-up as the trip page shows it to the planning team (the only audience of follow-ups)."""
    owner, appointment = value.owner, value.appointment
    return {
        "id": value.id,
        "title": value.title,
        "description": value.description,
        "status": value.status.value,
        "due_on": value.due_on,
        "owner": None if owner is None else {"id": owner.id, "name": owner.display_name},
        "organization": _organization(value.organization),
        "appointment": None if appointment is None else {"id": appointment.id, "title": appointment.title},
    }
