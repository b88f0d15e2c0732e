"""Searching the planner: partial, case-insensitive, grouped, and safe with any input."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import (
    Appointment,
    City,
    Delegation,
    Journey,
    JourneyMode,
    Leg,
    Organization,
    OrganizationKind,
    Person,
    UserRole,
)
from planner.search.folding import FOLDED_LETTERS, Folded, fold
from planner.search.queries import escape_like, search
from planner.timezones import to_utc
from tests.conftest import make_user
from tests.directory.conftest import text


def section(page: str, heading: str) -> str:
    """The part of the results page under one group heading (up to the next group)."""
    start = page.index(f">{heading} <span")
    end = page.find("<section", start)
    return page[start:] if end == -1 else page[start:end]


@pytest.mark.parametrize("term", ["doosan", "DOOSAN", "Doosan", "oosa"])
def test_doosan_is_found_in_every_group_whatever_the_case(seeded: None, viewer: FlaskClient, term: str) -> None:
    response = viewer.get("/search", query_string={"q": term})
    assert response.status_code == 200
    page = text(response)
    assert "Doosan Robotics" in section(page, "Organisationen")
    assert "두산로보틱스" in page
    assert "Unternehmensbesuch Doosan Robotics" in section(page, "Termine")
    assert "14:00 Seoul" in page and "07:00 Düsseldorf" in page
    assert "Ansprechpartner/in vor Ort Doosan Robotics (Platzhalter)" in section(page, "Personen")  # via the organization
    assert "Delegationsreise nach Seoul und Chongqing" in section(page, "Delegationen")  # via the purpose


def test_chongqing_finds_trip_appointments_and_organizations(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get("/search?q=chongqing"))
    assert "Delegationsreise nach Seoul und Chongqing" in section(page, "Delegationen")
    appointments = section(page, "Termine")
    assert "Unternehmensbesuche in Chongqing" in appointments  # by title
    assert "Bürgermeister Hu Henghua" in appointments  # by its organization, Stadtregierung Chongqing
    assert "Stadtregierung Chongqing" in section(page, "Organisationen")
    assert "Hu Henghua" in section(page, "Personen")  # by organization name
    with app.app_context():
        meeting = db.session.scalar(sa.select(Appointment).where(Appointment.title.like("Treffen%Hu Henghua")))
        assert f'href="/delegations/{meeting.delegation_id}#appointment-{meeting.id}"' in page


def test_gateway_finds_the_location_seminar(seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get("/search?q=gateway"))
    assert "Gateway to Europe's Health Market" in section(page, "Termine")
    assert "Wirtschaftsförderung Düsseldorf" in section(page, "Organisationen")  # its profile names the seminar


def test_venue_and_native_names_are_searched(seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get("/search?q=z-space"))
    assert "Eröffnung der Fotoausstellung" in section(page, "Termine")
    page = text(viewer.get("/search?q=胡衡华"))
    assert "Hu Henghua" in section(page, "Personen")
    page = text(viewer.get("/search?q=씨젠"))
    assert "Seegene" in section(page, "Organisationen")


def test_links_lead_to_the_records(seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get("/search?q=seegene"))
    for link in re.findall(r'href="(/(?:directory|delegations)/[^"#]+)', page):
        assert viewer.get(link).status_code == 200, link


def test_nothing_found_says_so(seeded: None, viewer: FlaskClient) -> None:
    response = viewer.get("/search?q=Zeppelin")
    assert response.status_code == 200
    assert "Nichts gefunden für „Zeppelin“." in text(response)


@pytest.mark.parametrize("query", ["", "   ", None])
def test_empty_query_asks_for_a_term(seeded: None, viewer: FlaskClient, query: str | None) -> None:
    response = viewer.get("/search", query_string={} if query is None else {"q": query})
    assert response.status_code == 200
    page = text(response)
    assert "Bitte geben Sie einen Suchbegriff ein." in page
    assert "Treffer" not in page


def test_over_long_query_is_refused_with_a_message(seeded: None, viewer: FlaskClient) -> None:
    response = viewer.get("/search", query_string={"q": "doosan " * 40})
    assert response.status_code == 200
    page = text(response)
    assert "Der Suchbegriff ist zu lang: Bitte höchstens 200 Zeichen eingeben." in page
    assert "Unternehmensbesuch Doosan Robotics" not in page
    # exactly 200 characters is still a search
    assert "Nichts gefunden" in text(viewer.get("/search", query_string={"q": "x" * 200}))


@pytest.fixture
def tricky_names(app: Flask, seeded: None) -> None:
    with app.app_context():
        for name in ("100% Solar", "1000 Solar", "Foo_Bar", "FooXBar", "Back\\slash AG", "Backslash AG"):
            db.session.add(Organization(name=name, kind=OrganizationKind.COMPANY))
        db.session.commit()


@pytest.mark.parametrize(
    ("term", "found", "not_found"),
    [
        ("100%", ["100% Solar"], ["1000 Solar"]),
        ("%", ["100% Solar"], ["1000 Solar", "Doosan Robotics"]),
        ("o_B", ["Foo_Bar"], ["FooXBar"]),
        ("_", ["Foo_Bar"], ["FooXBar", "Doosan Robotics"]),
        ("k\\s", ["Back\\slash AG"], ["Backslash AG"]),
        ("%_", [], ["100% Solar", "Foo_Bar"]),
    ],
)
def test_percent_underscore_and_backslash_match_themselves(
    tricky_names: None, viewer: FlaskClient, term: str, found: list[str], not_found: list[str]
) -> None:
    response = viewer.get("/search", query_string={"q": term})
    assert response.status_code == 200
    page = text(response)
    for name in found:
        assert name in page, name
    for name in not_found:
        assert name not in page, name


def test_quotes_and_markup_in_the_query_are_harmless(seeded: None, viewer: FlaskClient) -> None:
    response = viewer.get("/search", query_string={"q": "'; DROP TABLE people; -- <script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert viewer.get("/directory/people").status_code == 200


def test_trashed_appointments_are_not_found(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    with app.app_context():
        visit = db.session.scalar(sa.select(Appointment).where(Appointment.title == "Unternehmensbesuch Doosan Robotics"))
        visit.deleted_at = datetime.now(ZoneInfo("UTC"))
        db.session.commit()
    page = text(viewer.get("/search?q=doosan"))
    assert "Unternehmensbesuch Doosan Robotics" not in page
    assert "Doosan Robotics" in section(page, "Organisationen")


def test_many_hits_are_capped_with_a_note(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    with app.app_context():
        db.session.add_all(Person(family_name=f"Musterperson {n:03d}") for n in range(60))
        db.session.commit()
    page = text(viewer.get("/search?q=musterperson"))
    assert "Musterperson 049" in page and "Musterperson 050" not in page
    assert "Es gibt weitere Treffer; gezeigt werden die ersten 50." in page


def test_escape_like() -> None:
    assert escape_like("100%") == "100\\%"
    assert escape_like("a_b") == "a\\_b"
    assert escape_like("c:\\x") == "c:\\\\x"


def test_search_function_normalises_whitespace(app: Flask, seeded: None) -> None:
    with app.app_context():
        admin = make_user(UserRole.ADMIN)
        outcome = search("  Doosan \n  Robotics ", admin)
        assert outcome.term == "Doosan Robotics" and outcome.problem is None
        assert [o.name for o in outcome.results.organizations.items] == ["Doosan Robotics"]


# -- accents, journeys, hotels, cities (issue #13) ----------------------------


@pytest.fixture
def travel(app: Flask, seeded: None) -> dict[str, int]:
    """A flight "LH 712" Düsseldorf → Seoul, a hotel stay in Seoul and the city Köln, on the seeded trip."""
    with app.app_context():
        trip = db.session.scalar(sa.select(Delegation).where(Delegation.title == "Delegationsreise nach Seoul und Chongqing"))
        seoul = db.session.scalar(sa.select(City).where(City.name == "Seoul"))
        flight = Journey(
            delegation=trip,
            mode=JourneyMode.FLIGHT,
            departure_place="Düsseldorf Flughafen (DUS)",
            depart_at=to_utc(datetime(2024, 10, 13, 9, 0), "Europe/Berlin"),
            departure_timezone="Europe/Berlin",
            arrival_place="Incheon Airport (ICN)",
            arrive_at=to_utc(datetime(2024, 10, 14, 8, 0), "Asia/Seoul"),
            arrival_timezone="Asia/Seoul",
            carrier="LH",
            number="712",
        )
        stay = Leg(
            delegation=trip,
            city=seoul,
            arrive_at=to_utc(datetime(2024, 10, 14, 12, 0), "Asia/Seoul"),
            depart_at=to_utc(datetime(2024, 10, 17, 9, 0), "Asia/Seoul"),
            hotel_name="Lotte Hotel Séoul",
            hotel_address="30 Eulji-ro, Jung-gu, 서울",
        )
        db.session.add_all([flight, stay])
        db.session.add(City(name="Köln", native_name="Cologne", timezone="Europe/Berlin", country=seoul.country))
        db.session.commit()
        return {"trip": trip.id, "flight": flight.id, "stay": stay.id}


@pytest.mark.parametrize("term", ["LH 712", "LH712", "lh712", "lh 7", "712"])
def test_flight_numbers_are_found_with_or_without_the_space(travel: dict[str, int], viewer: FlaskClient, term: str) -> None:
    response = viewer.get("/search", query_string={"q": term})
    assert response.status_code == 200
    page = text(response)
    journeys = section(page, "Reisen")
    assert "Düsseldorf Flughafen (DUS) → Incheon Airport (ICN)" in journeys
    assert "(LH 712)" in journeys
    assert f'href="/delegations/{travel["trip"]}#journey-{travel["flight"]}"' in page


def test_journeys_are_found_by_their_places(travel: dict[str, int], viewer: FlaskClient) -> None:
    assert "Incheon Airport (ICN)" in section(text(viewer.get("/search?q=incheon")), "Reisen")
    assert "Nichts gefunden" in text(viewer.get("/search", query_string={"q": "LH 713"}))


@pytest.mark.parametrize("term", ["lotte", "SEOUL", "Séoul", "eulji-ro", "서울"])
def test_hotels_are_found_by_name_and_address(travel: dict[str, int], viewer: FlaskClient, term: str) -> None:
    page = text(viewer.get("/search", query_string={"q": term}))
    hotels = section(page, "Hotels")
    assert "Lotte Hotel Séoul" in hotels
    assert "30 Eulji-ro, Jung-gu, 서울" in hotels
    assert f'href="/delegations/{travel["trip"]}#leg-{travel["stay"]}"' in page


def test_the_hotel_link_lands_on_its_leg(travel: dict[str, int], viewer: FlaskClient) -> None:
    page = text(viewer.get(f"/delegations/{travel['trip']}"))
    assert f'id="leg-{travel["stay"]}"' in page
    assert f'id="journey-{travel["flight"]}"' in page


@pytest.mark.parametrize("term", ["Dusseldorf", "dusseldorf", "DÜSSELDORF", "düsseldorf", "DUSSELDORF"])
def test_accents_and_case_do_not_matter(travel: dict[str, int], viewer: FlaskClient, term: str) -> None:
    page = text(viewer.get("/search", query_string={"q": term}))
    assert "Düsseldorf" in section(page, "Städte")
    assert "Wirtschaftsförderung Düsseldorf" in section(page, "Organisationen")
    assert "Düsseldorf Flughafen (DUS)" in section(page, "Reisen")


@pytest.mark.parametrize("term", ["Koln", "köln", "KÖLN", "cologne"])
def test_cities_are_found_by_name_and_native_name_without_accents(
    app: Flask, travel: dict[str, int], viewer: FlaskClient, term: str
) -> None:
    page = text(viewer.get("/search", query_string={"q": term}))
    cities = section(page, "Städte")
    assert "Köln" in cities
    with app.app_context():
        koeln = db.session.scalar(sa.select(City).where(City.name == "Köln"))
        assert f'href="/directory/cities/{koeln.id}"' in page
    assert viewer.get(f"/directory/cities/{koeln.id}").status_code == 200


def test_accented_term_finds_plain_text_and_the_other_way(travel: dict[str, int], viewer: FlaskClient) -> None:
    assert "Lotte Hotel Séoul" in section(text(viewer.get("/search?q=hotel seoul")), "Hotels")
    assert "Delegationsreise nach Seoul und Chongqing" in section(text(viewer.get("/search?q=Séoul")), "Delegationen")


def test_hangul_and_hanzi_still_match_as_typed(travel: dict[str, int], viewer: FlaskClient) -> None:
    assert "Seegene" in section(text(viewer.get("/search?q=씨젠")), "Organisationen")
    assert "Hu Henghua" in section(text(viewer.get("/search?q=胡衡华")), "Personen")
    assert "Nichts gefunden" in text(viewer.get("/search?q=씨젠젠"))


def test_the_database_folds_exactly_as_python_does(app: Flask) -> None:
    """Every letter of the folding table, upper and lower case, folds the same in SQL as in the term."""
    letters = FOLDED_LETTERS + FOLDED_LETTERS.upper() + "ABCXYZ 두산 胡衡华 ßæ"
    with app.app_context():
        assert db.session.scalar(sa.select(Folded(sa.literal(letters)))) == fold(letters)
        assert db.session.scalar(sa.select(Folded(sa.null()))) is None
