"""Ends on another local date carry their day (issue #13), and the member page shows a whole programme.

The Keller trip's inbound flight leaves Düsseldorf on Sunday, 13 October 2024 at 13:40 and lands in
Seoul on Monday at 08:55: under Sunday's heading, "→ 08:55 Seoul" alone reads as Sunday morning.
Every page that shows the arrival writes its day through ``planner.formatting.end_clock``.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.formatting import end_clock
from planner.models import Appointment, Delegation
from planner.timezones import to_local, to_utc
from tests.briefs.conftest import ensure_briefs

OVERNIGHT_ARRIVAL = "→ Mo., 14. Okt., 08:55 Seoul · 01:55 Düsseldorf"
SAME_DAY_ARRIVAL = "→ 16:40 Chongqing · 10:40 Düsseldorf"  # Seoul 14:00 -> Chongqing 16:40 on 16 October


def text_of(page: str) -> str:
    """A page's visible text, tags removed and blanks collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


@pytest.fixture
def app(app: Flask) -> Flask:
    """The root fixture, plus the briefs feature (the trip brief shows the end times too)."""
    return ensure_briefs(app)


def diener(app: Flask, keller: int) -> tuple[int, list[tuple[str, str, str | None]]]:
    """Wolfram Diener's member id and his appointments as (title, local end clock, venue)."""
    with app.app_context():
        delegation = db.session.get(Delegation, keller)
        assert delegation is not None
        member = next(m for m in delegation.members if m.person.name == "Wolfram Diener")
        ends = [
            (a.title, a.end_at.astimezone(ZoneInfo(a.timezone)).strftime("%H:%M"), a.venue)
            for a in delegation.appointments
            if member in a.attendees
        ]
        return member.id, ends


def test_trip_page_shows_the_day_of_an_overnight_arrival(planner: FlaskClient, keller: int) -> None:
    text = text_of(planner.get(f"/delegations/{keller}").get_data(as_text=True))
    assert OVERNIGHT_ARRIVAL in text
    assert SAME_DAY_ARRIVAL in text  # the same day: no date beside the clock


def test_member_page_shows_ends_places_and_arrivals(app: Flask, planner: FlaskClient, keller: int) -> None:
    member_id, appointments = diener(app, keller)
    response = planner.get(f"/delegations/{keller}/members/{member_id}")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert OVERNIGHT_ARRIVAL in text
    assert SAME_DAY_ARRIVAL in text
    assert "13:40 Düsseldorf → Mo., 14. Okt., 08:55 Seoul" in text  # departure, then arrival, each with its place
    assert appointments and any(venue for _title, _end, venue in appointments)  # the seed makes this a real test
    for title, end, venue in appointments:
        assert re.search(rf"bis {end} .*?{re.escape(title)}", text), title
        if venue:
            assert venue in text, venue
    assert "14:00 Seoul · 07:00 Düsseldorf" in text  # starts keep their home time


def test_brief_shows_the_day_of_an_overnight_arrival(planner: FlaskClient, keller: int) -> None:
    response = planner.get(f"/delegations/{keller}/brief")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "an Mo., 14. Okt., 08:55 Seoul · 01:55 Düsseldorf" in text
    assert "an 16:40 Chongqing · 10:40 Düsseldorf" in text


def test_timeline_tooltip_shows_the_day_of_an_overnight_arrival(planner: FlaskClient, keller: int) -> None:
    page = html.unescape(planner.get(f"/delegations/{keller}/timeline").get_data(as_text=True))
    assert 'title="13:40 Düsseldorf → Mo., 14. Okt., 08:55 Seoul"' in page
    assert 'title="14:00 Seoul → 16:40 Chongqing"' in page


def test_end_clock_names_the_day_only_when_it_differs(app: Flask) -> None:
    departs = datetime(2024, 10, 13, 11, 40, tzinfo=UTC)  # 13:40 in Düsseldorf, Sunday
    with app.test_request_context():
        assert end_clock(datetime(2024, 10, 13, 23, 55, tzinfo=UTC), "Asia/Seoul", departs, "Europe/Berlin") == (
            "Mo., 14. Okt., 08:55"
        )
        # Same local date at both ends, though UTC has moved on a day: no date.
        assert end_clock(datetime(2024, 10, 13, 14, 0, tzinfo=UTC), "Asia/Seoul", departs, "Europe/Berlin") == "23:00"
        # Westbound over the date line: landing on the local day before the departure's.
        seoul_morning = datetime(2024, 10, 15, 1, 0, tzinfo=UTC)  # 10:00 Tuesday in Seoul
        assert end_clock(datetime(2024, 10, 15, 1, 0, tzinfo=UTC), "America/Los_Angeles", seoul_morning, "Asia/Seoul") == (
            "Mo., 14. Okt., 18:00"
        )
        # Without a start (or in the start's own zone on its day) only the clock.
        assert end_clock(departs, "Europe/Berlin") == "13:40"
        assert end_clock(departs, "Europe/Berlin", departs) == "13:40"


def test_appointment_past_midnight_shows_the_day_it_ends(app: Flask, planner: FlaskClient, keller: int) -> None:
    """The internal briefing (20:00-21:00 Seoul, Monday) moved to end at 01:00 on Tuesday."""
    with app.app_context():
        item = db.session.scalars(sa.select(Appointment).where(Appointment.title == "Internes Briefing der Delegation")).one()
        assert to_local(item.start_at, item.timezone).strftime("%Y-%m-%d %H:%M") == "2024-10-14 20:00"
        item.end_at = to_utc(datetime(2024, 10, 15, 1, 0), item.timezone)
        db.session.commit()
        item_id = item.id
    page = text_of(planner.get(f"/delegations/{keller}/appointments/{item_id}").get_data(as_text=True))
    assert "20:00 Seoul · 13:00 Düsseldorf – Di., 15. Okt., 01:00" in page
    trip = text_of(planner.get(f"/delegations/{keller}").get_data(as_text=True))
    assert "bis Di., 15. Okt., 01:00" in trip
    assert "bis 15:30" in trip  # AIMMO, the same afternoon: no date
