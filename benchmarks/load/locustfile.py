"""The simulated users of ``make load`` (run by benchmarks/load.py; not on its own).

Three kinds of user, in the proportions of a trip's busy week:

* planners (3 in 10) read the programme and edit appointments: each edit
  opens the form, appends a unique marker to the internal notes and saves
  with the form's version, as a browser would. Every save the planner
  acknowledges (the redirect after saving) is written to the acknowledgement
  file; a 409 is the planner being told that someone else saved first, which
  is the intended answer and not an error;
* viewers (4 in 10) read the programme, the timeline and single appointments;
* calendar clients (3 in 10) poll the trip's feed, sending the ETag they got
  last (a 304 when nothing changed), as Outlook, Apple and Google do.

The plan (accounts, ids, the feed token, the acknowledgement file) comes as
JSON in the environment variable ``PLANNER_LOAD_PLAN``.
"""

from __future__ import annotations

import json
import os
import random
import sys
import uuid
from pathlib import Path
from typing import ClassVar

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from forms import csrf_token, edit_form_fields

PLAN = json.loads(os.environ["PLANNER_LOAD_PLAN"])
DELEGATION = f"/delegations/{PLAN['delegation_id']}"
# Think time of someone clicking briskly through a programme; calendar clients poll far less
# often in reality, here as often as the others so the feed carries a real share of the load.
THINK = between(0.2, 1.0)


class SignedIn(HttpUser):
    abstract = True
    wait_time = THINK
    accounts: ClassVar[list[str]] = []

    def on_start(self) -> None:
        email = random.choice(self.accounts)
        page = self.client.get("/auth/login", name="sign-in page")
        answer = self.client.post(
            "/auth/login",
            data={"csrf_token": csrf_token(page.text), "email": email, "password": PLAN["password"]},
            allow_redirects=False,
            name="sign in",
        )
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in as {email} answered {answer.status_code}")

    @task(3)
    def programme(self) -> None:
        self.client.get(DELEGATION, name="programme (delegation page)")


class Planner(SignedIn):
    weight = 3
    accounts = PLAN["planners"]

    @task(2)
    def edit_appointment(self) -> None:
        appointment_id = random.choice(PLAN["appointment_ids"])
        url = f"{DELEGATION}/appointments/{appointment_id}/edit"
        page = self.client.get(url, name="edit form")
        fields = edit_form_fields(page.text) if page.status_code == 200 else None
        if fields is None:
            return  # counted as a failure by its status, or the form is missing (then the check below says so)
        marker = f"[{uuid.uuid4().hex[:10]}]"
        data = [(name, value + " " + marker if name == "notes" else value) for name, value in fields]
        if not any(name == "notes" for name, _ in data):
            data.append(("notes", marker))
        with self.client.post(url, data=data, allow_redirects=False, name="save appointment", catch_response=True) as answer:
            if answer.status_code == 302:
                with open(PLAN["ack_file"], "a", encoding="utf-8") as acks:
                    acks.write(json.dumps({"appointment_id": appointment_id, "marker": marker}) + "\n")
                answer.success()
            elif answer.status_code == 409:
                # Someone saved this appointment since the form was opened: the planner sees both versions.
                with open(PLAN["conflict_file"], "a", encoding="utf-8") as conflicts:
                    conflicts.write(marker + "\n")
                answer.success()
            else:
                answer.failure(f"save answered {answer.status_code}")


class Viewer(SignedIn):
    weight = 4
    accounts = PLAN["viewers"]

    @task(1)
    def timeline(self) -> None:
        self.client.get(f"{DELEGATION}/timeline", name="timeline")

    @task(1)
    def appointment(self) -> None:
        appointment_id = random.choice(PLAN["appointment_ids"])
        self.client.get(f"{DELEGATION}/appointments/{appointment_id}", name="appointment page")


class CalendarClient(HttpUser):
    weight = 3
    wait_time = THINK

    def on_start(self) -> None:
        self.etag: str | None = None

    @task
    def poll(self) -> None:
        headers = {"If-None-Match": self.etag} if self.etag else {}
        with self.client.get(
            f"/feeds/{PLAN['feed_token']}.ics", headers=headers, name="feed poll", catch_response=True
        ) as answer:
            if answer.status_code == 200 and answer.content.startswith(b"BEGIN:VCALENDAR"):
                self.etag = answer.headers.get("ETag")
                answer.success()
            elif answer.status_code == 304 and self.etag:
                answer.success()
            else:
                answer.failure(f"feed answered {answer.status_code}")
