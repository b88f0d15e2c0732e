"""Markup that someone types into a text field is shown as that text, everywhere.

A planner pastes `<script>` from an e-mail, a company is called "Smith & <Sons>":
every page must show those characters and never run or render them, the
printed brief must print them, and calendar apps must get them verbatim (an
.ics is plain text: escaping it as HTML would show "&lt;" in Outlook).
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime
from html import unescape
from pathlib import Path

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Member, Organization, OrganizationKind, Person
from tests.conftest import login, make_appointment, make_city, make_delegation, make_user
from tests.jobs import follow_pdf, running_worker

MARKUP = '<script>alert("x")</script><b>fett</b> & <img src=x onerror=alert(1)>'
# What must never reach a page unescaped: a live element from the payload.
LIVE = ("<script>alert", "<b>fett</b>", "<img src=x")


def fields(label: str) -> str:
    """The payload with a label, so a test can tell which field a hit came from."""
    return f"{label} {MARKUP}"


@pytest.fixture
def trip(app: Flask) -> dict[str, int]:
    with app.app_context():
        seoul = make_city("Seoul", "Asia/Seoul", "KR")
        delegation = make_delegation(title=fields("Reise"))
        delegation.purpose = fields("Zweck")
        organization = Organization(name=fields("Firma"), kind=OrganizationKind.COMPANY, profile=fields("Profil"))
        person = Person(
            family_name=fields("Person"), function=fields("Funktion"), organization=organization, phone="+44 20 7946 0001"
        )
        member = Member(delegation=delegation, person=person, function=fields("Rolle"))
        db.session.add_all([organization, person, member])
        appointment = make_appointment(
            delegation,
            datetime(2024, 10, 15, 10),
            city=seoul,
            title=fields("Termin"),
            venue=fields("Ort"),
            address=fields("Adresse"),
            objectives=fields("Ziele"),
            talking_points=fields("Punkte"),
            background=fields("Hintergrund"),
            notes=fields("Hinweise"),
            organization=organization,
            contact_person=person,
        )
        appointment.attendees = [member]
        make_user(email="planner@example.org")
        db.session.commit()
        return {
            "delegation": delegation.id,
            "appointment": appointment.id,
            "member": member.id,
            "organization": organization.id,
            "person": person.id,
        }


@pytest.fixture
def planner(client: FlaskClient, trip: dict[str, int]) -> FlaskClient:
    login(client, "planner@example.org")
    return client


def pages(trip: dict[str, int]) -> list[str]:
    d = trip["delegation"]
    return [
        "/",
        f"/delegations/{d}",
        f"/delegations/{d}/timeline",
        f"/delegations/{d}/appointments/{trip['appointment']}",
        f"/delegations/{d}/appointments/{trip['appointment']}/edit",
        f"/delegations/{d}/members/{trip['member']}",
        f"/delegations/{d}/history",
        f"/delegations/{d}/brief",
        f"/directory/organizations/{trip['organization']}",
        f"/directory/people/{trip['person']}",
        "/search?q=fett",
    ]


def test_every_page_shows_markup_as_text(planner: FlaskClient, trip: dict[str, int]) -> None:
    for path in pages(trip):
        response = planner.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        for live in LIVE:
            assert live not in body, f"{path} renders {live!r} as markup"
        # Shown, not dropped: read as text (entities resolved), the payload is on the page.
        assert MARKUP in unescape(body), path


def test_the_printed_brief_prints_the_characters(app: Flask, planner: FlaskClient, trip: dict[str, int], tmp_path: Path) -> None:
    with running_worker(app):
        response, _seen = follow_pdf(planner, f"/delegations/{trip['delegation']}/brief.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squashed = re.sub(r"\s+", "", text)
    for label in ("Reise", "Termin", "Ziele", "Firma"):
        assert re.sub(r"\s+", "", fields(label)) in squashed, label


def test_calendars_carry_the_text_verbatim(planner: FlaskClient, trip: dict[str, int]) -> None:
    response = planner.get(f"/delegations/{trip['delegation']}/calendar.ics")
    assert response.status_code == 200
    assert "&lt;" not in response.get_data(as_text=True)
    calendar = icalendar.Calendar.from_ical(response.data)
    (event,) = [e for e in calendar.walk("VEVENT") if "Termin" in str(e["SUMMARY"])]
    assert fields("Termin") in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == f"{fields('Ort')}, {fields('Adresse')}"
    description = str(event["DESCRIPTION"])
    for label in ("Ziele", "Punkte", "Hinweise", "Firma"):
        assert fields(label) in description, label
