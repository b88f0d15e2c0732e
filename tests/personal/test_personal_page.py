"""A participant's own programme at their personal link (issue 14, item 5).

A small trip is planted with markers: the member's own appointment (with
internal notes, briefing material, an on-site contact with phone and e-mail,
an address and coordinates), someone else's appointment, an internal item the
member attends, and the member's flight. The page is fetched through the web
app as the participant gets it (no account, the token is the key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Audience, FeedToken, ItemStatus, Journey, JourneyMode, Member, MemberRole, Person, UserRole, Visibility
from planner.personal import queries
from planner.timezones import to_utc, utc_now
from tests.conftest import login, make_appointment, make_city, make_delegation, make_user

OWN_TITLE = "Besuch bei Hanwha Ocean"
OTHER_TITLE = "MARKER-OTHER-MEMBERS-ITEM"
INTERNAL_TITLE = "MARKER-INTERNAL-ITEM"
CANCELLED_TITLE = "Abgesagter Empfang"
NOTES = "MARKER-INTERNAL-NOTES"
TALKING = "MARKER-TALKING-POINTS"
JOURNEY_NOTES = "MARKER-JOURNEY-NOTES"
BOOKING = "MARKERBOOK42"
CONTACT_PHONE = "+82 2 2133-1234"
CONTACT_EMAIL = "kim.vorort@example.org"
ADDRESS = "Sejong-daero 110, Jung-gu"
HOME = ZoneInfo("Europe/Berlin")  # the trip's home (Düsseldorf): the zone of "Stand" and of the approval day


@dataclass(frozen=True)
class Trip:
    delegation_id: int
    member_id: int
    person_id: int
    contact_id: int
    stranger_id: int  # the contact of someone else's appointment
    own_id: int
    flight_id: int
    tokens: dict[str, str]


def _token(delegation, member, audience: Audience | None, locale: str = "de", revoked: bool = False) -> str:
    feed = FeedToken.issue(delegation, member, locale=locale, audience=audience)
    if revoked:
        feed.revoked_at = utc_now()
    db.session.add(feed)
    return feed.token


@pytest.fixture
def trip(app: Flask) -> Trip:
    with app.app_context():
        delegation = make_delegation(title="Reise nach Seoul")
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        mia = Member(delegation=delegation, person=Person(given_name="Mia", family_name="Mitglied"), role=MemberRole.MEMBER)
        otto = Member(delegation=delegation, person=Person(given_name="Otto", family_name="Anders"), role=MemberRole.MEMBER)
        contact = Person(
            given_name="Min-ji", family_name="Kim", function="Protokoll; Leitung", phone=CONTACT_PHONE, email=CONTACT_EMAIL
        )
        stranger = Person(given_name="Stefan", family_name="Fremd", phone="+82 10 0000 0000")
        db.session.add_all([mia, otto, contact, stranger])
        db.session.flush()
        own = make_appointment(
            delegation,
            datetime(2024, 10, 15, 10, 0),
            title=OWN_TITLE,
            city=seoul,
            status=ItemStatus.CONFIRMED,
            venue="Rathaus Seoul",
            address=ADDRESS,
            latitude=37.566535,
            longitude=126.977969,
            notes=NOTES,
            talking_points=TALKING,
            contact_person=contact,
        )
        own.attendees.append(mia)
        second = make_appointment(
            delegation, datetime(2024, 10, 15, 14, 0), title="Zweiter Termin", city=seoul, address="Teheran-ro 1"
        )
        second.attendees.append(mia)
        cancelled = make_appointment(
            delegation, datetime(2024, 10, 15, 12, 0), title=CANCELLED_TITLE, status=ItemStatus.CANCELLED
        )
        cancelled.attendees.append(mia)
        other = make_appointment(delegation, datetime(2024, 10, 15, 11, 0), title=OTHER_TITLE, contact_person=stranger)
        other.attendees.append(otto)
        internal = make_appointment(
            delegation, datetime(2024, 10, 16, 9, 0), title=INTERNAL_TITLE, visibility=Visibility.INTERNAL
        )
        internal.attendees.append(mia)
        depart = to_utc(datetime(2024, 10, 13, 13, 40), "Europe/Berlin")
        flight = Journey(
            delegation=delegation,
            mode=JourneyMode.FLIGHT,
            status=ItemStatus.CONFIRMED,
            departure_place="Düsseldorf (DUS)",
            depart_at=depart,
            departure_timezone="Europe/Berlin",
            arrival_place="Seoul Incheon (ICN)",
            arrive_at=depart + timedelta(hours=12, minutes=15),
            arrival_timezone="Asia/Seoul",
            carrier="Lufthansa",
            number="LH712",
            booking_reference=BOOKING,
            notes=JOURNEY_NOTES,
        )
        flight.travellers.append(mia)
        db.session.add(flight)
        db.session.flush()
        tokens = {
            "member": _token(delegation, mia, Audience.MEMBER),
            "member_en": _token(delegation, mia, Audience.MEMBER, locale="en"),
            "leadership": _token(delegation, mia, Audience.LEADERSHIP),
            "team_of_member": _token(delegation, mia, Audience.TEAM),
            "press_of_member": _token(delegation, mia, Audience.PRESS),
            "whole_trip": _token(delegation, None, None),
            "revoked": _token(delegation, mia, Audience.MEMBER, revoked=True),
        }
        db.session.commit()
        return Trip(delegation.id, mia.id, mia.person_id, contact.id, stranger.id, own.id, flight.id, tokens)


def _page(client: FlaskClient, token: str) -> str:
    response = client.get(f"/p/{token}/")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_link_opens_the_members_own_programme_without_an_account(client: FlaskClient, trip: Trip) -> None:
    html = _page(client, trip.tokens["member"])
    assert "Mia Mitglied" in html
    assert OWN_TITLE in html and "Zweiter Termin" in html
    assert "LH712" in html
    # Each day with its date and where the delegation is; times at the place with home time beside them.
    assert "Di., 15. Okt. 2024" in html
    assert "10:00 Seoul" in html and "03:00 Düsseldorf" in html
    # Cancelled: struck through and said in words, not by colour alone.
    assert CANCELLED_TITLE in html and "Abgesagt" in html


def test_only_own_items_and_never_internal_material(client: FlaskClient, trip: Trip) -> None:
    for key in ("member", "leadership"):
        html = _page(client, trip.tokens[key])
        for marker in (OTHER_TITLE, INTERNAL_TITLE, NOTES, JOURNEY_NOTES, BOOKING, "Stefan Fremd"):
            assert marker not in html, (key, marker)
    # Briefing material is not shown on the phone page at all, even to the leadership's link.
    assert TALKING not in _page(client, trip.tokens["leadership"])


@pytest.mark.parametrize("key", ["revoked", "team_of_member", "press_of_member", "whole_trip"])
def test_links_that_are_not_a_members_personal_link_answer_404(client: FlaskClient, trip: Trip, key: str) -> None:
    token = trip.tokens[key]
    for path in (f"/p/{token}/", f"/p/{token}/manifest.webmanifest", f"/p/{token}/sw.js", f"/p/{token}/contacts.vcf"):
        response = client.get(path)
        assert response.status_code == 404, (key, path)
        assert response.get_data(as_text=True) == "Not Found\n"


@pytest.mark.parametrize("token", ["x" * 43, "short", "../../etc/passwd", "%00" * 3])
def test_unknown_tokens_answer_the_same_404(client: FlaskClient, trip: Trip, token: str) -> None:
    response = client.get(f"/p/{token}/")
    assert response.status_code == 404


def test_rotating_the_feed_closes_the_old_page(app: Flask, client: FlaskClient, trip: Trip) -> None:
    from planner.calendar.operations import rotate_feed

    old = trip.tokens["member"]
    with app.app_context():
        feed = db.session.scalars(db.select(FeedToken).filter_by(token=old)).one()
        new = rotate_feed(feed, None).token
        db.session.commit()
    assert client.get(f"/p/{old}/").status_code == 404
    assert OWN_TITLE in _page(client, new)


def test_page_speaks_the_language_of_the_link(client: FlaskClient, trip: Trip) -> None:
    german = _page(client, trip.tokens["member"])
    english = _page(client, trip.tokens["member_en"])
    assert '<html lang="de"' in german and '<html lang="en"' in english
    assert "Di., 15. Okt. 2024" in german and "Tue, 15 Oct 2024" in english
    assert "die Zeit in Düsseldorf daneben" in german and "the time in Düsseldorf beside it" in english
    assert "Abgesagt" in german and "Cancelled" in english


def test_map_and_phone_links(client: FlaskClient, trip: Trip) -> None:
    html = _page(client, trip.tokens["member"])
    assert 'href="geo:37.566535,126.977969"' in html
    assert "https://www.openstreetmap.org/?mlat=37.566535&amp;mlon=126.977969" in html
    # Without coordinates: a search for the address on OpenStreetMap.
    assert "https://www.openstreetmap.org/search?query=Teheran-ro%201%2C%20Seoul" in html
    assert 'href="tel:+82221331234"' in html
    assert f'href="mailto:{CONTACT_EMAIL}"' in html


def test_contact_as_vcard(client: FlaskClient, trip: Trip) -> None:
    token = trip.tokens["member"]
    response = client.get(f"/p/{token}/contacts/{trip.contact_id}.vcf")
    assert response.status_code == 200
    assert response.content_type.startswith("text/vcard")
    card = vobject.readOne(response.get_data(as_text=True))
    assert card.version.value == "3.0"
    assert card.fn.value == "Min-ji Kim"
    assert card.n.value.family == "Kim" and card.n.value.given == "Min-ji"
    assert card.tel.value == CONTACT_PHONE
    assert card.email.value == CONTACT_EMAIL
    assert card.title.value == "Protokoll; Leitung"  # the escaped semicolon read back
    everyone = list(vobject.readComponents(client.get(f"/p/{token}/contacts.vcf").get_data(as_text=True)))
    assert [c.fn.value for c in everyone] == ["Min-ji Kim"]
    # Someone else's contact is not reachable through this link.
    assert client.get(f"/p/{token}/contacts/{trip.stranger_id}.vcf").status_code == 404


def test_now_and_next_at_a_fixed_instant(app: Flask, trip: Trip) -> None:
    with app.test_request_context():
        link = queries.personal_link(trip.tokens["member"])
        assert link is not None
        during_own = to_utc(datetime(2024, 10, 15, 10, 30), "Asia/Seoul")
        programme = queries.personal_programme(link, now=during_own, locale="de")
        assert programme.current is not None and programme.current.item.title == OWN_TITLE
        # The cancelled reception at 12:00 is skipped: next is the 14:00 appointment.
        assert programme.upcoming is not None and programme.upcoming.item.title == "Zweiter Termin"
        before_trip = datetime(2024, 10, 1, tzinfo=UTC)
        programme = queries.personal_programme(link, now=before_trip, locale="de")
        assert programme.current is None
        assert programme.upcoming is not None and programme.upcoming.item.id == trip.flight_id
        after_trip = datetime(2024, 11, 1, tzinfo=UTC)
        programme = queries.personal_programme(link, now=after_trip, locale="de")
        assert programme.current is None and programme.upcoming is None


def _version_line(html: str) -> str:
    found = re.search(r'<p class="version" id="version">(.*?)</p>', html, re.S)
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def _generated(html: str) -> datetime:
    found = re.search(r'data-generated="([^"]+)"', html)
    assert found is not None
    return datetime.fromisoformat(found.group(1))


def _release(app: Flask, delegation_id: int) -> tuple[int, datetime]:
    """Anna prepares a release of the draft as it is, Ben approves it; its number and approval instant."""
    from planner.delegations.queries import delegation_with_programme
    from planner.models import User
    from planner.releases.inputs import ApprovalInput, PrepareInput
    from planner.releases.operations import approve_release, prepare_release
    from tests.conftest import join_team

    with app.app_context():
        delegation = delegation_with_programme(delegation_id)
        assert delegation is not None
        approvers = []
        for email in ("anna@example.org", "ben@example.org"):
            user = db.session.scalars(db.select(User).filter_by(email=email)).one_or_none() or make_user(UserRole.PLANNER, email)
            join_team(user, delegation, may_approve=True)
            approvers.append(user)
        prepared = prepare_release(delegation, PrepareInput(note=None), approvers[0])
        approved = approve_release(prepared, ApprovalInput(version=prepared.version), approvers[1])
        db.session.commit()
        assert approved.approved_at is not None
        return approved.number, approved.approved_at


def _edit_own_appointment(app: Flask, trip: Trip, title: str) -> None:
    """A draft edit: the member's own appointment gets a new title and starts an hour later."""
    from planner.models import Appointment

    with app.app_context():
        appointment = db.session.get(Appointment, trip.own_id)
        assert appointment is not None
        appointment.title = title
        appointment.start_at += timedelta(hours=1)
        appointment.end_at += timedelta(hours=1)
        db.session.commit()


def _draft_link(app: Flask, trip: Trip) -> str:
    from planner.models import FeedFollows

    with app.app_context():
        member = db.session.get(Member, trip.member_id)
        assert member is not None
        feed = FeedToken.issue(member.delegation, member, locale="de", audience=Audience.MEMBER, follows=FeedFollows.DRAFT)
        db.session.add(feed)
        db.session.commit()
        return feed.token


def test_before_the_first_release_the_page_shows_the_draft_as_of_its_making(client: FlaskClient, trip: Trip) -> None:
    html = _page(client, trip.tokens["member"])
    generated = _generated(html)
    assert abs(generated - utc_now()) < timedelta(minutes=5)
    # "Stand" is when the server made the page, in the home time zone (the trip's home is Düsseldorf).
    local = generated.astimezone(HOME)
    assert _version_line(html) == f"Programmstand: Entwurf, Stand {local:%d.%m.%Y %H:%M}"
    # The age line stays beside it (personal.js turns it into "loaded 5 minutes ago" in the browser).
    age = re.search(r'<p class="age" id="age"[^>]*>(.*?)</p>', html, re.S)
    assert age is not None
    text = " ".join(age.group(1).split())
    assert text.startswith("Geladen am ") and text.endswith(f"um {local:%H:%M} Uhr (Düsseldorf).")


def test_after_approval_the_page_shows_the_released_version_and_draft_edits_do_not_reach_it(
    app: Flask, client: FlaskClient, trip: Trip
) -> None:
    number, approved_at = _release(app, trip.delegation_id)
    assert number == 1
    released = _page(client, trip.tokens["member"])
    assert _version_line(released) == f"Programmstand: Version 1 vom {approved_at.astimezone(HOME):%d.%m.%Y}"
    assert "Entwurf" not in _version_line(released)
    assert OWN_TITLE in released and "10:00 Seoul" in released
    english = _page(client, trip.tokens["member_en"])
    local = approved_at.astimezone(HOME)
    assert _version_line(english) == f"Programme version: Version 1 of {local.day} {local:%b} {local.year}"

    _edit_own_appointment(app, trip, "MARKER-DRAFT-TITLE")
    after_edit = _page(client, trip.tokens["member"])
    # The released page is the approved programme: old title, old time, same version.
    assert _version_line(after_edit) == _version_line(released)
    assert OWN_TITLE in after_edit and "10:00 Seoul" in after_edit
    assert "MARKER-DRAFT-TITLE" not in after_edit and "11:00 Seoul" not in after_edit
    # Its contacts are those of the release, still saveable.
    assert client.get(f"/p/{trip.tokens['member']}/contacts/{trip.contact_id}.vcf").status_code == 200

    # A link that follows the draft shows the edit at once, and says it is the draft.
    draft = _page(client, _draft_link(app, trip))
    assert _version_line(draft).startswith("Programmstand: Entwurf, Stand ")
    assert "MARKER-DRAFT-TITLE" in draft and "11:00 Seoul" in draft and OWN_TITLE not in draft

    # The next approval brings the edit to the released page, with the new number.
    number, approved_at = _release(app, trip.delegation_id)
    assert number == 2
    second = _page(client, trip.tokens["member"])
    assert _version_line(second) == f"Programmstand: Version 2 vom {approved_at.astimezone(HOME):%d.%m.%Y}"
    assert "MARKER-DRAFT-TITLE" in second and OWN_TITLE not in second


def test_released_page_still_keeps_other_members_and_internal_items_out(app: Flask, client: FlaskClient, trip: Trip) -> None:
    _release(app, trip.delegation_id)
    for key in ("member", "leadership"):
        html = _page(client, trip.tokens[key])
        assert "Version 1 vom" in _version_line(html)
        for marker in (OTHER_TITLE, INTERNAL_TITLE, NOTES, JOURNEY_NOTES, BOOKING, TALKING, "Stefan Fremd"):
            assert marker not in html, (key, marker)
    assert client.get(f"/p/{trip.tokens['member']}/contacts/{trip.stranger_id}.vcf").status_code == 404


def test_installable_manifest_and_service_worker(client: FlaskClient, trip: Trip) -> None:
    token = trip.tokens["member"]
    html = _page(client, token)
    assert f'rel="manifest" href="/p/{token}/manifest.webmanifest"' in html
    manifest = client.get(f"/p/{token}/manifest.webmanifest")
    assert manifest.content_type == "application/manifest+json"
    data = manifest.get_json(force=True)
    assert data["start_url"] == data["scope"] == f"/p/{token}/"
    assert data["icons"] and all(client.get(icon["src"]).status_code == 200 for icon in data["icons"])
    worker = client.get(f"/p/{token}/sw.js")
    assert worker.status_code == 200 and worker.content_type.startswith("text/javascript")
    body = worker.get_data(as_text=True)
    assert "/static/personal/personal.css" in body and "/static/personal/personal.js" in body
    assert "http://" not in body and "https://" not in body  # nothing from another host
    # The secret link must not be kept by shared caches.
    assert "private" in client.get(f"/p/{token}/").headers["Cache-Control"]


def _qr_path(data: str) -> str:
    """The drawing of the QR code of ``data`` as the brief embeds it (segno is deterministic)."""
    import segno

    svg = segno.make(data, error="m").svg_inline(scale=3)
    return re.search(r' d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]


def test_members_brief_carries_the_personal_page_as_qr_code(app: Flask, client: FlaskClient, trip: Trip) -> None:
    with app.app_context():
        make_user(UserRole.VIEWER, "viewer@example.org")
    login(client, "viewer@example.org")
    brief = client.get(f"/delegations/{trip.delegation_id}/brief?audience=member&member={trip.person_id}")
    html = brief.get_data(as_text=True)
    # One of the member's own German links (the brief's language: the newest), never the team's or press link.
    own = [_qr_path(f"http://localhost/p/{trip.tokens[key]}/") in html for key in ("member", "leadership", "member_en")]
    assert own == [False, True, False]
    assert "Ihr Programm auf dem Telefon" in html
    for key in ("team_of_member", "press_of_member", "revoked", "whole_trip"):
        assert _qr_path(f"http://localhost/p/{trip.tokens[key]}/") not in html
        assert trip.tokens[key] not in html
    full = client.get(f"/delegations/{trip.delegation_id}/brief").get_data(as_text=True)
    assert _qr_path(f"http://localhost/p/{trip.tokens['leadership']}/") not in full


def test_planner_sees_the_link_on_the_member_page_a_viewer_does_not(app: Flask, trip: Trip) -> None:
    with app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
        make_user(UserRole.VIEWER, "viewer@example.org")
    member_page = f"/delegations/{trip.delegation_id}/members/{trip.member_id}"
    planner, viewer = app.test_client(), app.test_client()
    login(planner, "planner@example.org")
    login(viewer, "viewer@example.org")
    html = planner.get(member_page).get_data(as_text=True)
    assert f'value="http://localhost/p/{trip.tokens["member"]}/" readonly' in html
    assert f'value="http://localhost/p/{trip.tokens["leadership"]}/" readonly' in html
    for key in ("team_of_member", "press_of_member", "revoked"):
        assert trip.tokens[key] not in html
    assert "/p/" not in viewer.get(member_page).get_data(as_text=True)


def test_page_queries_do_not_grow_with_the_programme(app: Flask) -> None:
    from benchmarks.harness import counted
    from benchmarks.trips import generate_trip
    from planner.models import Delegation

    tokens, trips = [], []
    for size in (10, 500):
        with app.app_context():
            delegation_id, _feed = generate_trip(size, label=f"Persoenlich{size}")
            trips.append(delegation_id)
            delegation = db.session.get(Delegation, delegation_id)
            # The member who attends most: their page is the longest.
            member = max(delegation.members, key=lambda m: sum(m in a.attendees for a in delegation.appointments))
            tokens.append(_token(delegation, member, Audience.MEMBER))
            db.session.commit()
    client = app.test_client()

    def page_costs() -> list[int]:
        counts = []
        for token in tokens:
            with counted(app) as statements:
                assert client.get(f"/p/{token}/").status_code == 200
            counts.append(len(statements))
        return counts

    counts = page_costs()
    assert counts[0] == counts[1] and counts[1] <= 10, counts
    # Released: the programme is rebuilt from the snapshot, still at a fixed cost.
    for delegation_id in trips:
        _release(app, delegation_id)
    counts = page_costs()
    assert counts[0] == counts[1] and counts[1] <= 12, counts
