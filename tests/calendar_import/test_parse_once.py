"""Issue 17, the .ics import: parsed once, limits that keep any allowed file fast, large files on the job queue.

The parse count is taken by a wrapper around the real :func:`parse_ics` (it
still parses); large files go through Huey's real consumer (tests/jobs.py).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from benchmarks import ics_files
from planner.calendar import import_plan, importing
from planner.extensions import db
from planner.models import Appointment, ChangeRecord, ImportState, Journey, PendingImport, UserRole
from tests.conftest import csrf_token, login, make_user
from tests.jobs import running_worker

BOOKING = Path(__file__).parent / "files" / "travel-agency-booking.ics"
HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Planner tests//DE\r\n"
TAIL = "END:VCALENDAR\r\n"


def calendar(*events: str) -> bytes:
    return (HEAD + "".join(events) + TAIL).encode()


def event(uid: str, *lines: str, summary: str = "Termin") -> str:
    body = "".join(line + "\r\n" for line in lines)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\n"
        f"DTSTART;TZID=Asia/Seoul:20241015T090000\r\nDURATION:PT1H\r\n{body}END:VEVENT\r\n"
    )


def large_booking(count: int = 40, notes: int = 0) -> bytes:
    """``count`` ordinary events in Seoul, 20 minutes apart on the trip's days, each with ``notes`` characters of notes."""
    events = []
    for index in range(count):
        day, slot = 14 + index % 5, index // 5
        start = f"202410{day}T{6 + slot // 3:02d}{slot % 3 * 20:02d}00"
        text = ("Unterlagen\\, Ansprechpartner und Anfahrt. " * (notes // 40 + 1))[:notes]
        events.append(
            f"BEGIN:VEVENT\r\nUID:large-{index}@test\r\nSUMMARY:Gespräch {index}\r\nLOCATION:Seoul City Hall {index}\r\n"
            f"DTSTART;TZID=Asia/Seoul:{start}\r\nDURATION:PT15M\r\n"
            + ("DESCRIPTION:" + "\r\n ".join(text[i : i + 70] for i in range(0, len(text), 70)) + "\r\n" if notes else "")
            + "END:VEVENT\r\n"
        )
    return calendar(*events)


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every call of the real parse_ics (whatever calls it: a view, the job worker) appends the file's size."""
    calls: list[int] = []
    real = importing.parse_ics

    def counting(data: bytes, **kwargs: Any) -> list[importing.ImportItem]:
        calls.append(len(data))
        return real(data, **kwargs)

    monkeypatch.setattr(importing, "parse_ics", counting)
    return calls


@pytest.fixture
def small_inline(app: Flask) -> Iterator[None]:
    """Keep the files of these tests small: anything above 4 KiB is 'large' and goes to the queue."""
    app.config["IMPORT_INLINE_MAX_BYTES"] = 4 * 1024
    yield


def upload(client: FlaskClient, delegation_id: int, data: bytes, name: str = "buchung.ics"):
    token = csrf_token(client, f"/delegations/{delegation_id}/import")
    return client.post(
        f"/delegations/{delegation_id}/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(client: FlaskClient, preview_url: str):
    token = csrf_token(client, f"/delegations/{preview_url.split('/')[2]}/import")
    return client.post(preview_url + "/confirm", data={"csrf_token": token})


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count(Appointment.id))),
            db.session.scalar(sa.select(sa.func.count(Journey.id))),
            db.session.scalar(sa.select(sa.func.count(PendingImport.id))),
        )


# -- parsed once -------------------------------------------------------------------------------


def test_a_small_file_is_parsed_once_in_upload_preview_and_confirm(
    app: Flask, client: FlaskClient, keller: int, parse_calls: list[int]
) -> None:
    login(client, "planner@example.org")
    data = BOOKING.read_bytes()
    before = counts(app)
    response = upload(client, keller, data)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    assert parse_calls == [len(data)], "the upload parses the file"
    for _ in range(2):  # the preview, looked at twice
        preview = client.get(preview_url).get_data(as_text=True)
        assert preview.count(">neu<") == 3
    done = confirm(client, preview_url)
    assert done.status_code == 302 and "Import abgeschlossen: 3 neu" in client.get(done.headers["Location"]).get_data(
        as_text=True
    )
    assert parse_calls == [len(data)], "preview and confirmation use the stored items"
    after = counts(app)
    assert sum(after[:2]) == sum(before[:2]) + 3 and after[2] == 0


def test_confirm_matches_the_stored_items_against_the_database_again(app: Flask, client: FlaskClient, keller: int) -> None:
    """Between preview and confirmation another upload imported the same UIDs: the second import updates, not duplicates."""
    login(client, "planner@example.org")
    first = upload(client, keller, BOOKING.read_bytes()).headers["Location"]
    second = upload(client, keller, BOOKING.read_bytes()).headers["Location"]
    assert client.get(second).get_data(as_text=True).count(">neu<") == 3
    before = counts(app)
    confirm(client, first)
    after_first = counts(app)
    assert sum(after_first[:2]) == sum(before[:2]) + 3
    done = confirm(client, second)
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Import abgeschlossen: 0 neu, 0 aktualisiert, 3 unverändert." in page
    assert counts(app)[:2] == after_first[:2]


def test_the_stored_items_are_the_parsed_items(app_ctx: Flask) -> None:
    """Everything the preview and the import use comes back from the stored JSON exactly (DST notes, all-day, journeys)."""
    data = calendar(
        event("plain@test"),
        "BEGIN:VEVENT\r\nUID:twice@test\r\nSUMMARY:Nachtzug\r\nDTSTART;TZID=Europe/Berlin:20241027T023000\r\n"
        "DURATION:PT30M\r\nSTATUS:TENTATIVE\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:gap@test\r\nSUMMARY:Früh\r\nDTSTART;TZID=Europe/Berlin:20240331T023000\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:day@test\r\nSUMMARY:Feiertag\r\nDTSTART;VALUE=DATE:20241016\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:flight@test\r\nSUMMARY:LH 712 Düsseldorf → Seoul\r\nDESCRIPTION:Sitz 3A\\nGepäck 2 Stück\r\n"
        "DTSTART;TZID=W. Europe Standard Time:20241013T134000\r\nDTEND;TZID=Asia/Seoul:20241014T085500\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:floating@test\r\nSUMMARY:Ohne Zone\r\nDTSTART:20241015T100000\r\nEND:VEVENT\r\n",
    )
    items = importing.parse_ics(data, fallback_zone_for=lambda _wall: "Asia/Seoul")
    assert any(item.time_notes for item in items) and any(item.all_day for item in items)
    assert any(item.is_journey for item in items) and any(item.floating for item in items)
    assert import_plan.load(import_plan.dump(items)) == items


@pytest.mark.parametrize("stored", ['{"format": 0, "items": []}', "{", None, '{"format": 1, "items": [{"uid": 1}]}'])
def test_a_plan_this_release_cannot_read_is_stale(stored: str | None) -> None:
    with pytest.raises(import_plan.StalePlan):
        import_plan.load(stored)


# -- whose plan, and when it is gone ---------------------------------------------------------------


def test_another_users_plan_is_404_and_a_gone_plan_says_so(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "planner@example.org")
    preview_url = upload(client, keller, BOOKING.read_bytes()).headers["Location"]
    key = preview_url.rsplit("/", 1)[1]
    with app.app_context():
        make_user(UserRole.PLANNER, "second@example.org")
    other = app.test_client()
    login(other, "second@example.org")
    assert other.get(preview_url).status_code == 404
    token = csrf_token(other, f"/delegations/{keller}/import")
    assert other.post(preview_url + "/confirm", data={"csrf_token": token}).status_code == 404
    assert other.post(preview_url + "/discard", data={"csrf_token": token}).status_code == 404
    viewer = app.test_client()
    login(viewer, "viewer@example.org")
    assert viewer.get(preview_url).status_code == 403

    # Lapsed: a clear message, back at the upload; confirming it imports nothing.
    with app.app_context():
        pending = db.session.scalars(sa.select(PendingImport).where(PendingImport.key == key)).one()
        pending.expires_at = pending.created_at - timedelta(seconds=1)
        db.session.commit()
    before = counts(app)
    for answer in (lambda: client.get(preview_url), lambda: confirm(client, preview_url)):
        response = answer()
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/delegations/{keller}/import")
        assert "Dieser Import ist nicht mehr vorhanden" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert counts(app) == before

    # A key nobody ever had: the same message (it cannot be told from a lapsed one).
    unknown = client.get(f"/delegations/{keller}/import/{'x' * 32}")
    assert unknown.status_code == 302 and unknown.headers["Location"].endswith("/import")


def test_a_plan_of_an_older_release_asks_for_the_file_again(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, "planner@example.org")
    preview_url = upload(client, keller, BOOKING.read_bytes()).headers["Location"]
    with app.app_context():
        db.session.execute(sa.update(PendingImport).values(plan='{"format": 0}'))
        db.session.commit()
    before = counts(app)
    response = confirm(client, preview_url)
    assert response.status_code == 302
    assert "Bitte laden Sie die Datei erneut hoch." in client.get(response.headers["Location"]).get_data(as_text=True)
    response = client.get(preview_url)
    assert "Bitte laden Sie die Datei erneut hoch." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert counts(app)[:2] == before[:2]


# -- limits --------------------------------------------------------------------------------------


def _parameters(count: int) -> str:
    return "".join(f";X-P{index}=a" for index in range(count))


OVER_THE_LIMITS: list[tuple[str, Callable[[], bytes], str]] = [
    (
        "parameters-per-property",
        lambda: calendar(event("p@test", "X-HOSTILE" + _parameters(importing.MAX_PARAMETERS + 1) + ":v")),
        f"hat {importing.MAX_PARAMETERS + 1} Parameter; erlaubt sind höchstens {importing.MAX_PARAMETERS}",
    ),
    (
        "parameter-values-count-too",
        lambda: calendar(event("pv@test", "ATTENDEE;MEMBER=" + ",".join(['"mailto:a@b"'] * 30) + ":mailto:x@y")),
        f"erlaubt sind höchstens {importing.MAX_PARAMETERS}",
    ),
    (
        "parameters-on-a-line-the-reader-uses",
        lambda: calendar(
            "BEGIN:VEVENT\r\nUID:d@test\r\nDTSTART"
            + _parameters(importing.MAX_PARAMETERS)
            + ";TZID=Asia/Seoul:20241015T090000\r\n"
            "END:VEVENT\r\n"
        ),
        "(DTSTART) hat 21 Parameter",
    ),
    (
        "categories-values",
        lambda: calendar(event("c@test", "CATEGORIES:" + ",".join(["a"] * 5000))),
        f"(CATEGORIES) hat 5000 Werte; erlaubt sind höchstens {importing.MAX_VALUES}",
    ),
    (
        "rrule-values",
        lambda: calendar(event("r@test", "RRULE:FREQ=YEARLY;BYMONTHDAY=" + ",".join(["1"] * 200))),
        f"(RRULE) hat 201 Werte; erlaubt sind höchstens {importing.MAX_VALUES}",
    ),
    (
        "properties-per-component",
        lambda: calendar(event("x@test", *(["X-NOTE:a"] * (importing.MAX_PROPERTIES + 1)))),
        f"Der Eintrag VEVENT hat bei Zeile {importing.MAX_PROPERTIES + 5} mehr als {importing.MAX_PROPERTIES} Angaben",
    ),
    (
        "components-per-file",
        lambda: calendar(event("many@test", *(["BEGIN:VALARM", "END:VALARM"] * importing.MAX_COMPONENTS))),
        f"mehr als {importing.MAX_COMPONENTS} Einträge",
    ),
    (
        "timezone-lines",
        lambda: calendar(
            "BEGIN:VTIMEZONE\r\nTZID:Lang\r\n"
            + "".join(
                f"BEGIN:STANDARD\r\nDTSTART:19{index % 100:02d}1027T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
                + "TZNAME:X\r\n" * 30
                + "END:STANDARD\r\n"
                for index in range(70)
            )
            + "END:VTIMEZONE\r\n",
            event("tz@test"),
        ),
        f"mehr als {importing.MAX_TIMEZONE_LINES} Zeilen",
    ),
]


@pytest.mark.parametrize(("data", "message"), [pytest.param(make, text, id=name) for name, make, text in OVER_THE_LIMITS])
def test_a_file_over_a_limit_is_refused_by_name_and_nothing_is_written(
    app: Flask, client: FlaskClient, keller: int, data: Callable[[], bytes], message: str
) -> None:
    app.config["IMPORT_INLINE_MAX_BYTES"] = importing.MAX_BYTES  # parsed in the request: the message comes back at once
    login(client, "planner@example.org")
    before = counts(app)
    response = upload(client, keller, data())
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text, re.findall(r'flash--error" role="alert">([^<]*)<', text)
    assert counts(app) == before


@pytest.mark.parametrize("name", ["many-parameters", "many-categories"])
def test_hostile_but_allowed_2_mb_files_are_imported(app_ctx: Flask, name: str) -> None:
    """Every limit reached on every line, 2 MB: allowed, and read completely.

    These are the files of `make bench`'s import rows (benchmarks/ics_files.py), which hold the time
    of upload + preview + confirm to two seconds; here only that they stay within the limits.
    """
    data = ics_files.FILES[name]()
    assert len(data) > 2_000_000
    items = importing.parse_ics(data, fallback_zone_for=lambda _wall: "Asia/Seoul")
    assert len(items) == importing.MAX_ITEMS


def test_lines_left_out_do_not_change_what_is_read(app_ctx: Flask) -> None:
    """Parameters and properties the reader does not use are checked but not parsed: the item is the same."""
    lean = calendar(event("same@test", "LOCATION:Rathaus"))
    rich = calendar(
        "BEGIN:VEVENT\r\nUID:same@test\r\nSUMMARY;LANGUAGE=de:Termin\r\nX-WR-ALT:1\r\n"
        'DTSTART;X-FOO="a;b:c";TZID=Asia/Seoul:20241015T090000\r\nDURATION:PT1H\r\n'
        'LOCATION;ALTREP="http://example.org/a:b":Rathaus\r\nCATEGORIES:A,B,C\r\n'
        "ATTENDEE;CN=Erika;ROLE=REQ-PARTICIPANT:mailto:erika@example.org\r\n"
        "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nACTION:DISPLAY\r\nDESCRIPTION:Erinnerung\r\nEND:VALARM\r\nEND:VEVENT\r\n"
    )
    zone = {"fallback_zone_for": lambda _wall: "Europe/Berlin"}
    assert importing.parse_ics(rich, **zone) == importing.parse_ics(lean, **zone)


# -- large files on the job queue -----------------------------------------------------------------


def _follow_progress(client: FlaskClient, preview_url: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(preview_url)
        if response.status_code != 200:
            return response.headers["Location"]
        text = response.get_data(as_text=True)
        if 'http-equiv="refresh"' not in text:
            return text
        time.sleep(0.2)
    raise AssertionError("the import stayed on its progress page")


def test_a_large_file_is_parsed_by_the_job_worker_behind_a_progress_page(
    app: Flask, client: FlaskClient, keller: int, parse_calls: list[int], small_inline: None
) -> None:
    login(client, "planner@example.org")
    data = large_booking()
    assert len(data) > app.config["IMPORT_INLINE_MAX_BYTES"]
    before = counts(app)
    response = upload(client, keller, data, "gross.ics")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    assert parse_calls == [], "the request does not parse a large file"

    # No worker yet: the progress page, refreshing itself; confirming now imports nothing.
    progress = client.get(preview_url)
    text = progress.get_data(as_text=True)
    assert progress.status_code == 200 and 'http-equiv="refresh"' in text and 'data-state="queued"' in text
    assert "Datei wird gelesen" in text and "gross.ics" in text and "no-store" in progress.headers["Cache-Control"]
    assert confirm(client, preview_url).headers["Location"].endswith(preview_url)
    assert counts(app)[:2] == before[:2]

    with running_worker(app):
        preview = _follow_progress(client, preview_url)
    assert preview.count(">neu<") == 40 and "Import-Vorschau" in preview
    assert parse_calls == [len(data)], "parsed once, by the worker"
    with app.app_context():
        pending = db.session.scalars(sa.select(PendingImport)).one()
        assert pending.state == ImportState.READY and pending.content is None, "the file is not kept once parsed"

    # Forty items are more than this test lets a request write: the worker writes them, behind the same page.
    app.config["IMPORT_INLINE_MAX_ITEMS"] = 10
    done = confirm(client, preview_url)
    assert done.status_code == 302 and done.headers["Location"].endswith(preview_url)
    progress = client.get(preview_url).get_data(as_text=True)
    assert "Einträge werden importiert" in progress and 'data-state="importing"' in progress
    assert counts(app)[:2] == before[:2], "nothing written in the request"
    assert client.post(preview_url + "/discard", data={"csrf_token": csrf_token(client, preview_url)}).status_code == 302
    with running_worker(app):
        landing = _follow_progress(client, preview_url)
    assert landing.endswith(f"/delegations/{keller}")
    assert "Import abgeschlossen: 40 neu, 0 aktualisiert, 0 unverändert." in client.get(landing).get_data(as_text=True)
    assert counts(app) == (before[0] + 40, before[1], before[2]), "imported, and the upload is gone"
    assert parse_calls == [len(data)]
    with app.app_context():
        imported = db.session.scalars(
            sa.select(ChangeRecord).filter_by(entity="appointments", action="create").order_by(ChangeRecord.id)
        ).all()
        assert len(imported) >= 40 and imported[-1].user_email == "planner@example.org", "the uploader, as in the request"


@pytest.mark.parametrize("locale", ["de", "en"])
def test_a_large_file_the_worker_refuses_says_why_and_writes_nothing(
    app: Flask, client: FlaskClient, keller: int, small_inline: None, locale: str
) -> None:
    login(client, "planner@example.org")
    if locale == "en":
        client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, f"/delegations/{keller}/import")})
    bad = large_booking().replace(b"UID:large-7@test", b"UID:large-3@test")
    before = counts(app)
    preview_url = upload(client, keller, bad).headers["Location"]
    with running_worker(app):
        location = _follow_progress(client, preview_url)
    page = client.get(location).get_data(as_text=True)
    expected = "kommt in der Datei mehrfach vor" if locale == "de" else "appears more than once in the file"
    assert expected in page, re.findall(r'role="alert">([^<]*)<', page)
    assert counts(app) == (before[0], before[1], before[2]), "nothing imported, the refused upload is gone"
