"""The parts of ``make load`` that its verdict rests on, and one short real run.

The load test's claim "no lost update" is only worth something if its simulated
planner saves the way a browser does (the form as read, with its version) and
if its check would notice a save that went missing. Both are proved here
against the real application; the short run on PostgreSQL proves the whole
chain (gunicorn, locust, the check) still works.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.extensions import db
from planner.models import Appointment
from tests.conftest import BACKEND, DatabaseFactory, KellerSeeder, login, make_user

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS / "load"))
sys.path.insert(0, str(BENCHMARKS))

from forms import csrf_token, edit_form_fields  # noqa: E402
from harness import count_worker_crashes, prepare_database  # noqa: E402
from load import check_edits  # noqa: E402

__all__ = ["count_worker_crashes"]  # for the serving test, which crashes a real worker


@pytest.fixture
def keller(app: Flask, seed_keller: KellerSeeder) -> tuple[int, int]:
    seed_keller(app)
    with app.app_context():
        make_user(email="planner@example.org")
        db.session.commit()
        appointment = db.session.scalars(sa.select(Appointment).order_by(Appointment.id)).first()
        return appointment.delegation_id, appointment.id


def test_the_edit_form_as_read_saves_and_a_stale_copy_is_refused(
    app: Flask, client: FlaskClient, keller: tuple[int, int]
) -> None:
    delegation_id, appointment_id = keller
    login(client, "planner@example.org")
    url = f"/delegations/{delegation_id}/appointments/{appointment_id}/edit"
    fields = edit_form_fields(client.get(url).get_data(as_text=True))
    assert fields is not None and csrf_token(client.get(url).get_data(as_text=True))
    with app.app_context():
        before = db.session.get(Appointment, appointment_id)
        old = {
            "title": before.title,
            "start_at": before.start_at,
            "attendees": sorted(m.id for m in before.attendees),
            "version": before.version,
        }

    submitted = [(name, value + " [marker0001]" if name == "notes" else value) for name, value in fields]
    assert client.post(url, data=MultiDict(submitted)).status_code == 302

    with app.app_context():
        after = db.session.get(Appointment, appointment_id)
        # Everything the form showed came back unchanged; only the marker was added.
        assert after.notes.endswith("[marker0001]")
        assert (after.title, after.start_at, sorted(m.id for m in after.attendees)) == (
            old["title"],
            old["start_at"],
            old["attendees"],
        )
        assert after.version == old["version"] + 1
    # The same form again carries the old version: the second writer is told, nothing is overwritten.
    stale = [(name, value + " [marker0002]" if name == "notes" else value) for name, value in fields]
    assert client.post(url, data=MultiDict(stale)).status_code == 409
    with app.app_context():
        assert "[marker0002]" not in db.session.get(Appointment, appointment_id).notes


def test_the_check_finds_a_lost_update_and_a_refused_save_that_landed(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.new()
    prepared = prepare_database(url, tmp_path / "instance", planners=1, viewers=1)
    first, second = prepared.appointment_ids[:2]
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE appointments SET notes = :n WHERE id = :i"), {"n": "x [aaaaaaaaaa] [cccccccccc]", "i": first}
        )
    engine.dispose()
    acks, conflicts = tmp_path / "acks.jsonl", tmp_path / "conflicts.txt"
    acks.write_text(
        "\n".join(
            json.dumps(edit)
            for edit in [
                {"appointment_id": first, "marker": "[aaaaaaaaaa]"},  # saved and there
                {"appointment_id": second, "marker": "[bbbbbbbbbb]"},  # acknowledged, but missing: a lost update
            ]
        )
        + "\n"
    )
    conflicts.write_text("[cccccccccc]\n")  # refused with 409, yet in the database
    plan = {"delegation_id": prepared.keller_id, "ack_file": str(acks), "conflict_file": str(conflicts)}
    assert check_edits(url, plan) == (1, 1, 2)

    conflicts.write_text("")
    acks.write_text(json.dumps({"appointment_id": first, "marker": "[aaaaaaaaaa]"}) + "\n")
    assert check_edits(url, plan) == (0, 0, 1)


@pytest.mark.skipif(BACKEND != "postgresql", reason="the load runs against PostgreSQL; make test-postgres runs it")
def test_a_short_load_run_ends_without_errors_or_lost_updates(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "load.py"),
            "--users",
            "6",
            "--seconds",
            "8",
            "--workers",
            "2",
            "--results",
            str(tmp_path),
            "--slow-clients",
            "20",
            "--slow-seconds",
            "6",
            "--flood-seconds",
            "8",
            "--flood-parallel",
            "6",
        ],
        capture_output=True,
        text=True,
        timeout=420,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "PASS: no errors, no lost updates" in run.stdout
    (result_file,) = tmp_path.glob("load-*.json")
    result = json.loads(result_file.read_text())
    assert result["worker_crashes"] == 0 and result["pdf_flood"]["worker_crashes"] == 0
    assert result["lost_updates"] == 0 and result["errors"] == 0 and result["edits_acknowledged"] > 0
    assert result["requests"]["feed poll"]["requests"] > 0 and result["requests"]["programme (delegation page)"]["requests"] > 0
    assert result["slow_clients"]["passed"] and result["slow_clients"]["connections"] == 20
    flood = result["pdf_flood"]  # the PDF flood ran against gunicorn and the job worker, and the site kept answering
    assert flood["passed"] and flood["pdf_requests"].get("303", 0) > 0 and flood["healthz"]["answered"] > 0
