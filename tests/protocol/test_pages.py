"""The protocol pages on the Keller trip: the seeded banquet plan, building a plan, moving, swapping, rights, bad input.

Expected orders and seats follow from the rules (ranks, guests first among
equals, host and co-host, the host's right first), worked out by hand here.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.delegations.inputs import CloneInput
from planner.delegations.operations import clone_delegation
from planner.extensions import db
from planner.models import Appointment, ChangeRecord, Delegation, Person, ProtocolParticipant, SeatingPlan, UserRole
from planner.seed import seed_uid
from tests.conftest import VIEWER_EMAIL, csrf_token, login, signed_in_as

BANQUET = seed_uid("keller-2024", "cq-jubilaeum")
MEETING = seed_uid("keller-2024", "cq-treffen-hu-henghua")


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _appointment_id(app: Flask, uid: str) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(Appointment.id).where(Appointment.uid == uid)).one()


def _person_id(app: Flask, family_name: str) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(Person.id).where(Person.family_name == family_name)).one()


def _order(app: Flask, appointment_id: int) -> list[tuple[str, int | None]]:
    """(family name, seat) of each principal, in the order of precedence, as stored."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Person.family_name, ProtocolParticipant.seat, ProtocolParticipant.rank)
            .join(ProtocolParticipant.person)
            .join(ProtocolParticipant.plan)
            .where(SeatingPlan.appointment_id == appointment_id)
            .order_by(ProtocolParticipant.position)
        )
        return [(family, seat) for family, seat, rank in rows if rank.value != "interpreter"]


def _base(keller: int, appointment_id: int) -> str:
    return f"/delegations/{keller}/appointments/{appointment_id}/protocol"


def _version(app: Flask, model: type, **where: object) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(model.version).filter_by(**where)).one()  # type: ignore[attr-defined]


def _participant_id(app: Flask, appointment_id: int, family_name: str) -> int:
    with app.app_context():
        return db.session.scalars(
            sa.select(ProtocolParticipant.id)
            .join(ProtocolParticipant.person)
            .join(ProtocolParticipant.plan)
            .where(SeatingPlan.appointment_id == appointment_id, Person.family_name == family_name)
        ).one()


def test_the_seeded_banquet_is_a_placeholder_plan_in_protocol_order(app: Flask, planner: FlaskClient, keller: int) -> None:
    banquet = _appointment_id(app, BANQUET)
    # Heads first (our Lord Mayor before the host of equal rank: guests first, the plan's rule), then the
    # appointed official, the business leader, staff. The host hosts (seat 1), our head is co-host (seat 2),
    # and the next in order sits on the host's right (seat 3), the one after on the co-host's right (seat 4).
    assert _order(app, banquet) == [
        ("Keller", 2),
        ("Hu", 1),
        ("Ansprechpartner/in Protokoll Stadtregierung Chongqing (Platzhalter)", 3),
        ("Diener", 4),
        ("Projektleitung Delegationsreise (Platzhalter)", 5),
        ("Referent/in Büro Oberbürgermeister (Platzhalter)", 6),
    ]
    page = planner.get(_base(keller, banquet))
    assert page.status_code == 200
    html = _text(page)
    assert "Platzhalter" in html and "zu prüfen" in html
    svg = re.search(r"<svg class=\"seating\".*?</svg>", html, re.S)
    assert svg is not None
    # Every principal on the drawing; the interpreter drawn behind the one they serve (seat 2).
    assert "Hu Henghua" in svg.group(0) and "Dr. Stephan Keller" in svg.group(0)
    assert "D2" in svg.group(0)
    # The list of seats beside it, with the native script.
    seats = html.split('class="seat-list"', 1)[1].split("</ul>", 1)[0]
    assert re.search(r"Platz 1: Hu Henghua <span[^>]*>胡衡华</span>", seats) and "Platz 2: Dr. Stephan Keller" in seats
    assert "dolmetscht für Dr. Stephan Keller" in html

    # The appointment page shows the order too, with the way to the seating page.
    appointment_page = _text(planner.get(f"/delegations/{keller}/appointments/{banquet}"))
    section = appointment_page.split('id="protocol-heading"', 1)[1].split("</section>", 1)[0]
    assert section.index("Dr. Stephan Keller") < section.index("Hu Henghua") < section.index("Diener")
    assert f"{_base(keller, banquet)}" in section


def _new_plan(client: FlaskClient, keller: int, appointment_id: int, **fields: object) -> None:
    url = f"{_base(keller, appointment_id)}/plan"
    data = {"csrf_token": csrf_token(client, url), "version": 1, "shape": "french", "host_side": "host"}
    data.update({"interpreter_place": "behind", "seats_per_table": 10, **fields})
    response = client.post(url, data=data)
    assert response.status_code == 302, _text(response)[-2000:]


def _add(client: FlaskClient, keller: int, appointment_id: int, person_id: int, **fields: object):
    url = f"{_base(keller, appointment_id)}/participants/new"
    data = {"csrf_token": csrf_token(client, url), "version": 1, "person_id": person_id, "rank": "", **fields}
    return client.post(url, data=data)


def test_a_plan_built_on_the_page_follows_the_rules_moves_and_swaps(app: Flask, planner: FlaskClient, keller: int) -> None:
    meeting = _appointment_id(app, MEETING)
    assert planner.get(_base(keller, meeting)).status_code == 200  # no plan yet: the page offers one
    _new_plan(planner, keller, meeting)
    # Added in an order the rules do not keep; the ranks come from the member role and the function.
    for family in ("Diener", "Referent/in Büro Oberbürgermeister (Platzhalter)", "Hu", "Keller"):
        response = _add(planner, keller, meeting, _person_id(app, family))
        assert response.status_code == 302, _text(response)[-2000:]
    response = _add(planner, keller, meeting, _person_id(app, "Dolmetscher/in (Platzhalter)"))
    assert response.status_code == 302
    order = [family for family, _seat in _order(app, meeting)]
    assert order == ["Keller", "Hu", "Diener", "Referent/in Büro Oberbürgermeister (Platzhalter)"]
    assert dict(_order(app, meeting)) == {
        "Hu": 1,
        "Keller": 2,
        "Diener": 3,
        "Referent/in Büro Oberbürgermeister (Platzhalter)": 4,
    }

    # The interpreter is assigned to the host.
    interpreter = _participant_id(app, meeting, "Dolmetscher/in (Platzhalter)")
    url = f"{_base(keller, meeting)}/participants/{interpreter}/edit"
    data = {
        "csrf_token": csrf_token(planner, url),
        "version": _version(app, ProtocolParticipant, id=interpreter),
        "person_id": _person_id(app, "Dolmetscher/in (Platzhalter)"),
        "rank": "interpreter",
        "serves_person_id": _person_id(app, "Hu"),
    }
    assert planner.post(url, data=data).status_code == 302
    assert "dolmetscht für Hu Henghua" in _text(planner.get(_base(keller, meeting)))

    # The host's rule: the host first among equal ranks.
    url = f"{_base(keller, meeting)}/plan"
    version = _version(app, SeatingPlan, appointment_id=meeting)
    data = {"csrf_token": csrf_token(planner, url), "version": version, "shape": "english", "host_side": "host"}
    data.update({"host_first": "y", "interpreter_place": "beside", "seats_per_table": 10})
    assert planner.post(url, data=data).status_code == 302
    assert [f for f, _ in _order(app, meeting)] == ["Hu", "Keller", "Diener", "Referent/in Büro Oberbürgermeister (Platzhalter)"]

    # Down one, up one: the staff member above the business leader, then back.
    diener = _participant_id(app, meeting, "Diener")
    token = csrf_token(planner, _base(keller, meeting))
    move = planner.post(
        f"{_base(keller, meeting)}/participants/{diener}/move",
        data={"csrf_token": token, "version": _version(app, ProtocolParticipant, id=diener), "direction": "down"},
    )
    assert move.status_code == 302
    assert [f for f, _ in _order(app, meeting)][2:] == ["Referent/in Büro Oberbürgermeister (Platzhalter)", "Diener"]
    # The table follows the order: the staff member is now on the host's right.
    assert dict(_order(app, meeting))["Referent/in Büro Oberbürgermeister (Platzhalter)"] == 3

    # A swap: seats 3 and 4 exchanged, nothing else.
    before = dict(_order(app, meeting))
    url = _base(keller, meeting)
    data = {"csrf_token": csrf_token(planner, url), "version": _version(app, SeatingPlan, appointment_id=meeting)}
    response = planner.post(f"{url}/swap", data={**data, "first": 3, "second": 4})
    assert response.status_code == 302
    after = dict(_order(app, meeting))
    assert after["Diener"] == before["Referent/in Büro Oberbürgermeister (Platzhalter)"] == 3
    assert after["Referent/in Büro Oberbürgermeister (Platzhalter)"] == 4
    assert after["Hu"] == before["Hu"] and after["Keller"] == before["Keller"]

    # Back to the rules' order.
    data = {"csrf_token": csrf_token(planner, url), "version": _version(app, SeatingPlan, appointment_id=meeting)}
    assert planner.post(f"{url}/order-by-rank", data=data).status_code == 302
    assert [f for f, _ in _order(app, meeting)] == ["Hu", "Keller", "Diener", "Referent/in Büro Oberbürgermeister (Platzhalter)"]

    # The history names what changed.
    with app.app_context():
        entities = set(db.session.scalars(sa.select(ChangeRecord.entity).where(ChangeRecord.delegation_id == keller)))
    assert {"seating_plans", "protocol_participants"} <= entities
    history = _text(planner.get(f"/delegations/{keller}/history"))
    assert "Rangfolge" in history and "Sitzordnung" in history


def _snapshot(app: Flask) -> list[tuple]:
    with app.app_context():
        return list(
            db.session.execute(
                sa.select(
                    ProtocolParticipant.id,
                    ProtocolParticipant.position,
                    ProtocolParticipant.seat,
                    ProtocolParticipant.rank,
                    ProtocolParticipant.serves_id,
                    ProtocolParticipant.speaking_order,
                ).order_by(ProtocolParticipant.id)
            )
        )


@pytest.mark.parametrize(
    ("path", "fields", "message"),
    [
        ("swap", {"first": 2, "second": 2}, "Bitte zwei verschiedene Plätze wählen."),
        ("swap", {"first": 1, "second": 99}, None),
        ("swap", {"first": "x", "second": 1}, None),
        ("participants/new", {"person_id": "KELLER", "rank": ""}, None),
        ("participants/new", {"person_id": "Keller", "rank": "head"}, "steht schon in der Rangfolge"),
        ("participants/new", {"person_id": "Langerock", "rank": "", "speaking_order": 0}, "Redefolge"),
        ("participants/new", {"person_id": "Langerock", "rank": "staff", "serves_person_id": "Keller"}, "Nur Dolmetscher"),
        ("participants/new", {"person_id": "Langerock", "rank": "interpreter", "serves_person_id": "Langerock"}, None),
        ("plan", {"shape": "hexagon"}, None),
        ("plan", {"seats_per_table": 1}, "zwischen 2 und 30"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(
    app: Flask, planner: FlaskClient, keller: int, path: str, fields: dict, message: str | None
) -> None:
    banquet = _appointment_id(app, BANQUET)
    base = _base(keller, banquet)
    people = {name: _person_id(app, name) for name in ("Keller", "Langerock")}
    data: dict[str, object] = {"csrf_token": csrf_token(planner, base)}
    if path == "plan":
        version = _version(app, SeatingPlan, appointment_id=banquet)
        data.update({"version": version, "shape": "french", "host_side": "host", "interpreter_place": "behind"})
        data["seats_per_table"] = 10
    elif path == "swap":
        data["version"] = _version(app, SeatingPlan, appointment_id=banquet)
    else:
        data["version"] = 1
    data.update({k: people.get(v, v) if isinstance(v, str) else v for k, v in fields.items()})
    before = _snapshot(app)
    with app.app_context():
        plan_before = db.session.execute(sa.select(SeatingPlan.shape, SeatingPlan.seats_per_table, SeatingPlan.version)).all()
    response = planner.post(f"{base}/{path}", data=data)
    assert response.status_code == 422, _text(response)[-1500:]
    if message:
        assert message in _text(response)
    assert _snapshot(app) == before
    with app.app_context():
        assert (
            db.session.execute(sa.select(SeatingPlan.shape, SeatingPlan.seats_per_table, SeatingPlan.version)).all()
            == plan_before
        )


def test_a_stale_move_changes_nothing(app: Flask, planner: FlaskClient, keller: int) -> None:
    banquet = _appointment_id(app, BANQUET)
    diener = _participant_id(app, banquet, "Diener")
    before = _snapshot(app)
    token = csrf_token(planner, _base(keller, banquet))
    stale = _version(app, ProtocolParticipant, id=diener) + 5
    url = f"{_base(keller, banquet)}/participants/{diener}/move"
    response = planner.post(url, data={"csrf_token": token, "version": stale, "direction": "up"})
    assert response.status_code == 302 and _snapshot(app) == before
    assert "inzwischen geändert" in _text(planner.get(response.headers["Location"]))


def test_viewers_read_and_may_not_change(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, VIEWER_EMAIL)
    banquet = _appointment_id(app, BANQUET)
    base = _base(keller, banquet)
    page = client.get(base)
    assert page.status_code == 200 and "<svg" in _text(page)
    assert "Plätze tauschen" not in _text(page) and "/move" not in _text(page)  # no buttons for a reader
    assert client.get(f"{base}/cards").status_code == 200
    token = csrf_token(client, base)
    diener = _participant_id(app, banquet, "Diener")
    before = _snapshot(app)
    for path in (f"participants/{diener}/move", "swap", "order-by-rank", f"participants/{diener}/remove", "plan", "plan/delete"):
        assert client.post(f"{base}/{path}", data={"csrf_token": token, "version": 1}).status_code == 403, path
    assert client.get(f"{base}/participants/new").status_code == 403
    assert _snapshot(app) == before


def test_outsiders_do_not_see_the_trip(app: Flask, client: FlaskClient, keller: int, outside_teams: None) -> None:
    signed_in_as(client, UserRole.PLANNER, "stranger@example.org")
    banquet = _appointment_id(app, BANQUET)
    base = _base(keller, banquet)
    for path in ("", "/cards", "/cards.pdf", "/plan", "/participants/new"):
        assert client.get(f"{base}{path}").status_code == 404, path
    # An appointment of the trip under another trip's id is not found either.
    assert client.get(f"/delegations/{keller + 1}/appointments/{banquet}/protocol").status_code == 404


def test_a_cloned_trip_takes_the_plans_along(app: Flask, keller: int) -> None:
    with app.app_context():
        source = db.session.get(Delegation, keller)
        assert source is not None
        copy = clone_delegation(source, CloneInput(title="Wiederholung 2026", start_date=date(2026, 10, 11)))
        db.session.commit()
        plans = db.session.scalars(sa.select(SeatingPlan).where(SeatingPlan.delegation_id == copy.id)).all()
        assert len(plans) == 1 and plans[0].is_placeholder
        plan = plans[0]
        assert plan.appointment.title.startswith("Feier zum 20-jährigen Jubiläum")
        assert [(p.person.family_name, p.seat) for p in plan.principals][:2] == [("Keller", 2), ("Hu", 1)]
        interpreter = plan.interpreters[0]
        assert interpreter.serves is not None and interpreter.serves.plan is plan  # the copy's own principal
        assert interpreter.serves.person.family_name == "Keller"


def test_removing_a_person_closes_up_the_order_and_deleting_the_plan_leaves_the_appointment(
    app: Flask, planner: FlaskClient, keller: int
) -> None:
    banquet = _appointment_id(app, BANQUET)
    base = _base(keller, banquet)
    keller_person = _participant_id(app, banquet, "Keller")
    token = csrf_token(planner, base)
    version = _version(app, ProtocolParticipant, id=keller_person)
    assert (
        planner.post(f"{base}/participants/{keller_person}/remove", data={"csrf_token": token, "version": version}).status_code
        == 302
    )
    order = _order(app, banquet)
    assert [f for f, _ in order][:2] == ["Hu", "Ansprechpartner/in Protokoll Stadtregierung Chongqing (Platzhalter)"]
    assert sorted(seat for _f, seat in order) == [1, 2, 3, 4, 5]  # seated afresh, no gap
    assert "noch niemandem zugeordnet" in _text(planner.get(base))  # the interpreter lost their principal
    version = _version(app, SeatingPlan, appointment_id=banquet)
    assert planner.post(f"{base}/plan/delete", data={"csrf_token": token, "version": version}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProtocolParticipant)) == 0
        assert db.session.get(Appointment, banquet) is not None
    assert "noch keine Rangfolge" in _text(planner.get(base))
