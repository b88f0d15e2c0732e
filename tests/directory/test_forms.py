"""Creating and editing directory records: valid input is saved, anything else changes nothing.

Every refused write is checked against the database itself (all rows of the
table and the change history), not only against the page.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.directory import operations
from planner.directory.inputs import OrganizationInput
from planner.editing import EditConflict, Rejected
from planner.extensions import db
from planner.models import ChangeRecord, City, Country, Organization, OrganizationKind, Partnership, Person, PersonSide
from tests.conftest import csrf_token
from tests.directory.conftest import find_id, form_values, history_count, rows, submit, text

NEXT_YEAR = datetime.now(UTC).year + 1  # the last founding year an organization may have


def org_id(app: Flask, name: str) -> int:
    return find_id(app, sa.select(Organization.id).where(Organization.name == name))


def city_id(app: Flask, name: str) -> int:
    return find_id(app, sa.select(City.id).where(City.name == name))


def assert_refused(response, *messages: str, status: int = 422, field_marked: bool = True) -> None:
    assert response.status_code == status, response.status_code
    page = text(response)
    for message in messages:
        assert message in page, message
    if status == 422:
        assert "Bitte prüfen Sie die markierten Angaben." in page
        assert ('aria-invalid="true"' in page) is field_marked


# -- organizations --------------------------------------------------------------------


def test_planner_creates_an_organization(app: Flask, seeded: None, planner: FlaskClient) -> None:
    response = submit(
        planner,
        "/directory/organizations/new",
        name="Samsung Medison",
        native_name="삼성메디슨",
        kind="company",
        sector="Medizintechnik",
        home_relation="Interessent für eine Niederlassung in Düsseldorf",
        city_id=str(city_id(app, "Seoul")),
        email="kontakt@example.org",
        contact_is_placeholder="y",
        founded_year="1985",
        website="https://www.samsungmedison.com",
    )
    assert response.status_code == 302
    new_id = org_id(app, "Samsung Medison")
    assert response.headers["Location"].endswith(f"/directory/organizations/{new_id}")
    with app.app_context():
        created = db.session.get(Organization, new_id)
        assert created.kind is OrganizationKind.COMPANY and created.city.name == "Seoul"
        assert created.native_name == "삼성메디슨" and created.founded_year == 1985 and created.contact_is_placeholder
        assert created.profile is None  # an empty field is stored as nothing, not as ''
        record = db.session.scalar(
            sa.select(ChangeRecord).where(ChangeRecord.entity == "organizations", ChangeRecord.entity_id == new_id)
        )
        assert record is not None and record.action == "create"
    page = text(planner.get(f"/directory/organizations/{new_id}"))
    assert "Gespeichert." in page and "삼성메디슨" in page and ">Platzhalter</span>" in page


def test_planner_edits_an_organization_and_the_history_records_it(app: Flask, seeded: None, planner: FlaskClient) -> None:
    doosan = org_id(app, "Doosan Robotics")
    response = submit(planner, f"/directory/organizations/{doosan}/edit", sector="Robotik", contact_is_placeholder=None)
    assert response.status_code == 302
    with app.app_context():
        edited = db.session.get(Organization, doosan)
        assert edited.sector == "Robotik" and edited.contact_is_placeholder is False
        assert edited.version == 2
        assert edited.home_relation == "Europäische Zentrale in Düsseldorf seit August 2024."  # untouched fields stay
        record = db.session.scalars(
            sa.select(ChangeRecord).where(ChangeRecord.entity == "organizations", ChangeRecord.entity_id == doosan)
        ).all()[-1]
        assert record.action == "update" and record.changes["sector"][1] == "Robotik"
        assert record.user_email and record.user_email.startswith("planner-")


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"name": ""}, ["Bitte ausfüllen."]),
        ({"name": "   "}, ["Bitte ausfüllen."]),
        ({"name": "x" * 201}, ["Bitte höchstens 200 Zeichen eingeben (jetzt 201)."]),
        ({"phone": "1" * 51}, ["Bitte höchstens 50 Zeichen eingeben (jetzt 51)."]),
        ({"profile": "x" * 10_001}, ["Bitte höchstens 10000 Zeichen eingeben (jetzt 10001)."]),
        ({"email": "keine-adresse"}, ["Bitte eine gültige E-Mail-Adresse eingeben"]),
        ({"website": "javascript://example.org/%0aalert(1)"}, ["Bitte eine vollständige Webadresse mit https:// eingeben."]),
        ({"founded_year": "999"}, ["Bitte ein Jahr zwischen 1000 und"]),
        ({"founded_year": str(NEXT_YEAR + 1)}, [f"Bitte ein Jahr zwischen 1000 und {NEXT_YEAR} eingeben."]),
        ({"founded_year": "neunzehnhundert"}, []),
        ({"kind": "spaceship"}, []),
        ({"city_id": "999999"}, []),
        ({"name": "Seegene"}, ["Eine Organisation namens „Seegene“ gibt es bereits."]),
        ({"name": "SEEGENE"}, ["Eine Organisation namens „SEEGENE“ gibt es bereits."]),
    ],
)
def test_invalid_organization_edits_change_nothing(
    app: Flask, seeded: None, planner: FlaskClient, changes: dict[str, str], messages: list[str]
) -> None:
    doosan = org_id(app, "Doosan Robotics")
    before, history = rows(app, Organization), history_count(app)
    response = submit(planner, f"/directory/organizations/{doosan}/edit", **changes)
    assert_refused(response, *messages)
    assert rows(app, Organization) == before
    assert history_count(app) == history


def test_an_edit_racing_a_deletion_is_a_404_page(app: Flask, seeded: None, planner: FlaskClient) -> None:
    """Another planner deletes the record between this save's checks and its UPDATE: a 404 page, not a 500."""
    with app.app_context():
        record = Organization(name="Kurzlebig GmbH", kind=OrganizationKind.COMPANY)
        db.session.add(record)
        db.session.commit()
        record_id = record.id
    path = f"/directory/organizations/{record_id}/edit"
    mine = form_values(planner, path)
    mine["sector"] = "Logistik"

    def delete_first(session: Session, context: object, instances: object) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM organizations WHERE id = :id"), {"id": record_id})

    sa.event.listen(Session, "before_flush", delete_first, once=True)
    try:
        response = planner.post(path, data=mine)
    finally:
        if sa.event.contains(Session, "before_flush", delete_first):
            sa.event.remove(Session, "before_flush", delete_first)
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True).lower()


def test_invalid_new_organization_shows_the_form_again_with_the_input(app: Flask, seeded: None, planner: FlaskClient) -> None:
    before = rows(app, Organization)
    response = submit(planner, "/directory/organizations/new", name="Doosan Robotics", sector="Robotik")
    assert_refused(response, "Eine Organisation namens „Doosan Robotics“ gibt es bereits.")
    assert 'value="Robotik"' in text(response)  # what the planner typed is still there
    assert rows(app, Organization) == before


def test_stale_organization_edit_shows_the_conflict_and_saves_nothing(app: Flask, seeded: None, planner: FlaskClient) -> None:
    doosan = org_id(app, "Doosan Robotics")
    path = f"/directory/organizations/{doosan}/edit"
    mine = form_values(planner, path)
    # Another planner saves first.
    assert submit(planner, path, sector="Robotik (geändert von B)").status_code == 302
    after_theirs, history = rows(app, Organization), history_count(app)

    mine["sector"] = "Cobots (meine Fassung)"
    response = planner.post(path, data=mine)
    assert response.status_code == 409
    page = text(response)
    assert "Jemand anderes hat „Doosan Robotics“ inzwischen geändert" in page
    assert "Cobots (meine Fassung)" in page and "Robotik (geändert von B)" in page
    assert rows(app, Organization) == after_theirs
    assert history_count(app) == history


def test_edit_without_version_is_refused(app: Flask, seeded: None, planner: FlaskClient) -> None:
    doosan = org_id(app, "Doosan Robotics")
    before = rows(app, Organization)
    response = submit(planner, f"/directory/organizations/{doosan}/edit", version=None, sector="neu")
    assert_refused(response, field_marked=False)
    assert rows(app, Organization) == before


def test_posts_without_csrf_token_are_refused(app: Flask, seeded: None, planner: FlaskClient) -> None:
    doosan = org_id(app, "Doosan Robotics")
    before = rows(app, Organization)
    values = form_values(planner, f"/directory/organizations/{doosan}/edit")
    del values["csrf_token"]
    values["sector"] = "ohne Token"
    response = planner.post(f"/directory/organizations/{doosan}/edit", data=values)
    assert response.status_code == 400
    assert rows(app, Organization) == before


def test_lost_race_on_commit_becomes_a_conflict(app: Flask, seeded: None) -> None:
    """Both saves pass the version check; the UPDATE ... WHERE version catches the second."""
    doosan = org_id(app, "Doosan Robotics")
    with app.app_context():
        organization = db.session.get(Organization, doosan)
        # Another worker commits between our check and our UPDATE.
        with db.engine.begin() as other:
            other.execute(sa.update(Organization).where(Organization.id == doosan).values(sector="B", version=2))
        data = OrganizationInput(name=organization.name, kind=organization.kind, sector="A")
        with pytest.raises(EditConflict):
            operations.update_organization(organization, data, 1)
    with app.app_context():
        assert db.session.get(Organization, doosan).sector == "B"


# -- people ----------------------------------------------------------------------------


def test_planner_creates_and_edits_a_person(app: Flask, seeded: None, planner: FlaskClient) -> None:
    seegene = org_id(app, "Seegene")
    response = submit(
        planner,
        "/directory/people/new",
        title="Prof. Dr.",
        given_name="Ji-Hoon",
        family_name="Park",
        side="host",
        native_name="박지훈",
        function="Leiter Europa",
        organization_id=str(seegene),
        languages="ko, en, de",
    )
    assert response.status_code == 302
    new_id = find_id(app, sa.select(Person.id).where(Person.name == "Ji-Hoon Park"))
    page = text(planner.get(f"/directory/organizations/{seegene}"))
    assert "Prof. Dr. Ji-Hoon Park" in page and "박지훈" in page
    with app.app_context():
        person = db.session.get(Person, new_id)
        assert (person.title, person.given_name, person.family_name, person.side) == (
            "Prof. Dr.",
            "Ji-Hoon",
            "Park",
            PersonSide.HOST,
        )

    path = f"/directory/people/{new_id}/edit"
    response = submit(planner, path, function="Geschäftsführer Europa", organization_id="", family_name_first="y", side="own")
    assert response.status_code == 302
    with app.app_context():
        person = db.session.get(Person, new_id)
        assert person.function == "Geschäftsführer Europa" and person.organization_id is None and person.version == 2
        # Written family name first from now on; the parts stay what they are.
        assert (person.name, person.given_name, person.family_name) == ("Park Ji-Hoon", "Ji-Hoon", "Park")
        assert person.side == PersonSide.OWN
    # The change history names the person as they are called now.
    with app.app_context():
        latest = db.session.scalars(sa.select(ChangeRecord).order_by(ChangeRecord.id.desc())).first()
        assert latest.label == "Park Ji-Hoon"


def test_people_are_listed_by_family_name(app: Flask, seeded: None, planner: FlaskClient) -> None:
    for given, family in (("Anna", "Zander"), ("Zoe", "Abel"), ("Bert", "Abel")):
        assert submit(planner, "/directory/people/new", given_name=given, family_name=family, side="host").status_code == 302
    page = text(planner.get("/directory/people"))
    positions = [page.index(name) for name in ("Abel, Bert", "Abel, Zoe", "Keller, Stephan (Dr.)", "Zander, Anna")]
    assert positions == sorted(positions), positions


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"family_name": ""}, ["Bitte ausfüllen."]),
        ({"family_name": "   ", "given_name": "Stephan"}, ["Bitte ausfüllen."]),
        ({"title": "x" * 51}, ["Bitte höchstens 50 Zeichen eingeben (jetzt 51)."]),
        ({"given_name": "x" * 101}, ["Bitte höchstens 100 Zeichen eingeben (jetzt 101)."]),
        ({"side": "enemy"}, []),
        ({"languages": "x" * 101}, ["Bitte höchstens 100 Zeichen eingeben (jetzt 101)."]),
        ({"email": "a@b"}, ["Bitte eine gültige E-Mail-Adresse eingeben"]),
        ({"organization_id": "999999"}, []),
    ],
)
def test_invalid_person_edits_change_nothing(
    app: Flask, seeded: None, planner: FlaskClient, changes: dict[str, str], messages: list[str]
) -> None:
    keller = find_id(app, sa.select(Person.id).where(Person.name == "Stephan Keller"))
    before, history = rows(app, Person), history_count(app)
    assert_refused(submit(planner, f"/directory/people/{keller}/edit", **changes), *messages)
    assert rows(app, Person) == before and history_count(app) == history


def test_stale_person_edit_is_a_conflict(app: Flask, seeded: None, planner: FlaskClient) -> None:
    keller = find_id(app, sa.select(Person.id).where(Person.name == "Stephan Keller"))
    path = f"/directory/people/{keller}/edit"
    mine = form_values(planner, path)
    assert submit(planner, path, languages="de, en, fr").status_code == 302
    before = rows(app, Person)
    mine["function"] = "Oberbürgermeister (meine Fassung)"
    response = planner.post(path, data=mine)
    assert response.status_code == 409 and "Dr. Stephan Keller" in text(response)
    assert rows(app, Person) == before


# -- cities ----------------------------------------------------------------------------


def test_planner_creates_a_city_in_a_new_country(app: Flask, seeded: None, planner: FlaskClient) -> None:
    response = submit(
        planner,
        "/directory/cities/new",
        name="Osaka",
        native_name="大阪",
        country_iso="JP",
        timezone="Asia/Tokyo",
        latitude="34.69",
        longitude="135.5",
    )
    assert response.status_code == 302
    page = text(planner.get("/directory/cities"))
    assert "Osaka" in page and "大阪" in page and "Japan" in page and "Asia/Tokyo" in page and "UTC+9" in page
    with app.app_context():
        country = db.session.scalar(sa.select(Country).where(Country.iso_code == "JP"))
        assert country is not None and country.name == "Japan"


def test_unknown_zone_is_a_clear_form_error(app: Flask, seeded: None, planner: FlaskClient) -> None:
    before_cities, before_countries = rows(app, City), rows(app, Country)
    response = submit(planner, "/directory/cities/new", name="Olympus", country_iso="FR", timezone="Mars/Olympus_Mons")
    assert_refused(response, "„Mars/Olympus_Mons“ ist keine bekannte IANA-Zeitzone.")
    assert rows(app, City) == before_cities and rows(app, Country) == before_countries

    seoul = city_id(app, "Seoul")
    response = submit(planner, f"/directory/cities/{seoul}/edit", timezone="../../etc/passwd")
    assert_refused(response, "keine bekannte IANA-Zeitzone")
    response = submit(planner, f"/directory/cities/{seoul}/edit", timezone="")
    assert_refused(response, "Bitte ausfüllen.")
    assert rows(app, City) == before_cities


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"name": "x" * 101}, ["Bitte höchstens 100 Zeichen eingeben (jetzt 101)."]),
        ({"latitude": "91"}, ["Bitte einen Wert zwischen -90 und 90 eingeben."]),
        ({"longitude": "Ost"}, []),
        ({"country_iso": "EU"}, []),
        ({"country_iso": ""}, ["Bitte ausfüllen."]),
        ({"name": "Chongqing", "country_iso": "CN"}, ["Die Stadt „Chongqing“ gibt es in diesem Land bereits."]),
    ],
)
def test_invalid_city_edits_change_nothing(
    app: Flask, seeded: None, planner: FlaskClient, changes: dict[str, str], messages: list[str]
) -> None:
    seoul = city_id(app, "Seoul")
    before, countries = rows(app, City), rows(app, Country)
    assert_refused(submit(planner, f"/directory/cities/{seoul}/edit", **changes), *messages)
    assert rows(app, City) == before and rows(app, Country) == countries


def test_city_edit_changes_zone_and_stale_edit_conflicts(app: Flask, seeded: None, planner: FlaskClient) -> None:
    seoul = city_id(app, "Seoul")
    path = f"/directory/cities/{seoul}/edit"
    mine = form_values(planner, path)
    assert mine["country_iso"] == "KR" and mine["timezone"] == "Asia/Seoul"
    assert submit(planner, path, profile="Neues Profil").status_code == 302
    before = rows(app, City)
    mine["timezone"] = "Asia/Tokyo"
    response = planner.post(path, data=mine)
    assert response.status_code == 409 and "Jemand anderes hat „Seoul“ inzwischen geändert" in text(response)
    assert rows(app, City) == before


# -- partnerships ----------------------------------------------------------------------------


def test_planner_adds_a_partnership(app: Flask, seeded: None, planner: FlaskClient) -> None:
    response = submit(
        planner,
        "/directory/partnerships/new",
        home_city_id=str(city_id(app, "Düsseldorf")),
        partner_city_id=str(city_id(app, "Seoul")),
        since="2024-10-15",
    )
    assert response.status_code == 302
    page = text(planner.get("/directory/partnerships"))
    assert "Seoul" in page and "Di., 15. Okt. 2024" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Partnership)) == 2


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"partner_city_id": "{home}"}, ["Die Partnerstadt muss eine andere Stadt sein als die Heimatstadt."]),
        ({"since": ""}, ["Bitte ein Datum angeben."]),
        ({"since": "22.07.2004x"}, []),
        ({"home_city_id": ""}, ["Bitte ausfüllen."]),
        ({"partner_city_id": "999999"}, []),
    ],
)
def test_invalid_partnerships_change_nothing(
    app: Flask, seeded: None, planner: FlaskClient, changes: dict[str, str], messages: list[str]
) -> None:
    ids = {"home": city_id(app, "Düsseldorf"), "chongqing": city_id(app, "Chongqing")}
    partnership = find_id(app, sa.select(Partnership.id))
    before = rows(app, Partnership)
    filled = {name: value.format(**ids) for name, value in changes.items()}
    assert_refused(submit(planner, f"/directory/partnerships/{partnership}/edit", **filled), *messages)
    # the same rules for a new partnership
    new = {"home_city_id": str(ids["home"]), "partner_city_id": str(ids["chongqing"]), "since": "2004-07-22", **filled}
    assert_refused(submit(planner, "/directory/partnerships/new", **new), *messages)
    assert rows(app, Partnership) == before


def test_the_same_twinning_cannot_be_entered_twice(app: Flask, seeded: None, planner: FlaskClient) -> None:
    home, chongqing, seoul = city_id(app, "Düsseldorf"), city_id(app, "Chongqing"), city_id(app, "Seoul")
    before = rows(app, Partnership)
    for first, second in ((home, chongqing), (chongqing, home)):  # either way round
        response = submit(
            planner, "/directory/partnerships/new", home_city_id=str(first), partner_city_id=str(second), since="2004-07-22"
        )
        assert_refused(response, "Diese Städtepartnerschaft gibt es bereits.")
    assert rows(app, Partnership) == before
    # A second partnership edited into a copy of the first is refused as well.
    assert (
        submit(
            planner, "/directory/partnerships/new", home_city_id=str(home), partner_city_id=str(seoul), since="2024-01-01"
        ).status_code
        == 302
    )
    second = find_id(app, sa.select(Partnership.id).where(Partnership.partner_city_id == seoul))
    before = rows(app, Partnership)
    response = submit(planner, f"/directory/partnerships/{second}/edit", partner_city_id=str(chongqing))
    assert_refused(response, "Diese Städtepartnerschaft gibt es bereits.")
    assert rows(app, Partnership) == before


def test_partnership_edit_and_conflict(app: Flask, seeded: None, planner: FlaskClient) -> None:
    partnership = find_id(app, sa.select(Partnership.id))
    path = f"/directory/partnerships/{partnership}/edit"
    mine = form_values(planner, path)
    assert mine["since"] == "2004-07-22"
    assert submit(planner, path, notes="Freundschaftsabkommen 2001").status_code == 302
    with app.app_context():
        assert db.session.get(Partnership, partnership).since == date(2004, 7, 22)
    before = rows(app, Partnership)
    mine["since"] = "2001-01-01"
    response = planner.post(path, data=mine)
    assert response.status_code == 409 and "Düsseldorf – Chongqing" in text(response)
    assert rows(app, Partnership) == before


def test_form_token_from_another_page_still_needs_a_valid_form(app: Flask, seeded: None, planner: FlaskClient) -> None:
    """A bare POST (token only) is invalid input, not a crash."""
    token = csrf_token(planner, "/directory/organizations")
    before = rows(app, Organization)
    for path in ("/directory/organizations/new", "/directory/people/new", "/directory/cities/new", "/directory/partnerships/new"):
        response = planner.post(path, data={"csrf_token": token})
        assert response.status_code == 422, path
        assert "Bitte ausfüllen." in text(response)
    assert rows(app, Organization) == before


def _another_planner_creates_first(name: str):
    """A before_flush hook: another worker commits an organization named ``name`` just before our INSERT."""

    def create_first(session: Session, context: object, instances: object) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.insert(Organization).values(name=name, kind=OrganizationKind.COMPANY.value, version=1))

    return create_first


# PostgreSQL aborts a transaction at its first error unless a SAVEPOINT contains it: run there too.
@pytest.mark.engine
def test_a_create_losing_the_race_to_the_same_name_is_refused_on_the_name_field(
    app: Flask, seeded: None, planner: FlaskClient
) -> None:
    """Both saves pass the name check; the unique index decides, and the loser gets the message, not a 500."""
    values = form_values(planner, "/directory/organizations/new")
    values.update(name="Hyundai Rotem", kind="company", sector="Schienenfahrzeuge")
    history = history_count(app)
    hook = _another_planner_creates_first("Hyundai Rotem")
    sa.event.listen(Session, "before_flush", hook, once=True)
    try:
        response = planner.post("/directory/organizations/new", data=values)
    finally:
        if sa.event.contains(Session, "before_flush", hook):
            sa.event.remove(Session, "before_flush", hook)
    assert_refused(response, "Eine Organisation namens „Hyundai Rotem“ gibt es bereits.")
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*name="name"|<input[^>]*name="name"[^>]*aria-invalid="true"', text(response)
    )
    with app.app_context():
        # Only the other planner's record: ours (with its sector) was not saved, nor written to the history.
        saved = db.session.scalars(sa.select(Organization).where(Organization.name == "Hyundai Rotem")).all()
        assert [organization.sector for organization in saved] == [None]
    assert history_count(app) == history


# PostgreSQL aborts a transaction at its first error unless a SAVEPOINT contains it: run there too.
@pytest.mark.engine
def test_a_refused_create_leaves_the_callers_transaction_usable(app: Flask, seeded: None) -> None:
    """The lost race is undone in a SAVEPOINT: what the caller changed before stays, and it commits."""
    keller = find_id(app, sa.select(Person.id).where(Person.name == "Stephan Keller"))
    with app.app_context():
        db.session.get(Person, keller).function = "Oberbürgermeister a. D."
        hook = _another_planner_creates_first("Hyundai Rotem")
        sa.event.listen(Session, "before_flush", hook, once=True)
        try:
            with pytest.raises(Rejected) as refused:
                operations.create_organization(OrganizationInput(name="Hyundai Rotem", kind=OrganizationKind.COMPANY))
        finally:
            if sa.event.contains(Session, "before_flush", hook):
                sa.event.remove(Session, "before_flush", hook)
        assert refused.value.field == "name"
        db.session.commit()
    with app.app_context():
        assert db.session.get(Person, keller).function == "Oberbürgermeister a. D."
        assert db.session.scalar(sa.select(sa.func.count()).where(Organization.name == "Hyundai Rotem")) == 1
