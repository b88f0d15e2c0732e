"""A feed keeps its serialized events and rebuilds only the changed ones; its bytes equal a full build.

The Keller trip. Each kind of change is made through the ORM and committed;
the calendar is then built twice from a freshly loaded programme: once from
the blocks the previous build left (:mod:`planner.calendar.feed_blocks`) and
once in full (no blocks). The two must be byte-identical, and the number of
events serialized anew says that unchanged events came from the blocks and
changed ones did not. The last tests go through the subscription route: the
blocks of the team's feed and a member's feed stay apart, are stored
encrypted, and the 304 answer is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from icalendar import Calendar

from planner.audiences import Viewer
from planner.calendar import feed_blocks
from planner.calendar.export import Scope, export_calendar
from planner.calendar.feed_blocks import EventBlocks
from planner.calendar.feed_build import MOST_STALE, export_feed
from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.jobs import jobs
from planner.models import Appointment, Audience, City, Delegation, FeedToken, Journey, Member, Organization, Person
from planner.releases.shown import ShownVersion
from planner.timezones import utc_now
from tests.conftest import KellerSeeder

TODAY = date(2024, 10, 1)  # before the trip: cancelled items still in the feed
TEAM_ONLY = "INTERN-MARKER-7Q"  # planted in an appointment's notes: the team's feed only
SOURCE = "https://x/f.ics"


@pytest.fixture
def trip(app: Flask, seed_keller: KellerSeeder) -> Iterator[int]:
    seed_keller(app)
    with app.test_request_context("/feeds/x.ics", base_url="https://planner.example.org"):
        yield db.session.scalars(sa.select(Delegation.id)).one()


def _build(
    delegation_id: int,
    blocks: EventBlocks | None,
    *,
    locale: str = "de",
    audience: Audience = Audience.TEAM,
    member_id: int | None = None,
) -> bytes:
    db.session.expire_all()  # the programme read again, as a new request reads it
    delegation = delegation_with_programme(delegation_id)
    assert delegation is not None
    member = next(m for m in delegation.members if m.id == member_id) if member_id is not None else None
    return export_calendar(
        delegation,
        Scope(member=member),
        locale=locale,
        today=TODAY,
        viewer=Viewer(audience, member),
        blocks=blocks,
        source_url=SOURCE,
        version=ShownVersion(None),
    ).body


def _events(body: bytes) -> int:
    return len(Calendar.from_ical(body).walk("VEVENT"))


def _blocks_of(body: bytes) -> list[bytes]:
    """The VEVENT blocks of a calendar as written."""
    return [b"BEGIN:VEVENT" + part.split(b"END:VEVENT")[0] for part in body.split(b"BEGIN:VEVENT")[1:]]


def _full(delegation_id: int, *, locale: str = "de", audience: Audience = Audience.TEAM, member_id: int | None = None):
    """The calendar built in full from the programme loaded as ORM rows, no blocks."""
    db.session.expire_all()
    delegation = delegation_with_programme(delegation_id)
    assert delegation is not None
    member = next(m for m in delegation.members if m.id == member_id) if member_id is not None else None
    return export_calendar(
        delegation,
        Scope(member=member),
        locale=locale,
        today=TODAY,
        viewer=Viewer(audience, member),
        source_url=SOURCE,
        version=ShownVersion(None),  # as the route builds a draft's feed: the version named, with its Last-Modified
    )


def _from_keys(
    delegation_id: int,
    blocks: EventBlocks,
    *,
    locale: str = "de",
    audience: Audience = Audience.TEAM,
    member_id: int | None = None,
    most_stale: float = 1.0,
):
    """The draft feed from kept blocks, its programme read as columns (:mod:`planner.calendar.feed_build`)."""
    db.session.expunge_all()  # nothing loaded: as a new request
    delegation = db.session.get(Delegation, delegation_id)
    assert delegation is not None
    member = db.session.get(Member, member_id) if member_id is not None else None
    return export_feed(
        delegation,
        member,
        locale=locale,
        today=TODAY,
        source_url=SOURCE,
        viewer=Viewer(audience, member),
        version=ShownVersion(None),
        blocks=blocks,
        most_stale=most_stale,
    )


def _rebuilt(delegation_id: int, previous: EventBlocks, **options) -> tuple[bytes, EventBlocks]:
    """The calendar from ``previous``'s blocks, checked against a full build; and the blocks it used.

    Built both ways a feed is rebuilt: from the programme loaded as ORM rows, and from its
    columns with only the changed items loaded. Both must give a full build's bytes,
    Last-Modified and file name, find the same blocks by the same item keys and work out
    the same items again.
    """
    full = _full(delegation_id, **options)
    blocks = previous.carried()
    body = _build(delegation_id, blocks, **options)
    assert body == full.body  # byte for byte what a full build gives
    keyed = previous.carried()
    from_keys = _from_keys(delegation_id, keyed, **options)
    assert from_keys is not None
    assert from_keys.body == full.body
    assert (from_keys.last_modified, from_keys.filename) == (full.last_modified, full.filename)
    assert keyed.used_items == blocks.used_items and keyed.used == blocks.used  # the same keys, the same blocks
    assert (keyed.valued, keyed.serialized) == (blocks.valued, blocks.serialized)
    return body, blocks


def _appointment(delegation_id: int, *, with_coordinates: bool | None = None, attended: bool = True) -> Appointment:
    query = sa.select(Appointment).where(Appointment.delegation_id == delegation_id).order_by(Appointment.start_at)
    for appointment in db.session.scalars(query):
        if with_coordinates is False and appointment.latitude is not None:
            continue
        if with_coordinates is False and appointment.city is None:
            continue
        if attended and not appointment.attendees:
            continue
        return appointment
    raise AssertionError("no such appointment in the seed")


def _edit_title(trip: int) -> None:
    _appointment(trip).title += " (verlegt)"


def _move(trip: int) -> None:
    appointment = _appointment(trip)
    appointment.start_at += timedelta(minutes=30)
    appointment.end_at += timedelta(minutes=30)


def _journey(trip: int) -> None:
    journey = db.session.scalars(sa.select(Journey).where(Journey.delegation_id == trip).order_by(Journey.id)).first()
    assert journey is not None
    journey.number = "LH 9999"


def _member_removed(trip: int) -> None:
    appointment = _appointment(trip)
    appointment.attendees.remove(appointment.attendees[0])


def _member_added(trip: int) -> None:
    delegation = db.session.get(Delegation, trip)
    assert delegation is not None
    appointment = next(a for a in delegation.appointments if set(delegation.members) - set(a.attendees))
    appointment.attendees.append(next(m for m in delegation.members if m not in appointment.attendees))


def _person_renamed(trip: int) -> None:
    # Someone of the directory who appears in a few events: an appointment's contact person.
    appointment = next(
        a for a in db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == trip)) if a.contact_person_id
    )
    person = db.session.get(Person, appointment.contact_person_id)
    assert person is not None
    person.given_name = "Umbenannt"


def _member_renamed(trip: int) -> None:
    member = db.session.scalars(sa.select(Member).where(Member.delegation_id == trip).order_by(Member.id)).first()
    assert member is not None
    person = db.session.get(Person, member.person_id)
    assert person is not None
    person.given_name = "Umbenannt"


def _organization_renamed(trip: int) -> None:
    appointment = next(
        a for a in db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == trip)) if a.organization_id
    )
    organization = db.session.get(Organization, appointment.organization_id)
    assert organization is not None
    organization.name += " AG"


def _city_moved(trip: int) -> None:
    appointment = _appointment(trip, with_coordinates=False, attended=False)
    city = db.session.get(City, appointment.city_id)
    assert city is not None
    city.latitude = (city.latitude or 0) + 0.01


def _cancelled(trip: int) -> None:
    from planner.models import ItemStatus

    _appointment(trip).status = ItemStatus.CANCELLED


def _notes(trip: int) -> None:
    _appointment(trip).notes = f"Nur intern: {TEAM_ONLY}"


def _trashed(trip: int) -> None:
    db.session.delete(_appointment(trip))


def _member_trashed(trip: int) -> None:
    # Set directly, past trash_member (which also touches the member's items): the items' own rows do not change,
    # only who their attendance lists show, which the column read must notice by itself.
    member = _attending_few(trip)
    member.deleted_at = utc_now()


def _attending_few(trip: int) -> Member:
    """The member attending the fewest appointments (at least one): a change to them changes some events only."""
    delegation = db.session.get(Delegation, trip)
    assert delegation is not None
    counts = {m.id: sum(m in a.attendees for a in delegation.appointments) for m in delegation.members}
    fewest = min((m for m in delegation.members if counts[m.id]), key=lambda m: counts[m.id])
    assert counts[fewest.id] < len(delegation.appointments)
    return fewest


def _traveller_removed(trip: int) -> None:
    journey = next(
        j
        for j in db.session.scalars(sa.select(Journey).where(Journey.delegation_id == trip).order_by(Journey.id))
        if j.travellers
    )
    journey.travellers.remove(journey.travellers[-1])


def _journey_city_moved(trip: int) -> None:
    journey = next(
        j
        for j in db.session.scalars(sa.select(Journey).where(Journey.delegation_id == trip).order_by(Journey.id))
        if j.departure_city is not None and j.departure_city.latitude is not None
    )
    assert journey.departure_city is not None
    journey.departure_city.longitude = (journey.departure_city.longitude or 0) + 0.01


def _appointment_added(trip: int) -> None:
    model = _appointment(trip)
    added = Appointment(
        delegation_id=trip,
        title="Zusätzlicher Termin",
        start_at=model.start_at + timedelta(hours=1),
        end_at=model.end_at + timedelta(hours=1),
        timezone=model.timezone,
        city_id=model.city_id,
        organization_id=model.organization_id,
    )
    added.attendees = list(model.attendees)
    db.session.add(added)


def _contact_phone(trip: int) -> None:
    appointment = next(
        a for a in db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == trip)) if a.contact_person_id
    )
    person = db.session.get(Person, appointment.contact_person_id)
    assert person is not None
    person.phone = "+82 2 0000 0000"


CHANGES: dict[str, Callable[[int], None]] = {
    "appointment title": _edit_title,
    "appointment moved": _move,
    "journey number": _journey,
    "attendee removed": _member_removed,
    "attendee added": _member_added,
    "contact person renamed": _person_renamed,
    "member renamed": _member_renamed,
    "organization renamed": _organization_renamed,
    "city coordinates": _city_moved,
    "appointment cancelled": _cancelled,
    "internal notes": _notes,
    "member trashed": _member_trashed,
    "traveller removed": _traveller_removed,
    "journey's departure city moved": _journey_city_moved,
    "appointment added": _appointment_added,
    "contact person's phone": _contact_phone,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_after_a_change_only_changed_events_are_serialized_and_the_bytes_equal_a_full_build(trip: int, change: str) -> None:
    first = EventBlocks()
    before = _build(trip, first)
    assert first.serialized == _events(before) > 10  # nothing kept yet: every event serialized
    unchanged, again = _rebuilt(trip, first)
    assert (
        unchanged == before and again.serialized == again.valued == 0 and not again.changed
    )  # nothing changed: all from the blocks

    CHANGES[change](trip)
    db.session.commit()
    after, blocks = _rebuilt(trip, first)
    assert after != before  # the change shows in the feed
    # Exactly the events whose bytes changed were serialized again, no other.
    changed = set(_blocks_of(after)) - set(_blocks_of(before))
    assert blocks.serialized == len(changed) >= 1
    assert blocks.valued >= blocks.serialized  # values worked out again only for items whose rows changed
    if change != "member renamed":  # a member who attends everything is in every event
        assert blocks.serialized < _events(after)  # the rest came from the blocks
    assert blocks.changed


def test_a_removed_event_is_dropped_without_serializing_anything(trip: int) -> None:
    first = EventBlocks()
    before = _build(trip, first)
    _trashed(trip)
    db.session.commit()
    after, blocks = _rebuilt(trip, first)
    assert _events(after) == _events(before) - 1 and blocks.serialized == 0
    assert blocks.changed and len(blocks.used) == len(first.used) - 1  # the next build keeps no block it does not use


def test_another_locale_or_audience_reuses_no_block_that_would_differ(trip: int) -> None:
    _notes(trip)
    db.session.commit()
    team = EventBlocks()
    team_body = _build(trip, team)
    assert TEAM_ONLY.encode() in team_body
    english, blocks = _rebuilt(trip, team, locale="en")
    assert blocks.serialized == _events(english)  # every text is in English now: no German block fits
    press, blocks = _rebuilt(trip, team, audience=Audience.PRESS)
    assert TEAM_ONLY.encode() not in press  # the team's blocks never stand in for the press's events
    member, blocks = _rebuilt(trip, team, audience=Audience.MEMBER)
    assert TEAM_ONLY.encode() not in member


def test_the_route_keeps_each_feeds_blocks_apart_encrypted_and_still_answers_304(app: Flask, seed_keller: KellerSeeder) -> None:
    seed_keller(app)
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        member = next(m for m in delegation.members if any(m in a.attendees for a in delegation.appointments))
        appointment = next(a for a in delegation.appointments if member in a.attendees)
        appointment.notes = f"Nur intern: {TEAM_ONLY}"
        team_feed, member_feed = FeedToken.issue(delegation), FeedToken.issue(delegation, member)
        db.session.add_all([team_feed, member_feed])
        db.session.commit()
        feeds = {"team": (team_feed.id, team_feed.token), "member": (member_feed.id, member_feed.token)}
        appointment_id = appointment.id
    client = app.test_client()
    bodies = {}
    for name, (feed_id, token) in feeds.items():
        response = client.get(f"/feeds/{token}.ics")
        assert response.status_code == 200
        bodies[name] = response.data
        with app.app_context():
            stored = jobs().store.get(f"feed-blocks:{feed_id}")
            assert stored is not None and b"BEGIN:VEVENT" not in stored and b"Nur intern" not in stored  # encrypted
            kept = feed_blocks.load(feed_id).known
            assert kept and all(block.startswith(b"BEGIN:VEVENT\r\n") for block in kept.values())
        # Built again from the kept blocks: the same bytes.
        assert client.get(f"/feeds/{token}.ics").data == response.data
        # The poll with the current ETag is answered 304, as before.
        assert client.get(f"/feeds/{token}.ics", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert TEAM_ONLY.encode() in bodies["team"]
    assert TEAM_ONLY.encode() not in bodies["member"]
    with app.app_context():
        team_kept = set(feed_blocks.load(feeds["team"][0]).known.values())
        assert not any(TEAM_ONLY.encode() in block for block in feed_blocks.load(feeds["member"][0]).known.values())
        assert any(TEAM_ONLY.encode() in block for block in team_kept)

    # A change: the feed built from its blocks equals the one built with none kept.
    with app.app_context():
        changed = db.session.get(Appointment, appointment_id)
        assert changed is not None
        changed.title += " (neu)"
        db.session.commit()
    team_id, team_token = feeds["team"]
    rebuilt = client.get(f"/feeds/{team_token}.ics").data
    assert rebuilt != bodies["team"] and b"(neu)" in rebuilt
    with app.app_context():
        jobs().store.delete(f"feed-blocks:{team_id}")
    assert client.get(f"/feeds/{team_token}.ics").data == rebuilt


def _members_appointment(trip: int, member_id: int) -> Appointment:
    member = db.session.get(Member, member_id)
    return next(
        a
        for a in db.session.scalars(
            sa.select(Appointment).where(Appointment.delegation_id == trip).order_by(Appointment.start_at)
        )
        if member in a.attendees and member not in a.briefed
    )


def _briefed(trip: int, member_id: int) -> None:
    appointment = _members_appointment(trip, member_id)
    appointment.objectives = f"Ziel: {TEAM_ONLY}"  # briefing material: in the member's feed only once they are briefed
    db.session.commit()
    appointment.briefed.append(db.session.get(Member, member_id))


def _made_internal(trip: int, member_id: int) -> None:
    from planner.models import Visibility

    _members_appointment(trip, member_id).visibility = Visibility.INTERNAL


def _no_longer_attending(trip: int, member_id: int) -> None:
    appointment = _members_appointment(trip, member_id)
    appointment.attendees.remove(db.session.get(Member, member_id))


MEMBER_CHANGES: dict[str, Callable[[int, int], None]] = {
    "briefed for an appointment": _briefed,
    "appointment made internal": _made_internal,
    "no longer attending": _no_longer_attending,
}


@pytest.mark.parametrize("change", list(MEMBER_CHANGES))
def test_a_members_feed_rebuilt_from_columns_equals_a_full_build(trip: int, change: str) -> None:
    """A member's own feed (their items, member audience, briefing material where they are briefed)."""
    member_id = _attending_few(trip).id
    options = {"audience": Audience.MEMBER, "member_id": member_id}
    first = EventBlocks()
    before = _build(trip, first, **options)
    assert 0 < _events(before) < _events(_build(trip, None))  # their items only
    MEMBER_CHANGES[change](trip, member_id)
    db.session.commit()
    after, blocks = _rebuilt(trip, first, **options)
    assert after != before
    assert (TEAM_ONLY.encode() in after) == (change == "briefed for an appointment")
    assert blocks.serialized <= 1 and blocks.changed


def test_a_feed_with_most_events_changed_is_left_to_the_full_build(trip: int) -> None:
    nothing_kept = EventBlocks()
    assert _from_keys(trip, nothing_kept, most_stale=MOST_STALE) is None
    assert nothing_kept.valued == 0  # nothing worked out: the full build does it once
    first = EventBlocks()
    _build(trip, first)
    _edit_title(trip)
    db.session.commit()
    one_changed = first.carried()
    rebuilt = _from_keys(trip, one_changed, most_stale=MOST_STALE)
    assert rebuilt is not None and rebuilt.body == _full(trip).body and one_changed.valued == 1


def test_a_trashed_members_feed_answers_404_though_its_blocks_are_kept(app: Flask, seed_keller: KellerSeeder) -> None:
    from planner.delegations.operations import restore_member, trash_member

    seed_keller(app)
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        member = next(m for m in delegation.members if any(m in a.attendees for a in delegation.appointments))
        feed = FeedToken.issue(delegation, member)
        db.session.add(feed)
        db.session.commit()
        feed_id, token, member_id = feed.id, feed.token, member.id
    client = app.test_client()
    first = client.get(f"/feeds/{token}.ics")
    assert first.status_code == 200
    with app.app_context():
        assert feed_blocks.load(feed_id).items  # the next build starts from the kept blocks
        member = db.session.get(Member, member_id)
        assert member is not None
        trash_member(member, member.version)
        db.session.commit()
    # Never the whole trip's calendar instead: the member's feed rests with them.
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    with app.app_context():
        from planner.models.trash import include_trashed

        trashed = db.session.scalars(sa.select(Member).where(Member.id == member_id).execution_options(**include_trashed())).one()
        restore_member(trashed)
        db.session.commit()
    back = client.get(f"/feeds/{token}.ics")
    assert back.status_code == 200
    assert _events(back.data) == _events(first.data)
