"""The time-zone selects regroup in the browser when the city (or the country) changes."""

from __future__ import annotations

import sqlalchemy as sa

from planner.extensions import db
from planner.models import Delegation, UserRole
from planner.timezones import zones_of_country
from tests.browser.fixtures import LiveServer, sign_in
from tests.browser.record_select import choose
from tests.conftest import make_user


def groups(page, select_id: str) -> list[tuple[str, list[str]]]:
    """The option groups of the select, in order: (label, values)."""
    return page.eval_on_selector(
        f"#{select_id}",
        "s => Array.from(s.querySelectorAll('optgroup')).map(g => [g.label, Array.from(g.children).map(o => o.value)])",
    )


def test_appointment_zone_select_follows_the_chosen_city(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        make_user(UserRole.PLANNER, "planerin@example.org")
        delegation_id = db.session.scalars(sa.select(Delegation.id)).one()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, "planerin@example.org")

    page.goto(f"{live_server.url}/delegations/{delegation_id}/appointments/new?day=2024-10-15")
    assert groups(page, "timezone")[0] == ["Zeitzonen in Südkorea", list(zones_of_country("KR"))]

    choose(page, "Stadt", "Düsseldorf")
    first, others = groups(page, "timezone")
    assert first == ["Zeitzonen in Deutschland", list(zones_of_country("DE"))]
    assert others[0] == "Alle anderen Zeitzonen" and "Asia/Seoul" in others[1] and "Europe/Berlin" not in others[1]
    assert page.input_value("#timezone") == ""  # still "the city's zone"

    # A zone chosen by hand stays chosen when the city changes.
    page.select_option("#timezone", "Asia/Tokyo")
    choose(page, "Stadt", "Chongqing")
    assert groups(page, "timezone")[0] == ["Zeitzonen in China", list(zones_of_country("CN"))]
    assert page.input_value("#timezone") == "Asia/Tokyo"
    assert not errors, errors


def test_city_zone_select_follows_the_chosen_country(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        make_user(UserRole.PLANNER, "planerin@example.org")
    sign_in(page, live_server, "planerin@example.org")
    page.goto(f"{live_server.url}/directory/cities/new")
    assert groups(page, "timezone") == []  # no country yet: one list
    page.select_option("#country_iso", "JP")
    assert groups(page, "timezone")[0] == ["Zeitzonen in Japan", list(zones_of_country("JP"))]
