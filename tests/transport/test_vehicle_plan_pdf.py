"""The printed vehicle plan: print view and PDF of one day from one template, through the real render queue and WeasyPrint.

Read back with poppler (pdftotext); a page image goes to test-artifacts/transport for a reviewer.
The sheet is stamped with the trip's revision, which every vehicle and transfer write moves on.
"""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Delegation, UserRole
from planner.transport import operations
from planner.transport.inputs import VehicleInput
from planner.transport.sheet import plan_state
from tests.care.conftest import MEDICAL, PASSPORT, ROOM, plant_profile
from tests.care.conftest import PHONE as TRAVELLER_PHONE
from tests.conftest import signed_in_as
from tests.jobs import follow_pdf, running_worker
from tests.transport.test_vehicle_plan import DAY, PHONE, add_vehicle, day_appointments, ride

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "transport"
SECOND_PHONE = "+82 10 2222 0177"


def _revision(delegation_id: int) -> int:
    delegation = db.session.get(Delegation, delegation_id)
    assert delegation is not None
    db.session.refresh(delegation)
    return delegation.revision


def _pdf_text(path: Path, *, layout: bool = True) -> str:
    """pdftotext: with ``layout`` a table row stays one line; without, each cell's text stays together."""
    options = ["-layout"] if layout else []
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_vehicle_plan_prints_drivers_rides_and_the_revision_and_no_personal_data(
    app: Flask, planner: FlaskClient, keller: int
) -> None:
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation is not None
        keller_member, diener = delegation.members[0], delegation.members[1]
        plant_profile(keller_member.person_id)  # personal data that must not reach the plan
        before = _revision(keller)
        state_before = plan_state(keller)
        van = add_vehicle(keller, seats=4)
        db.session.commit()
        after_vehicle = _revision(keller)
        first, second = day_appointments(keller)[:2]
        ride(keller, van, first, [keller_member.id, diener.id], before=40, from_place="Hotel Lotte", travel_minutes=25)
        db.session.commit()
        after_ride = _revision(keller)
        car = operations.save_vehicle(
            delegation,
            VehicleInput(
                day=DAY,
                city_id=van.city_id,
                seats=2,
                driver_name="Kim Min-jun",
                driver_phone=SECOND_PHONE,
                plate="서울 34나 5678",
            ),
        )
        ride(keller, car, second, [keller_member.id], before=15)
        db.session.commit()
        revision = _revision(keller)
        state_now = plan_state(keller)
        first_title, second_title = first.title, second.title
    # Every write to the plan moves the trip's revision on, so the stamp and the render key move with it.
    assert before < after_vehicle < after_ride < revision
    assert state_before != state_now

    view = planner.get(f"/delegations/{keller}/transport/{DAY.isoformat()}/print")
    assert view.status_code == 200 and "no-store" in view.headers["Cache-Control"]
    html = unescape(view.get_data(as_text=True))
    assert "css/sheet.css" in html and "Bearbeiten" not in html
    assert f"Revision {revision}" in html and PHONE in html and SECOND_PHONE in html
    assert f"/transport/{DAY.isoformat()}/plan.pdf?lang=de" in html  # the toolbar's PDF link
    english_view = unescape(
        planner.get(f"/delegations/{keller}/transport/{DAY.isoformat()}/print?lang=en").get_data(as_text=True)
    )
    assert '<html lang="en">' in english_view and "Seats (not counting the driver)" in english_view
    day_page = planner.get(f"/delegations/{keller}/transport/{DAY.isoformat()}").get_data(as_text=True)
    assert f"/transport/{DAY.isoformat()}/plan.pdf" in day_page  # the day page links the PDF

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_worker(app):
        pdf, _seen = follow_pdf(planner, f"/delegations/{keller}/transport/{DAY.isoformat()}/plan.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", pdf.get_data(as_text=True)[:2000]
    assert pdf.headers["Content-Disposition"] == f'inline; filename="fahrzeugplan-{keller}-{DAY.isoformat()}-de.pdf"'
    path = ARTIFACTS / "vehicle-plan-seoul-de.pdf"
    path.write_bytes(pdf.data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(path), str(ARTIFACTS / path.stem)], check=True
    )
    image = ARTIFACTS / f"{path.stem}.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 10_000

    text = _pdf_text(path)
    flat = " ".join(text.split())
    squashed = re.sub(r"\s+", "", _pdf_text(path, layout=False))  # names and places wrap in their cells
    assert "Fahrzeugplan" in flat and "Di., 15. Okt. 2024" in flat
    for expected in ("Park", "Kim Min-jun", PHONE, SECOND_PHONE, "Hotel Lotte", "25 Min.", first_title, second_title):
        assert re.sub(r"\s+", "", expected) in squashed, expected
    assert "2 von 4 Plätzen" in flat and "1 von 2 Plätzen" in flat
    assert f"Revision {revision}" in flat and re.search(r"Seite 1 von \d", flat)
    for secret in (PASSPORT, MEDICAL, ROOM, TRAVELLER_PHONE):
        assert secret not in flat and re.sub(r"\s+", "", secret) not in squashed, secret


def test_bad_days_and_languages_are_not_found(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        add_vehicle(keller)
        db.session.commit()
    assert planner.get(f"/delegations/{keller}/transport/{DAY.isoformat()}/print").status_code == 200  # the control
    for bad in ("2024-13-01", "kein-tag", "2030-01-01"):
        assert planner.get(f"/delegations/{keller}/transport/{bad}/print").status_code == 404, bad
        assert planner.get(f"/delegations/{keller}/transport/{bad}/plan.pdf").status_code == 404, bad
    assert planner.get(f"/delegations/{keller}/transport/{DAY.isoformat()}/plan.pdf?lang=fr").status_code == 404
    assert planner.get(f"/delegations/{keller}/transport/{DAY.isoformat()}/print?lang=fr").status_code == 404


def test_outside_the_team_the_printed_plan_does_not_exist(
    app: Flask, client: FlaskClient, keller: int, outside_teams: None
) -> None:
    with app.app_context():
        add_vehicle(keller)
        db.session.commit()
    for role, email in ((UserRole.VIEWER, "stranger-viewer@example.org"), (UserRole.PLANNER, "stranger@example.org")):
        with app.test_client() as stranger:
            signed_in_as(stranger, role, email)
            for url in (
                f"/delegations/{keller}/transport/{DAY.isoformat()}/print",
                f"/delegations/{keller}/transport/{DAY.isoformat()}/plan.pdf",
            ):
                assert stranger.get(url).status_code == 404, (email, url)
