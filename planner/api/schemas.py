"""The shapes of the API's answers and query parameters, from which APIFlask writes the OpenAPI document.

Output schemas describe dictionaries built by :mod:`planner.api.serialize`
(which decides, per audience, what a field may carry); they are the contract
that the schema-driven tests (Schemathesis) hold every answer to. Fields that
may be empty are ``allow_none``, written as ``["string", "null"]`` in OpenAPI 3.1.
"""

from __future__ import annotations

from typing import cast

from apiflask import Schema, fields
from apiflask.schemas import FileSchema
from apiflask.validators import Length, OneOf, Range

from planner.config import LANGUAGES
from planner.labels import LANGUAGE_LABELS
from planner.models import (
    AppointmentKind,
    Audience,
    DelegationStatus,
    FollowUpStatus,
    ItemStatus,
    JourneyMode,
    MemberRole,
    OrganizationKind,
    PersonSide,
    ReleaseState,
    Visibility,
)
from planner.releases.changes import ChangeKind
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


# -- the directory (organizations, people, cities, partnerships) ---------------------------------------------
# What the directory's pages show every signed-in reader, less what the API never carries: no e-mail
# addresses or phone numbers (of people or organizations), no personal travel data (planner.personal).


class DirectoryAppointment(Schema):
    """An appointment a directory record is part of, on a trip the token's owner may see."""

    id = fields.Integer(required=True)
    delegation_id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, validate=OneOf(_values(ItemStatus)))
    start = fields.Nested(Instant, required=True)


class PersonRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "As German running text names them, with title."})
    function = fields.String(allow_none=True, required=True)


class OrganizationOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    native_name = fields.String(allow_none=True, required=True, metadata={"description": "In the local script."})
    kind = fields.String(required=True, validate=OneOf(_values(OrganizationKind)))
    sector = fields.String(allow_none=True, required=True)
    profile = fields.String(allow_none=True, required=True)
    home_relation = fields.String(allow_none=True, required=True, metadata={"description": "Why it matters at home."})
    founded_year = fields.Integer(allow_none=True, required=True)
    website = fields.String(allow_none=True, required=True)
    address = fields.String(allow_none=True, required=True)
    city = fields.Nested(CityRef, allow_none=True, required=True)


class OrganizationDetail(OrganizationOut):
    """One organization with its people and its appointments on the trips the token's owner may see."""

    people = fields.List(fields.Nested(PersonRef), required=True)
    appointments = fields.List(fields.Nested(DirectoryAppointment), required=True)


class OrganizationPage(Schema):
    items = fields.List(fields.Nested(OrganizationOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class PersonOut(Schema):
    """A person of the directory: names, function, organization; never contact or personal travel data."""

    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "As German running text names them, with title."})
    given_name = fields.String(allow_none=True, required=True)
    family_name = fields.String(required=True)
    family_name_first = fields.Boolean(required=True, metadata={"description": "Written family name first (Chinese, Korean)."})
    native_name = fields.String(allow_none=True, required=True)
    romanized_name = fields.String(allow_none=True, required=True)
    title = fields.String(allow_none=True, required=True)
    salutation = fields.String(allow_none=True, required=True)
    function = fields.String(allow_none=True, required=True)
    function_en = fields.String(allow_none=True, required=True)
    side = fields.String(required=True, validate=OneOf(_values(PersonSide)))
    organization = fields.Nested(OrganizationRef, allow_none=True, required=True)
    languages = fields.String(allow_none=True, required=True, metadata={"description": "ISO 639-1 codes, e.g. 'de, en'."})
    notes = fields.String(allow_none=True, required=True)


class Membership(Schema):
    delegation_id = fields.Integer(required=True)
    delegation_title = fields.String(required=True)
    member_id = fields.Integer(required=True)
    role = fields.String(required=True, validate=OneOf(_values(MemberRole)))
    function = fields.String(allow_none=True, required=True)


class PersonDetail(PersonOut):
    """One person with the trips they travel with and the appointments they are the on-site contact for
    (only trips the token's owner may see)."""

    memberships = fields.List(fields.Nested(Membership), required=True)
    contact_for = fields.List(fields.Nested(DirectoryAppointment), required=True)


class PersonPage(Schema):
    items = fields.List(fields.Nested(PersonOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class CityOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    native_name = fields.String(allow_none=True, required=True)
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2 code."})
    timezone = fields.String(required=True, metadata={"description": "IANA time zone."})
    latitude = fields.Float(allow_none=True, required=True)
    longitude = fields.Float(allow_none=True, required=True)
    profile = fields.String(allow_none=True, required=True)


class CityDetail(CityOut):
    """One city with its organizations and the ids of its partnerships."""

    organizations = fields.List(fields.Nested(OrganizationRef), required=True)
    partnerships = fields.List(fields.Integer(), required=True)


class CityPage(Schema):
    items = fields.List(fields.Nested(CityOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class PartnershipOut(Schema):
    id = fields.Integer(required=True)
    home_city = fields.Nested(CityRef, required=True)
    partner_city = fields.Nested(CityRef, required=True)
    since = fields.Date(required=True)
    notes = fields.String(allow_none=True, required=True)


class PartnershipDetail(PartnershipOut):
    """One partnership on its own."""


class PartnershipPage(Schema):
    items = fields.List(fields.Nested(PartnershipOut), required=True)
    page = fields.Nested(PageMeta, required=True)


# -- released versions ----------------------------------------------------------------------------------------


class ReleaseStep(Schema):
    """One step of a release: when (in the trip's home zone) and by whom."""

    at = fields.Nested(Instant, required=True)
    by = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The account's name (its e-mail address before the @); null if the account is gone."},
    )


class ReleaseOut(Schema):
    number = fields.Integer(required=True, metadata={"description": "Per delegation; a withdrawn number is not used again."})
    state = fields.String(required=True, validate=OneOf(_values(ReleaseState)))
    note = fields.String(allow_none=True, required=True)
    revision = fields.Integer(required=True, metadata={"description": "The delegation's revision the version was taken at."})
    prepared = fields.Nested(ReleaseStep, required=True)
    approved = fields.Nested(ReleaseStep, allow_none=True, required=True, metadata={"description": "Released at, by."})
    withdrawn = fields.Nested(ReleaseStep, allow_none=True, required=True)
    approval_reason = fields.String(
        allow_none=True, required=True, metadata={"description": "Why an admin approved a version they prepared."}
    )


class ReleasePage(Schema):
    items = fields.List(fields.Nested(ReleaseOut), required=True)
    page = fields.Nested(PageMeta, required=True)


class ReleaseDetail(ReleaseOut):
    """One release on its own."""


class ChangeOut(Schema):
    """One change as its reader sees it, with the sentence the pages show (in ``lang``)."""

    kind = fields.String(required=True, validate=OneOf(_values(ChangeKind)))
    item = fields.String(required=True, validate=OneOf(["appointment", "journey", "leg", "delegation"]))
    item_id = fields.Integer(required=True)
    title = fields.String(required=True)
    at = fields.Nested(
        Instant, allow_none=True, required=True, metadata={"description": "The item's start; null for the trip as a whole."}
    )
    text = fields.String(required=True)


class ReleaseChanges(Schema):
    release = fields.Nested(ReleaseDetail, required=True)
    previous = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "The approved version compared with; null for the first (then there are no changes)."},
    )
    audience = fields.String(required=True, validate=OneOf(_values(Audience)))
    member = fields.Integer(allow_none=True, required=True)
    changes = fields.List(fields.Nested(ChangeOut), required=True)


def _language(description: str) -> fields.String:
    return fields.String(validate=OneOf(list(LANGUAGES)), metadata={"description": description})


class LanguageQuery(Schema):
    lang = _language("The language of the sentences: de (default) or en.")


class ChangesQuery(LanguageQuery):
    """Whose view of the changes: an audience, or (``member``) one member's own programme."""

    audience = fields.String(
        validate=OneOf([a.value for a in (Audience.TEAM, Audience.LEADERSHIP, Audience.PRESS)]),
        metadata={"description": "team (default), leadership or press; for one member's view give `member` instead."},
    )
    member = fields.Integer(
        validate=Range(min=1, max=MAX_RECORD_ID),
        metadata={"description": "A member id of the delegation: the changes in that member's own programme."},
    )


class ExportQuery(Schema):
    lang = _language("The language of the words and the file's conventions: de (default; ';' between cells) or en (',').")
    member = fields.Integer(
        validate=Range(min=1, max=MAX_RECORD_ID),
        metadata={"description": "A member id of the delegation: only that member's own items, as the member sees them."},
    )


# A file answer (CSV, KML); its media type is documented per operation.
FILE = FileSchema(type="string", format="binary")


class OrganizationQuery(PageQuery):
    kind = fields.String(validate=OneOf(_values(OrganizationKind)), metadata={"description": "Only organizations of this kind."})


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
