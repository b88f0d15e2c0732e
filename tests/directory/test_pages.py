"""The directory pages show the seeded Keller trip the way a planner reads it.

Expected texts are what a German user sees, written from the seed facts,
not copied from the code under test.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import Appointment, City, Delegation, Organization, Person
from tests.conftest import make_appointment
from tests.directory.conftest import count_queries, find_id, text
from tests.test_web import unlabelled_fields


def org_id(app: Flask, name: str) -> int:
    return find_id(app, sa.select(Organization.id).where(Organization.name == name))


def person_id(app: Flask, name: str) -> int:
    return find_id(app, sa.select(Person.id).where(Person.name == name))


def city_id(app: Flask, name: str) -> int:
    return find_id(app, sa.select(City.id).where(City.name == name))


# -- organizations ----------------------------------------------------------------


def test_organization_list_shows_the_seeded_counterparts(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get("/directory/organizations"))
    for name in ("AIMMO", "HD Hyundai", "Doosan Robotics", "Seegene", "Stadtregierung Chongqing", "Galerie Z-Space"):
        assert name in page
    assert "두산로보틱스" in page and "重庆市人民政府" in page


def test_organization_list_filters_by_kind(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get("/directory/organizations?kind=company"))
    assert "Doosan Robotics" in page and "Seegene" in page
    assert "Stadtregierung Chongqing" not in page and "Galerie Z-Space" not in page
    assert '<option value="company" selected>' in page

    page = text(viewer.get("/directory/organizations?kind=cultural_institution"))
    assert "Galerie Z-Space" in page and "Doosan Robotics" not in page


def test_unknown_kind_filter_shows_everything_instead_of_an_error(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    response = viewer.get("/directory/organizations?kind=spaceship")
    assert response.status_code == 200
    assert "Doosan Robotics" in text(response) and "Galerie Z-Space" in text(response)


def test_doosan_profile_shows_home_relation_contacts_and_appointment_in_both_zones(
    app: Flask, seeded: None, viewer: FlaskClient
) -> None:
    doosan = org_id(app, "Doosan Robotics")
    response = viewer.get(f"/directory/organizations/{doosan}")
    assert response.status_code == 200
    page = text(response)
    assert "Doosan Robotics" in page and "두산로보틱스" in page
    assert 'lang="ko"' in page  # the Korean name is marked up as Korean for the right glyphs
    assert "Europäische Zentrale in Düsseldorf seit August 2024." in page
    assert "Cobots" in page
    # the on-site contact, with the placeholder marker beside the invented contact data
    assert "Ansprechpartner/in vor Ort Doosan Robotics (Platzhalter)" in page
    assert "doosan-besuch@example.org" in page
    assert ">Platzhalter</span>" in page
    # the visit: Tuesday 15 Oct 2024, 14:00 in Seoul is 07:00 in Düsseldorf (UTC+9 vs. CEST UTC+2)
    with app.app_context():
        visit = db.session.scalar(sa.select(Appointment).where(Appointment.organization_id == doosan))
        link = f"/delegations/{visit.delegation_id}#appointment-{visit.id}"
    assert "Unternehmensbesuch Doosan Robotics" in page
    assert "Di., 15. Okt. 2024" in page
    assert "14:00 Seoul" in page and "07:00 Düsseldorf" in page
    assert f'href="{link}"' in page
    assert f'id="appointment-{visit.id}"' in text(viewer.get(link.split("#")[0]))  # the anchor exists
    assert "Delegationsreise nach Seoul und Chongqing" in page


def test_organization_profile_lists_appointments_across_delegations(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    doosan = org_id(app, "Doosan Robotics")
    with app.app_context():
        keller = db.session.scalar(sa.select(Delegation))
        second = Delegation(
            title="Folgereise Seoul 2025",
            home_city=keller.home_city,
            start_date=keller.start_date.replace(year=2025),
            end_date=keller.end_date.replace(year=2025),
        )
        db.session.add(second)
        make_appointment(second, datetime(2025, 3, 10, 10, 0), title="Folgebesuch Doosan", organization_id=doosan)
        db.session.commit()
    page = text(viewer.get(f"/directory/organizations/{doosan}"))
    assert "Unternehmensbesuch Doosan Robotics" in page and "Folgebesuch Doosan" in page
    assert "Folgereise Seoul 2025" in page
    # March 2025: Düsseldorf is on winter time (UTC+1), eight hours behind Seoul
    assert "10:00 Seoul" in page and "02:00 Düsseldorf" in page
    assert page.index("Unternehmensbesuch Doosan Robotics") < page.index("Folgebesuch Doosan")  # by time


def test_trashed_appointments_do_not_appear_on_the_profile(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    doosan = org_id(app, "Doosan Robotics")
    with app.app_context():
        visit = db.session.scalar(sa.select(Appointment).where(Appointment.organization_id == doosan))
        visit.deleted_at = datetime.now(ZoneInfo("UTC"))
        db.session.commit()
    page = text(viewer.get(f"/directory/organizations/{doosan}"))
    assert "Unternehmensbesuch Doosan Robotics" not in page
    assert "Noch keine Termine." in page


def test_chinese_names_are_shown(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    government = org_id(app, "Stadtregierung Chongqing")
    page = text(viewer.get(f"/directory/organizations/{government}"))
    assert "重庆市人民政府" in page and 'lang="zh"' in page
    assert "Hu Henghua" in page and "胡衡华" in page
    assert "Partnerstadt Düsseldorfs seit 22. Juli 2004" in page


# -- people ----------------------------------------------------------------------------


def test_people_list_shows_names_functions_and_organizations(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get("/directory/people"))
    # An alphabetical list: family name first, the title after the name.
    assert "Keller, Stephan (Dr.)" in page
    assert "Oberbürgermeister der Landeshauptstadt Düsseldorf" in page
    assert "Diener, Wolfram" in page and "CEO der Messe Düsseldorf" in page
    assert "Hu, Henghua" in page and "胡衡华" in page
    assert "Chun, Jong-Yoon (Dr.)" in page and "천종윤" in page
    assert "Eigene Delegation / Stadt" in page and "Gastgeber / Partner" in page
    assert ">Platzhalter</span>" in page


def test_person_page_shows_delegations_and_on_site_appointments(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    keller = person_id(app, "Stephan Keller")
    page = text(viewer.get(f"/directory/people/{keller}"))
    assert "Dr. Stephan Keller" in page
    assert "Delegationsreise nach Seoul und Chongqing" in page
    assert "Delegationsleitung" in page  # his role on the trip
    assert "So., 13. Okt. 2024 – So., 20. Okt. 2024" in page
    assert "Deutsch, Englisch" in page and "de, en" not in page  # languages by name, as the brief names them

    korea_desk = person_id(app, "Referent/in Korea Desk (Platzhalter)")
    page = text(viewer.get(f"/directory/people/{korea_desk}"))
    assert "Begleitung (Verwaltung)" in page  # staff member of the delegation
    # on-site contact for the location seminar, Tuesday 15 Oct, 17:00 Seoul = 10:00 Düsseldorf
    assert "Gateway to Europe's Health Market" in page
    assert "17:00 Seoul" in page and "10:00 Düsseldorf" in page
    assert "korea-desk@example.org" in page and ">Platzhalter</span>" in page


def test_person_page_in_chinese_and_without_contact_data(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    hu = person_id(app, "Hu Henghua")
    page = text(viewer.get(f"/directory/people/{hu}"))
    assert "胡衡华" in page and 'lang="zh"' in page
    assert "Bürgermeister von Chongqing" in page
    assert "Keine Kontaktdaten hinterlegt." in page
    assert "Nimmt an keiner Delegation teil." in page


def test_profiles_keep_the_planners_paragraphs_and_line_breaks(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    # A blank line starts a paragraph, a single line break stays one (the brief shows the same text the same way).
    city = viewer.get(f"/directory/cities/{city_id(app, 'Chongqing')}").get_data(as_text=True)
    assert "Zeitzone Asia/Shanghai (UTC+8, keine Sommerzeit).</p><p>Chongqing hat rund 32 Millionen" in city
    organization = viewer.get(f"/directory/organizations/{org_id(app, 'Landeshauptstadt Düsseldorf')}").get_data(as_text=True)
    assert "[S][P1].<br>\nKontaktdaten sind Platzhalter (fiktiv).</p>" in organization


# -- cities and partnerships ------------------------------------------------------------


def _offset_now(zone: str) -> str:
    hours = datetime.now(ZoneInfo(zone)).utcoffset() // timedelta(hours=1)
    return f"UTC+{hours}"


def test_city_list_shows_zone_and_current_offset(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get("/directory/cities"))
    assert "Seoul" in page and "서울" in page and "Asia/Seoul" in page and "UTC+9" in page
    assert "Chongqing" in page and "重庆" in page and "Asia/Shanghai" in page and "UTC+8" in page
    assert "Europe/Berlin" in page and _offset_now("Europe/Berlin") in page
    assert "Südkorea" in page and "Deutschland" in page  # country names in the user's language


def test_chongqing_profile_shows_partnership_since_2004(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get(f"/directory/cities/{city_id(app, 'Chongqing')}"))
    assert "重庆" in page and "Asia/Shanghai" in page
    assert "32 Millionen" in page
    assert "Düsseldorf" in page and "22. Juli 2004" in page
    assert "Galerie Z-Space" in page  # organizations in the city


def test_dusseldorf_profile_shows_the_same_partnership_from_the_other_side(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get(f"/directory/cities/{city_id(app, 'Düsseldorf')}"))
    assert "Chongqing" in page and "22. Juli 2004" in page


def test_partnership_list(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    page = text(viewer.get("/directory/partnerships"))
    assert "Düsseldorf" in page and "Chongqing" in page and "Do., 22. Juli 2004" in page


def test_directory_start_leads_to_the_organizations(viewer: FlaskClient) -> None:
    response = viewer.get("/directory/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/directory/organizations")


def test_empty_directory_says_so(viewer: FlaskClient) -> None:
    assert "Keine Organisationen gefunden." in text(viewer.get("/directory/organizations"))
    assert "Noch keine Personen." in text(viewer.get("/directory/people"))
    assert "Noch keine Städte." in text(viewer.get("/directory/cities"))
    assert "Noch keine Städtepartnerschaften." in text(viewer.get("/directory/partnerships"))


@pytest.mark.parametrize(
    "path",
    [
        "/directory/organizations/999999",
        "/directory/people/999999",
        "/directory/cities/999999",
        "/directory/organizations/999999/edit",
        "/directory/people/999999/edit",
        "/directory/cities/999999/edit",
        "/directory/partnerships/999999/edit",
        "/directory/organizations/abc",
        "/directory/organizations/-1",
    ],
)
def test_unknown_ids_are_404(seeded: None, planner: FlaskClient, path: str) -> None:
    response = planner.get(path)
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht." in text(response)


def test_every_field_on_the_directory_pages_has_a_label(app: Flask, seeded: None, planner: FlaskClient) -> None:
    doosan = org_id(app, "Doosan Robotics")
    paths = [
        "/directory/organizations",
        "/directory/organizations/new",
        f"/directory/organizations/{doosan}/edit",
        "/directory/people/new",
        "/directory/cities/new",
        "/directory/partnerships/new",
        "/search?q=doosan",
        f"/directory/cities/{city_id(app, 'Seoul')}/edit",
    ]
    for path in paths:
        response = planner.get(path)
        assert response.status_code == 200, path
        assert unlabelled_fields(response.get_data(as_text=True)) == [], path


# -- a fixed number of queries per page ----------------------------------------------------


def _grow(app: Flask) -> None:
    """Add a second trip full of appointments, people and cities touching the seeded records."""
    with app.app_context():
        keller = db.session.scalar(sa.select(Delegation).order_by(Delegation.id))
        doosan = db.session.scalar(sa.select(Organization).where(Organization.name == "Doosan Robotics"))
        contact = doosan.people[0]
        seoul = db.session.scalar(sa.select(City).where(City.name == "Seoul"))
        for n in range(3):
            trip = Delegation(
                title=f"Weitere Reise {n}", home_city=keller.home_city, start_date=keller.start_date, end_date=keller.end_date
            )
            db.session.add(trip)
            for hour in (9, 11, 13):
                make_appointment(
                    trip,
                    datetime(2024, 10, 15, hour, 0),
                    title=f"Doosan {n}/{hour}",
                    organization_id=doosan.id,
                    contact_person_id=contact.id,
                    city_id=seoul.id,
                )
            db.session.add(Person(family_name=f"Neue Kontaktperson {n}", organization=doosan))
            db.session.add(City(name=f"Neustadt {n}", timezone="Asia/Tokyo", country=seoul.country))
        db.session.commit()


def test_each_page_costs_a_fixed_number_of_queries(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    doosan = org_id(app, "Doosan Robotics")
    contact = person_id(app, "Ansprechpartner/in vor Ort Doosan Robotics (Platzhalter)")
    paths = [
        "/directory/organizations",
        f"/directory/organizations/{doosan}",
        "/directory/people",
        f"/directory/people/{contact}",
        "/directory/cities",
        f"/directory/cities/{city_id(app, 'Seoul')}",
        "/directory/partnerships",
        "/search?q=doosan",
        "/search?q=o",
    ]

    def costs() -> dict[str, int]:
        result = {}
        for path in paths:
            with count_queries(app) as statements:
                assert viewer.get(path).status_code == 200, path
            result[path] = len(statements)
        return result

    before = costs()
    _grow(app)
    after = costs()
    assert after == before
    assert "Doosan 2/13" in text(viewer.get(f"/directory/organizations/{doosan}"))  # the new data was really there
