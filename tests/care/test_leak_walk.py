"""The leak walk (issue 15): planted personal data appears only on the carers' pages, for carers and admins.

With a travel profile planted for a member of the Keller trip, every route of
the app is fetched for every role (the route walk of tests/test_access.py:
anonymous, viewer, planner, a planner who is the trip's carer, admin), then
every feed audience, the member's personal page and contacts, every brief
audience as print view, one brief, the vehicle plan and the contact sheet as
PDF (pdftotext), the export-data file, and every log record the process wrote
meanwhile (the request log included). The walk's routes include the printed
sheets (rooming list, vehicle plan, contact sheet). Each carer's look is in
the read log; a planner without the care right gets 403 on the carers' pages.
The rooms page shows carers one value, the room preference, and logs that look.
"""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Audience, FeedToken, Member, PersonalDataRead
from tests.care.conftest import CARER_EMAIL, EXPIRY, EXPIRY_SHOWN, PLANTED, ROOM, make_carer, plant_profile
from tests.conftest import csrf_token, login
from tests.jobs import follow_pdf, running_worker
from tests.test_access import _cases, world  # noqa: F401  (world: the walk's fixture, one of everything a URL names)

ROLES = ["anonymous", "viewer", "planner", "carer", "admin"]  # the admin last: its POSTs may change accounts
EMAILS = {"viewer": "viewer@example.org", "planner": "planner@example.org", "carer": CARER_EMAIL, "admin": "admin@example.org"}
# The only pages that show the values, and only to the trip's carers (and admins).
VALUE_PAGES = {"care.member", "care.edit"}
# Pages that show carers (and admins) one value of it: the rooms page, each member's room preference.
PREFERENCE_PAGES = {"rooms.index": {ROOM}}
CARERS = {"carer", "admin"}
# The printed sheets as PDF, besides the brief: the vehicle plan of the walk's day and the contact sheet.
SHEET_PDFS = ("transport/2024-10-15/plan.pdf", "contacts/sheet.pdf")


def _leaks(content: str) -> list[str]:
    return [value for value in PLANTED if value in content]


def _client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role == "carer":
        login(client, CARER_EMAIL, teams=False)
    elif role != "anonymous":
        login(client, EMAILS[role])
    return client


def _url(rule: str, values: dict[str, object]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


@pytest.fixture
def walk(app: Flask, world: dict[str, object]) -> dict[str, object]:  # noqa: F811
    """The walk's world, a carer on the trip, the planted profile, and a feed link for every audience."""
    with app.app_context():
        member = db.session.get(Member, world["member_id"])
        assert member is not None
        person_id, delegation = member.person_id, member.delegation
        make_carer(delegation.id)
        plant_profile(person_id)
        feeds = {
            "member": FeedToken.issue(delegation, member, audience=Audience.MEMBER, locale="de"),
            "team": FeedToken.issue(delegation, None, audience=Audience.TEAM, locale="de"),
            "leadership": FeedToken.issue(delegation, None, audience=Audience.LEADERSHIP, locale="de"),
            "press": FeedToken.issue(delegation, None, audience=Audience.PRESS, locale="en"),
        }
        db.session.add_all(feeds.values())
        db.session.commit()
        return {**world, "planted_person_id": person_id, "feeds": {name: feed.token for name, feed in feeds.items()}}


def test_planted_values_appear_only_on_the_carers_pages(
    app: Flask, walk: dict[str, object], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    delegation_id, person_id = walk["delegation_id"], walk["planted_person_id"]
    problems: list[str] = []
    shown: dict[str, int] = dict.fromkeys(ROLES, 0)
    signed_in: dict[str, FlaskClient] = {}  # each role's client as the walk left it

    # 1. One brief as PDF, read back as text: first, while no render of the walk waits in the queue.
    if Path("/usr/bin/pdftotext").exists():
        # An account of its own, not one of the walk's roles.
        with app.app_context():
            make_carer(int(str(delegation_id)), "printer@example.org")
        printer = app.test_client()
        login(printer, "printer@example.org", teams=False)
        with running_worker(app):
            # The planted member's own brief: the one that would print their data if any brief did.
            response, _seen = follow_pdf(printer, f"/delegations/{delegation_id}/brief.pdf?audience=member&member={person_id}")
            sheets = [follow_pdf(printer, f"/delegations/{delegation_id}/{sheet}")[0] for sheet in SHEET_PDFS]
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        pdf = tmp_path / "member.pdf"
        pdf.write_bytes(response.data)
        pdf_text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        assert "Keller" in pdf_text and not _leaks(pdf_text), _leaks(pdf_text)
        for sheet, printed in zip(SHEET_PDFS, sheets, strict=True):
            assert printed.status_code == 200 and printed.mimetype == "application/pdf", sheet
            pdf.write_bytes(printed.data)
            sheet_text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
            squashed = re.sub(r"\s+", "", sheet_text)  # a value wrapped in a narrow cell is still a leak
            leaked = [value for value in PLANTED if value in sheet_text or re.sub(r"\s+", "", value) in squashed]
            assert "Seoul" in sheet_text and not leaked, (sheet, leaked)

    # 2. Every route, every role.
    for role in ROLES:
        client = _client(app, role)
        token = csrf_token(client, "/" if role != "anonymous" else "/auth/login")
        for endpoint, rule, method in _cases(app):
            url = _url(rule, walk)
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            content = response.get_data().decode("utf-8", "replace")
            leaked = _leaks(content)
            shows = endpoint in VALUE_PAGES and role in CARERS and method == "GET"
            may_show = PREFERENCE_PAGES.get(endpoint, set()) if role in CARERS and method == "GET" else set()
            if leaked and not shows and set(leaked) - may_show:
                problems.append(f"{role} {method} {url} ({response.status_code}) shows {leaked}")
            if may_show and set(leaked) != may_show:
                problems.append(f"{role} {method} {url}: {response.status_code}, shows {leaked}, expected {may_show}")
            if shows:
                # Every value; the expiry as the page writes it (a date on the page, ISO in the form's date field).
                dates = {EXPIRY_SHOWN, EXPIRY.isoformat()}
                if response.status_code != 200 or set(PLANTED) - dates - set(leaked) or not dates & set(leaked):
                    problems.append(f"{role} {method} {url}: {response.status_code}, shows {leaked} of the planted values")
                shown[role] += 1
            if endpoint.startswith("care.") and role in ("viewer", "planner") and response.status_code != 403:
                problems.append(f"{role} {method} {url}: {response.status_code}, expected 403 (no care right)")
            if endpoint == "auth.logout":
                client = _client(app, role)
                token = csrf_token(client, "/" if role != "anonymous" else "/auth/login")
        # The planted person's directory page, which the walk's ids need not name.
        directory = client.get(f"/directory/people/{person_id}")
        if _leaks(directory.get_data(as_text=True)):
            problems.append(f"{role}: the directory page of the planted person shows {_leaks(directory.get_data(as_text=True))}")
        signed_in[role] = client
    assert shown["carer"] == shown["admin"] == len(VALUE_PAGES)

    # 3. Feeds of every audience, the member's personal page and contacts (public: the token is the key).
    anonymous = app.test_client()
    feeds: dict[str, str] = walk["feeds"]  # type: ignore[assignment]
    for audience, feed in feeds.items():
        urls = [f"/feeds/{feed}.ics"]
        if audience == "member":
            urls += [f"/p/{feed}/", f"/p/{feed}/contacts.vcf", f"/p/{feed}/manifest.webmanifest", f"/p/{feed}/sw.js"]
            urls += [f"/p/{feed}/contacts/{person_id}.vcf"]
        for url in urls:
            response = anonymous.get(url)
            if _leaks(response.get_data().decode("utf-8", "replace")):
                problems.append(f"{audience} {url} ({response.status_code}) shows {_leaks(response.get_data(as_text=True))}")
        assert anonymous.get(f"/feeds/{feed}.ics").status_code == 200

    # 4. Every brief audience as print view, for the carer (who may see the data, but not in a brief).
    # The carer's client of the walk, still signed in (the status check below says so): a third sign-in
    # within half a minute would wait for the next step of the carer's authenticator, up to 30 s.
    carer = signed_in["carer"]
    queries = ["audience=full", "audience=press", f"audience=member&member={person_id}", "audience=full&lang=en"]
    queries += [f"{q}&edition=draft" for q in list(queries)]
    for query in queries:
        response = carer.get(f"/delegations/{delegation_id}/brief?{query}")
        assert response.status_code == 200, (query, response.status_code)
        if _leaks(response.get_data(as_text=True)):
            problems.append(f"brief {query} shows {_leaks(response.get_data(as_text=True))}")
    assert not problems, "\n".join(problems)

    # 5. The backup file (its encrypted part holds tokens only).
    export = tmp_path / "backup.json"
    result = app.test_cli_runner().invoke(args=["export-data", "-o", str(export)])
    assert result.exit_code == 0, result.output
    assert not _leaks(export.read_text(encoding="utf-8")) and not _leaks(result.output)
    assert '"travel_profiles"' in export.read_text(encoding="utf-8")

    # 6. Every log record of the walk, the request log included, with arguments and tracebacks.
    assert any(record.name == "planner.requests" for record in caplog.records)
    logged = caplog.text + "\n".join(str(record.__dict__) for record in caplog.records)
    assert not _leaks(logged), _leaks(logged)

    # 7. Each look of a carer (and admin) at the values is in the read log; nobody else's is.
    with app.app_context():
        rows = db.session.execute(
            sa.select(PersonalDataRead.user_email, sa.func.count())
            .where(
                PersonalDataRead.what == "profile",
                PersonalDataRead.person_id == person_id,
                PersonalDataRead.delegation_id == delegation_id,
            )
            .group_by(PersonalDataRead.user_email)
        ).all()
        readers = {email for (email,) in db.session.execute(sa.select(PersonalDataRead.user_email).distinct())}
        preference_reads = dict(
            db.session.execute(
                sa.select(PersonalDataRead.user_email, sa.func.count())
                .where(PersonalDataRead.what == "rooming", PersonalDataRead.person_id == person_id)
                .group_by(PersonalDataRead.user_email)
            ).all()
        )
    counts = dict(rows)
    # One entry per page that showed the values; briefs, sheets, feeds and the backup record none (they show none).
    assert counts == {CARER_EMAIL: shown["carer"], EMAILS["admin"]: shown["admin"]}
    assert preference_reads == {CARER_EMAIL: len(PREFERENCE_PAGES), EMAILS["admin"]: len(PREFERENCE_PAGES)}
    assert readers == {CARER_EMAIL, EMAILS["admin"]}
