"""The printable rooming list: print view and PDF of one hotel, through the real render queue and WeasyPrint.

Read back with poppler (pdftotext); page images go to test-artifacts/rooms for a reviewer,
next to the brief's (test-artifacts/briefs).
"""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Member, Person
from tests.conftest import csrf_token
from tests.jobs import follow_pdf, running_worker

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "rooms"
CKG_NOTE = "NOTE-CHONGQING-ONLY"
SEOUL_NOTE = "Bitte ruhiges Zimmer, Ankunft 10:30"


def _member_ids(app: Flask, delegation_id: int) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Person.family_name, Member.id)
            .join(Member, Member.person_id == Person.id)
            .where(Member.delegation_id == delegation_id)
        )
        return {family: member for family, member in rows}


def _add_room(client: FlaskClient, delegation_id: int, night: str, **fields: object) -> None:
    url = f"/delegations/{delegation_id}/rooms/new?night={night}"
    data = {"csrf_token": csrf_token(client, url), "version": 1, **fields}
    response = client.post(url, data=data)
    assert response.status_code == 302, unescape(response.get_data(as_text=True))[-3000:]


def _pdf_text(path: Path, *, layout: bool = True) -> str:
    """pdftotext: with ``layout`` a table row stays one line; without, each cell's text stays together."""
    options = ["-layout"] if layout else []
    command = ["pdftotext", "-enc", "UTF-8", *options, str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_the_rooming_list_prints_names_room_types_and_no_personal_data(app: Flask, planner: FlaskClient, keller: int) -> None:
    ids = _member_ids(app, keller)
    with app.app_context():  # planted personal data: none of it may reach the hotel's list
        keller_person = db.session.scalars(sa.select(Person).filter_by(family_name="Keller")).one()
        keller_person.phone, keller_person.email = "+49 211 555 0199", "ob-private@example.org"
        db.session.commit()
    _add_room(
        planner,
        keller,
        "2024-10-14",
        room_type="single",
        first_night="2024-10-14",
        last_night="2024-10-15",
        occupant_ids=[ids["Keller"]],
        room_number="1801",
        note=SEOUL_NOTE,
    )
    _add_room(
        planner,
        keller,
        "2024-10-14",
        room_type="twin",
        first_night="2024-10-14",
        last_night="2024-10-14",
        occupant_ids=[ids["Diener"], ids["Dolmetscher/in (Platzhalter)"]],
    )
    _add_room(
        planner,
        keller,
        "2024-10-16",
        room_type="suite",
        first_night="2024-10-16",
        last_night="2024-10-18",
        occupant_ids=[ids["Keller"]],
        note=CKG_NOTE,
    )

    # The print view: the same template, in the browser.
    view = planner.get(f"/delegations/{keller}/rooms/2024-10-15/list")  # any night of the stay finds it
    assert view.status_code == 200 and "no-store" in view.headers["Cache-Control"]
    html = unescape(view.get_data(as_text=True))
    assert 'class="grid rooming"' in html and "Keller, Stephan (Dr.)" in html and CKG_NOTE not in html

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_worker(app):
        german, _seen = follow_pdf(planner, f"/delegations/{keller}/rooms/2024-10-14/list.pdf")
        english, _seen = follow_pdf(planner, f"/delegations/{keller}/rooms/2024-10-14/list.pdf?lang=en")
    assert german.status_code == 200 and german.mimetype == "application/pdf", german.get_data(as_text=True)[:2000]
    assert german.headers["Content-Disposition"] == f'inline; filename="rooming-{keller}-2024-10-14-de.pdf"'
    assert english.status_code == 200 and english.data != german.data

    for name, response in (("rooming-seoul-de", german), ("rooming-seoul-en", english)):
        path = ARTIFACTS / f"{name}.pdf"
        path.write_bytes(response.data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(path), str(ARTIFACTS / name)], check=True
        )
        image = (ARTIFACTS / name).with_suffix(".png")
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 10_000

    text = _pdf_text(ARTIFACTS / "rooming-seoul-de.pdf")
    flat = " ".join(text.split())
    squashed = re.sub(r"\s+", "", _pdf_text(ARTIFACTS / "rooming-seoul-de.pdf", layout=False))  # names wrap in their cells
    # The hotel, its stay, and each room with its type, guests, arrival and departure.
    assert "Hotel (Platzhalter, nicht öffentlich)" in flat
    assert "Seoul, Südkorea (Platzhalter; Hotel nicht öffentlich)" in flat
    for expected in (
        "Keller, Stephan (Dr.)",
        "Diener, Wolfram",
        "Dolmetscher/in (Platzhalter)",
        "Einzelzimmer",
        "Zweibettzimmer",
        "1801",
        SEOUL_NOTE,
    ):
        assert re.sub(r"\s+", "", expected) in squashed, expected
    keller_row = next(line for line in text.splitlines() if "1801" in line)
    assert "Einzelzimmer" in keller_row and "14.10.2024" in keller_row and "16.10.2024" in keller_row
    twin_row = next(line for line in text.splitlines() if "Zweibettzimmer" in line and "2024" in line)
    assert "14.10.2024" in twin_row and "15.10.2024" in twin_row  # one night: departure the next morning
    assert "Mo., 14. Okt. 2024" in flat and "Mi., 16. Okt. 2024" in flat  # the stay, in the head
    assert re.search(r"Seite 1 von 1", flat)
    # Only this hotel; and nothing personal: no phone number, e-mail address or the other stay's rooms.
    assert CKG_NOTE not in flat and "Suite" not in flat
    for secret in ("7946", "555 0199", "@example.org", "ob-private"):
        assert secret not in flat, secret

    english_text = " ".join(_pdf_text(ARTIFACTS / "rooming-seoul-en.pdf").split())
    assert "Mon, 14 Oct 2024" in english_text and "Wed, 16 Oct 2024" in english_text
    assert "Keller,Stephan(Dr.)" in re.sub(r"\s+", "", english_text)
