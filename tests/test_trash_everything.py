"""The trip's one trash: legs, journeys, members, follow-ups and appointments.

Deleting asks first (a GET page that says what goes with it), moves the item to
the trash, and the flash offers "Rückgängig". A trashed item is gone from every
output (planted markers prove it) and comes back whole on restore: a member with
their attendance, a leg with the usual leg warnings. Cancelling a trip asks too
and can be taken back to the status it had.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.delegations.itinerary import Itinerary
from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import (
    Appointment,
    ChangeRecord,
    Delegation,
    DelegationStatus,
    FollowUp,
    Journey,
    Leg,
    Member,
    appointment_attendees,
)
from planner.program.conflicts import check_programme
from tests.conftest import csrf_token, login, make_city
from tests.html_forms import form_values
from tests.test_calendar_feeds import new_feed

MARKER = "ZQ 4711"  # a flight number nothing else in the seed has


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def version_of(app: Flask, model: type, row_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(model.version).where(model.id == row_id).execution_options(include_trashed=True)  # type: ignore[attr-defined]
        )


def confirm_and_post(client: FlaskClient, url: str) -> tuple[str, str]:
    """Open the confirmation page, press its button as a browser would; the confirmation text and the page after."""
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    text = page(confirmation)
    version = re.search(r'name="version" value="(\d+)"', text)
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert version and token and f'action="{url}"' in text
    done = client.post(url, data={"csrf_token": token.group(1), "version": version.group(1)}, follow_redirects=True)
    assert done.status_code == 200
    return text, page(done)


def undo_url(text: str) -> str:
    """The flash's "Rückgängig" form: a POST with the CSRF token, no script."""
    match = re.search(r'<div class="flash flash--info flash--undo"[^>]*>.*?<form method="post" action="([^"]+)"', text, re.S)
    assert match, "no undo in the flash"
    assert "Rückgängig" in text
    return match.group(1)


def trashed(app: Flask, model: type, row_id: int) -> bool:
    with app.app_context():
        visible = db.session.scalar(sa.select(model).where(model.id == row_id))  # type: ignore[attr-defined]
        stored = db.session.scalar(
            sa.select(model.deleted_at).where(model.id == row_id).execution_options(include_trashed=True)  # type: ignore[attr-defined]
        )
        assert (visible is None) == (stored is not None)
        return stored is not None


def test_a_trashed_journey_leaves_no_trace_in_any_output(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        journey = db.session.scalars(sa.select(Journey).where(Journey.delegation_id == keller).order_by(Journey.id)).first()
        journey.number = MARKER
        db.session.commit()
        journey_id = journey.id
    feed = new_feed(planner, keller)
    # The timeline shows no flight numbers: there the marker is the link to the journey (as in the search hits).
    block = f'#journey-{journey_id}"'
    outputs = {
        "trip page": (f"/delegations/{keller}", MARKER),
        "calendar": (f"/delegations/{keller}/calendar.ics", MARKER),
        "feed": (feed, MARKER),
        "brief": (f"/delegations/{keller}/brief", MARKER),
        "timeline": (f"/delegations/{keller}/timeline", block),
        "search": ("/search?q=" + MARKER.replace(" ", "+"), block),  # the page repeats the query itself
    }
    for name, (url, marker) in outputs.items():  # the marker is there to begin with, or its absence proves nothing
        assert marker in page(planner.get(url)), name

    question, after = confirm_and_post(planner, f"/delegations/{keller}/journeys/{journey_id}/delete")
    assert "Verbindung" in question and "löschen?" in question
    assert re.search(r"Verbindung .+ → .+ in den Papierkorb gelegt\.", after)
    assert trashed(app, Journey, journey_id)
    for name, (url, marker) in outputs.items():
        assert marker not in page(planner.get(url)), name
    assert planner.get(f"/delegations/{keller}/journeys/{journey_id}/edit").status_code == 404
    assert planner.get(f"/delegations/{keller}/journeys/{journey_id}/delete").status_code == 404
    assert MARKER in page(planner.get(f"/delegations/{keller}/trash"))

    # The undo in the flash restores it, through the same restore as the trash page.
    token = csrf_token(planner, f"/delegations/{keller}")
    restored = planner.post(undo_url(after), data={"csrf_token": token}, follow_redirects=True)
    assert "wiederhergestellt" in page(restored)
    assert not trashed(app, Journey, journey_id)
    for name, (url, marker) in outputs.items():
        assert marker in page(planner.get(url)), name


def test_a_trashed_member_keeps_their_attendance_for_the_restore(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        member = max(delegation.members, key=lambda m: sum(m in a.attendees for a in delegation.appointments))
        member.function = "Papierkorbprobe"  # planted: the member's function on this trip, nowhere else
        db.session.commit()
        member_id, name = member.id, member.person.display_name
        attending = {a.id for a in delegation.appointments if member in a.attendees}
        travelling = {j.id for j in delegation.journeys if member in j.travellers}
        assert len(attending) > 1
    feed = new_feed(planner, keller, member_id)
    assert planner.get(feed).status_code == 200
    planted = {"trip page": f"/delegations/{keller}", "brief": f"/delegations/{keller}/brief"}
    for where, url in planted.items():
        assert "Papierkorbprobe" in page(planner.get(url)), where
    subscriptions = f"/delegations/{keller}/subscriptions"
    whole_trip = page(planner.get(subscriptions)).count("Ganze Delegation")

    question, after = confirm_and_post(planner, f"/delegations/{keller}/members/{member_id}/remove")
    assert f"Das entfernt {name} aus {len(attending)} Terminen." in question
    if travelling:
        assert f"auf {len(travelling)} Verbindung" in question
    assert f"Mitglied {name} in den Papierkorb gelegt." in after
    assert trashed(app, Member, member_id)
    with app.app_context():
        # The links stay in the database, hidden with the member.
        rows = db.session.execute(
            sa.select(appointment_attendees.c.appointment_id).where(appointment_attendees.c.member_id == member_id)
        ).scalars()
        assert set(rows) == attending
        delegation = db.session.get(Delegation, keller)
        assert all(member_id not in {m.id for m in a.attendees} for a in delegation.appointments)
        assert all(member_id not in {m.id for m in j.travellers} for j in delegation.journeys)
    trip = page(planner.get(f"/delegations/{keller}"))
    assert f"/members/{member_id}/edit" not in trip
    for appointment_id in attending:
        shown = page(planner.get(f"/delegations/{keller}/appointments/{appointment_id}"))
        people = re.search(r'id="people-heading">[^<]*</h2>\s*<p>([^<]*)</p>', shown)
        assert people and name not in people.group(1)
    assert planner.get(f"/delegations/{keller}/members/{member_id}").status_code == 404
    # Their own feed is gone, and never falls back to the whole trip's.
    assert planner.get(feed).status_code == 404
    for where, url in planted.items():
        assert "Papierkorbprobe" not in page(planner.get(url)), where
    listed = page(planner.get(subscriptions))
    assert name not in listed and listed.count("Ganze Delegation") == whole_trip  # not passed off as the trip's feed
    # The same person cannot be added twice: the trash says where they are.
    with app.app_context():
        person_id = db.session.scalar(
            sa.select(Member.person_id).where(Member.id == member_id).execution_options(include_trashed=True)
        )
    url = f"/delegations/{keller}/members/new"
    again = planner.post(
        url, data={"csrf_token": csrf_token(planner, url), "version": "1", "person_id": person_id, "role": "member"}
    )
    assert again.status_code == 422
    assert "Papierkorb" in page(again)

    trash = page(planner.get(f"/delegations/{keller}/trash"))
    assert name in trash
    restore = f"/delegations/{keller}/trash/members/{member_id}/restore"
    assert f'action="{restore}"' in trash
    done = planner.post(restore, data={"csrf_token": csrf_token(planner, f"/delegations/{keller}/trash")}, follow_redirects=True)
    assert f"Mitglied {name} wiederhergestellt." in page(done)
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert {a.id for a in delegation.appointments if member_id in {m.id for m in a.attendees}} == attending
        assert {j.id for j in delegation.journeys if member_id in {m.id for m in j.travellers}} == travelling
    assert planner.get(feed).status_code == 200
    assert name in page(planner.get(subscriptions))
    for where, url in planted.items():
        assert "Papierkorbprobe" in page(planner.get(url)), where


def test_a_trashed_leg_leaves_the_itinerary_and_comes_back_with_its_warnings(
    app: Flask, planner: FlaskClient, keller: int
) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        leg = delegation.legs[0]
        leg.hotel_name = "Hotel Papierkorbhof"
        db.session.commit()
        leg_id, city, city_id = leg.id, leg.city.name, leg.city_id
        arrive, depart = leg.arrive_at, leg.depart_at
        inside = db.session.scalar(
            sa.select(sa.func.count(Appointment.id)).where(
                Appointment.delegation_id == keller,
                Appointment.city_id == city_id,
                Appointment.status != "cancelled",
                Appointment.start_at < depart,
                Appointment.end_at > arrive,
            )
        )
    assert inside
    assert "Hotel Papierkorbhof" in page(planner.get(f"/delegations/{keller}/brief"))

    question, after = confirm_and_post(planner, f"/delegations/{keller}/legs/{leg_id}/delete")
    assert f"{inside} Termine in {city} liegen in diesem Zeitraum" in question
    assert f"Stopp {city} in den Papierkorb gelegt." in after
    for url in (f"/delegations/{keller}/brief", f"/delegations/{keller}", f"/delegations/{keller}/timeline"):
        assert "Hotel Papierkorbhof" not in page(planner.get(url)), url
    assert planner.get(f"/delegations/{keller}/legs/{leg_id}/edit").status_code == 404
    with app.app_context():  # where the trip is and what clashes: as if the stop were not planned
        trip = delegation_with_programme(keller)
        assert leg_id not in {leg.id for leg in Itinerary.of(trip).legs}
        outside = {w.appointment_id for w in check_programme(trip, timedelta(minutes=30)) if w.kind == "outside_legs"}
        assert len(outside) >= inside

    # Meanwhile another leg takes the same days; the restore warns about the overlap like a save does.
    url = f"/delegations/{keller}/legs/new"
    with app.app_context():
        from planner.timezones import to_local

        zone = db.session.scalar(sa.select(Leg).where(Leg.id == leg_id).execution_options(include_trashed=True)).city.timezone
        starts = to_local(arrive + timedelta(hours=2), zone).strftime("%Y-%m-%dT%H:%M")
        ends = to_local(depart - timedelta(hours=2), zone).strftime("%Y-%m-%dT%H:%M")
    created = planner.post(
        url,
        data={
            "csrf_token": csrf_token(planner, url),
            "version": "1",
            "city_id": str(city_id),
            "status": "tentative",
            "arrives": starts,
            "departs": ends,
        },
    )
    assert created.status_code == 302, page(created)
    token = csrf_token(planner, f"/delegations/{keller}/trash")
    restored = page(
        planner.post(f"/delegations/{keller}/trash/legs/{leg_id}/restore", data={"csrf_token": token}, follow_redirects=True)
    )
    assert f"Stopp {city} wiederhergestellt." in restored
    assert "flash--warning" in restored
    assert not trashed(app, Leg, leg_id)

    history = page(planner.get(f"/delegations/{keller}/history"))
    assert f"Stopp „{city}“ in den Papierkorb gelegt" in history
    assert f"Stopp „{city}“ wiederhergestellt" in history


def test_follow_ups_and_appointments_ask_then_go_to_the_trash(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        follow_up = db.session.scalars(sa.select(FollowUp).where(FollowUp.delegation_id == keller)).first()
        appointment = db.session.scalars(
            sa.select(Appointment).where(Appointment.delegation_id == keller, Appointment.attendees.any())
        ).first()
        follow_up_id, follow_up_title = follow_up.id, follow_up.title
        appointment_id, appointment_title, people = appointment.id, appointment.title, len(appointment.attendees)
    trip = page(planner.get(f"/delegations/{keller}"))
    # The buttons are links to the questions now (no POST straight from the trip page).
    assert f'href="/delegations/{keller}/follow-ups/{follow_up_id}/delete"' in trip
    assert f'href="/delegations/{keller}/appointments/{appointment_id}/delete"' in trip

    question, after = confirm_and_post(planner, f"/delegations/{keller}/follow-ups/{follow_up_id}/delete")
    assert f"Wiedervorlage „{follow_up_title}“ löschen?" in question
    assert f"Wiedervorlage „{follow_up_title}“ in den Papierkorb gelegt." in after
    assert trashed(app, FollowUp, follow_up_id)
    assert planner.get(f"/delegations/{keller}/follow-ups/{follow_up_id}/edit").status_code == 404

    question, after = confirm_and_post(planner, f"/delegations/{keller}/appointments/{appointment_id}/delete")
    assert f"Termin „{appointment_title}“ löschen?" in question
    assert f"{people} Person" in question
    assert f"Termin „{appointment_title}“ in den Papierkorb gelegt." in after

    trash = page(planner.get(f"/delegations/{keller}/trash"))
    assert "<h2" in trash and "Wiedervorlagen" in trash and "Termine" in trash
    assert follow_up_title in trash and appointment_title in trash
    token = csrf_token(planner, f"/delegations/{keller}/trash")
    done = planner.post(
        f"/delegations/{keller}/trash/follow-ups/{follow_up_id}/restore", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"Wiedervorlage „{follow_up_title}“ wiederhergestellt." in page(done)
    assert not trashed(app, FollowUp, follow_up_id)
    # Restoring what is not in the trash is a 404, not a second restore.
    again = planner.post(f"/delegations/{keller}/trash/follow-ups/{follow_up_id}/restore", data={"csrf_token": token})
    assert again.status_code == 404


def test_a_stale_confirmation_changes_nothing(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        leg_id = db.session.scalars(sa.select(Leg.id).where(Leg.delegation_id == keller)).first()
    url = f"/delegations/{keller}/legs/{leg_id}/delete"
    question = page(planner.get(url))
    seen = re.search(r'name="version" value="(\d+)"', question).group(1)  # type: ignore[union-attr]
    with app.app_context():  # another planner edits the leg meanwhile
        db.session.get(Leg, leg_id).hotel_name = "Neues Hotel"
        db.session.commit()
    response = planner.post(url, data={"csrf_token": csrf_token(planner, url), "version": seen}, follow_redirects=True)
    assert "inzwischen geändert" in page(response)
    assert not trashed(app, Leg, leg_id)


def test_only_editors_see_the_questions(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "viewer@example.org")
    with app.app_context():
        leg_id = db.session.scalars(sa.select(Leg.id).where(Leg.delegation_id == keller)).first()
    assert client.get(f"/delegations/{keller}/legs/{leg_id}/delete").status_code == 403
    assert client.get(f"/delegations/{keller}/cancel").status_code == 403


def test_cancelling_a_trip_asks_and_can_be_taken_back(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        before = delegation.status
        statuses = {a.id: a.status for a in delegation.appointments}
        live = sum(1 for status in statuses.values() if status != "cancelled")
    assert before != DelegationStatus.CANCELLED
    trip = page(planner.get(f"/delegations/{keller}"))
    assert f'href="/delegations/{keller}/cancel"' in trip

    question, after = confirm_and_post(planner, f"/delegations/{keller}/cancel")
    assert f"Die Reise mit {live} Terminen wird abgesagt." in question
    assert "Teilnehmende sehen" in question
    assert "Die Reise ist abgesagt." in after
    assert "Absage zurücknehmen" in after
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation.status == DelegationStatus.CANCELLED
        assert {a.id: a.status for a in delegation.appointments} == statuses  # the items are untouched

    version = version_of(app, Delegation, keller)
    token = csrf_token(planner, f"/delegations/{keller}")
    stale = planner.post(
        f"/delegations/{keller}/uncancel", data={"csrf_token": token, "version": version - 1}, follow_redirects=True
    )
    assert "inzwischen geändert" in page(stale)
    done = planner.post(f"/delegations/{keller}/uncancel", data={"csrf_token": token, "version": version}, follow_redirects=True)
    assert "Die Absage ist zurückgenommen." in page(done)
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation.status == before
        assert delegation.status_before_cancel is None
        assert {a.id: a.status for a in delegation.appointments} == statuses
        changes = db.session.scalars(
            sa.select(ChangeRecord.changes).where(ChangeRecord.entity == "delegations").order_by(ChangeRecord.id)
        ).all()
        assert changes[-1]["status"] == ["cancelled", before.value]
    # Not cancelled any more: nothing to take back, and nothing changes.
    again = planner.post(
        f"/delegations/{keller}/uncancel",
        data={"csrf_token": token, "version": version_of(app, Delegation, keller)},
        follow_redirects=True,
    )
    assert "Die Reise ist nicht abgesagt." in page(again)


def test_importing_a_trashed_items_uid_says_where_it_is(app: Flask, planner: FlaskClient, keller: int) -> None:
    """The trip's own calendar file, uploaded again after a journey went to the trash: refused, no 500."""
    exported = planner.get(f"/delegations/{keller}/calendar.ics").data
    with app.app_context():
        journey = db.session.scalars(sa.select(Journey).where(Journey.delegation_id == keller)).first()
        journey_id = journey.id
    confirm_and_post(planner, f"/delegations/{keller}/journeys/{journey_id}/delete")
    token = csrf_token(planner, f"/delegations/{keller}/import")
    response = planner.post(
        f"/delegations/{keller}/import",
        data={"csrf_token": token, "file": (io.BytesIO(exported), "reise.ics")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Papierkorb" in page(response)
    assert trashed(app, Journey, journey_id)


def test_a_city_with_a_trashed_stop_is_still_in_use(app: Flask, planner: FlaskClient, keller: int) -> None:
    """Deleting a city that only a trashed stop uses is refused with the usual message, not a database error."""
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        first = delegation.legs[0]
        osaka = make_city("Osaka", "Asia/Tokyo", "JP")
        leg = Leg(delegation=delegation, city=osaka, arrive_at=first.arrive_at, depart_at=first.arrive_at + timedelta(hours=5))
        db.session.add(leg)
        db.session.commit()
        city_id, leg_id = osaka.id, leg.id
    confirm_and_post(planner, f"/delegations/{keller}/legs/{leg_id}/delete")
    url = f"/directory/cities/{city_id}/delete"
    version = re.search(r'name="version" value="(\d+)"', page(planner.get(url))).group(1)  # type: ignore[union-attr]
    response = planner.post(url, data={"csrf_token": csrf_token(planner, url), "version": version}, follow_redirects=True)
    assert response.status_code == 200
    assert "Osaka wird noch von 1 Station verwendet." in page(response)
    assert trashed(app, Leg, leg_id)


def test_the_trash_page_costs_the_same_however_full(app: Flask, planner: FlaskClient, keller: int) -> None:
    from benchmarks.harness import counted

    def trash(how_many: int | None) -> int:
        with app.app_context():
            for model in (Leg, Journey, Member, FollowUp, Appointment):
                rows = db.session.scalars(
                    sa.select(model).where(model.delegation_id == keller).execution_options(include_trashed=True)  # type: ignore[attr-defined]
                ).all()
                for row in rows[:how_many]:
                    row.deleted_at = row.deleted_at or row.updated_at
            db.session.commit()
        with counted(app) as statements:
            response = planner.get(f"/delegations/{keller}/trash")
        assert response.status_code == 200
        return len(statements)

    one = trash(1)
    everything = trash(None)
    assert one == everything


def test_a_trip_cancelled_in_its_edit_form_can_be_taken_back_too(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        before = db.session.get(Delegation, keller).status
    url = f"/delegations/{keller}/edit"
    data = dict(form_values(planner.get(url).get_data(as_text=True)).values)
    data["status"] = "cancelled"
    assert planner.post(url, data=data).status_code == 302
    token = csrf_token(planner, f"/delegations/{keller}")
    done = planner.post(
        f"/delegations/{keller}/uncancel",
        data={"csrf_token": token, "version": version_of(app, Delegation, keller)},
        follow_redirects=True,
    )
    assert "Die Absage ist zurückgenommen." in page(done)
    with app.app_context():
        assert db.session.get(Delegation, keller).status == before
