"""The trip brief as data, and as HTML from the one template.

:func:`build_brief` turns a :class:`~planner.briefs.queries.BriefSource` and
the chosen :class:`~planner.briefs.options.BriefOptions` into plain view
objects. What an audience must not read (phone numbers, e-mail addresses,
booking references, objectives, talking points, internal notes) is left out
*here*, not hidden by the template, so a template change cannot leak it
into the press programme. Which audience may read what is decided by
:mod:`planner.audiences`: each variant of the brief maps onto one of its
audiences (:data:`planner.briefs.options.READERS`), and a member's brief is
read with that member's briefings. A subscription link (QR code) is printed
only in a member's own brief, and only that member's own link.

:func:`render_brief_html` renders ``briefs/brief.html``; the browser's print
view and the PDF (:mod:`planner.briefs.pdf`) are that same HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from planner.audiences import PERSONAL_FEEDS, Viewer, may_see, shows_item
from planner.briefs.fonts import BRIEF_FONTS, font_face_css
from planner.briefs.options import (
    AUDIENCE_LABELS,
    READERS,
    SECTION_LABELS,
    SECTIONS,
    Audience,
    BriefOptions,
)
from planner.briefs.queries import BriefSource
from planner.calendar.qr import qr_svg
from planner.care.meals import MealDiet, diet_counts, is_meal, needs_by_person
from planner.contacts.countries import trip_countries
from planner.contacts.sheet import CountryNumbers, HotelView, country_numbers, hotel_views
from planner.delegations.itinerary import Itinerary
from planner.editing import Rejected
from planner.etiquette.views import CountryEtiquette, country_etiquette
from planner.formatting import (
    clock,
    country_name,
    current_locale,
    format_offset,
    language_names,
    numeric_date,
    paragraphs,
    place_name,
    utc_label,
)
from planner.models import (
    Appointment,
    AppointmentKind,
    City,
    FeedToken,
    FollowUp,
    FollowUpStatus,
    ItemStatus,
    Journey,
    JourneyMode,
    Member,
    MemberRole,
    Organization,
    OrganizationKind,
    Person,
)
from planner.protocol.views import ProtocolView, protocol_view
from planner.releases.changes import changes_between
from planner.timezones import offset_between, to_local, utc_now

# -- small text helpers ---------------------------------------------------------


def bullets(text: str | None) -> list[str]:
    """Talking points written as '- ...' lines; continuation lines belong to the point above."""
    if not text:
        return []
    points: list[str] = []
    for line in text.strip().splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[:2] in ("- ", "* ", "• ") or not points:
            points.append(stripped.lstrip("-*• ").strip())
        else:
            points[-1] = f"{points[-1]} {stripped}"
    return points


def css_string(value: str) -> str:
    """``value`` as a CSS string literal, safe inside a <style> element."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&' or ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in value)
    return f'"{escaped}"'


# -- view objects -------------------------------------------------------------------


@dataclass
class PersonView:
    name: str
    native_name: str | None = None  # with its romanisation when there is one: "胡衡华 (Hú Hénghuá)"
    function: str | None = None
    organization: str | None = None
    formal: str | None = None  # the formal address when it is more than the name: "Herr Oberbürgermeister"
    phone: str | None = None
    email: str | None = None
    languages: str = ""
    placeholder: bool = False  # contact data invented: print it with a warning

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.email)


@dataclass
class OrganizationView:
    id: int
    name: str
    kind: OrganizationKind
    native_name: str | None = None
    sector: str | None = None
    profile: list[str] = field(default_factory=list)
    home_relation: str | None = None
    founded_year: int | None = None
    website: str | None = None
    address: str | None = None
    city: str | None = None
    phone: str | None = None
    email: str | None = None
    placeholder: bool = False
    people: list[PersonView] = field(default_factory=list)

    @property
    def is_mission(self) -> bool:
        return self.kind is OrganizationKind.MISSION


@dataclass
class AppointmentView:
    id: int
    title: str
    kind: AppointmentKind
    status: ItemStatus
    start_at: datetime
    end_at: datetime
    zone: str
    place: str
    all_day: bool
    venue: str | None
    address: str | None
    organization: OrganizationView | None
    contact: PersonView | None
    attendees: list[str]
    whole_delegation: bool
    dress_code: str | None
    objectives: list[str]
    talking_points: list[str]
    background: list[str]
    notes: str | None
    counterparts: list[PersonView]
    # A meal's dietary needs as counts, never names (planner.care.meals); the full brief only.
    diet: MealDiet | None = None
    # The order of precedence and seating plan (planner.protocol); not in the press brief.
    protocol: ProtocolView | None = None
    is_journey = False

    @property
    def anchor(self) -> str:
        return f"appointment-{self.id}"

    @property
    def briefing_anchor(self) -> str:
        return f"briefing-{self.id}"

    @property
    def has_briefing(self) -> bool:
        return bool(
            self.organization or self.objectives or self.talking_points or self.background or self.counterparts or self.protocol
        )

    @property
    def local_day(self) -> date:
        return to_local(self.start_at, self.zone).date()


@dataclass
class JourneyView:
    id: int
    mode: JourneyMode
    status: ItemStatus
    depart_at: datetime
    departure_zone: str
    departure_city: str
    departure_place: str
    arrive_at: datetime
    arrival_zone: str
    arrival_city: str
    arrival_place: str
    carrier: str | None
    number: str | None
    booking_reference: str | None
    travellers: list[str]
    whole_delegation: bool
    notes: str | None
    is_journey = True

    @property
    def anchor(self) -> str:
        return f"journey-{self.id}"

    @property
    def local_day(self) -> date:
        return to_local(self.depart_at, self.departure_zone).date()


@dataclass
class DayView:
    day: date
    zone: str
    places: list[str]
    entries: list[AppointmentView | JourneyView]
    home_offset: timedelta

    @property
    def anchor(self) -> str:
        return f"day-{self.day.isoformat()}"


@dataclass
class GlanceCell:
    present: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class GlanceRow:
    day: date
    cells: list[GlanceCell]


@dataclass
class ZoneRow:
    place: str
    zone: str
    utc: str
    difference: str
    example_local: str
    example_home: str


@dataclass
class PartnerView:
    city: str
    native_name: str | None
    country: str
    since: date
    profile: list[str]
    exchanges: list[str]
    appointments: list[AppointmentView]


@dataclass
class FollowUpView:
    title: str
    description: list[str]
    owner: str | None
    due_on: date | None
    status: FollowUpStatus
    organization: str | None
    appointment: str | None


@dataclass
class MemberView:
    person: PersonView
    role: MemberRole
    function: str | None
    person_id: int


@dataclass
class DestinationView:
    city: str
    native_name: str | None
    country: str


@dataclass
class Brief:
    options: BriefOptions
    delegation_id: int
    title: str
    purpose: list[str]
    start_date: date
    end_date: date
    home_zone: str
    home_place: str
    destinations: list[DestinationView]
    leader: MemberView | None
    member: MemberView | None
    as_of: datetime
    revision: int
    feed_url: str | None
    personal_url: str | None
    members: list[MemberView]
    days: list[DayView]
    appointments: list[AppointmentView]
    journeys: list[JourneyView]
    glance_places: list[str]
    glance: list[GlanceRow]
    zones: list[ZoneRow]
    partners: list[PartnerView]
    hotels: list[HotelView]
    missions: list[OrganizationView]
    hosts: list[OrganizationView]
    organisers: list[PersonView]
    # Every country of the trip, with its numbers from the data or none ("to be verified").
    emergency: list[CountryNumbers]
    follow_ups: list[FollowUpView]
    # The delegation's duty phone; only in briefs for the delegation (not the press brief).
    duty_phone: str | None = None
    # "Version 5 vom 12.10.2024" (a released brief) or "Entwurf, Stand 14.10.2024 10:30" (the draft, home time).
    version: str = ""
    released: bool = False
    # A released brief that replaces an earlier release: its number, and what changed since for this brief's reader.
    replaces: int | None = None
    recipient: str = ""
    changes: list[str] = field(default_factory=list)
    # Every country abroad with its etiquette notes, or none ("to be verified"); in the brief's language.
    etiquette: list[CountryEtiquette] = field(default_factory=list)

    @property
    def audience(self) -> Audience:
        return self.options.audience

    @property
    def internal(self) -> bool:
        """Whether internal material (objectives, talking points, notes, contact data) is in this brief."""
        return self.options.audience is not Audience.PRESS

    @property
    def briefings(self) -> list[AppointmentView]:
        return [a for a in self.appointments if a.has_briefing]

    def has(self, section: str) -> bool:
        if not self.options.has(section):
            return False
        return {
            "briefings": bool(self.briefings),
            "partner": bool(self.partners),
            "followups": bool(self.follow_ups),
        }.get(section, True)

    @property
    def audience_label(self) -> str:
        return str(AUDIENCE_LABELS[self.options.audience])

    @property
    def handling_mark(self) -> str:
        if self.options.audience is Audience.PRESS:
            return _("Zur Weitergabe an Presse und Öffentlichkeit")
        if self.member is not None:
            return _("Persönliches Exemplar – nur für den Dienstgebrauch")
        return _("Nur für den Dienstgebrauch – nicht zur Weitergabe")

    def section_label(self, section: str) -> str:
        return str(SECTION_LABELS[section])


# -- building -----------------------------------------------------------------------


class _Builder:
    def __init__(self, source: BriefSource, options: BriefOptions) -> None:
        self.source = source
        self.options = options
        self.delegation = source.delegation
        self.internal = options.audience is not Audience.PRESS
        # Who reads this brief; the member is added by build() once it is known.
        self.viewer = Viewer(READERS[options.audience])
        self.home_zone = self.delegation.home_timezone
        self.home_place = self.delegation.home_city.name
        self.all_members = {m.id for m in self.delegation.members}
        # Where the delegation stays: places, zones, countries and the glance's days (cancelled legs never count).
        self.itinerary = Itinerary.of(self.delegation)
        # The planning team's brief counts each meal's dietary needs; the others never learn of them.
        self.diets = needs_by_person(m.person_id for m in self.delegation.members) if options.audience is Audience.FULL else None

    # people and organizations

    def person(self, person: Person, *, with_contact: bool = True) -> PersonView:
        organization = person.organization
        show = with_contact and may_see(self.viewer, "personal_data")
        names = person.names(current_locale())
        return PersonView(
            name=names.running,
            native_name=names.native,
            function=names.function,
            formal=names.formal if names.formal != names.running else None,
            organization=organization.name if organization else None,
            phone=person.phone if show else None,
            email=person.email if show else None,
            languages=language_names(person.languages),
            placeholder=person.contact_is_placeholder and show and bool(person.phone or person.email),
        )

    def organization(self, organization: Organization | None, *, exclude: Person | None = None) -> OrganizationView | None:
        if organization is None:
            return None
        # Loaded with its people by queries.brief_source; anything else has none to show (and costs no query).
        loaded = self.source.organizations.get(organization.id)
        people = [p for p in loaded.people if exclude is None or p.id != exclude.id] if loaded is not None else []
        return OrganizationView(
            id=organization.id,
            name=organization.name,
            kind=organization.kind,
            native_name=organization.native_name,
            sector=organization.sector,
            profile=paragraphs(organization.profile),
            home_relation=organization.home_relation,
            founded_year=organization.founded_year,
            website=organization.website,
            address=organization.address,
            city=organization.city.name if organization.city else None,
            phone=organization.phone if self.internal else None,
            email=organization.email if self.internal else None,
            placeholder=organization.contact_is_placeholder and self.internal and bool(organization.phone or organization.email),
            people=[self.person(p) for p in people],
        )

    def member(self, member: Member) -> MemberView:
        return MemberView(
            person=self.person(member.person),
            role=member.role,
            function=member.function or member.person.function,
            person_id=member.person_id,
        )

    # programme

    def appointment(self, appointment: Appointment) -> AppointmentView:
        viewer = self.viewer
        contact = appointment.contact_person if may_see(viewer, "contact") else None
        counterparts = self.organization(appointment.organization, exclude=appointment.contact_person)
        return AppointmentView(
            id=appointment.id,
            title=appointment.title,
            kind=appointment.kind,
            status=appointment.status,
            start_at=appointment.start_at,
            end_at=appointment.end_at,
            zone=appointment.timezone,
            place=place_name(appointment.timezone, appointment.city),
            all_day=appointment.all_day,
            venue=appointment.venue,
            address=appointment.address,
            organization=counterparts,
            contact=self.person(contact) if contact is not None else None,
            attendees=[m.person.display_name for m in appointment.attendees],
            whole_delegation={m.id for m in appointment.attendees} == self.all_members,
            dress_code=appointment.dress_code if may_see(viewer, "dress_code") else None,
            objectives=paragraphs(appointment.objectives) if may_see(viewer, "objectives", appointment) else [],
            talking_points=bullets(appointment.talking_points) if may_see(viewer, "talking_points", appointment) else [],
            background=paragraphs(appointment.background) if may_see(viewer, "background", appointment) else [],
            notes=appointment.notes if may_see(viewer, "notes") else None,
            counterparts=counterparts.people if counterparts else [],
            diet=diet_counts(appointment.attendees, self.diets) if self.diets is not None and is_meal(appointment) else None,
            protocol=self.protocol(appointment),
        )

    def protocol(self, appointment: Appointment) -> ProtocolView | None:
        # Who sits where at an official table is for the delegation, not for the press.
        plan = self.source.plans.get(appointment.id) if self.internal else None
        return protocol_view(plan) if plan is not None and plan.participants else None

    def journey(self, journey: Journey) -> JourneyView:
        return JourneyView(
            id=journey.id,
            mode=journey.mode,
            status=journey.status,
            depart_at=journey.depart_at,
            departure_zone=journey.departure_timezone,
            departure_city=place_name(journey.departure_timezone, journey.departure_city),
            departure_place=journey.departure_place,
            arrive_at=journey.arrive_at,
            arrival_zone=journey.arrival_timezone,
            arrival_city=place_name(journey.arrival_timezone, journey.arrival_city),
            arrival_place=journey.arrival_place,
            carrier=journey.carrier,
            number=journey.number,
            booking_reference=journey.booking_reference if may_see(self.viewer, "booking_reference") else None,
            travellers=[m.person.display_name for m in journey.travellers],
            whole_delegation={m.id for m in journey.travellers} == self.all_members,
            notes=journey.notes if may_see(self.viewer, "notes") else None,
        )

    def selected(self, member: Member | None) -> tuple[list[Appointment], list[Journey]]:
        appointments = list(self.delegation.appointments)
        journeys = list(self.delegation.journeys)
        if member is not None:
            appointments = [a for a in appointments if member in a.attendees]
            journeys = [j for j in journeys if member in j.travellers]
        appointments = [a for a in appointments if shows_item(self.viewer, a)]
        journeys = [j for j in journeys if shows_item(self.viewer, j)]
        return appointments, journeys

    def days(self, appointments: list[AppointmentView], journeys: list[JourneyView]) -> list[DayView]:
        """One day per local date of the place where an entry starts; journeys after appointments starting with them."""
        entries: list[AppointmentView | JourneyView] = [*appointments, *journeys]
        entries.sort(key=lambda e: (e.depart_at if e.is_journey else e.start_at, e.is_journey))  # type: ignore[union-attr]
        days: dict[date, DayView] = {}
        for entry in entries:
            zone = entry.departure_zone if entry.is_journey else entry.zone  # type: ignore[union-attr]
            start = entry.depart_at if entry.is_journey else entry.start_at  # type: ignore[union-attr]
            view = days.get(entry.local_day)
            if view is None:
                view = days[entry.local_day] = DayView(entry.local_day, zone, [], [], offset_between(start, zone, self.home_zone))
            view.entries.append(entry)
            stops = (
                [entry.departure_city, entry.arrival_city] if entry.is_journey else [entry.place]  # type: ignore[union-attr]
            )
            for stop in stops:
                if not view.places or view.places[-1] != stop:
                    view.places.append(stop)
        return [days[d] for d in sorted(days)]

    # at a glance

    def glance(self, appointments: list[AppointmentView], journeys: list[JourneyView]) -> tuple[list[str], list[GlanceRow]]:
        places = [self.home_place]
        for leg in self.itinerary.legs:
            if leg.city.name not in places:
                places.append(leg.city.name)
        for entry in [*appointments]:
            if entry.place not in places:
                places.append(entry.place)
        first = min([self.delegation.start_date, *(a.local_day for a in appointments), *(j.local_day for j in journeys)])
        last = max([self.delegation.end_date, *(a.local_day for a in appointments), *(j.local_day for j in journeys)])
        rows = {first + timedelta(days=n): [GlanceCell() for _ in places] for n in range((last - first).days + 1)}
        for row_day, row in rows.items():
            for leg in self.itinerary.legs_on(row_day):
                row[places.index(leg.city.name)].present = True
        counts: dict[tuple[date, int], int] = {}
        for appointment in appointments:
            key = (appointment.local_day, places.index(appointment.place))
            counts[key] = counts.get(key, 0) + 1
        for journey in journeys:
            if journey.departure_city in places:
                cell = rows[journey.local_day][places.index(journey.departure_city)]
                cell.present = True
                cell.notes.append(_("ab %(time)s", time=clock(journey.depart_at, journey.departure_zone)))
            if journey.arrival_city in places:
                arrival_day = to_local(journey.arrive_at, journey.arrival_zone).date()
                if arrival_day in rows:
                    cell = rows[arrival_day][places.index(journey.arrival_city)]
                    cell.present = True
                    cell.notes.append(_("an %(time)s", time=clock(journey.arrive_at, journey.arrival_zone)))
        for (local_day, column), count in counts.items():
            cell = rows[local_day][column]
            cell.present = True
            cell.notes.insert(0, _("1 Termin") if count == 1 else _("%(count)s Termine", count=count))
        for cells in rows.values():
            for cell in cells:
                if cell.present and not cell.notes:
                    # Said in words, not only by the cell's shading.
                    cell.notes.append(_("Aufenthalt"))
        return places, [GlanceRow(d, cells) for d, cells in sorted(rows.items())]

    def zones(self) -> list[ZoneRow]:
        rows: list[ZoneRow] = []
        for leg in self.itinerary.legs:
            if any(row.zone == leg.timezone and row.place == leg.city.name for row in rows):
                continue
            # An example at nine in the morning, local time of the first day there.
            nine = to_local(leg.arrive_at, leg.timezone).replace(hour=9, minute=0, second=0, microsecond=0)
            rows.append(
                ZoneRow(
                    place=leg.city.name,
                    zone=leg.timezone,
                    utc=utc_label(leg.arrive_at, leg.timezone),
                    difference=format_offset(offset_between(leg.arrive_at, leg.timezone, self.home_zone)),
                    example_local=clock(nine, leg.timezone),
                    example_home=clock(nine, self.home_zone),
                )
            )
        return rows

    # partner cities, contacts, follow-ups

    def partners(self, appointments: list[AppointmentView]) -> list[PartnerView]:
        views = []
        for partnership in self.source.partnerships:
            city: City = partnership.partner_city
            views.append(
                PartnerView(
                    city=city.name,
                    native_name=city.native_name,
                    country=country_name(city.country),
                    since=partnership.since,
                    profile=paragraphs(city.profile),
                    exchanges=paragraphs(partnership.notes),
                    appointments=[a for a in appointments if a.place == city.name],
                )
            )
        return views

    def hotels(self) -> list[HotelView]:
        if not may_see(self.viewer, "hotels"):
            return []
        return hotel_views(self.delegation.legs)

    def hosts(self, appointments: list[AppointmentView]) -> tuple[list[OrganizationView], list[OrganizationView]]:
        seen: dict[int, OrganizationView] = {}
        contacts: dict[int, list[PersonView]] = {}
        for appointment in appointments:
            if appointment.organization is None:
                continue
            seen.setdefault(appointment.organization.id, appointment.organization)
            if appointment.contact is not None:
                listed = contacts.setdefault(appointment.organization.id, [])
                if all(p.name != appointment.contact.name for p in listed):
                    listed.append(appointment.contact)
        views = []
        for organization_id, view in seen.items():
            # In the contact list: the on-site contacts first, then the other people of the organization.
            people = contacts.get(organization_id, [])
            people += [p for p in view.people if all(p.name != q.name for q in people)]
            views.append(OrganizationView(**{**view.__dict__, "people": people}))
        missions = [v for v in views if v.is_mission]
        return missions, [v for v in views if not v.is_mission]

    def emergency(self) -> list[CountryNumbers]:
        """Every country of the trip (home, legs, journeys' ends), each with its numbers or as "to be verified"."""
        return country_numbers(trip_countries(self.delegation), self.source.emergency_numbers)

    def etiquette(self) -> list[CountryEtiquette]:
        home = self.delegation.home_city.country.iso_code if self.delegation.home_city is not None else None
        return country_etiquette(trip_countries(self.delegation), self.source.etiquette_notes, self.options.lang, home=home)

    def follow_ups(self, member: Member | None, appointment_ids: set[int]) -> list[FollowUpView]:
        if not self.internal:
            return []
        chosen: list[FollowUp] = [
            f
            for f in self.delegation.follow_ups
            if member is None or f.owner_id == member.person_id or f.appointment_id in appointment_ids
        ]
        return [
            FollowUpView(
                title=f.title,
                description=paragraphs(f.description),
                owner=f.owner.display_name if f.owner else None,
                due_on=f.due_on,
                status=f.status,
                organization=f.organization.name if f.organization else None,
                appointment=f.appointment.title if f.appointment_id and f.appointment else None,
            )
            for f in chosen
        ]

    def personal_feed(self, member: Member | None) -> FeedToken | None:
        """The member's own subscription, only in their own brief.

        A feed link is a key to a calendar (and to the member's personal
        page): printed in the full or press brief, or as anyone else's link,
        it would hand every reader a programme meant for someone else. Links
        made for the planning team (even a member's) are never printed.
        """
        if self.options.audience is not Audience.MEMBER or member is None:
            return None
        feeds: list[FeedToken] = self.source.feeds
        candidates = [f for f in feeds if f.member_id == member.id and f.audience in PERSONAL_FEEDS]
        # The subscription in the brief's language if there is one.
        candidates.sort(key=lambda f: f.locale != self.options.lang)
        return candidates[0] if candidates else None

    def feed_url(self, member: Member | None) -> str | None:
        """The member's own subscription link (webcal), see :meth:`personal_feed`."""
        feed = self.personal_feed(member)
        if feed is None:
            return None
        https = url_for("calendar.feed", token=feed.token, _external=True)
        return "webcal://" + https.split("://", 1)[1]

    def personal_url(self, member: Member | None) -> str | None:
        """The member's personal programme page (the same key as their feed), see :meth:`personal_feed`."""
        feed = self.personal_feed(member)
        return url_for("personal.page", token=feed.token, _external=True) if feed is not None else None

    # the version

    def recipient(self, member: Member | None) -> str:
        """Whom the brief's list of changes is for, as its first page names them."""
        if member is not None:
            return member.person.display_name
        if self.options.audience is Audience.PRESS:
            return _("Presse und Öffentlichkeit")
        return _("das Planungsteam")

    def version(self, now: datetime) -> tuple[str, int | None, list[str]]:
        """The version line, the number of the release this one replaces, and the changes since it for this reader."""
        release = self.source.release
        if release is None:
            line = _(
                "Entwurf, Stand %(date)s %(time)s",
                date=numeric_date(now, self.home_zone),
                time=clock(now, self.home_zone),
            )
            return line, None, []
        approved = release.approved_at or release.prepared_at
        line = _("Version %(number)s vom %(date)s", number=release.number, date=numeric_date(approved, self.home_zone))
        previous = self.source.previous
        if previous is None:
            return line, None, []
        # The reader's own view of the changes (planner.releases.changes filters internal notes for all but the team).
        changes = changes_between(previous.programme, self.delegation, self.viewer)
        return line, previous.release.number, [change.text for change in changes]

    # the whole brief

    def build(self, now: datetime) -> Brief:
        delegation = self.delegation
        member = None
        if self.options.audience is Audience.MEMBER:
            assert self.options.person_id is not None
            member = self.source.member_for_person(self.options.person_id)
            if member is None:
                raise Rejected("member", _("Die Person %(id)s gehört nicht zu dieser Delegation.", id=self.options.person_id))
            self.viewer = Viewer(READERS[self.options.audience], member)
        chosen_appointments, chosen_journeys = self.selected(member)
        appointments = [self.appointment(a) for a in chosen_appointments]
        journeys = [self.journey(j) for j in chosen_journeys]
        glance_places, glance = self.glance(appointments, journeys)
        missions, hosts = self.hosts(appointments)
        destinations: list[DestinationView] = []
        for leg in self.itinerary.legs:
            if all(d.city != leg.city.name for d in destinations):
                destinations.append(DestinationView(leg.city.name, leg.city.native_name, country_name(leg.city.country)))
        leader = delegation.leader
        version, replaces, changes = self.version(now)
        return Brief(
            version=version,
            released=self.source.release is not None,
            replaces=replaces,
            recipient=self.recipient(member),
            changes=changes,
            options=self.options,
            delegation_id=delegation.id,
            title=delegation.title,
            purpose=paragraphs(delegation.purpose),
            start_date=delegation.start_date,
            end_date=delegation.end_date,
            home_zone=self.home_zone,
            home_place=self.home_place,
            destinations=destinations,
            leader=self.member(leader) if leader else None,
            member=self.member(member) if member else None,
            as_of=to_local(now, self.home_zone),
            revision=delegation.revision,
            feed_url=self.feed_url(member),
            personal_url=self.personal_url(member),
            members=[self.member(m) for m in delegation.members],
            days=self.days(appointments, journeys),
            appointments=appointments,
            journeys=journeys,
            glance_places=glance_places,
            glance=glance,
            zones=self.zones(),
            partners=self.partners(appointments),
            hotels=self.hotels(),
            missions=missions,
            hosts=hosts,
            organisers=[self.person(m.person) for m in delegation.members if m.role is MemberRole.STAFF] if self.internal else [],
            emergency=self.emergency(),
            etiquette=self.etiquette(),
            duty_phone=delegation.duty_phone if self.internal else None,
            follow_ups=self.follow_ups(member, {a.id for a in appointments}),
        )


def build_brief(source: BriefSource, options: BriefOptions, *, now: datetime | None = None) -> Brief:
    """The brief's content for ``options``; call inside ``force_locale(options.lang)``.

    Raises :class:`~planner.editing.Rejected` when the member of a personal brief is
    not in the delegation.
    """
    return _Builder(source, options).build(now or utc_now())


# -- HTML ---------------------------------------------------------------------------


def page_css(brief: Brief) -> Markup:
    """The page rules that carry text (running header, handling mark, 'page X of Y') and the brief's fonts.

    They are built here rather than in brief.css because their words depend
    on the delegation and the language, and the fonts' URLs on where the app
    is mounted; both WeasyPrint and Chromium read them.
    """
    footer_parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", _("Seite {page} von {pages}")):
        if piece == "{page}":
            footer_parts.append("counter(page)")
        elif piece == "{pages}":
            footer_parts.append("counter(pages)")
        elif piece:
            footer_parts.append(css_string(piece))
    # The version on every page: a sheet that comes loose still says which programme it belongs to.
    as_of = _("%(version)s · Revision %(revision)s", version=brief.version, revision=brief.revision)
    fonts = font_face_css({font.filename: url_for("briefs.font", font_file=font.filename) for font in BRIEF_FONTS})
    css = (
        f"{fonts} @page {{"
        f" @top-left {{ content: {css_string(brief.title)}; }}"
        f" @top-right {{ content: {css_string(brief.handling_mark)}; }}"
        f" @bottom-left {{ content: {css_string(as_of)}; }}"
        f" @bottom-right {{ content: {' '.join(footer_parts)}; }}"
        " }"
    )
    # Repeated from brief.css after the rule above: Chromium lets the later rule win over the
    # named page's, so the cover (always the first page) keeps its margins empty in both engines.
    blank = (
        " @top-left { content: none; } @top-right { content: none; }"
        " @bottom-left { content: none; } @bottom-right { content: none; }"
    )
    css += f" @page :first {{{blank} }} @page cover {{{blank} }}"
    return Markup(css)  # every text in it went through css_string


def brief_query(options: BriefOptions) -> dict[str, object]:
    """The query parameters that ask for ``options`` again (links from the print view to its PDF)."""
    query: dict[str, object] = {"audience": options.audience.value, "lang": options.lang}
    if options.edition is not None:
        query["edition"] = options.edition.value
    if options.person_id is not None:
        query["member"] = options.person_id
    if options.sections != frozenset(SECTIONS):
        query["sections"] = [s for s in SECTIONS if s in options.sections]
    return query


def render_brief_html(brief: Brief) -> str:
    """The brief as HTML, in ``brief.options.lang``; the same document for the browser and the PDF."""
    with force_locale(brief.options.lang):
        return render_template(
            "briefs/brief.html",
            brief=brief,
            page_css=page_css(brief),
            query=brief_query(brief.options),
            qr_svg=qr_svg,
            local=to_local,
        )


def brief_html(source: BriefSource, options: BriefOptions, *, now: datetime | None = None) -> tuple[Brief, str]:
    """Build and render in the brief's language (labels and dates depend on it)."""
    with force_locale(options.lang):
        brief = build_brief(source, options, now=now)
        return brief, render_brief_html(brief)
