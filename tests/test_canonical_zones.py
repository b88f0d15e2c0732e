"""Only canonical IANA zone names are stored: forms, the column type, the .ics import and the seed.

``zoneinfo`` opens any file under /usr/share/zoneinfo: ``localtime`` (this
server's /etc/localtime), ``posixrules``, ``Factory`` and the leap-second
``right/...`` copies used to be accepted as the zone of a place (10:00 in
``right/Europe/Berlin`` is not 10:00 in Berlin). The backup import is
covered in tests/test_backup.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from planner.calendar.importing import ImportRejected, parse_for_delegation
from planner.extensions import db
from planner.models import Appointment, City, Delegation, UserRole
from planner.timezones import UnknownTimeZone, canonical_zone, check_zone, is_known_zone, zone_names
from tests.conftest import KellerSeeder, login, make_city, make_delegation, make_user
from tests.html_forms import form_values

NOT_PLACES = ["localtime", "posixrules", "Factory", "right/Europe/Berlin", "posix/Europe/Berlin", "US/Eastern", "Asia/Calcutta"]


@pytest.mark.parametrize("name", NOT_PLACES)
def test_non_canonical_names_are_unknown(name: str) -> None:
    assert not is_known_zone(name)
    with pytest.raises(UnknownTimeZone):
        check_zone(name)
    assert name not in zone_names()


def test_canonical_names_and_what_aliases_stand_for() -> None:
    # Europe/Amsterdam is a link in today's tz build, but zone.tab's zone of the Netherlands.
    assert all(is_known_zone(name) for name in ("Europe/Berlin", "Asia/Seoul", "Asia/Shanghai", "Europe/Amsterdam", "Etc/UTC"))
    assert canonical_zone("US/Eastern") == "America/New_York" and canonical_zone("Europe/Kiev") == "Europe/Kyiv"
    assert canonical_zone("localtime") is None and canonical_zone("right/Europe/Berlin") is None


@pytest.mark.usefixtures("app_ctx")
def test_the_column_type_refuses_them() -> None:
    city = make_city("Seoul", "Asia/Seoul", "KR")
    db.session.commit()
    city.timezone = "right/Asia/Seoul"
    with pytest.raises(sa.exc.StatementError) as error:
        db.session.commit()
    assert isinstance(error.value.orig, UnknownTimeZone)
    db.session.rollback()
    assert db.session.scalar(sa.select(City.timezone)) == "Asia/Seoul"


@pytest.fixture
def planner_client(app: Flask, client: FlaskClient, seed_keller: KellerSeeder) -> dict[str, int]:
    seed_keller(app)
    with app.app_context():
        make_user(UserRole.PLANNER, "planner@example.org")
        db.session.commit()
        ids = {
            "delegation": db.session.scalars(sa.select(Delegation.id)).one(),
            "appointment": db.session.scalars(sa.select(Appointment.id).order_by(Appointment.id)).first(),
            "city": db.session.scalars(sa.select(City.id).order_by(City.id)).first(),
        }
    login(client, "planner@example.org")
    return ids


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "right/Europe/Berlin"])
@pytest.mark.parametrize("form", ["appointment", "city"])
def test_forms_refuse_them_with_a_message(
    app: Flask, client: FlaskClient, planner_client: dict[str, int], form: str, zone: str
) -> None:
    url = {
        "appointment": "/delegations/{delegation}/appointments/{appointment}/edit",
        "city": "/directory/cities/{city}/edit",
    }[form].format(**planner_client)
    values = form_values(client.get(url).get_data(as_text=True)).values
    assert any(name == "timezone" for name, _ in values)
    posted = MultiDict([(name, zone if name == "timezone" else value) for name, value in values])
    with app.app_context():
        before = sorted(
            db.session.scalars(sa.select(City.timezone)).all() + db.session.scalars(sa.select(Appointment.timezone)).all()
        )
    response = client.post(url, data=posted)
    assert response.status_code in (200, 422), response.status_code  # the form again, with the reason
    assert zone in response.get_data(as_text=True) and "field-errors" in response.get_data(as_text=True)
    with app.app_context():
        after = sorted(
            db.session.scalars(sa.select(City.timezone)).all() + db.session.scalars(sa.select(Appointment.timezone)).all()
        )
    assert after == before


def _ics(tzid: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Planner tests//DE\r\nBEGIN:VEVENT\r\nUID:zone@test\r\n"
        f"SUMMARY:Termin\r\nDTSTART;TZID={tzid}:20241015T100000\r\nDTEND;TZID={tzid}:20241015T110000\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.mark.usefixtures("app_ctx")
def test_the_ics_import_reads_an_old_alias_as_its_zone() -> None:
    delegation = make_delegation(make_city("Düsseldorf", "Europe/Berlin", "DE"))
    db.session.commit()
    (item,) = parse_for_delegation(delegation, _ics("US/Eastern"))
    assert item.start_zone == "America/New_York"
    assert item.start == datetime(2024, 10, 15, 14, 0, tzinfo=item.start.tzinfo)


@pytest.mark.usefixtures("app_ctx")
@pytest.mark.parametrize("tzid", ["localtime", "posixrules", "right/Europe/Berlin", "Factory"])
def test_the_ics_import_takes_no_file_for_a_zone(tzid: str) -> None:
    delegation = make_delegation(make_city("Düsseldorf", "Europe/Berlin", "DE"))
    db.session.commit()
    try:
        items = parse_for_delegation(delegation, _ics(tzid))
    except ImportRejected:
        return  # refused with a message: fine
    assert [item.start_zone for item in items if item.start_zone == tzid] == []
    assert all(is_known_zone(item.start_zone) for item in items), [item.start_zone for item in items]
