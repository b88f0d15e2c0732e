"""A rendered brief is built once and handed out while nothing it shows changed.

The render queue keys a PDF on (kind, delegation, :func:`planner.briefs.queries.brief_state`,
options, public address, deployment). Two halves are tested:

* every kind of change that alters the brief changes its state, hence its key,
  so no stale PDF is handed out; the brief's HTML shows the change (most
  kinds are checked on the HTML, which is cheap: the PDF is a pure function
  of the HTML, which the last test shows for one brief by rendering it twice);
* an unchanged brief is rendered once: the second download is the stored file
  (the render count of :data:`planner.briefs.rendering.RENDERS` stays), stored
  encrypted, and byte-identical to a fresh render of the same brief. That test
  prints the *released* version: a draft's cover says when it was made, a
  release's does not, so only the released brief can be compared with a
  render made later.

Three PDF renders in all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from planner.briefs import queries, render, rendering
from planner.briefs.options import Audience, BriefOptions, Edition
from planner.encryption import decrypt_bytes
from planner.extensions import db
from planner.jobs import jobs
from planner.models import (
    Appointment,
    AppointmentKind,
    City,
    Country,
    Delegation,
    EmergencyNumber,
    EmergencyService,
    EtiquetteNote,
    EtiquetteTopic,
    Journey,
    Leg,
    Member,
    MemberRole,
    Organization,
    Partnership,
    Person,
    TravelProfile,
)
from tests.briefs.conftest import ensure_briefs
from tests.conftest import new_browser
from tests.jobs import follow_pdf, running_worker
from tests.releases.test_releases import approve, prepare, trip  # noqa: F401  (trip is a fixture)

NOW = datetime(2024, 10, 14, 8, 30, tzinfo=UTC)
FULL = BriefOptions(edition=Edition.DRAFT)


@pytest.fixture
def app(app: Flask) -> Flask:
    return ensure_briefs(app)


def _html(trip: int, options: BriefOptions = FULL) -> str:  # noqa: F811
    db.session.expire_all()  # read again, as the worker reads it
    source = queries.brief_source(trip, options.edition)
    assert source is not None
    return render.brief_html(source, options, now=NOW)[1]


def _key(trip: int, options: BriefOptions = FULL) -> str:  # noqa: F811
    state = queries.brief_state(trip)
    assert state is not None
    return rendering.brief_key(trip, state, options, "http://localhost/")


def _appointment(trip: int) -> Appointment:  # noqa: F811
    query = sa.select(Appointment).where(Appointment.delegation_id == trip).order_by(Appointment.start_at)
    appointment = db.session.scalars(query).first()
    assert appointment is not None
    return appointment


def _korea() -> Country:
    country = db.session.scalars(sa.select(Country).where(Country.iso_code == "KR")).one()
    return country


def _appointment_title(trip: int) -> None:  # noqa: F811
    _appointment(trip).title = "Umbenannter Termin"


def _journey(trip: int) -> None:  # noqa: F811
    journey = db.session.scalars(sa.select(Journey).where(Journey.delegation_id == trip)).first()
    assert journey is not None
    journey.number = "LH 9999"


def _leg(trip: int) -> None:  # noqa: F811
    leg = db.session.scalars(sa.select(Leg).where(Leg.delegation_id == trip)).first()
    assert leg is not None
    leg.hotel_name = "Hotel Geändert"


def _member_added(trip: int) -> None:  # noqa: F811
    person = Person(given_name="Neue", family_name="Teilnehmerin")
    db.session.add(person)
    db.session.add(Member(delegation_id=trip, person=person, role=MemberRole.MEMBER))


def _member_removed(trip: int) -> None:  # noqa: F811
    delegation = db.session.get(Delegation, trip)
    assert delegation is not None
    member = next(m for m in delegation.members if m is not delegation.leader)
    member.deleted_at = NOW  # the trash: out of every output


def _person_renamed(trip: int) -> None:  # noqa: F811
    delegation = db.session.get(Delegation, trip)
    assert delegation is not None
    delegation.members[0].person.family_name = "Umbenannt"


def _organization_address(trip: int) -> None:  # noqa: F811
    organization = db.session.get(Organization, next(a.organization_id for a in _all(trip) if a.organization_id))
    assert organization is not None
    organization.address = "Neue Straße 1"


def _city(trip: int) -> None:  # noqa: F811
    leg = db.session.scalars(sa.select(Leg).where(Leg.delegation_id == trip)).first()
    assert leg is not None
    city = db.session.get(City, leg.city_id)
    assert city is not None
    city.name += " (Hauptstadt)"


def _partnership(trip: int) -> None:  # noqa: F811
    partnership = db.session.scalars(sa.select(Partnership)).first()
    assert partnership is not None
    partnership.notes = "Neuer Austausch seit 2024."


def _emergency_number(_trip: int) -> None:
    number = db.session.scalars(sa.select(EmergencyNumber).where(EmergencyNumber.country == _korea())).first()
    if number is None:
        db.session.add(EmergencyNumber(country=_korea(), service=EmergencyService.POLICE, number="112-NEU"))
    else:
        number.number = "112-NEU"


def _etiquette(_trip: int) -> None:
    note = db.session.scalars(sa.select(EtiquetteNote).where(EtiquetteNote.country == _korea())).first()
    if note is None:
        db.session.add(EtiquetteNote(country=_korea(), topic=EtiquetteTopic.GREETING, text_de="Neue Etikette-Notiz."))
    else:
        note.text_de = "Neue Etikette-Notiz."


def _diet(trip: int) -> None:  # noqa: F811
    meal = next(a for a in _all(trip) if a.kind is AppointmentKind.MEAL and a.attendees)
    db.session.add(TravelProfile(person_id=meal.attendees[0].person_id, dietary_needs="vegetarian"))


def _all(trip: int) -> list[Appointment]:  # noqa: F811
    return list(db.session.scalars(sa.select(Appointment).where(Appointment.delegation_id == trip)))


CHANGES: dict[str, Callable[[int], None]] = {
    "appointment edited": _appointment_title,
    "journey": _journey,
    "leg": _leg,
    "member added": _member_added,
    "member removed": _member_removed,
    "person renamed": _person_renamed,
    "organization address": _organization_address,
    "city": _city,
    "partnership": _partnership,
    "emergency number": _emergency_number,
    "etiquette note": _etiquette,
    "dietary needs (counts in the full brief)": _diet,
}


def test_every_kind_of_change_gives_the_brief_a_new_key(app: Flask, trip: int) -> None:  # noqa: F811
    with app.test_request_context():
        html = _html(trip)
        assert _html(trip) == html  # the same data, the same brief: what makes reuse safe
        keys = {_key(trip)}
        for name, change in CHANGES.items():
            change(trip)
            db.session.commit()
            changed = _html(trip)
            assert changed != html, f"{name}: the brief does not show the change"
            key = _key(trip)
            assert key not in keys, f"{name}: the brief keeps its key, a stale PDF would be handed out"
            keys.add(key)
            html = changed


def test_options_locale_audience_and_edition_have_keys_of_their_own(app: Flask, trip: int) -> None:  # noqa: F811
    with app.test_request_context():
        delegation = db.session.get(Delegation, trip)
        assert delegation is not None
        person_id = delegation.members[0].person_id
        variants = [
            FULL,
            BriefOptions(edition=Edition.DRAFT, lang="en"),
            BriefOptions(edition=Edition.DRAFT, audience=Audience.PRESS),
            BriefOptions(edition=Edition.DRAFT, audience=Audience.MEMBER, person_id=person_id),
            BriefOptions(edition=Edition.DRAFT, sections=frozenset({"glance"})),
            BriefOptions(edition=Edition.RELEASED),
            BriefOptions(),
        ]
        assert len({_key(trip, options) for options in variants}) == len(variants)
        state = queries.brief_state(trip)
        assert state is not None
        # Another public address prints other links: another key.
        assert rendering.brief_key(trip, state, FULL, "https://a.example/") != rendering.brief_key(
            trip, state, FULL, "https://b.example/"
        )


def test_an_approval_changes_the_released_brief_and_a_draft_edit_does_not_reach_it(app: Flask, trip: int) -> None:  # noqa: F811
    released = BriefOptions(edition=Edition.RELEASED)
    anna, ben = new_browser(app, "anna@example.org"), new_browser(app, "ben@example.org")
    assert prepare(anna, trip).status_code == 302
    assert approve(ben, trip, 1).status_code == 302
    with app.test_request_context():
        first_key, first_html = _key(trip, released), _html(trip, released)
        _appointment_title(trip)
        db.session.commit()
        # The draft moved on; the released brief prints the same (its key may change: the revision counts).
        assert _html(trip, released) == first_html
    assert prepare(anna, trip).status_code == 302
    assert approve(ben, trip, 2).status_code == 302
    with app.test_request_context():
        assert _key(trip, released) != first_key
        assert "Umbenannter Termin" in _html(trip, released) and "Umbenannter Termin" not in first_html


def _run_queued(app: Flask) -> int:
    """Run what waits in the queue (the approval's notifications) here and now; how many tasks ran."""
    ran = 0
    huey = jobs(app).huey
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def test_an_unchanged_brief_is_rendered_once_stored_encrypted_and_equal_to_a_fresh_render(app: Flask, trip: int) -> None:  # noqa: F811
    anna, ben = new_browser(app, "anna@example.org"), new_browser(app, "ben@example.org")
    assert prepare(anna, trip).status_code == 302
    assert approve(ben, trip, 1).status_code == 302
    viewer = new_browser(app, "vera@example.org")
    url = f"/delegations/{trip}/brief.pdf?audience=press&edition=released&sections=glance&sections=programme"
    renders = rendering.RENDERS["brief"]
    # The approval's notifications run first, to the end: they issue the members' feed links (which
    # member briefs print, so the brief's state counts them).
    assert _run_queued(app) >= 1
    with running_worker(app):
        first, _seen = follow_pdf(viewer, url)
    assert first.status_code == 200 and first.data.startswith(b"%PDF-")
    assert rendering.RENDERS["brief"] == renders + 1

    # The second download: straight to the stored file, no render.
    again = viewer.get(url)
    assert again.status_code == 303 and again.headers["Location"].endswith(".pdf")
    second = viewer.get(again.headers["Location"])
    assert second.data == first.data
    assert rendering.RENDERS["brief"] == renders + 1
    with app.app_context():
        assert jobs().pending() == 0
        key = again.headers["Location"].rsplit("/", 1)[1].removesuffix(".pdf")
        stored = jobs().store.get(f"brief-pdf:{key}")
        assert stored is not None and not stored.startswith(b"%PDF") and decrypt_bytes(stored) == first.data

        # A fresh render of the same brief (same data, options and address) gives the very same bytes.
        options = BriefOptions(audience=Audience.PRESS, edition=Edition.RELEASED, sections=frozenset({"glance", "programme"}))
        fresh = rendering.build_pdf(trip, options, "http://localhost/")
    assert fresh == first.data

    # A change the brief shows: the next download is a new render, not the stored file.
    with app.app_context():
        _emergency_number(trip)
        db.session.commit()
    changed = viewer.get(url)
    assert changed.status_code == 303 and "/renders/" in changed.headers["Location"]
    assert not changed.headers["Location"].endswith(".pdf") and key not in changed.headers["Location"]
    with app.app_context():
        assert jobs().pending() == 1  # queued, not rendered here
