"""The shapes of the API's answers and query parameters, from which APIFlask writes the OpenAPI document.

Output schemas describe dictionaries built by :mod:`planner.api.serialize`
(which decides, per audience, what a field may carry); they are the contract
that the schema-driven tests (Schemathesis) hold every answer to. Fields that
may be empty are ``allow_none``, written as ``["string", "null"]`` in OpenAPI 3.1.
"""

from __future__ import annotations

from typing import cast

from apiflask import Schema, fields
from apiflask.validators import Length, OneOf, Range

from planner.labels import LANGUAGE_LABELS
from planner.models import AppointmentKind, DelegationStatus, FollowUpStatus, ItemStatus, JourneyMode, MemberRole, Visibility
from planner.urls import MAX_RECORD_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _values(enum_type: type) -> list[str]:
    return [member.value for member in enum_type]  # type: ignore[attr-defined]


class PageQuery(Schema):
    """Pagination by ``limit`` and ``offset``: the items ``offset`` .. ``offset + limit - 1`` in the list's fixed order."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"How many items (1-{MAX_LIMIT}, default {DEFAULT_LIMIT})."},
    )
    offset = fields.Integer(
        load_default=0,
        validate=Range(min=0, max=MAX_RECORD_ID),
        metadata={"description": "How many items to skip (default 0)."},
    )


class ProgrammeQuery(PageQuery):
    """Pagination plus, optionally, the member whose own programme is wanted (the member audience)."""

    member = fields.Integer(
        validate=Range(min=1, max=MAX_RECORD_ID),
        metadata={
            "description": "A member id of the delegation: only that member's own items, as the member sees them "
            "(no internal items, notes or booking data; briefing material only where they are briefed)."
        },
    )


class PageMeta(Schema):
    total = fields.Integer(required=True, metadata={"description": "How many items the whole list has."})
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    next_offset = fields.Integer(
        allow_none=True, required=True, metadata={"description": "The offset of the next page; null on the last."}
    )


class Instant(Schema):
    """One instant three ways: UTC (as ``flask export-data`` writes it), the IANA zone of the place, and its wall clock there."""

    utc = fields.String(required=True, metadata={"format": "date-time", "description": "RFC 3339 in UTC, ending in Z."})
    zone = fields.String(required=True, metadata={"description": "IANA time zone of the place, e.g. Asia/Seoul."})
    local = fields.String(
        required=True, metadata={"description": "Local wall time at the place, ISO 8601 without offset (2024-10-16T09:30:00)."}
    )


class CityRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    timezone = fields.String(required=True)
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2 code."})


class OrganizationRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class DelegationOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    purpose = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=OneOf(_values(DelegationStatus)))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    home_city = fields.Nested(CityRef, required=True)
    revision = fields.Integer(required=True, metadata={"description": "Rises with every change of the trip or its items."})
    notes = fields.String(allow_none=True, required=True, metadata={"description": "The planning office's notes."})


class DelegationDetail(DelegationOut):
    """One delegation on its own (a class of its own: APIFlask cannot reuse a schema that a list already nests)."""


class DelegationPage(Schema):
    items = fields.List(fields.Nested(DelegationOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class MemberOut(Schema):
    """A member of the delegation: who and in which role; never contact or travel data."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=OneOf(_values(MemberRole)))
    function = fields.String(allow_none=True, required=True)
    sort_order = fields.Integer(required=True)
    person_id = fields.Integer(required=True, metadata={"description": "The person in the directory."})
    language = fields.String(
        required=True, validate=OneOf(list(LANGUAGE_LABELS)), metadata={"description": "Of the member's e-mails and feeds."}
    )


class MemberPage(Schema):
    items = fields.List(fields.Nested(MemberOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class LegOut(Schema):
    id = fields.Integer(required=True)
    city = fields.Nested(CityRef, required=True)
    arrive = fields.Nested(Instant, required=True)
    depart = fields.Nested(Instant, required=True)
    status = fields.String(required=True, validate=OneOf(_values(ItemStatus)))
    focus = fields.String(allow_none=True, required=True)
    hotel_name = fields.String(allow_none=True, required=True)
    hotel_address = fields.String(allow_none=True, required=True)
    notes = fields.String(allow_none=True, required=True)


class LegPage(Schema):
    items = fields.List(fields.Nested(LegOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class AppointmentOut(Schema):
    id = fields.Integer(required=True)
    uid = fields.String(required=True, metadata={"description": "The calendar UID (as in the iCalendar feeds)."})
    revision = fields.Integer(required=True, metadata={"description": "The calendar SEQUENCE."})
    title = fields.String(required=True)
    kind = fields.String(required=True, validate=OneOf(_values(AppointmentKind)))
    status = fields.String(required=True, validate=OneOf(_values(ItemStatus)))
    visibility = fields.String(required=True, validate=OneOf(_values(Visibility)))
    all_day = fields.Boolean(required=True)
    start = fields.Nested(Instant, required=True)
    end = fields.Nested(Instant, required=True)
    city = fields.Nested(CityRef, allow_none=True, required=True)
    venue = fields.String(allow_none=True, required=True)
    address = fields.String(allow_none=True, required=True)
    latitude = fields.Float(allow_none=True, required=True)
    longitude = fields.Float(allow_none=True, required=True)
    organization = fields.Nested(OrganizationRef, allow_none=True, required=True)
    dress_code = fields.String(allow_none=True, required=True)
    objectives = fields.String(
        allow_none=True, required=True, metadata={"description": "Briefing material: null where not briefed."}
    )
    talking_points = fields.String(allow_none=True, required=True)
    background = fields.String(allow_none=True, required=True)
    notes = fields.String(
        allow_none=True, required=True, metadata={"description": "The planning office's notes; null for a member."}
    )
    attendees = fields.List(fields.Integer(), required=True, metadata={"description": "Member ids."})


class AppointmentPage(Schema):
    items = fields.List(fields.Nested(AppointmentOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class Place(Schema):
    place = fields.String(required=True)
    city = fields.Nested(CityRef, allow_none=True, required=True)
    at = fields.Nested(Instant, required=True)


class JourneyOut(Schema):
    """A journey; booking references are never part of the API (with a surname they change a booking)."""

    id = fields.Integer(required=True)
    uid = fields.String(required=True)
    revision = fields.Integer(required=True)
    mode = fields.String(required=True, validate=OneOf(_values(JourneyMode)))
    status = fields.String(required=True, validate=OneOf(_values(ItemStatus)))
    visibility = fields.String(required=True, validate=OneOf(_values(Visibility)))
    departure = fields.Nested(Place, required=True)
    arrival = fields.Nested(Place, required=True)
    carrier = fields.String(allow_none=True, required=True)
    number = fields.String(allow_none=True, required=True)
    notes = fields.String(allow_none=True, required=True)
    travellers = fields.List(fields.Integer(), required=True, metadata={"description": "Member ids."})


class JourneyPage(Schema):
    items = fields.List(fields.Nested(JourneyOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class AppointmentDetail(AppointmentOut):
    """One appointment on its own; its answer carries the row's version as the ``ETag``."""


# The form's limits (planner.program.forms.AppointmentForm), so the API refuses what the form refuses.
_TEXT_LIMITS = {
    "venue": 200,
    "address": 2000,
    "objectives": 10000,
    "talking_points": 10000,
    "background": 20000,
    "dress_code": 100,
    "notes": 10000,
}
_WALL_TIME = "Local wall time at the place, ISO 8601 without offset (2024-10-27T02:30)."
# Not "date-time": that format demands an offset, and a wall time has none (the zone is a field of its own).
_WALL_TIME_SHAPE = {
    "description": _WALL_TIME,
    "format": "local-date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$",
}
_FOLD = (
    "Only for a wall time that happens twice (the hour the clocks are turned back): 0 = the first occurrence "
    "(still summer time), 1 = the second. Without it such a time is refused with 422 naming both instants."
)


def _appointment_fields(complete: bool) -> dict[str, fields.Field]:
    """The fields of an appointment write; ``complete``: create and replace (PUT) need title, city and times."""
    record_id = Range(min=1, max=MAX_RECORD_ID)
    found: dict[str, fields.Field] = {
        "title": fields.String(required=complete, validate=Length(min=1, max=200)),
        "kind": fields.String(validate=OneOf(_values(AppointmentKind))),
        "status": fields.String(validate=OneOf(_values(ItemStatus))),
        "visibility": fields.String(validate=OneOf(_values(Visibility))),
        "city_id": fields.Integer(required=complete, validate=record_id),
        "timezone": fields.String(
            allow_none=True,
            validate=Length(max=64),
            metadata={"description": "IANA zone of the place; empty or null: the city's zone."},
        ),
        "start": fields.NaiveDateTime(required=complete, metadata=_WALL_TIME_SHAPE),
        "start_fold": fields.Integer(allow_none=True, validate=OneOf([0, 1]), metadata={"description": _FOLD}),
        "end": fields.NaiveDateTime(required=complete, metadata=_WALL_TIME_SHAPE),
        "end_fold": fields.Integer(allow_none=True, validate=OneOf([0, 1]), metadata={"description": _FOLD}),
        "organization_id": fields.Integer(allow_none=True, validate=record_id),
        "contact_person_id": fields.Integer(allow_none=True, validate=record_id),
        "attendees": fields.List(
            fields.Integer(validate=record_id),
            validate=Length(max=500),
            metadata={"description": "Member ids of this delegation (a new appointment without it: everyone)."},
        ),
        "briefed": fields.List(fields.Integer(validate=record_id), validate=Length(max=500)),
    }
    for name, limit in _TEXT_LIMITS.items():
        found[name] = fields.String(allow_none=True, validate=Length(max=limit))
    return found


AppointmentIn = cast("type[Schema]", Schema.from_dict(_appointment_fields(complete=True), name="AppointmentIn"))
AppointmentPatch = cast("type[Schema]", Schema.from_dict(_appointment_fields(complete=False), name="AppointmentPatch"))


class ETagHeader(Schema):
    etag = fields.String(data_key="ETag", metadata={"description": 'The row\'s version, quoted ("3"): send it as If-Match.'})


class IfMatch(Schema):
    """The version the writer last saw, from an ``ETag`` (required; the view answers 428 without it)."""

    if_match = fields.String(
        data_key="If-Match",
        validate=Length(max=200),
        metadata={"description": 'The ETag of the record as last read, e.g. "3".'},
    )


class PressDelegation(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)


class PressAppointment(Schema):
    """A public appointment with what the press brief prints of it: no notes, briefing, dress code or contacts."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, validate=OneOf(_values(AppointmentKind)))
    status = fields.String(required=True, validate=OneOf(_values(ItemStatus)))
    all_day = fields.Boolean(required=True)
    start = fields.Nested(Instant, required=True)
    end = fields.Nested(Instant, required=True)
    city = fields.Nested(CityRef, allow_none=True, required=True)
    venue = fields.String(allow_none=True, required=True)
    address = fields.String(allow_none=True, required=True)
    organization = fields.String(allow_none=True, required=True, metadata={"description": "The host's name."})
    attendees = fields.List(fields.String(), required=True, metadata={"description": "Names of the members attending."})
    whole_delegation = fields.Boolean(required=True)


class PressPlace(Schema):
    place = fields.String(required=True)
    city = fields.Nested(CityRef, allow_none=True, required=True)
    at = fields.Nested(Instant, required=True)


class PressJourney(Schema):
    """A public journey with what the press brief prints of it: never a booking reference or notes."""

    id = fields.Integer(required=True)
    mode = fields.String(required=True, validate=OneOf(_values(JourneyMode)))
    status = fields.String(required=True, validate=OneOf(_values(ItemStatus)))
    departure = fields.Nested(PressPlace, required=True)
    arrival = fields.Nested(PressPlace, required=True)
    carrier = fields.String(allow_none=True, required=True)
    number = fields.String(allow_none=True, required=True)
    travellers = fields.List(fields.String(), required=True, metadata={"description": "Names of the members travelling."})
    whole_delegation = fields.Boolean(required=True)


class PressProgramme(Schema):
    delegation = fields.Nested(PressDelegation, required=True)
    appointments = fields.List(fields.Nested(PressAppointment), required=True)
    journeys = fields.List(fields.Nested(PressJourney), required=True)


# -- journeys, members and follow-ups: one record, and writing them ---------------------------


class JourneyDetail(JourneyOut):
    """One journey on its own; its answer carries the row's version as the ``ETag``."""


def _journey_fields(complete: bool) -> dict[str, fields.Field]:
    """The fields of a journey write (the journey form's, without the booking reference); ``complete``: create and PUT."""
    record_id = Range(min=1, max=MAX_RECORD_ID)
    found: dict[str, fields.Field] = {
        "mode": fields.String(validate=OneOf(_values(JourneyMode))),
        "status": fields.String(validate=OneOf(_values(ItemStatus))),
        "visibility": fields.String(validate=OneOf(_values(Visibility))),
    }
    for end, wall in (("departure", "depart"), ("arrival", "arrive")):
        found[f"{end}_city_id"] = fields.Integer(required=complete, validate=record_id)
        found[f"{end}_place"] = fields.String(
            required=complete, validate=Length(min=1, max=200), metadata={"description": "Airport, station, address."}
        )
        found[f"{end}_timezone"] = fields.String(
            allow_none=True,
            validate=Length(max=64),
            metadata={"description": f"IANA zone of the {end}; empty or null: the city's zone."},
        )
        found[wall] = fields.NaiveDateTime(
            required=complete, metadata={**_WALL_TIME_SHAPE, "description": f"Local wall time of the {end} there."}
        )
        found[f"{wall}_fold"] = fields.Integer(allow_none=True, validate=OneOf([0, 1]), metadata={"description": _FOLD})
    found["carrier"] = fields.String(allow_none=True, validate=Length(max=100))
    found["number"] = fields.String(allow_none=True, validate=Length(max=20))
    found["notes"] = fields.String(allow_none=True, validate=Length(max=10000))
    found["travellers"] = fields.List(
        fields.Integer(validate=record_id),
        validate=Length(max=500),
        metadata={"description": "Member ids of this delegation (a new journey without it: everyone)."},
    )
    return found


JourneyIn = cast("type[Schema]", Schema.from_dict(_journey_fields(complete=True), name="JourneyIn"))
JourneyPatch = cast("type[Schema]", Schema.from_dict(_journey_fields(complete=False), name="JourneyPatch"))


class MemberDetail(MemberOut):
    """One member on its own; its answer carries the row's version as the ``ETag``."""


def _member_fields(complete: bool) -> dict[str, fields.Field]:
    """What the member form offers: a directory person, the role, the function on the trip and the language."""
    return {
        "person_id": fields.Integer(
            required=complete,
            validate=Range(min=1, max=MAX_RECORD_ID),
            metadata={"description": "A person of the directory, not yet in this delegation."},
        ),
        "role": fields.String(validate=OneOf(_values(MemberRole))),
        "function": fields.String(allow_none=True, validate=Length(max=200)),
        "language": fields.String(validate=OneOf(list(LANGUAGE_LABELS))),
    }


MemberIn = cast("type[Schema]", Schema.from_dict(_member_fields(complete=True), name="MemberIn"))
MemberPatch = cast("type[Schema]", Schema.from_dict(_member_fields(complete=False), name="MemberPatch"))


class FollowUpOwner(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class FollowUpAppointment(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class FollowUpOut(Schema):
    """A follow-up: what remains to do after the trip, for the planning team."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=OneOf(_values(FollowUpStatus)))
    due_on = fields.Date(allow_none=True, required=True)
    owner = fields.Nested(FollowUpOwner, allow_none=True, required=True, metadata={"description": "Who is responsible."})
    organization = fields.Nested(OrganizationRef, allow_none=True, required=True)
    appointment = fields.Nested(
        FollowUpAppointment, allow_none=True, required=True, metadata={"description": "The appointment it came from."}
    )


class FollowUpPage(Schema):
    items = fields.List(fields.Nested(FollowUpOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class FollowUpDetail(FollowUpOut):
    """One follow-up on its own; its answer carries the row's version as the ``ETag``."""


def _follow_up_fields(complete: bool) -> dict[str, fields.Field]:
    record_id = Range(min=1, max=MAX_RECORD_ID)
    return {
        "title": fields.String(required=complete, validate=Length(min=1, max=200)),
        "description": fields.String(allow_none=True, validate=Length(max=10000)),
        "status": fields.String(validate=OneOf(_values(FollowUpStatus))),
        "due_on": fields.Date(allow_none=True),
        "owner_id": fields.Integer(allow_none=True, validate=record_id, metadata={"description": "A person of the directory."}),
        "organization_id": fields.Integer(allow_none=True, validate=record_id),
        "appointment_id": fields.Integer(
            allow_none=True, validate=record_id, metadata={"description": "An appointment of this delegation."}
        ),
    }


FollowUpIn = cast("type[Schema]", Schema.from_dict(_follow_up_fields(complete=True), name="FollowUpIn"))
FollowUpPatch = cast("type[Schema]", Schema.from_dict(_follow_up_fields(complete=False), name="FollowUpPatch"))
