"""Release snapshots: the outputs of a captured and rebuilt programme are those of the live trip, and stay so."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from planner.audiences import Viewer
from planner.briefs import render
from planner.briefs.options import SECTIONS, check_options
from planner.briefs.queries import source_for
from planner.calendar.export import Scope, export_calendar
from planner.delegations.queries import delegation_with_programme
from planner.extensions import db
from planner.models import Appointment, Audience, Base, Delegation, Member, Person
from planner.program import operations
from planner.program.inputs import AppointmentInput, MoveInput
from planner.releases.snapshot import SnapshotError, capture, materialize
from tests.conftest import KellerSeeder

NOW = datetime(2024, 10, 10, 8, 0, tzinfo=UTC)  # the brief's "as of"
TODAY = date(2024, 10, 10)
WCICO = "Gespräche mit der Western China International Communication Organization (WCICO)"
HU = "Treffen von Oberbürgermeister Dr. Keller mit Bürgermeister Hu Henghua"
SEEGENE = "Unternehmensbesuch Seegene"


@pytest.fixture
def keller(app: Flask, seed_keller: KellerSeeder) -> Iterator[int]:
    seed_keller(app)
    with app.test_request_context(base_url="https://planner.example.org"):
        yield db.session.scalars(sa.select(Delegation.id)).one()


def _member(delegation: Delegation, person_id: int) -> Member:
    return next(m for m in delegation.members if m.person_id == person_id)


def _ics_team(delegation: Delegation) -> bytes:
    return export_calendar(delegation, Scope(), locale="de", today=TODAY).body


def _ics_member(delegation: Delegation, person_id: int) -> bytes:
    member = _member(delegation, person_id)
    viewer = Viewer(Audience.MEMBER, member)
    return export_calendar(delegation, Scope(member=member), locale="en", today=TODAY, viewer=viewer).body


def _brief(delegation: Delegation, audience: str = "full", person_id: int | None = None) -> str:
    options = check_options(audience, person_id, "de", list(SECTIONS))
    return render.brief_html(source_for(delegation), options, now=NOW)[1]


def _outputs(delegation: Delegation, person_id: int) -> dict[str, bytes | str]:
    return {
        "ics team": _ics_team(delegation),
        "ics member": _ics_member(delegation, person_id),
        "brief full": _brief(delegation),
        "brief member": _brief(delegation, "member", person_id),
        "brief press": _brief(delegation, "press"),
    }


def _person_id(delegation: Delegation, family_name: str) -> int:
    return next(m.person_id for m in delegation.members if m.person.family_name == family_name)


def _appointment(delegation: Delegation, title: str) -> Appointment:
    return next(a for a in delegation.appointments if a.title == title)


def _fresh(delegation_id: int) -> Delegation:
    db.session.expire_all()
    delegation = delegation_with_programme(delegation_id)
    assert delegation is not None
    return delegation


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _row_counts() -> dict[str, int]:
    count = sa.select(sa.func.count())
    return {table.name: db.session.scalar(count.select_from(table)) or 0 for table in Base.metadata.sorted_tables}


def test_round_trip_gives_the_same_outputs(keller: int) -> None:
    live = _fresh(keller)
    keller_person = _person_id(live, "Keller")
    expected = _outputs(live, keller_person)
    data = json.loads(json.dumps(capture(live)))  # what a JSON column gives back
    assert data["format"] == 1
    rebuilt = materialize(data)
    assert rebuilt not in db.session
    got = _outputs(rebuilt, keller_person)
    for name, output in expected.items():
        assert got[name] == output, name
    # Not trivially equal: the outputs hold the programme.
    assert b"BEGIN:VEVENT" in expected["ics team"] and WCICO in str(expected["brief full"])


def test_item_revisions_round_trip_and_stay_as_captured(keller: int) -> None:
    # The calendar writes an item's revision as its SEQUENCE: a released feed must give each event the
    # SEQUENCE it had when the release was captured, not the draft's later one.
    live = _fresh(keller)
    wcico = _appointment(live, WCICO)
    seeded = wcico.revision
    operations.move_appointment(live, wcico, MoveInput(wcico.start_at + timedelta(minutes=30), wcico.version))
    db.session.commit()
    live = _fresh(keller)
    captured = {a.uid: a.revision for a in live.appointments} | {j.uid: j.revision for j in live.journeys}
    assert captured[_appointment(live, WCICO).uid] == seeded + 1  # the move counted: not every revision is the seed's
    stored = json.dumps(capture(live))

    wcico = _appointment(live, WCICO)
    operations.move_appointment(live, wcico, MoveInput(wcico.start_at + timedelta(minutes=30), wcico.version))
    db.session.commit()
    assert _appointment(_fresh(keller), WCICO).revision == captured[wcico.uid] + 1

    rebuilt = materialize(json.loads(stored))
    assert {a.uid: a.revision for a in rebuilt.appointments} | {j.uid: j.revision for j in rebuilt.journeys} == captured


def test_materialized_graph_never_enters_the_session(keller: int) -> None:
    live = _fresh(keller)
    data = capture(live)
    before = _row_counts()
    rebuilt = materialize(data)
    # Touch it the way renderers do, then commit what the session holds.
    _outputs(rebuilt, _person_id(rebuilt, "Keller"))
    assert not db.session.new and not any(obj in db.session for obj in [rebuilt, *rebuilt.appointments, *rebuilt.members])
    db.session.commit()
    assert _row_counts() == before


def test_editing_the_draft_changes_no_released_output(keller: int) -> None:
    live = _fresh(keller)
    person_id = _person_id(live, "Keller")
    stored = json.dumps(capture(live))
    released = _outputs(materialize(json.loads(stored)), person_id)

    # The draft goes on: move one appointment, rename another, delete a third.
    wcico = _appointment(live, WCICO)
    operations.move_appointment(live, wcico, MoveInput(wcico.start_at + timedelta(hours=1, minutes=30), wcico.version))
    hu = _appointment(live, HU)
    operations.save_appointment(live, dataclasses.replace(AppointmentInput.of(hu), title="Treffen mit Bürgermeister Hu"), hu)
    seegene = _appointment(live, SEEGENE)
    seegene_anchor = f'id="appointment-{seegene.id}"'
    operations.trash_appointment(seegene, seegene.version)
    db.session.commit()

    draft = _fresh(keller)
    draft_outputs = _outputs(draft, person_id)
    assert draft_outputs["brief full"] != released["brief full"]
    draft_brief = str(draft_outputs["brief full"])
    assert "Treffen mit Bürgermeister Hu" in draft_brief and seegene_anchor not in draft_brief

    again = _outputs(materialize(json.loads(stored)), person_id)
    for name, output in released.items():
        assert again[name] == output, name
    assert HU in str(again["brief full"]) and seegene_anchor in str(again["brief full"])


def test_snapshot_holds_no_personal_data_and_refers_to_people_by_id(keller: int) -> None:
    live = _fresh(keller)
    # Markers in every field of a person that is theirs to have deleted later.
    for person in db.session.scalars(sa.select(Person)):
        person.phone = f"PHONE-MARK-{person.id}"
        person.email = f"mail-mark-{person.id}@example.org"
        person.notes = f"NOTE-MARK-{person.id}"
        person.native_name = f"NATIVE-MARK-{person.id}"
        person.given_name = f"GIVEN-MARK-{person.id}"
    db.session.commit()
    live = _fresh(keller)
    text = json.dumps(capture(live), ensure_ascii=False)
    # Nobody's name either: members and contacts are person ids.
    for marker in ("PHONE-MARK", "mail-mark", "NOTE-MARK", "NATIVE-MARK", "GIVEN-MARK"):
        assert marker not in text
    assert all("person_id" in m for m in json.loads(text)["members"])
    # The models hold no passport, health or diet data today; if a column for it appears it must not reach a snapshot.
    keys = _keys(json.loads(text))
    assert not [k for k in keys for word in ("passport", "health", "diet", "allerg", "visa") if word in k.lower()]
    # Rendering still names the people, from the people table.
    brief = _brief(materialize(json.loads(text)))
    keller = _member(live, _person_id(live, "Keller")).person_id
    assert f"GIVEN-MARK-{keller} Keller" in brief and "PHONE-MARK" in brief  # the team brief shows phone numbers, read live


def test_rows_gone_from_the_directory_are_stood_in_for(keller: int) -> None:
    """A person whose data was deleted after the trip, a city no longer in the directory: the release still renders."""
    live = _fresh(keller)
    data = json.loads(json.dumps(capture(live)))
    gone = 10**6
    wcico = next(a for a in data["appointments"] if a["title"] == WCICO)
    wcico["contact_person_id"] = gone
    chongqing = next(c for c in data["cities"] if c["name"] == "Chongqing")
    for leg in data["legs"]:
        if leg["city_id"] == chongqing["id"]:
            leg["city_id"] = gone
    data["cities"].append({**chongqing, "id": gone})
    before = _row_counts()
    rebuilt = materialize(data)
    stay = next(leg for leg in rebuilt.legs if leg.city_id == gone)
    assert stay.city.name == "Chongqing" and stay.timezone == "Asia/Shanghai" and stay.city.country.iso_code == "CN"
    assert _appointment(rebuilt, WCICO).contact_person.name == "(Person gelöscht)"  # type: ignore[union-attr]
    brief = _brief(rebuilt)
    assert "(Person gelöscht)" in brief and "Chongqing" in brief
    db.session.commit()
    assert _row_counts() == before


def test_an_unknown_format_is_refused(keller: int) -> None:
    data = capture(_fresh(keller))
    with pytest.raises(SnapshotError):
        materialize({**data, "format": 2})
