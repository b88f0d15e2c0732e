"""Every URL rule of the app, for every role: anonymous, viewer, planner, admin.

Each endpoint must be listed below with the least role that may use it, so
a new route cannot be added without deciding who may reach it; the walk then
proves the decision is enforced.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.mail.inputs import MessageInput
from planner.mail.operations import queue_message
from planner.models import (
    Appointment,
    Delegation,
    EmergencyNumber,
    EntryRule,
    EtiquetteNote,
    FeedToken,
    FollowUp,
    Gift,
    Journey,
    Leg,
    Member,
    ProtocolParticipant,
    Room,
    RoomType,
    SeatingPlan,
    Transfer,
    UserRole,
    Vehicle,
)
from planner.releases.inputs import PrepareInput
from planner.releases.operations import prepare_release
from tests.conftest import KellerSeeder, csrf_token, join_team, login, make_user

PUBLIC, READ, EDIT, ADMIN = "public", "read", "edit", "admin"
# The JSON API takes a bearer token and nothing else: a signed-in browser gets 401 there (tests/api).
TOKEN = "token"

LEAST_ROLE = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.code": PUBLIC,  # the second step of signing in; without a pending sign-in it sends to the first
    "calendar.feed": PUBLIC,  # the secret token is the key
    "i18n.set_language": PUBLIC,
    "health.healthz": PUBLIC,  # for load balancers; says only ok/unavailable
    "briefs.font": PUBLIC,  # the brief's open-licence fonts, like the static files
    "personal.page": PUBLIC,  # the member's feed token is the key
    "personal.manifest": PUBLIC,
    "personal.service_worker": PUBLIC,
    "personal.all_contacts": PUBLIC,
    "personal.contact": PUBLIC,
    "care_link.form": PUBLIC,  # the traveller's one-time link is the key (tests/care/test_link.py)
    "auth.logout": READ,
    "auth.password": READ,
    "auth.second_factor_page": READ,  # anyone may set one up; admins and carers must
    "delegations.index": READ,
    "delegations.show": READ,
    "delegations.history": READ,
    "delegations.show_member": READ,
    "program.show_appointment": READ,
    "program.timeline": READ,
    "calendar.delegation_ics": READ,
    "calendar.member_ics": READ,
    "calendar.day_ics": READ,
    "calendar.appointment_ics": READ,
    "exports.programme_csv": READ,
    "exports.places_kml": READ,
    "exports.member_programme_csv": READ,
    "exports.member_places_kml": READ,
    "releases.index": READ,
    "releases.compare": READ,
    "briefs.show": READ,
    "briefs.pdf": READ,
    "briefs.options": READ,
    "briefs.render_status": READ,  # the record names its delegation; any reader may print any variant
    "briefs.render_file": READ,
    "delegations.new": EDIT,
    "delegations.edit": EDIT,
    "delegations.quick_add": EDIT,
    "delegations.cancel": EDIT,
    "delegations.confirm_cancel": EDIT,
    "delegations.uncancel": EDIT,
    "delegations.archive": EDIT,
    "delegations.clone": EDIT,
    "delegations.new_member": EDIT,
    "delegations.edit_member": EDIT,
    "delegations.remove_member": EDIT,
    "delegations.confirm_remove_member": EDIT,
    "delegations.restore_member": EDIT,
    "delegations.new_leg": EDIT,
    "delegations.edit_leg": EDIT,
    "delegations.delete_leg": EDIT,
    "delegations.confirm_delete_leg": EDIT,
    "delegations.restore_leg": EDIT,
    "delegations.new_follow_up": EDIT,
    "delegations.edit_follow_up": EDIT,
    "delegations.confirm_delete_follow_up": EDIT,
    "delegations.delete_follow_up": EDIT,
    "delegations.restore_follow_up": EDIT,
    "releases.prepare": EDIT,
    # Any role on the trip's team with the right to approve (planner.teams.access.may_approve): of the
    # walk's accounts only the admin has it; tests/releases covers the right per trip and role.
    "releases.approve": ADMIN,
    "releases.confirm_withdraw": EDIT,
    "releases.withdraw": EDIT,
    "program.new_appointment": EDIT,
    "program.edit_appointment": EDIT,
    "program.move_appointment": EDIT,
    "program.cancel_appointment": EDIT,
    "program.delete_appointment": EDIT,
    "program.confirm_delete_appointment": EDIT,
    "program.trash": EDIT,
    "program.restore": EDIT,
    "program.new_journey": EDIT,
    "program.edit_journey": EDIT,
    "program.delete_journey": EDIT,
    "program.confirm_delete_journey": EDIT,
    "program.restore_journey": EDIT,
    "calendar.subscriptions": EDIT,
    "calendar.create_subscription": EDIT,
    "calendar.rotate_subscription": EDIT,
    "calendar.revoke_subscription": EDIT,
    "calendar.import_upload": EDIT,
    "calendar.import_preview": EDIT,
    "calendar.import_confirm": EDIT,
    "calendar.import_discard": EDIT,
    "directory.index": READ,
    "directory.organizations": READ,
    "directory.organization": READ,
    "directory.people": READ,
    "directory.person": READ,
    "directory.cities": READ,
    "directory.city": READ,
    "directory.partnerships": READ,
    "search.index": READ,
    "directory.new_organization": EDIT,
    "directory.edit_organization": EDIT,
    "directory.new_person": EDIT,
    "directory.edit_person": EDIT,
    "directory.new_city": EDIT,
    "directory.edit_city": EDIT,
    "directory.confirm_delete_city": EDIT,
    "directory.delete_city": EDIT,
    "directory.new_partnership": EDIT,
    "directory.edit_partnership": EDIT,
    "entry.trip": READ,  # stays and rules only; the passport check needs the carer's right (planner.entry)
    "entry.rules": ADMIN,  # facts every trip relies on: admins keep them
    "entry.new_rule": ADMIN,
    "entry.edit_rule": ADMIN,
    "entry.confirm_delete_rule": ADMIN,
    "entry.delete_rule": ADMIN,
    "transport.index": READ,
    "transport.show_day": READ,
    "transport.print_day": READ,  # the drivers' work numbers: the trip's team only (the sign-in hook's 404 outside it)
    "transport.print_day_pdf": READ,
    "transport.new_vehicle": EDIT,
    "transport.edit_vehicle": EDIT,
    "transport.confirm_delete_vehicle": EDIT,
    "transport.delete_vehicle": EDIT,
    "transport.new_transfer": EDIT,
    "transport.edit_transfer": EDIT,
    "transport.confirm_delete_transfer": EDIT,
    "transport.delete_transfer": EDIT,
    "teams.show": READ,
    "teams.add": EDIT,
    "teams.update": EDIT,
    "teams.remove": EDIT,
    "admin.users": ADMIN,
    "admin.invite": ADMIN,
    "admin.edit": ADMIN,
    "admin.update": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.reset_second_factor": ADMIN,
    "mail.outbox": ADMIN,
    "mail.message": ADMIN,  # the text of any message: every trip, every recipient
    "mail.delegation_messages": EDIT,
    # Personal travel data: the trip's carers (planner.teams.access.may_care). Of the walk's accounts only
    # the admin has that right; tests/care covers carers on the team, viewers with it and planners without.
    "care.index": ADMIN,
    "care.member": ADMIN,
    "care.edit": ADMIN,
    "care.reads": ADMIN,
    # The trip's carers (planner.teams.access.may_care): of the walk's accounts only the admin has the
    # right; tests/care/test_link.py and tests/care/test_meals.py cover it per trip.
    "care_link.links": ADMIN,
    "care_link.send": ADMIN,
    "care_link.revoke": ADMIN,
    "care_link.meal_names": ADMIN,
    "hostlang.translations": READ,  # the trip's team reads what the host programme has and lacks
    "hostlang.save": EDIT,
    "hostlang.programme": READ,  # for the hosts: no notes, contacts or internal items
    "hostlang.programme_pdf": READ,
    "rooms.index": READ,
    "rooms.rooming_list": READ,  # names, room types and nights for the hotel; no personal data
    "rooms.rooming_list_pdf": READ,
    "rooms.new_room": EDIT,
    "rooms.edit_room": EDIT,
    "rooms.confirm_delete_room": EDIT,
    "rooms.delete_room": EDIT,
    "rooms.edit_night": EDIT,
    "protocol.index": READ,  # names, functions and seats of an appointment's table: the trip's team reads them
    "protocol.place_cards": READ,
    "protocol.place_cards_pdf": READ,
    "protocol.edit_plan": EDIT,
    "protocol.delete_plan": EDIT,
    "protocol.new_participant": EDIT,
    "protocol.edit_participant": EDIT,
    "protocol.remove_participant": EDIT,
    "protocol.move_participant": EDIT,
    "protocol.order_by_rank": EDIT,
    "protocol.swap": EDIT,
    "contacts.numbers": ADMIN,  # shared by every trip: facts with sources, kept by admins
    "contacts.new_number": ADMIN,
    "contacts.edit_number": ADMIN,
    "contacts.sheet": READ,  # the trip's team; no personal data on it
    "contacts.print_sheet": READ,
    "contacts.sheet_pdf": READ,
    "gifts.trip": READ,  # the trip's team reads its gifts
    "gifts.trip_export": READ,
    "gifts.new_trip_gift": EDIT,
    "gifts.edit_trip_gift": EDIT,
    "gifts.confirm_delete_trip_gift": EDIT,
    "gifts.delete_trip_gift": EDIT,
    "gifts.register": ADMIN,  # every trip's gifts over the years: only admins see every trip
    "gifts.register_export": ADMIN,
    "gifts.new_gift": ADMIN,
    "gifts.edit_gift": ADMIN,
    "etiquette.notes": EDIT,  # shared guidance for every trip, kept by planners and admins
    "etiquette.new_note": EDIT,
    "etiquette.edit_note": EDIT,
    "openapi.spec": PUBLIC,  # describes the API, no data
    "api_account.docs": PUBLIC,
    "api_account.token_list": READ,  # one's own tokens; a token never reaches further than its owner
    "api_account.create_token": READ,
    "api_account.revoke_token": READ,
    "api.list_delegations": TOKEN,
    "api.get_delegation": TOKEN,
    "api.list_members": TOKEN,
    "api.list_legs": TOKEN,
    "api.list_appointments": TOKEN,
    "api.list_journeys": TOKEN,
    "api.get_appointment": TOKEN,
    "api.create_appointment": TOKEN,
    "api.replace_appointment": TOKEN,
    "api.change_appointment": TOKEN,
    "api.trash_appointment": TOKEN,
    "api.get_journey": TOKEN,
    "api.create_journey": TOKEN,
    "api.replace_journey": TOKEN,
    "api.change_journey": TOKEN,
    "api.trash_journey": TOKEN,
    "api.get_member": TOKEN,
    "api.create_member": TOKEN,
    "api.replace_member": TOKEN,
    "api.change_member": TOKEN,
    "api.trash_member": TOKEN,
    "api.list_follow_ups": TOKEN,
    "api.get_follow_up": TOKEN,
    "api.create_follow_up": TOKEN,
    "api.replace_follow_up": TOKEN,
    "api.change_follow_up": TOKEN,
    "api.trash_follow_up": TOKEN,
    # Without a token only for a trip that publishes its press programme (off by default, as in this walk).
    "api.press_programme": TOKEN,
    "api.list_organizations": TOKEN,
    "api.get_organization": TOKEN,
    "api.list_people": TOKEN,
    "api.get_person": TOKEN,
    "api.list_cities": TOKEN,
    "api.get_city": TOKEN,
    "api.list_partnerships": TOKEN,
    "api.get_partnership": TOKEN,
    "api.list_releases": TOKEN,
    "api.release_changes": TOKEN,
    "api.programme_csv": TOKEN,
    "api.places_kml": TOKEN,
}
RANK = {PUBLIC: 0, READ: 1, EDIT: 2, ADMIN: 3}
ROLES = {"anonymous": 0, "viewer": 1, "planner": 2, "admin": 3}


def test_every_endpoint_is_classified(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = sorted(endpoints - LEAST_ROLE.keys())
    assert not unclassified, f"decide who may use these routes and add them to LEAST_ROLE: {unclassified}"
    assert not LEAST_ROLE.keys() - endpoints, "LEAST_ROLE lists routes that no longer exist"


@pytest.fixture
def world(app: Flask, seed_keller: KellerSeeder) -> dict[str, object]:
    """The Keller trip plus one of everything a URL can point at, and an account per role."""
    seed_keller(app)
    with app.app_context():
        delegation = db.session.scalars(sa.select(Delegation)).one()
        feed = FeedToken.issue(delegation)
        db.session.add(feed)
        for role in (UserRole.VIEWER, UserRole.PLANNER, UserRole.ADMIN):
            make_user(role, f"{role.value}@example.org")
        # Someone else on the trip's team, for the team page's URLs (the walk may take them off it).
        teammate = join_team(make_user(UserRole.VIEWER, "teammate@example.org"), delegation)
        # Version 1 waiting for approval, prepared by someone else, for the release pages' URLs.
        prepare_release(
            delegation, PrepareInput(note="Walk"), join_team(make_user(UserRole.PLANNER, "preparer@example.org"), delegation).user
        )
        message_id = queue_message(MessageInput("kim@example.org", "Programm", "Text", "release", delegation_id=delegation.id)).id
        # A vehicle with one ride on the walk's day, for the vehicle plan's URLs.
        appointment = db.session.scalars(
            sa.select(Appointment).where(Appointment.delegation_id == delegation.id).order_by(Appointment.start_at)
        ).first()
        vehicle = Vehicle(delegation=delegation, day=date(2024, 10, 15), city_id=appointment.city_id, seats=4)
        transfer = Transfer(delegation=delegation, vehicle=vehicle, appointment_id=appointment.id, depart_at=appointment.start_at)
        db.session.add_all([vehicle, transfer])
        # A room in Seoul (the nights of 14 and 15 October), for the rooms pages' URLs.
        room = Room(
            delegation=delegation, room_type=RoomType.DOUBLE, first_night=date(2024, 10, 14), last_night=date(2024, 10, 15)
        )
        room.occupants = [delegation.members[0]]
        db.session.add(room)
        first = lambda model: db.session.scalars(sa.select(model.id).order_by(model.id)).first()  # noqa: E731
        # A seating plan with one participant under the walk's appointment, for the protocol pages' URLs.
        plan = SeatingPlan(delegation=delegation, appointment_id=first(Appointment))
        participant = ProtocolParticipant(plan=plan, person=delegation.members[0].person, position=1, seat=1)
        db.session.add_all([plan, participant])
        db.session.commit()
        return {
            "delegation_id": delegation.id,
            "appointment_id": first(Appointment),
            "journey_id": first(Journey),
            "leg_id": first(Leg),
            "member_id": first(Member),
            "follow_up_id": first(FollowUp),
            "entry_rule_id": first(EntryRule),  # the seed's rules for the trip's destinations
            "feed_id": feed.id,
            "token": feed.token,
            "day": "2024-10-15",
            "key": "no-such-upload",
            "filename": "css/planner.css",
            "font_file": "NotoSansKR-Regular.otf",
            "user_id": 1,
            "organization_id": 1,
            "person_id": 1,
            "city_id": 1,
            "partnership_id": 1,
            "number": 1,
            "team_member_id": teammate.id,
            "message_id": message_id,
            "vehicle_id": vehicle.id,
            "transfer_id": transfer.id,
            "room_id": room.id,
            "participant_id": participant.id,
            "number_id": first(EmergencyNumber),
            "gift_id": first(Gift),  # the seed's anniversary gift
            "note_id": first(EtiquetteNote),
            "kind": "csv",
            "language": "ko",
            "token_id": 1,  # nobody's: revoking it is a 404
        }


def _client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        login(client, f"{role}@example.org")
    return client


def _cases(app: Flask) -> list[tuple[str, str, str]]:
    cases = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        # A rule of PUT, PATCH or DELETE only (the API's writes) is walked with its own method.
        method = "GET" if "GET" in methods else "POST" if "POST" in methods else min(methods)
        cases.append((rule.endpoint, rule.rule, method))
    return sorted(cases)


@pytest.mark.parametrize("role", list(ROLES))
def test_walk_every_route(app: Flask, world: dict[str, object], role: str) -> None:
    client = _client(app, role)
    token = None if role == "anonymous" else csrf_token(client, "/")
    anonymous_token = csrf_token(client, "/auth/login") if role == "anonymous" else None
    problems = []
    for endpoint, rule, method in _cases(app):
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(world[m.group(1)]), rule)
        # POSTs with a valid CSRF token, so a refusal is about the role, not the token.
        form = {"csrf_token": token or anonymous_token}
        response = client.get(url) if method == "GET" else client.open(url, method=method, data=form)
        least = LEAST_ROLE[endpoint]
        status = response.status_code
        if least == TOKEN:
            if status != 401 or response.mimetype != "application/problem+json":
                problems.append(f"{method} {url}: {role} without a token got {status} {response.mimetype}, expected 401")
            continue
        allowed = ROLES[role] >= RANK[least]
        if response.status_code >= 500:
            problems.append(f"{method} {url}: {status}")
        elif not allowed and role == "anonymous":
            if not (status == 302 and "/auth/login" in response.headers.get("Location", "")):
                problems.append(f"{method} {url}: anonymous got {status}, expected the login page")
        elif not allowed and status != 403:
            problems.append(f"{method} {url}: {role} got {status}, expected 403")
        elif endpoint in ("auth.logout", "auth.code"):
            pass  # signing out ends at the login page by design; so does a code step with no password before it
        elif (allowed and status in (401, 403)) or (
            allowed and status == 302 and "/auth/login" in response.headers.get("Location", "")
        ):
            problems.append(f"{method} {url}: {role} was refused ({status})")
        if endpoint == "auth.logout" and allowed:
            client = _client(app, role)  # signed out by the walk: sign in again
            token = csrf_token(client, "/")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("huge", [2**31, 99999999999999999999])
def test_ids_beyond_the_database_integer_are_not_found(app: Flask, world: dict[str, object], huge: int) -> None:
    """An id no INTEGER key can hold is a 404 on every route, not a database error (PostgreSQL: >= 2**31)."""
    client = _client(app, "admin")
    token = csrf_token(client, "/")
    problems = []
    for _endpoint, rule, method in _cases(app):
        if "<int:" not in rule:
            continue
        # One id at a time out of range, the others real: each lookup must refuse it by itself.
        for name in re.findall(r"<int:(\w+)>", rule):
            url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, name=name: str(huge if m.group(1) == name else world[m.group(1)]), rule)
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            if response.status_code != 404:
                problems.append(f"{method} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)
