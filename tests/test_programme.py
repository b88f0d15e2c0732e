"""Planning through the web forms: time-zone validation, conflict warnings, locking, history, trash, cloning."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from planner.extensions import db
from planner.models import Appointment, ChangeRecord, Delegation, ItemStatus, Journey
from planner.program.conflicts import check_programme
from planner.timezones import to_local, to_utc
from tests.conftest import csrf_token
from tests.html_forms import form_values


def seoul_id(app: Flask) -> int:
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        return delegation.legs[0].city_id


def form(client: FlaskClient, url: str, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": csrf_token(client, url),
        "version": "1",
        "kind": "other",
        "status": "tentative",
        "timezone": "",
        "organization_id": "0",
        "contact_person_id": "0",
    }
    data.update(fields)
    return data


def errors(response) -> list[str]:
    return re.findall(r'<ul class="field-errors"[^>]*><li>([^<]+)</li>', response.get_data(as_text=True))


def count(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(model.id)))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts": "2024-10-15T10:00", "ends": "2024-10-15T09:00"}, "Das Ende muss nach dem Beginn liegen."),
        (
            {"starts": "2024-03-31T02:30", "ends": "2024-03-31T04:00", "timezone": "Europe/Berlin"},
            "gibt es am 31. März 2024 in Europe/Berlin nicht",
        ),
        ({"starts": "2024-10-27T02:30", "ends": "2024-10-27T04:00", "timezone": "Europe/Berlin"}, "zweimal"),
        (
            {"starts": "2024-10-15T10:00", "ends": "2024-10-15T11:00", "timezone": "Mars/Olympus"},
            "Unbekannte Zeitzone „Mars/Olympus“",
        ),
        ({"starts": "", "ends": "2024-10-15T11:00"}, "Bitte Datum und Uhrzeit des Beginns angeben."),
        ({"starts": "15.10.2024 10:00", "ends": "2024-10-15T11:00"}, "Bitte Datum und Uhrzeit des Beginns angeben."),
        ({"title": "", "starts": "2024-10-15T10:00", "ends": "2024-10-15T11:00"}, "Dieses Feld wird benötigt."),
        ({"title": "x" * 201, "starts": "2024-10-15T10:00", "ends": "2024-10-15T11:00"}, "200"),
    ],
)
def test_appointment_form_refuses_bad_times_in_german(
    app: Flask, planner: FlaskClient, keller: int, fields: dict, message: str
) -> None:
    url = f"/delegations/{keller}/appointments/new"
    before = count(app, Appointment)
    data = form(planner, url, **{"title": "Test", "city_id": seoul_id(app), **fields})
    response = planner.post(url, data=data)
    assert response.status_code == 422
    assert any(message in e for e in errors(response)), errors(response)
    assert count(app, Appointment) == before


def test_ambiguous_time_asks_and_then_takes_the_chosen_occurrence(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/appointments/new"
    data = form(
        planner,
        url,
        title="Nachtgespräch",
        city_id=seoul_id(app),
        timezone="Europe/Berlin",
        starts="2024-10-27T02:30",
        ends="2024-10-27T04:00",
    )
    first = planner.post(url, data=data)
    assert "Welche der beiden Uhrzeiten ist gemeint?" in first.get_data(as_text=True)
    assert first.status_code == 422
    # Only the start is ambiguous (04:00 happens once), so only the start asks.
    assert 'name="starts-fold"' in first.get_data(as_text=True)
    assert 'name="ends-fold"' not in first.get_data(as_text=True)
    second = planner.post(url, data=dict(data, **{"starts-fold": "1"}))
    assert second.status_code == 302
    with app.app_context():
        item = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Nachtgespräch")).one()
        assert item.start_at == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)  # the second 02:30 (CET)


def _saved_at(app: Flask, title: str) -> Appointment:
    with app.app_context():
        return db.session.scalars(
            sa.select(Appointment).where(Appointment.title == title).options(sa.orm.selectinload(Appointment.attendees))
        ).one()


def test_second_0230_opened_and_saved_unchanged_stays_the_second(app: Flask, planner: FlaskClient, keller: int) -> None:
    """An appointment at the *second* 02:30 of 27 Oct 2024 (Berlin) round-trips through its edit page."""
    url = f"/delegations/{keller}/appointments/new"
    data = form(
        planner,
        url,
        title="Zweite Halbzeit",
        city_id=seoul_id(app),
        timezone="Europe/Berlin",
        starts="2024-10-27T02:30",
        ends="2024-10-27T03:30",
        **{"starts-fold": "1"},
    )
    assert planner.post(url, data=data).status_code == 302
    saved = _saved_at(app, "Zweite Halbzeit")
    assert saved.start_at == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)

    edit_url = f"/delegations/{keller}/appointments/{saved.id}/edit"
    page = planner.get(edit_url).get_data(as_text=True)
    # The page shows the wall time and which occurrence it is: the second one is chosen.
    assert 'value="2024-10-27T02:30"' in page
    assert re.search(r'<input type="radio" id="starts-fold-1" name="starts-fold" value="1" checked>', page), page
    unchanged = form_values(page).values  # every field as the browser would send it, the radio included
    assert ("starts-fold", "1") in unchanged
    response = planner.post(edit_url, data=MultiDict(unchanged))
    assert response.status_code == 302, errors(response)
    again = _saved_at(app, "Zweite Halbzeit")
    assert (again.start_at, again.end_at) == (saved.start_at, saved.end_at)


def test_start_and_end_in_different_occurrences_of_the_repeated_hour(app: Flask, planner: FlaskClient, keller: int) -> None:
    """02:10 (first, still CEST) to 02:50 (second, already CET): 1 h 40 min, each time with its own choice."""
    url = f"/delegations/{keller}/appointments/new"
    data = form(
        planner,
        url,
        title="Über die Umstellung",
        city_id=seoul_id(app),
        timezone="Europe/Berlin",
        starts="2024-10-27T02:10",
        ends="2024-10-27T02:50",
        **{"starts-fold": "0", "ends-fold": "1"},
    )
    assert planner.post(url, data=data).status_code == 302
    saved = _saved_at(app, "Über die Umstellung")
    assert saved.start_at == datetime(2024, 10, 27, 0, 10, tzinfo=UTC)
    assert saved.end_at == datetime(2024, 10, 27, 1, 50, tzinfo=UTC)
    # Both in the second occurrence instead: a 40-minute appointment an hour later.
    data = form(
        planner,
        url,
        title="Nach der Umstellung",
        city_id=seoul_id(app),
        timezone="Europe/Berlin",
        starts="2024-10-27T02:10",
        ends="2024-10-27T02:50",
        **{"starts-fold": "1", "ends-fold": "1"},
    )
    assert planner.post(url, data=data).status_code == 302
    later = _saved_at(app, "Nach der Umstellung")
    assert (later.start_at, later.end_at) == (
        datetime(2024, 10, 27, 1, 10, tzinfo=UTC),
        datetime(2024, 10, 27, 1, 50, tzinfo=UTC),
    )


def test_journey_arrival_judged_on_instants(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/journeys/new"
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        home, seoul = delegation.home_city_id, delegation.legs[0].city_id
    # New journeys are rows of one form (tests/test_rows.py); this is the first row, each end in its city's zone.
    data = {
        "csrf_token": csrf_token(planner, url),
        "journeys-0-mode": "flight",
        "journeys-0-departure_city_id": home,
        "journeys-0-departure_place": "DUS",
        "journeys-0-departs": "2024-10-13T13:40",
        "journeys-0-arrival_city_id": seoul,
        "journeys-0-arrival_place": "ICN",
        "journeys-0-arrives": "2024-10-14T08:55",
    }
    # 08:55 in Seoul the next morning is after 13:40 in Düsseldorf, though the wall clock reads earlier.
    assert planner.post(url, data=data).status_code == 302
    # 18:00 Seoul on the same day is 11:00 in Düsseldorf: before the departure, refused.
    refused = planner.post(url, data={**data, "journeys-0-arrives": "2024-10-13T18:00"})
    assert "Die Ankunft muss nach der Abfahrt liegen" in refused.get_data(as_text=True)
    with app.app_context():
        journey = db.session.scalars(sa.select(Journey).where(Journey.departure_place == "DUS")).one()
        assert journey.arrive_at - journey.depart_at == timedelta(hours=12, minutes=15)


def test_conflict_checks(app: Flask, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        aimmo = next(a for a in delegation.appointments if "AIMMO" in a.title)
        keller_member = delegation.leader
        wall = lambda h, m=0: to_utc(datetime(2024, 10, 14, h, m), "Asia/Seoul")  # noqa: E731
        chongqing = delegation.legs[1].city
        first_departure = delegation.journeys[0].depart_at
        extra = [
            Appointment(
                delegation=delegation,
                title="Überschneidung",
                start_at=aimmo.start_at + timedelta(minutes=30),
                end_at=aimmo.end_at + timedelta(minutes=30),
                timezone="Asia/Seoul",
                city=aimmo.city,
                attendees=[keller_member],
            ),
            Appointment(
                delegation=delegation, title="Nachts", start_at=wall(3), end_at=wall(4), timezone="Asia/Seoul", city=aimmo.city
            ),
            Appointment(
                delegation=delegation,
                title="Falsche Stadt",
                start_at=wall(20),
                end_at=wall(21),
                timezone="Asia/Shanghai",
                city=chongqing,
            ),
            Appointment(
                delegation=delegation,
                title="Im Flugzeug",
                start_at=first_departure + timedelta(hours=2),
                end_at=first_departure + timedelta(hours=3),
                timezone="Europe/Berlin",
            ),
            Appointment(
                delegation=delegation,
                title="Nach der Reise",
                start_at=to_utc(datetime(2024, 11, 5, 10), "Europe/Berlin"),
                end_at=to_utc(datetime(2024, 11, 5, 11), "Europe/Berlin"),
                timezone="Europe/Berlin",
            ),
        ]
        db.session.add_all(extra)
        db.session.commit()
        kinds = {}
        for warning in check_programme(db.session.get(Delegation, keller), timedelta(minutes=30)):
            kinds.setdefault(warning.kind, set()).add(db.session.get(Appointment, warning.appointment_id).title)
        assert {"Überschneidung", aimmo.title} <= kinds["double_booking"]
        assert "Nachts" in kinds["odd_hour"]
        assert "Falsche Stadt" in kinds["wrong_city"]
        assert "Im Flugzeug" in kinds["during_journey"]
        assert "Nach der Reise" in kinds["outside_trip"]
        # Cancelled appointments clash with nothing.
        extra[0].status = ItemStatus.CANCELLED
        db.session.commit()
        still = {
            w.appointment_id
            for w in check_programme(db.session.get(Delegation, keller), timedelta(minutes=30))
            if w.kind == "double_booking"
        }
        assert extra[0].id not in still


def test_buffer_between_venues(app: Flask, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        warnings = check_programme(delegation, timedelta(minutes=30))
        assert not [w for w in warnings if w.kind == "buffer"], "the seed keeps 60 min between venues"
        assert [w for w in check_programme(delegation, timedelta(minutes=90)) if w.kind == "buffer"]


def _seegene_edit(app: Flask, planner: FlaskClient, keller: int, title: str, version_offset: int = 0) -> tuple[int, str, dict]:
    """The Seegene appointment's edit form as the browser got it, filled with ``title``: (id, url, form data)."""
    with app.app_context():
        item = db.session.scalars(sa.select(Appointment).where(Appointment.title.contains("Seegene"))).one()
        item_id, version, city_id = item.id, item.version, item.city_id
    url = f"/delegations/{keller}/appointments/{item_id}/edit"
    page = planner.get(url).get_data(as_text=True)
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page))
    starts = re.search(r'id="starts"[^>]*value="([^"]+)"', page).group(1)
    ends = re.search(r'id="ends"[^>]*value="([^"]+)"', page).group(1)
    data = {
        "csrf_token": fields["csrf_token"],
        "version": str(version + version_offset),
        "title": title,
        "kind": "company_visit",
        "status": "tentative",
        "city_id": city_id,
        "timezone": "Asia/Seoul",
        "starts": starts,
        "ends": ends,
        "organization_id": "0",
        "contact_person_id": "0",
    }
    return item_id, url, data


def test_stale_edit_gets_the_conflict_page_and_saves_nothing(app: Flask, planner: FlaskClient, keller: int) -> None:
    item_id, url, data = _seegene_edit(app, planner, keller, "Seegene (mein Titel)")
    with app.app_context():  # another planner saves first
        other = db.session.get(Appointment, item_id)
        other.venue = "Vorstandsetage"
        db.session.commit()
    response = planner.post(url, data=data)
    assert response.status_code == 409, errors(response)
    text = response.get_data(as_text=True)
    assert "Seegene (mein Titel)" in text and "Vorstandsetage" in text
    with app.app_context():
        saved = db.session.get(Appointment, item_id)
        assert saved.venue == "Vorstandsetage" and "mein Titel" not in saved.title


@pytest.fixture
def trip_deleted_at_reload(app: Flask, keller: int) -> Iterator[None]:
    """Another planner deletes the whole trip just as a conflicting save rolls back.

    The conflict page reloads the trip after the rollback; a second connection deletes it at that
    moment (a real DELETE, the race the edit flow has to survive).
    """

    def delete_trip(session: Session, previous: object) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM delegations WHERE id = :id"), {"id": keller})

    sa.event.listen(Session, "after_soft_rollback", delete_trip, once=True)
    yield
    # once=True removes a listener that fired; one that did not fire must not leak into other tests.
    if sa.event.contains(Session, "after_soft_rollback", delete_trip):
        sa.event.remove(Session, "after_soft_rollback", delete_trip)


def _stale_member_edit(app: Flask, planner: FlaskClient, keller: int) -> tuple[str, dict[str, str]]:
    with app.app_context():
        member = db.session.get(Delegation, keller).members[0]
        member_id, version, person_id, role = member.id, member.version, member.person_id, member.role.value
    url = f"/delegations/{keller}/members/{member_id}/edit"
    token = csrf_token(planner, url)
    data = {"csrf_token": token, "version": str(version - 1), "person_id": str(person_id), "role": role, "function": "Neu"}
    return url, data


def test_conflict_on_a_trip_deleted_meanwhile_is_a_404_page(
    app: Flask, planner: FlaskClient, keller: int, trip_deleted_at_reload: None
) -> None:
    """The conflict page reloads the trip; a trip deleted in between is a 404 page, not a 500."""
    _item_id, url, data = _seegene_edit(app, planner, keller, "Seegene", version_offset=-1)
    response = planner.post(url, data=data)
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True).lower()


def test_member_conflict_on_a_trip_deleted_meanwhile_is_a_404_page(
    app: Flask, planner: FlaskClient, keller: int, trip_deleted_at_reload: None
) -> None:
    """The shared edit flow of the trip's parts (members, legs, follow-ups) reloads the same way."""
    url, data = _stale_member_edit(app, planner, keller)
    response = planner.post(url, data=data)
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize(
    ("meanwhile", "deleted"),
    [
        # Both saves pass the form check; the UPDATE ... WHERE version = n lets only one through.
        ("UPDATE appointments SET version = version + 1 WHERE id = :id", False),
        # The row was deleted by another session before this UPDATE: a conflict (the view then 404s), not a crash.
        ("DELETE FROM appointments WHERE id = :id", True),
    ],
    ids=["newer-version", "deleted"],
)
def test_lost_race_is_a_conflict(app: Flask, keller: int, meanwhile: str, deleted: bool) -> None:
    from planner.editing import EditConflict, flush_edit

    with app.app_context():
        item = db.session.scalars(sa.select(Appointment).order_by(Appointment.id)).first()
        item_id = item.id
        item.venue = "Erste Fassung"
        # Meanwhile another session commits its statement on the same row.
        with db.engine.begin() as connection:
            connection.execute(sa.text(meanwhile), {"id": item_id})
        with pytest.raises(EditConflict):
            flush_edit(item)
        db.session.rollback()  # what the edit flow does with a refused save
        stored = db.session.get(Appointment, item_id)
        if deleted:
            assert stored is None
        else:
            assert stored is not None and stored.venue != "Erste Fassung"


def test_trash_hides_everywhere_and_history_records_it(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        item = db.session.scalars(sa.select(Appointment).where(Appointment.title.contains("Doosan"))).one()
        item_id, uid, version, title = item.id, item.uid, item.version, item.title
    token = csrf_token(planner, f"/delegations/{keller}")
    assert (
        planner.post(
            f"/delegations/{keller}/appointments/{item_id}/delete", data={"csrf_token": token, "version": version}
        ).status_code
        == 302
    )
    assert f'id="appointment-{item_id}"' not in planner.get(f"/delegations/{keller}").get_data(as_text=True)
    assert uid.encode() not in planner.get(f"/delegations/{keller}/calendar.ics").data
    assert title in planner.get(f"/delegations/{keller}/trash").get_data(as_text=True)
    planner.post(f"/delegations/{keller}/trash/{item_id}/restore", data={"csrf_token": token})
    assert uid.encode() in planner.get(f"/delegations/{keller}/calendar.ics").data
    with app.app_context():
        actions = db.session.scalars(
            sa.select(ChangeRecord.action)
            .where(ChangeRecord.entity == "appointments", ChangeRecord.entity_id == item_id)
            .order_by(ChangeRecord.id)
        ).all()
        emails = set(
            db.session.scalars(
                sa.select(ChangeRecord.user_email).where(
                    ChangeRecord.entity == "appointments",
                    ChangeRecord.entity_id == item_id,
                    ChangeRecord.action.in_(["trash", "restore"]),
                )
            )
        )
    assert actions[-2:] == ["trash", "restore"]
    assert emails == {"planner@example.org"}
    history = planner.get(f"/delegations/{keller}/history").get_data(as_text=True)
    assert "planner@example.org" in history and "Doosan" in history


def test_edit_history_shows_old_and_new(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        item = db.session.scalars(sa.select(Appointment).where(Appointment.title.contains("AIMMO"))).one()
        item.venue = "Neuer Ort"
        db.session.commit()
        record = db.session.scalars(
            sa.select(ChangeRecord).where(ChangeRecord.action == "update").order_by(ChangeRecord.id.desc())
        ).first()
        assert record.changes["venue"][1] == "Neuer Ort"


def test_clone_keeps_local_wall_times(app: Flask, planner: FlaskClient, keller: int) -> None:
    url = f"/delegations/{keller}/clone"
    response = planner.post(url, data={"csrf_token": csrf_token(planner, url), "title": "Seoul 2025", "start_date": "2025-03-16"})
    assert response.status_code == 302
    with app.app_context():
        source = db.session.get(Delegation, keller)
        copy = db.session.scalars(sa.select(Delegation).where(Delegation.title == "Seoul 2025")).one()
        assert copy.start_date == date(2025, 3, 16) and copy.end_date == date(2025, 3, 23)
        offset = timedelta(days=(copy.start_date - source.start_date).days)
        originals = {a.title: a for a in source.appointments}
        assert len(copy.appointments) == len(originals)
        for item in copy.appointments:
            original = originals[item.title]
            assert item.uid != original.uid
            assert (
                to_local(item.start_at, item.timezone).replace(tzinfo=None)
                == to_local(original.start_at, original.timezone).replace(tzinfo=None) + offset
            )
        # The outbound flight leaves Düsseldorf at 13:40 local time again, though Berlin is now in winter time.
        outbound = min(copy.journeys, key=lambda j: j.depart_at)
        assert to_local(outbound.depart_at, "Europe/Berlin").strftime("%Y-%m-%d %H:%M") == "2025-03-16 13:40"
        assert {m.person_id for m in copy.members} == {m.person_id for m in source.members}


def test_keller_programme_in_local_and_home_time(app: Flask, planner: FlaskClient, keller: int) -> None:
    """Seoul days in Korean time, Chongqing days in China time, Düsseldorf time beside each."""
    page = planner.get(f"/delegations/{keller}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # The seed fact sheet places AIMMO at 14:00 Seoul (UTC+9) and the meeting with Hu Henghua at 09:30 Chongqing (UTC+8);
    # Düsseldorf was on summer time (UTC+2).
    assert "14:00 Seoul · 07:00 Düsseldorf" in text
    assert "09:30 Chongqing · 03:30 Düsseldorf" in text
    days = re.findall(r'<h3 id="day-(\d{4}-\d{2}-\d{2})"', page)
    assert days == sorted(days) and days[0] == "2024-10-13"
    assert "Mi., 16. Okt. 2024" in text


def test_member_page_shows_only_their_programme(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        diener = next(m for m in delegation.members if m.person.name == "Wolfram Diener")
        theirs = {a.title for a in delegation.appointments if diener in a.attendees}
        others = {a.title for a in delegation.appointments} - theirs
        member_id = diener.id
    page = html.unescape(planner.get(f"/delegations/{keller}/members/{member_id}").get_data(as_text=True))
    assert theirs and others
    assert all(title in page for title in theirs)
    assert not [title for title in others if f">{title}<" in page]
    assert f"/delegations/{keller}/members/{member_id}/calendar.ics" in page


def test_appointment_page_shows_the_briefing(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        item = db.session.scalars(sa.select(Appointment).where(Appointment.title.contains("Doosan"))).one()
        item_id, talking_points = item.id, item.talking_points
    page = html.unescape(planner.get(f"/delegations/{keller}/appointments/{item_id}").get_data(as_text=True))
    assert "14:00 Seoul · 07:00 Düsseldorf" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "August 2024" in page
    assert talking_points.splitlines()[0][:40] in page
    assert f"/delegations/{keller}/appointments/{item_id}/calendar.ics" in page
