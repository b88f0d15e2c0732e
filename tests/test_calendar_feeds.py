"""Calendar downloads and subscription feeds over HTTP: access, content, caching, tokens."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from planner.delegations.operations import trash_member
from planner.directory.inputs import PersonInput
from planner.directory.operations import update_person
from planner.extensions import db
from planner.models import (
    Appointment,
    City,
    Delegation,
    FeedToken,
    ItemStatus,
    Journey,
    Member,
    MemberRole,
    Organization,
    Person,
    UserRole,
)
from planner.timezones import to_local, today_in, utc_now
from tests.conftest import csrf_token, login, make_appointment, make_city, make_user


def events(body: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def new_feed(client: FlaskClient, delegation_id: int, member_id: int = 0, locale: str = "de") -> str:
    token = csrf_token(client, f"/delegations/{delegation_id}/subscriptions")
    response = client.post(
        f"/delegations/{delegation_id}/subscriptions", data={"csrf_token": token, "member_id": member_id, "locale": locale}
    )
    assert response.status_code == 302
    page = client.get(f"/delegations/{delegation_id}/subscriptions").get_data(as_text=True)
    urls = re.findall(r'value="http://localhost(/feeds/[A-Za-z0-9_-]{43}\.ics)"', page)
    assert page.count("webcal://localhost/feeds/") >= 1
    return urls[-1]


def test_downloads_need_a_login(client: FlaskClient, keller_trip: int) -> None:
    for path in (f"/delegations/{keller_trip}/calendar.ics", f"/delegations/{keller_trip}/members/1/calendar.ics"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_whole_delegation_download(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    response = planner_client.get(f"/delegations/{keller_trip}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith('.ics"')
    with app.app_context():
        appointments = db.session.scalars(sa.select(Appointment)).all()
        uids = {a.uid for a in appointments}
    found = events(response.data)
    assert uids <= set(found)
    assert len(found) == len(uids) + 3  # and the three journeys


def test_a_departure_city_with_only_a_latitude_gives_no_geo(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    """The city form accepts a latitude without a longitude; the journey's GEO needs both, or it is left out."""
    with app.app_context():
        journey = db.session.scalars(
            sa.select(Journey)
            .where(Journey.delegation_id == keller_trip, Journey.departure_city_id.is_not(None))
            .order_by(Journey.id)
        ).first()
        uid = journey.uid
        journey.departure_city.latitude, journey.departure_city.longitude = 51.23, None
        db.session.commit()
    response = planner_client.get(f"/delegations/{keller_trip}/calendar.ics")
    assert response.status_code == 200
    event = events(response.data)[uid]
    assert "GEO" not in event


def test_member_download_holds_only_what_they_attend(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    with app.app_context():
        diener = db.session.scalars(sa.select(Member).join(Person).where(Person.name == "Wolfram Diener")).one()
        attended = {a.uid for a in diener.delegation.appointments if diener in a.attendees}
        travelled = {j.uid for j in diener.delegation.journeys if diener in j.travellers}
        everything = {a.uid for a in diener.delegation.appointments}
        member_id = diener.id
    assert attended and attended != everything
    response = planner_client.get(f"/delegations/{keller_trip}/members/{member_id}/calendar.ics")
    assert set(events(response.data)) == attended | travelled
    assert "Wolfram Diener" in Calendar.from_ical(response.data)["X-WR-CALNAME"]


def test_day_and_single_appointment_downloads(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    with app.app_context():
        appointments = db.session.scalars(sa.select(Appointment)).all()
        seoul_tuesday = {a.uid for a in appointments if to_local(a.start_at, a.timezone).date() == date(2024, 10, 15)}
        first = appointments[0]
        first_id, first_uid = first.id, first.uid
    day = planner_client.get(f"/delegations/{keller_trip}/days/2024-10-15/calendar.ics")
    assert set(events(day.data)) == seoul_tuesday and seoul_tuesday
    single = planner_client.get(f"/delegations/{keller_trip}/appointments/{first_id}/calendar.ics")
    assert list(events(single.data)) == [first_uid]


@pytest.mark.parametrize(
    "path",
    [
        "/delegations/999/calendar.ics",
        "/delegations/{d}/members/999/calendar.ics",
        "/delegations/{d}/days/2024-02-30/calendar.ics",
        "/delegations/{d}/days/yesterday/calendar.ics",
        "/delegations/{d}/appointments/999/calendar.ics",
    ],
)
def test_unknown_parts_are_404(planner_client: FlaskClient, keller_trip: int, path: str) -> None:
    assert planner_client.get(path.format(d=keller_trip)).status_code == 404


def test_feed_without_login_with_validators_and_head(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    feed = new_feed(planner_client, keller_trip)
    anonymous = app.test_client()
    first = anonymous.get(feed)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "private" in first.headers["Cache-Control"]
    again = anonymous.get(feed, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = anonymous.get(feed, headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304
    head = anonymous.head(feed)
    assert head.status_code == 200 and head.data == b"" and int(head.headers["Content-Length"]) == len(first.data)
    assert Calendar.from_ical(first.data)["SOURCE"] == "http://localhost" + feed


def test_changing_a_time_raises_sequence_keeps_uid_and_changes_etag(
    planner_client: FlaskClient, keller_trip: int, app: Flask
) -> None:
    feed = new_feed(planner_client, keller_trip)
    anonymous = app.test_client()
    before = anonymous.get(feed)
    with app.app_context():
        appointment = db.session.scalars(sa.select(Appointment).where(Appointment.title.contains("AIMMO"))).one()
        uid = appointment.uid
        old_sequence = int(events(before.data)[uid]["SEQUENCE"])
        appointment.start_at += timedelta(minutes=30)
        appointment.end_at += timedelta(minutes=30)
        db.session.commit()
        new_start = appointment.start_at
    after = anonymous.get(feed, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    event = events(after.data)[uid]
    assert int(event["SEQUENCE"]) == old_sequence + 1
    assert event["DTSTART"].dt == new_start


def test_rotated_and_revoked_tokens_stop_working(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    feed = new_feed(planner_client, keller_trip)
    anonymous = app.test_client()
    assert anonymous.get(feed).status_code == 200
    with app.app_context():
        feed_id = db.session.scalars(sa.select(FeedToken.id)).one()
    token = csrf_token(planner_client, f"/delegations/{keller_trip}/subscriptions")
    rotated = planner_client.post(f"/delegations/{keller_trip}/subscriptions/{feed_id}/rotate", data={"csrf_token": token})
    assert rotated.status_code == 302
    old = anonymous.get(feed)
    assert old.status_code == 404 and old.data == b"Not Found\n"
    page = planner_client.get(f"/delegations/{keller_trip}/subscriptions").get_data(as_text=True)
    (replacement,) = re.findall(r'value="http://localhost(/feeds/[A-Za-z0-9_-]{43}\.ics)"', page)
    assert replacement != feed and anonymous.get(replacement).status_code == 200
    with app.app_context():
        new_id = db.session.scalars(sa.select(FeedToken.id).where(FeedToken.revoked_at.is_(None))).one()
    planner_client.post(f"/delegations/{keller_trip}/subscriptions/{new_id}/revoke", data={"csrf_token": token})
    assert anonymous.get(replacement).status_code == 404
    # Revoking again, or without a CSRF token, changes nothing and is refused.
    assert (
        planner_client.post(f"/delegations/{keller_trip}/subscriptions/{new_id}/revoke", data={"csrf_token": token}).status_code
        == 404
    )


@pytest.mark.parametrize(
    "token",
    ["x", "A" * 43, "A" * 44, "A" * 42 + "=", "..", "%00" * 10, "é" * 43],
)
def test_unknown_tokens_are_plain_404(client: FlaskClient, keller_trip: int, token: str) -> None:
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/plain")


def test_tokens_are_long_random_and_unique(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller_trip)
        tokens = {FeedToken.issue(delegation).token for _ in range(200)}
    assert len(tokens) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in tokens)


def test_viewers_cannot_manage_feeds(app: Flask, client: FlaskClient, keller_trip: int) -> None:
    with app.app_context():
        make_user(UserRole.VIEWER, "viewer@example.org")
    login(client, "viewer@example.org")
    assert client.get(f"/delegations/{keller_trip}/subscriptions").status_code == 403
    assert client.get(f"/delegations/{keller_trip}/calendar.ics").status_code == 200


def test_creating_a_feed_needs_csrf(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    response = planner_client.post(f"/delegations/{keller_trip}/subscriptions", data={"member_id": 0, "locale": "de"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(FeedToken.id))) == 0


def test_member_feed_in_english(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    with app.app_context():
        keller_member = db.session.scalars(sa.select(Member).where(Member.role == MemberRole.LEADER)).one()
        member_id = keller_member.id
        expected = {a.uid for a in keller_member.delegation.appointments if keller_member in a.attendees}
    feed = new_feed(planner_client, keller_trip, member_id=member_id, locale="en")
    body = app.test_client().get(feed).data
    assert {u for u in events(body) if u in expected} == expected
    text = body.decode()
    assert "(tentative)" in text and "(vorläufig)" not in text


def _future_trip(app: Flask) -> tuple[int, str]:
    """A trip running now, with a cancelled appointment."""
    with app.app_context():
        today = today_in("Europe/Berlin")
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        delegation = Delegation(
            title="Laufende Reise",
            home_city=make_city(),
            start_date=today - timedelta(days=1),
            end_date=today + timedelta(days=3),
        )
        db.session.add(delegation)
        db.session.flush()
        cancelled = make_appointment(
            delegation,
            datetime.combine(today + timedelta(days=1), datetime.min.time()).replace(hour=10),
            title="Werksbesichtigung",
            status=ItemStatus.CANCELLED,
            city=seoul,
        )
        db.session.commit()
        return delegation.id, cancelled.uid


def test_cancelled_stays_visible_until_the_trip_ends(planner_client: FlaskClient, app: Flask) -> None:
    delegation_id, uid = _future_trip(app)
    body = planner_client.get(f"/delegations/{delegation_id}/calendar.ics").data
    event = events(body)[uid]
    assert event["STATUS"] == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Abgesagt: Werksbesichtigung")
    assert event["TRANSP"] == "TRANSPARENT"
    with app.app_context():
        delegation = db.session.get(Delegation, delegation_id)
        delegation.start_date -= timedelta(days=30)
        delegation.end_date = today_in("Europe/Berlin") - timedelta(days=1)
        db.session.commit()
    assert uid not in events(planner_client.get(f"/delegations/{delegation_id}/calendar.ics").data)


def test_cli_export_matches_the_download(planner_client: FlaskClient, keller_trip: int, app: Flask, tmp_path) -> None:
    target = tmp_path / "keller.ics"
    result = app.test_cli_runner().invoke(args=["export-ics", str(keller_trip), "-o", str(target)])
    assert result.exit_code == 0, result.output
    downloaded = events(planner_client.get(f"/delegations/{keller_trip}/calendar.ics").data)
    exported = events(target.read_bytes())
    assert set(exported) == set(downloaded)
    for uid, event in exported.items():
        assert event["DTSTART"].dt == downloaded[uid]["DTSTART"].dt
        assert event["SEQUENCE"] == downloaded[uid]["SEQUENCE"]
    with app.app_context():
        diener = db.session.scalars(sa.select(Person).where(Person.name == "Wolfram Diener")).one()
        person_id = diener.id
    member = app.test_cli_runner().invoke(args=["export-ics", str(keller_trip), "--member", str(person_id)])
    assert member.exit_code == 0
    assert len(events(member.stdout_bytes)) < len(exported)
    for bad in (["export-ics", "999"], ["export-ics", str(keller_trip), "--member", "999"], ["export-ics", "abc"]):
        failed = app.test_cli_runner().invoke(args=bad)
        assert failed.exit_code != 0 and "Traceback" not in failed.output


def _rename_contact(appointment: Appointment) -> None:
    appointment.contact_person.phone = "+44 20 7946 0999"


def _rename_organization(appointment: Appointment) -> None:
    appointment.organization.name += " (neu)"


def _move_city(appointment: Appointment) -> None:
    # The feed quotes a city by its coordinates (GEO, for appointments without their own), not by name.
    assert appointment.latitude is None
    appointment.city.latitude = (appointment.city.latitude or 0) + 0.5


def _member_function(appointment: Appointment) -> None:
    appointment.attendees[0].person.family_name += " Jr."


def _notes(appointment: Appointment) -> None:
    appointment.notes = (appointment.notes or "") + " Neue Notiz"


def _trash(appointment: Appointment) -> None:
    appointment.deleted_at = utc_now()


def _drop_attendee(appointment: Appointment) -> None:
    appointment.attendees = appointment.attendees[1:]


@pytest.mark.parametrize(
    "change", [_notes, _rename_contact, _rename_organization, _move_city, _member_function, _trash, _drop_attendee]
)
def test_a_poll_after_any_change_gets_the_new_calendar_not_a_304(
    planner_client: FlaskClient, keller_trip: int, app: Flask, change
) -> None:
    # Polls are answered 304 from what this worker built before, without building again: that
    # shortcut must notice every change a subscriber could see, including in the directory.
    feed = new_feed(planner_client, keller_trip)
    anonymous = app.test_client()
    first = anonymous.get(feed)
    etag = first.headers["ETag"]
    assert anonymous.get(feed, headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        appointment = db.session.scalars(
            sa.select(Appointment)
            .where(
                Appointment.contact_person_id.is_not(None), Appointment.organization_id.is_not(None), Appointment.attendees.any()
            )
            .order_by(Appointment.id)
        ).first()
        change(appointment)
        db.session.commit()
    after = anonymous.get(feed, headers={"If-None-Match": etag})
    assert after.status_code == 200, change.__name__
    assert after.data != first.data and after.headers["ETag"] != etag
    # And the new state is cached in turn.
    assert anonymous.get(feed, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\u2028"], ids=["lf", "crlf", "cr", "line-separator"])
def test_line_breaks_in_one_line_fields_do_not_break_calendars(
    planner_client: FlaskClient, keller_trip: int, app: Flask, newline: str
) -> None:
    """A trip title or person name with a line break (written past the forms: import-data, a seed file)
    still gives every calendar of the trip, the anonymous feed included, as one valid file."""
    with app.app_context():
        diener = db.session.scalars(sa.select(Member).join(Person).where(Person.name == "Wolfram Diener")).one()
        member_id = diener.id
        appointment = next(a for a in diener.delegation.appointments if diener in a.attendees)
        day = to_local(appointment.start_at, appointment.timezone).date()
        appointment_id = appointment.id
    member_feed = new_feed(planner_client, keller_trip, member_id)
    trip_feed = new_feed(planner_client, keller_trip)
    with app.app_context():
        # Written past the models' one-line rule (planner/text.py), as an older database or a
        # hand-edited one may hold them: the builder must cope with whatever it gets.
        person_id = db.session.get(Member, member_id).person_id
        db.session.execute(
            sa.update(Delegation)
            .where(Delegation.id == keller_trip)
            .values(title=f"Reise{newline}Content-Type: text/html{newline}BEGIN:VEVENT")
        )
        db.session.execute(
            sa.update(Person).where(Person.id == person_id).values(name=f"Wolfram{newline}Diener", title=f"Dr.{newline}")
        )
        db.session.execute(
            sa.update(Appointment).where(Appointment.id == appointment_id).values(title=f"Empfang{newline}im Rathaus")
        )
        uid = db.session.get(Appointment, appointment_id).uid
        db.session.commit()
    paths = [
        f"/delegations/{keller_trip}/calendar.ics",
        f"/delegations/{keller_trip}/members/{member_id}/calendar.ics",
        f"/delegations/{keller_trip}/days/{day.isoformat()}/calendar.ics",
        f"/delegations/{keller_trip}/appointments/{appointment_id}/calendar.ics",
    ]
    responses = [planner_client.get(path) for path in paths]
    anonymous = app.test_client()
    responses += [anonymous.get(member_feed), anonymous.get(trip_feed)]
    for path, response in zip([*paths, member_feed, trip_feed], responses, strict=True):
        assert response.status_code == 200, path
        assert "\n" not in response.headers["Content-Disposition"] and "\r" not in response.headers["Content-Disposition"]
        calendar = Calendar.from_ical(response.data)
        name = str(calendar["X-WR-CALNAME"])
        assert name.startswith("Reise Content-Type: text/html BEGIN:VEVENT"), name
        assert str(calendar["NAME"]) == name
        # One line per property: the break never reached the file as a raw line end.
        assert b"\r\nContent-Type" not in response.data and b"\nBEGIN:VEVENT\\" not in response.data
        assert response.data.split(b"\r\n").count(b"BEGIN:VEVENT") == len(calendar.walk("VEVENT"))
        assert str(events(response.data)[uid]["SUMMARY"]).startswith("Empfang im Rathaus"), path
    member_calendar = Calendar.from_ical(responses[1].data)
    assert str(member_calendar["X-WR-CALNAME"]).endswith("Dr. Wolfram Diener")


# -- LAST-MODIFIED follows everything an event shows (issue 11, #6) -----------------------------

LONG_AGO = datetime(2024, 9, 1, 12, 0, tzinfo=UTC)
STAMPS = (b"DTSTAMP", b"LAST-MODIFIED")


def _backdate_everything() -> None:
    """Every record last changed LONG_AGO, so that a change in this test shows in LAST-MODIFIED (whole seconds)."""
    for model in (Delegation, Appointment, Journey, Member, Person, Organization, City):
        db.session.execute(sa.update(model).values(updated_at=LONG_AGO))
    # Behind the app's back, so no flush hook marks the feeds' state as changed (which any edit does): this does.
    db.session.execute(sa.update(Delegation).values(revision=Delegation.revision + 1))
    db.session.commit()


def _event_states(client: FlaskClient, feed: str) -> dict[str, tuple[datetime, int, bytes]]:
    """UID -> (LAST-MODIFIED, SEQUENCE, the event's bytes without its two time stamps)."""
    response = client.get(feed)
    assert response.status_code == 200
    states = {}
    for uid, event in events(response.data).items():
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt  # a published calendar: DTSTAMP is the last change
        text = b"\r\n".join(line for line in event.to_ical().split(b"\r\n") if not line.startswith(STAMPS))
        states[uid] = (event["LAST-MODIFIED"].dt, int(event["SEQUENCE"]), text)
    return states


def _moved(before: dict, after: dict) -> set[str]:
    """UIDs whose LAST-MODIFIED moved; every event whose bytes changed must be among them, and only those."""
    assert before.keys() == after.keys()
    changed = {uid for uid in before if before[uid][2] != after[uid][2]}
    moved = {uid for uid in before if after[uid][0] > before[uid][0]}
    assert changed == moved, {"text changed, stamp did not": changed - moved, "stamp moved, text did not": moved - changed}
    assert all(after[uid][0] == before[uid][0] for uid in before.keys() - moved)
    return moved


def test_directory_changes_move_last_modified_of_the_events_showing_them(
    planner_client: FlaskClient, keller_trip: int, app: Flask
) -> None:
    feed = new_feed(planner_client, keller_trip)
    with app.app_context():
        _backdate_everything()
        appointments = db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == keller_trip)).all()
        contact = next(a.contact_person for a in appointments if a.contact_person is not None)
        by_contact = {a.uid for a in appointments if a.contact_person_id == contact.id}
        city = next(a.city for a in appointments if a.city is not None and a.latitude is None)
        journeys = db.session.scalars(sa.select(Journey).where(Journey.delegation_id == keller_trip)).all()
        in_city = {a.uid for a in appointments if a.city_id == city.id and a.latitude is None}
        in_city |= {j.uid for j in journeys if j.departure_city_id == city.id}
    first = _event_states(planner_client, feed)

    # A contact's phone number, through the directory's operation: the events naming that contact, nothing else.
    with app.app_context():
        person = db.session.get(Person, contact.id)
        values = {f.name: getattr(person, f.name) for f in dataclasses.fields(PersonInput)} | {"phone": "+44 20 7946 0999"}
        with app.test_request_context():
            update_person(person, PersonInput(**values), person.version)
            db.session.commit()
    second = _event_states(planner_client, feed)
    assert _moved(first, second) == by_contact
    assert all(b"+44 20 7946 0999" in second[uid][2] for uid in by_contact)
    assert all(second[uid][1] == first[uid][1] for uid in first)  # a text change: SEQUENCE stays

    # A city's coordinates: GEO of the items that borrow them.
    with app.app_context():
        _backdate_everything()
    second = _event_states(planner_client, feed)
    with app.app_context():
        db.session.get(City, city.id).latitude += 0.01
        db.session.commit()
    third = _event_states(planner_client, feed)
    assert _moved(second, third) == in_city
    assert all(third[uid][1] == second[uid][1] for uid in second)


def test_member_changes_move_last_modified_of_their_items(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    feed = new_feed(planner_client, keller_trip)
    with app.app_context():
        diener = db.session.scalars(sa.select(Member).join(Person).where(Person.name == "Wolfram Diener")).one()
        member_id = diener.id
        own = {a.uid for a in diener.delegation.appointments if diener in a.attendees}
        own |= {j.uid for j in diener.delegation.journeys if diener in j.travellers}
        _backdate_everything()
    first = _event_states(planner_client, feed)

    # Another person takes the place (attendee names change; the member row is what changed).
    with app.app_context():
        db.session.get(Member, member_id).person = Person(given_name="Erika", family_name="Vertretung")
        db.session.commit()
    second = _event_states(planner_client, feed)
    assert own and _moved(first, second) == own

    # Trashing the member takes the name out of the same events; the attendance rows stay (hidden)
    # and change no item, so the operation must move LAST-MODIFIED itself.
    with app.app_context():
        _backdate_everything()
    third = _event_states(planner_client, feed)
    with app.app_context():
        member = db.session.get(Member, member_id)
        with app.test_request_context():
            trash_member(member, member.version)
            db.session.commit()  # operations flush, the caller commits
    fourth = _event_states(planner_client, feed)
    assert _moved(third, fourth) == own
    assert all(fourth[uid][1] == third[uid][1] for uid in third)


def test_time_change_moves_last_modified_and_sequence(planner_client: FlaskClient, keller_trip: int, app: Flask) -> None:
    feed = new_feed(planner_client, keller_trip)
    with app.app_context():
        _backdate_everything()
        uid = db.session.scalars(sa.select(Appointment.uid).where(Appointment.delegation_id == keller_trip)).first()
    first = _event_states(planner_client, feed)
    with app.app_context():
        appointment = db.session.scalars(sa.select(Appointment).where(Appointment.uid == uid)).one()
        appointment.start_at -= timedelta(minutes=30)
        db.session.commit()
    second = _event_states(planner_client, feed)
    assert _moved(first, second) == {uid}
    assert second[uid][1] == first[uid][1] + 1
