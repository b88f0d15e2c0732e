"""The .ics import of hostile-but-allowed 2 MB files, through the HTTP routes (issue #17).

    .venv/bin/python benchmarks/bench_import.py

Creates a throwaway SQLite database with the Keller trip and a planner on its
team, and times, through the app's routes with the test client (signed in,
CSRF tokens from the pages): the upload (POST, answered with a redirect to the
preview), the preview page and the confirmation (POST), for files that the
import's limits allow (under 2 MiB, at most 500 events, no line over 32 KiB,
no folding, so the 20,000-line limit holds) and that make a parser work hard:

* **many parameters**: every event carries one ``X-`` property with about
  1,100 parameters;
* **many CATEGORIES values**: every event carries one CATEGORIES line with
  about 2,700 values.

Target: upload + preview + confirm at most 2 s each file (an absolute figure,
measured on the machine the output names). Informative floor: icalendar's
``Calendar.from_ical`` parsing a plain 2 MB calendar of 2,000 ordinary events,
timed in the same run. Whatever the import does (parse per step or once, in
the request or on the job queue) is what is measured: the confirmation must
end on the trip's page with the events in the database, or the row fails.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import icalendar  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from harness import describe_machine, machine, print_table, row  # noqa: E402

from planner import create_app  # noqa: E402
from planner.calendar import importing  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.models import Appointment, Delegation, TeamMember, User, UserRole  # noqa: E402
from planner.seed import load_seed  # noqa: E402

PASSWORD = "benchmark password, not used elsewhere"
EMAIL = "bench-import@example.org"
TARGET_SECONDS = 2.0
EVENTS = 240
LINE_CHARS = 8_000  # the long line of each event; well under the 32 KiB limit
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _calendar(events: list[str]) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Planner benchmark//DE\r\n" + "".join(events) + "END:VCALENDAR\r\n"
    ).encode()


def _event(uid: str, n: int, extra: str) -> str:
    # During the Keller trip's Seoul days, a different hour each, so nothing collides with the seed.
    day, hour = 14 + n % 3, 6 + (n // 3) % 14
    minute = (n * 7) % 60
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:Benchmark-Termin {n}\r\n"
        f"DTSTART;TZID=Asia/Seoul:202410{day:02d}T{hour:02d}{minute:02d}00\r\n"
        f"DTEND;TZID=Asia/Seoul:202410{day:02d}T{hour + 1:02d}{minute:02d}00\r\n"
        f"{extra}\r\nEND:VEVENT\r\n"
    )


def many_parameters() -> bytes:
    params = ";".join(f"P{i}=v" for i in range(LINE_CHARS // 7))[:LINE_CHARS].rsplit(";", 1)[0]
    return _calendar([_event(f"bench-params-{n}@example.org", n, f"X-BENCH-NOTE;{params}:x") for n in range(EVENTS)])


def many_categories() -> bytes:
    values = ",".join(f"k{i % 10}" for i in range(LINE_CHARS // 3))
    return _calendar([_event(f"bench-categories-{n}@example.org", n, f"CATEGORIES:{values}") for n in range(EVENTS)])


def plain_calendar(events: int = 2000) -> bytes:
    """An ordinary calendar of about 2 MB: ``events`` events with a paragraph of description each."""
    text = "Gespräch mit der Partnerstadt über Austauschprogramme, Wirtschaftsförderung und Termine. " * 9
    body = [
        f"BEGIN:VEVENT\r\nUID:plain-{n}@example.org\r\nSUMMARY:Termin {n}\r\nDTSTAMP:20241001T000000Z\r\n"
        f"DTSTART:20241015T{n % 24:02d}0000Z\r\nDURATION:PT1H\r\nLOCATION:Rathaus\r\n"
        f"DESCRIPTION:{text[:800]}\r\nEND:VEVENT\r\n"
        for n in range(events)
    ]
    return _calendar(body)


def _token(page: str) -> str:
    found = CSRF.search(page)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1) or found.group(2)


def _import(client, delegation_id: int, name: str, data: bytes) -> dict[str, float]:
    """Upload, preview, confirm; seconds per step (the form pages fetched beforehand are not counted)."""
    url = f"/delegations/{delegation_id}/import"
    token = _token(client.get(url).get_data(as_text=True))
    steps: dict[str, float] = {}
    start = time.perf_counter()
    answer = client.post(url, data={"csrf_token": token, "file": (BytesIO(data), name)}, content_type="multipart/form-data")
    steps["upload"] = time.perf_counter() - start
    if answer.status_code not in (302, 303):
        message = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True)))
        raise RuntimeError(f"upload of {name} answered {answer.status_code}: {message[:600]}")
    location = answer.headers["Location"]
    # A preview that waits for the job queue refreshes itself: follow it until it shows the confirm form.
    start = time.perf_counter()
    page = client.get(location)
    while page.status_code == 200 and "/confirm" not in page.get_data(as_text=True):
        if time.perf_counter() - start > 120:
            raise RuntimeError(f"no preview of {name} after 120 s")
        time.sleep(0.05)
        page = client.get(location)
    steps["preview"] = time.perf_counter() - start
    if page.status_code != 200:
        raise RuntimeError(f"preview of {name} answered {page.status_code}")
    html = page.get_data(as_text=True)
    confirm = re.search(r'action="([^"]*/confirm)"', html)
    if confirm is None:
        raise RuntimeError(f"no confirm form on the preview of {name}")
    start = time.perf_counter()
    done = client.post(confirm.group(1), data={"csrf_token": _token(html)})
    steps["confirm"] = time.perf_counter() - start
    if done.status_code not in (302, 303) or f"/delegations/{delegation_id}" not in done.headers["Location"]:
        raise RuntimeError(f"confirming {name} answered {done.status_code} to {done.headers.get('Location')}")
    return steps


def run() -> list[dict[str, Any]]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "benchmark-only",
            "TESTING": True,
        }
    )
    with app.app_context():
        db.create_all()
        load_seed(db.session)
        user = User(email=EMAIL, role=UserRole.PLANNER)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        keller = db.session.scalars(sa.select(Delegation.id).order_by(Delegation.id)).first()
        db.session.add(TeamMember(delegation_id=keller, user_id=user.id, may_edit=True))
        db.session.commit()
    client = app.test_client()
    answer = client.post(
        "/auth/login",
        data={"csrf_token": _token(client.get("/auth/login").get_data(as_text=True)), "email": EMAIL, "password": PASSWORD},
    )
    if answer.status_code != 302:
        raise SystemExit("could not sign in for the benchmark")

    plain = plain_calendar()
    icalendar.Calendar.from_ical(plain)  # warm-up
    floor_runs = []
    for _ in range(3):
        start = time.perf_counter()
        icalendar.Calendar.from_ical(plain)
        floor_runs.append(time.perf_counter() - start)
    floor = statistics.median(floor_runs)

    rows = []
    for figure, make, prefix in (
        ("many parameters", many_parameters, "bench-params-"),
        ("many CATEGORIES values", many_categories, "bench-categories-"),
    ):
        data = make()
        assert len(data) <= importing.MAX_BYTES, (figure, len(data))
        steps = _import(client, keller, f"{prefix}hostile.ics", data)
        with app.app_context():
            imported = db.session.scalar(
                sa.select(sa.func.count()).select_from(Appointment).where(Appointment.uid.like(f"{prefix}%"))
            )
        if imported != EVENTS:
            raise RuntimeError(f"{figure}: {imported} of {EVENTS} events in the database after the import")
        total = sum(steps.values())
        rows.append(
            row(
                f".ics import, 2 MB, {figure}: upload+preview+confirm",
                "Keller",
                round(total, 3),
                "s",
                round(floor, 3),
                round(total / floor, 2),
                f"≤ {TARGET_SECONDS:g} s (ratio: plain 2 MB parse)",
                total <= TARGET_SECONDS,
                file_bytes=len(data),
                events=EVENTS,
                steps_s={step: round(seconds, 3) for step, seconds in steps.items()},
                floor_bytes=len(plain),
                floor_runs_s=[round(t, 3) for t in floor_runs],
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    print_table(run())
    print("machine:", describe_machine(machine()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
