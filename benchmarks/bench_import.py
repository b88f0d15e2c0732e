"""The .ics import of the hostile-but-allowed 2 MB files (issue 17): upload, worker parse, preview, confirm.

    .venv/bin/python benchmarks/bench_import.py

For each file of :mod:`ics_files` (every limit reached on every line) a fresh
SQLite database with the Keller trip; one planner's test client goes through
the three steps as the browser does. The upload request only keeps the file
(it is above ``IMPORT_INLINE_MAX_BYTES``); the job's function is then called
in this process, as the worker would run it, and so is the writing of the
500 confirmed items. The parse of a plain 2 MB calendar of 2,000 events
(icalendar alone, no limits: it has more events than an import takes) is the
reference the issue asks for; "ratio" is the three requests' total over it.
"""

from __future__ import annotations

import io
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import PASSWORD, describe_machine, machine, prepare_database, print_table, row  # noqa: E402
from ics_files import FILES  # noqa: E402

TARGET_SECONDS = 2.0


def _plain_reference() -> float:
    from planner.calendar.importing import _UploadCalendar

    text = FILES["plain-2000-events"]().decode()
    started = time.perf_counter()
    _UploadCalendar.from_ical(text, multiple=True)
    return time.perf_counter() - started


def _steps(name: str) -> dict[str, float]:
    import sqlalchemy as sa

    from planner import create_app
    from planner.calendar.import_jobs import parse_import, write_import
    from planner.extensions import db
    from planner.models import PendingImport

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        prepared = prepare_database(url, Path(folder) / "instance", planners=1, viewers=0)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_PATH": str(Path(folder) / "instance"),
                "SECRET_KEY": "benchmark-only",
                "WTF_CSRF_ENABLED": False,
            }
        )
        client = app.test_client()
        client.post("/auth/login", data={"email": prepared.planners[0], "password": PASSWORD})
        data = FILES[name]()
        figures: dict[str, float] = {}

        started = time.perf_counter()
        response = client.post(
            f"/delegations/{prepared.keller_id}/import",
            data={"file": (io.BytesIO(data), f"{name}.ics")},
            content_type="multipart/form-data",
        )
        figures["upload"] = time.perf_counter() - started
        preview_url = response.headers["Location"]
        with app.app_context():
            pending_id = db.session.scalars(sa.select(PendingImport.id)).one()
        started = time.perf_counter()
        with app.app_context():
            parse_import(pending_id, "de")
        figures["parse (worker)"] = time.perf_counter() - started

        started = time.perf_counter()
        preview = client.get(preview_url).get_data(as_text=True)
        figures["preview"] = time.perf_counter() - started
        if "Import-Vorschau" not in preview:
            raise SystemExit(f"{name}: no preview: {re.findall(r'role=.alert.>([^<]*)<', preview)}")

        started = time.perf_counter()
        done = client.post(preview_url + "/confirm")
        figures["confirm"] = time.perf_counter() - started
        if done.status_code != 302:
            raise SystemExit(f"{name}: confirm failed ({done.status_code})")
        started = time.perf_counter()
        with app.app_context():
            write_import(pending_id, "de")
        figures["write (worker)"] = time.perf_counter() - started
        landing = client.get(preview_url)
        if not landing.headers.get("Location", "").endswith(f"/delegations/{prepared.keller_id}"):
            raise SystemExit(f"{name}: the import did not finish")
        return figures


def run() -> list[dict[str, object]]:
    """The rows of ``make bench``'s import part: the three requests per hostile file, against the plain parse."""
    reference = _plain_reference()
    rows: list[dict[str, object]] = []
    for name in ("many-parameters", "many-categories"):
        figures = _steps(name)
        requests = sum(seconds for step, seconds in figures.items() if "worker" not in step)
        rows.append(
            row(
                f".ics import 2 MB, {name}, 3 requests",
                "Keller",
                round(requests, 3),
                "s",
                round(reference, 3),
                round(requests / reference, 2),
                f"≤ {TARGET_SECONDS:g} s (ratio: plain 2 MB parse)",
                requests <= TARGET_SECONDS,
                steps_s={step: round(seconds, 3) for step, seconds in figures.items()},
            )
        )
    return rows


def main() -> None:
    print_table(run())
    print("machine:", describe_machine(machine()))


if __name__ == "__main__":
    main()
