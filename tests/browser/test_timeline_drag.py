"""Dragging an appointment on the Keller timeline in Chromium: the drop is saved as the move form saves it.

The mouse goes down on a block, moves and comes up, as a planner's would; the test then reads the
start from the database. Console errors fail the test: interact.js and the drag script run under the
app's real Content-Security-Policy.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from planner.extensions import db
from planner.models import Appointment, Delegation, ItemStatus, UserRole
from tests.browser.fixtures import LiveServer, sign_in
from tests.conftest import make_user


def _seoul_morning_appointment(server: LiveServer) -> tuple[int, int, datetime]:
    """A Seoul appointment that is one block on the timeline: trip id, its id, its start (UTC)."""
    with server.app.app_context():
        make_user(UserRole.PLANNER, "planerin@example.org")
        delegation_id = db.session.scalars(sa.select(Delegation.id)).one()
        appointment = db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.timezone == "Asia/Seoul", Appointment.status != ItemStatus.CANCELLED)
            .order_by(Appointment.start_at)
        ).first()
        assert appointment is not None
        return delegation_id, appointment.id, appointment.start_at


def _start_of(server: LiveServer, appointment_id: int) -> datetime:
    with server.app.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        assert appointment is not None
        return appointment.start_at


def _drag_down_one_hour(page, appointment_id: int) -> None:
    block = page.locator(f"#block-{appointment_id} .block")
    block.evaluate("element => element.scrollIntoView({block: 'center', inline: 'center'})")
    box = block.bounding_box()
    body = page.locator(f"#block-{appointment_id}").locator("xpath=ancestor::div[contains(@class, 'timeline__body')]")
    hour = body.bounding_box()["height"] / 24
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 8)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + hour / 2, steps=5)
    page.mouse.move(x, y + hour, steps=5)
    page.mouse.up()


def test_dragging_a_block_down_one_hour_moves_the_appointment_by_sixty_minutes(live_server: LiveServer, page) -> None:
    delegation_id, appointment_id, start = _seoul_morning_appointment(live_server)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "planerin@example.org")
    page.goto(f"{live_server.url}/delegations/{delegation_id}/timeline")

    with page.expect_navigation():  # saved: the timeline reloads with the server's result
        _drag_down_one_hour(page, appointment_id)
    page.wait_for_load_state()

    assert _start_of(live_server, appointment_id) == start + timedelta(minutes=60)
    # The move's own message, beside any travel-time hint the new time brings.
    assert page.locator(".flash--info", has_text="verschoben").count() == 1
    assert not errors, errors


def test_a_refused_drop_puts_the_block_back_and_says_why(live_server: LiveServer, page) -> None:
    delegation_id, appointment_id, start = _seoul_morning_appointment(live_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "planerin@example.org")
    page.goto(f"{live_server.url}/delegations/{delegation_id}/timeline")
    with live_server.app.app_context():  # another planner saves the appointment after the page was drawn
        db.session.get(Appointment, appointment_id).venue = "Vorstandsetage"
        db.session.commit()

    _drag_down_one_hour(page, appointment_id)

    message = page.locator("[data-drag-message]")
    message.wait_for(state="visible")
    assert "inzwischen" in message.inner_text()
    assert page.locator(".block--dragging").count() == 0
    assert page.locator(f"#block-{appointment_id} .block--placeholder").count() == 0
    assert _start_of(live_server, appointment_id) == start
    assert not errors, errors


def test_dragging_a_block_to_the_next_column_moves_it_one_day_at_the_same_time(live_server: LiveServer, page) -> None:
    delegation_id, appointment_id, start = _seoul_morning_appointment(live_server)
    sign_in(page, live_server, "planerin@example.org")
    page.goto(f"{live_server.url}/delegations/{delegation_id}/timeline")
    block = page.locator(f"#block-{appointment_id} .block")
    block.evaluate("element => element.scrollIntoView({block: 'center', inline: 'center'})")
    column = page.locator(".timeline__day", has=page.locator(f"#block-{appointment_id}"))
    following = column.locator("xpath=following-sibling::div[contains(@class, 'timeline__day')][1]")
    assert following.get_attribute("data-day") != column.get_attribute("data-day")  # a day in one place: one column
    box, target = block.bounding_box(), following.locator(".timeline__body").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 8)
    with page.expect_navigation():
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(target["x"] + target["width"] / 2, y, steps=10)
        page.mouse.up()
    page.wait_for_load_state()
    assert _start_of(live_server, appointment_id) == start + timedelta(days=1)
