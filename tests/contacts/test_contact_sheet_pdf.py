"""The printed contact and emergency sheet: hotels from the hotel nights, the vehicles' drivers, every country's numbers.

Print view and PDF from one template, through the real render queue and WeasyPrint; read back
with pdftotext, page images to test-artifacts/contacts for a reviewer. No traveller's personal
data reaches it.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from html import unescape
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.contacts.printing import sheet_state
from planner.extensions import db
from planner.models import City, Delegation, EmergencyNumber, NightKind, UserRole
from planner.rooms import operations as room_operations
from planner.rooms.inputs import NightInput
from planner.transport import operations as transport_operations
from planner.transport.inputs import VehicleInput
from tests.care.conftest import EMERGENCY, MEDICAL, PASSPORT, ROOM, plant_profile
from tests.care.conftest import PHONE as TRAVELLER_PHONE
from tests.conftest import signed_in_as
from tests.jobs import follow_pdf, running_worker
from tests.transport.test_vehicle_plan import PHONE, add_vehicle

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "contacts"
LOTTE = ("Hotel Lotte (Testdaten)", "Eulji-ro 30, Jung-gu, Seoul (Testdaten)", "+82 2 0000 7711")
WANG_PHONE = "+86 138 0000 4411"
DUTY_PHONE = "+44 20 7946 0999"  # the seed's duty phone (a fictional range)
SECRETS = (PASSPORT, MEDICAL, ROOM, TRAVELLER_PHONE, EMERGENCY)


def _plan(delegation_id: int) -> None:
    """Another hotel for the night of 15 October, a driver in Seoul and one in Chongqing, planted personal data."""
    delegation = db.session.get(Delegation, delegation_id)
    assert delegation is not None
    room_operations.save_night(delegation, date(2024, 10, 15), NightInput(NightKind.HOTEL, *LOTTE), None)
    add_vehicle(delegation_id)  # Park, on 15 October in Seoul
    chongqing = db.session.scalars(sa.select(City).where(City.name == "Chongqing")).one()
    transport_operations.save_vehicle(
        delegation,
        VehicleInput(day=date(2024, 10, 17), city_id=chongqing.id, seats=6, driver_name="Wang Lei", driver_phone=WANG_PHONE),
    )
    # A vehicle without a driver yet is no contact: not listed.
    transport_operations.save_vehicle(delegation, VehicleInput(day=date(2024, 10, 18), city_id=chongqing.id, seats=3))
    plant_profile(delegation.members[0].person_id)  # commits


def test_the_sheet_lists_each_hotel_stay_and_the_drivers_and_prints_them(app: Flask, planner: FlaskClient, keller: int) -> None:
    with app.app_context():
        _plan(keller)
        revision = db.session.get(Delegation, keller).revision  # type: ignore[union-attr]

    view = planner.get(f"/delegations/{keller}/contacts/print")
    assert view.status_code == 200 and "no-store" in view.headers["Cache-Control"]
    html = unescape(view.get_data(as_text=True))
    assert "css/sheet.css" in html and f"/delegations/{keller}/contacts/sheet.pdf?lang=de" in html
    hotels = html[html.index('id="hotels-title"') : html.index('id="drivers-title"')]
    rows = re.findall(r"<tr>.*?</tr>", hotels, re.S)[1:]  # without the head row
    # One row per stay, in the order of the nights: the leg's hotel in Seoul is split by the night set apart.
    assert len(rows) == 3, rows
    seoul, lotte, chongqing = rows
    assert "Seoul, Südkorea (Platzhalter; Hotel nicht öffentlich)" in seoul and "+44 20 7946 0300" in seoul
    assert "Mo., 14. Okt. 2024" in seoul and "Di., 15. Okt. 2024" in seoul
    assert all(part in lotte for part in LOTTE) and "Di., 15. Okt. 2024" in lotte and "Mi., 16. Okt. 2024" in lotte
    assert "Chongqing, China (Platzhalter; Hotel nicht öffentlich)" in chongqing and "Mi., 16. Okt. 2024" in chongqing
    drivers = html[html.index('id="drivers-title"') :]
    assert drivers.index("Park") < drivers.index("Wang Lei")  # by day
    assert PHONE in drivers and WANG_PHONE in drivers and "Di., 15. Okt. 2024" in drivers and "Do., 17. Okt. 2024" in drivers
    assert "서울 12가 3456" in drivers and "Chongqing" in drivers
    assert len(re.findall(r"<tr>", drivers)) == 3  # the head and two drivers: the vehicle without one is no contact
    page = unescape(planner.get(f"/delegations/{keller}/contacts").get_data(as_text=True))
    assert "Wang Lei" in page and LOTTE[0] in page and f"/delegations/{keller}/contacts/sheet.pdf" in page
    for content in (html, page):
        assert not [secret for secret in SECRETS if secret in content]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("contact-sheet-de*"):
        old.unlink()
    with running_worker(app):
        pdf, _seen = follow_pdf(planner, f"/delegations/{keller}/contacts/sheet.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", pdf.get_data(as_text=True)[:2000]
    assert pdf.headers["Content-Disposition"] == f'inline; filename="kontaktblatt-{keller}-de.pdf"'
    path = ARTIFACTS / "contact-sheet-de.pdf"
    path.write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-png", "-r", "110", str(path), str(ARTIFACTS / path.stem)], check=True)
    images = sorted(ARTIFACTS.glob("contact-sheet-de-*.png"))
    assert images and all(image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 10_000 for image in images)

    layout = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    plain = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    flat = " ".join(layout.stdout.split())
    squashed = re.sub(r"\s+", "", plain.stdout)  # cells wrap: compare without spaces
    assert "Kontakte und Notfälle" in flat and DUTY_PHONE in flat
    for expected in ("Park", PHONE, "Wang Lei", WANG_PHONE, *LOTTE, "+44 20 7946 0300", "+44 20 7946 0301"):
        assert re.sub(r"\s+", "", expected) in squashed, expected
    # Every country of the trip with its numbers as the data has them (Korea's checked, China's "to be verified").
    korea = next(line for line in layout.stdout.splitlines() if "Südkorea" in line and "112" in line)
    assert "112" in korea
    for number in ("110", "112", "119", "1330", "120"):
        assert re.search(rf"\b{number}\b", flat), number
    assert "zu prüfen" in flat and f"Revision {revision}" in flat and re.search(r"Seite 1 von \d", flat)
    assert not [secret for secret in SECRETS if re.sub(r"\s+", "", secret) in squashed]


def test_the_sheet_state_moves_with_what_it_prints(app: Flask, keller: int) -> None:
    with app.app_context():
        states = [sheet_state(keller)]
        add_vehicle(keller)  # a driver
        db.session.commit()
        states.append(sheet_state(keller))
        number = db.session.scalars(sa.select(EmergencyNumber).order_by(EmergencyNumber.id)).first()
        assert number is not None
        number.note = "Geändert"  # shared by every trip: its change record stands for it
        db.session.commit()
        states.append(sheet_state(keller))
        assert sheet_state(999_999) is None
    assert len(set(states)) == 3


def test_outside_the_team_the_printed_sheet_does_not_exist(
    app: Flask, client: FlaskClient, keller: int, outside_teams: None
) -> None:
    for role, email in ((UserRole.VIEWER, "stranger-viewer@example.org"), (UserRole.PLANNER, "stranger@example.org")):
        with app.test_client() as stranger:
            signed_in_as(stranger, role, email)
            for url in (f"/delegations/{keller}/contacts/print", f"/delegations/{keller}/contacts/sheet.pdf"):
                assert stranger.get(url).status_code == 404, (email, url)


def test_a_language_the_sheet_does_not_have_is_not_found(planner: FlaskClient, keller: int) -> None:
    assert planner.get(f"/delegations/{keller}/contacts/print?lang=en").status_code == 200
    assert planner.get(f"/delegations/{keller}/contacts/print?lang=fr").status_code == 404
    assert planner.get(f"/delegations/{keller}/contacts/sheet.pdf?lang=fr").status_code == 404
