"""The city form's rules (issue #13): German decimal commas, zones of the country, deleting cities.

Every refusal is checked against the database as well as against the page.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.extensions import db
from planner.models import City
from planner.timezones import zones_of_country
from tests.conftest import csrf_token
from tests.directory.conftest import find_id, form_values, rows, submit, text


def city_id(app: Flask, name: str) -> int:
    return find_id(app, sa.select(City.id).where(City.name == name))


def city(app: Flask, name: str) -> City | None:
    with app.app_context():
        found = db.session.scalar(sa.select(City).where(City.name == name))
        if found is not None:
            db.session.expunge(found)
        return found


def new_osaka(planner: FlaskClient, **changes: str):
    values = {"name": "Osaka", "country_iso": "JP", "timezone": "Asia/Tokyo"} | changes
    return submit(planner, "/directory/cities/new", **values)


# -- coordinates --------------------------------------------------------------------------


@pytest.mark.parametrize(("latitude", "longitude"), [("34,6937", "135,5023"), ("34.6937", "135.5023")])
def test_coordinates_take_a_decimal_comma_or_point(
    app: Flask, seeded: None, planner: FlaskClient, latitude: str, longitude: str
) -> None:
    assert new_osaka(planner, latitude=latitude, longitude=longitude).status_code == 302
    saved = city(app, "Osaka")
    assert saved is not None and saved.latitude == pytest.approx(34.6937) and saved.longitude == pytest.approx(135.5023)


@pytest.mark.parametrize("value", ["Ost", "34,69,1", "34,6.9", "1e5", "nan", "inf", "3 4"])
def test_other_coordinates_get_one_clear_message(app: Flask, seeded: None, planner: FlaskClient, value: str) -> None:
    before = rows(app, City)
    response = new_osaka(planner, latitude=value)
    assert response.status_code == 422
    page = text(response)
    assert page.count("Bitte eine Zahl eingeben, z. B. 51,2277 oder 51.2277.") == 1
    assert "Not a valid" not in page and "zwischen" not in page
    assert rows(app, City) == before


def test_coordinate_message_is_ours_in_english_too(app: Flask, seeded: None, planner: FlaskClient) -> None:
    # WTForms' own "Not a valid float value." was English on a German page; ours goes through Babel.
    token = csrf_token(planner, "/directory/cities/new")
    planner.post("/language", data={"csrf_token": token, "locale": "en", "next": "/directory/cities/new"})
    response = new_osaka(planner, latitude="Ost")
    assert response.status_code == 422
    assert "Not a valid float value" not in text(response) and "51,2277" in text(response)


# -- zones of the country -----------------------------------------------------------------


def test_zones_of_country_come_from_the_tz_database() -> None:
    assert zones_of_country("JP") == ("Asia/Tokyo",)
    assert zones_of_country("kr") == ("Asia/Seoul",)
    assert "Europe/Berlin" in zones_of_country("DE")
    assert "Europe/Oslo" in zones_of_country("NO")  # a zone.tab zone that is a link since 2022
    assert zones_of_country("XX") == ()


def test_zone_outside_the_country_is_refused_naming_its_zones(app: Flask, seeded: None, planner: FlaskClient) -> None:
    before = rows(app, City)
    response = new_osaka(planner, timezone="Europe/Berlin")
    assert response.status_code == 422
    page = text(response)
    assert "Die Zeitzone Europe/Berlin liegt nicht in diesem Land. Japan: Asia/Tokyo" in page
    assert rows(app, City) == before

    seoul = city_id(app, "Seoul")
    response = submit(planner, f"/directory/cities/{seoul}/edit", timezone="Asia/Tokyo")
    assert response.status_code == 422 and "Südkorea: Asia/Seoul" in text(response)
    assert rows(app, City) == before


def test_zone_select_lists_the_countrys_zones_first(app: Flask, seeded: None, planner: FlaskClient) -> None:
    seoul = city_id(app, "Seoul")
    page = planner.get(f"/directory/cities/{seoul}/edit").get_data(as_text=True)
    select = page[page.index('name="timezone"') :]
    select = select[: select.index("</select>")]
    groups = re.findall(r'<optgroup label="([^"]*)">', select)
    assert groups == ["Zeitzonen in Südkorea", "Alle anderen Zeitzonen"]
    first_group = select[select.index("<optgroup") : select.index("</optgroup>")]
    assert re.findall(r'<option[^>]*value="([^"]*)"', first_group) == ["Asia/Seoul"]
    assert 'value="Asia/Seoul"' not in select[select.index("</optgroup>") :]
    assert 'value="Europe/Berlin"' in select


def test_new_city_form_lists_every_zone_before_a_country_is_chosen(planner: FlaskClient, seeded: None) -> None:
    values = form_values(planner, "/directory/cities/new")
    page = planner.get("/directory/cities/new").get_data(as_text=True)
    assert values["timezone"] == "" and "<optgroup" not in page and 'value="Asia/Tokyo"' in page


# -- deleting -----------------------------------------------------------------------------


def _delete(planner: FlaskClient, city_id: int):
    """Follow the button: the confirmation page, then its form."""
    page = planner.get(f"/directory/cities/{city_id}/delete")
    assert page.status_code == 200
    version = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True))
    assert version is not None
    return planner.post(
        f"/directory/cities/{city_id}/delete",
        data={"csrf_token": csrf_token(planner, f"/directory/cities/{city_id}/delete"), "version": version.group(1)},
    )


def test_unused_city_is_deleted_after_asking(app: Flask, seeded: None, planner: FlaskClient) -> None:
    assert new_osaka(planner).status_code == 302
    osaka = city_id(app, "Osaka")
    profile = text(planner.get(f"/directory/cities/{osaka}"))
    assert f"/directory/cities/{osaka}/delete" in profile
    confirm = text(planner.get(f"/directory/cities/{osaka}/delete"))
    assert "Osaka löschen?" in confirm and 'method="post"' in confirm
    assert city(app, "Osaka") is not None  # asking changes nothing

    response = _delete(planner, osaka)
    assert response.status_code == 302 and response.headers["Location"].endswith("/directory/cities")
    assert city(app, "Osaka") is None
    assert "Die Stadt Osaka ist gelöscht." in text(planner.get("/directory/cities"))
    assert planner.get(f"/directory/cities/{osaka}").status_code == 404


def test_city_in_use_is_not_deleted_and_the_page_says_by_what(app: Flask, seeded: None, planner: FlaskClient) -> None:
    seoul = city_id(app, "Seoul")
    before = rows(app, City)
    response = _delete(planner, seoul)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/directory/cities/{seoul}")
    page = text(planner.get(f"/directory/cities/{seoul}"))
    assert "Seoul wird noch von 4 Organisationen, 8 Terminen, 2 Verbindungen und 1 Station verwendet." in page
    assert rows(app, City) == before


def test_stale_delete_changes_nothing(app: Flask, seeded: None, planner: FlaskClient) -> None:
    assert new_osaka(planner).status_code == 302
    osaka = city_id(app, "Osaka")
    token = csrf_token(planner, f"/directory/cities/{osaka}/delete")
    assert submit(planner, f"/directory/cities/{osaka}/edit", profile="Neu").status_code == 302
    response = planner.post(f"/directory/cities/{osaka}/delete", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 302 and city(app, "Osaka") is not None


def test_viewer_cannot_delete(app: Flask, seeded: None, viewer: FlaskClient) -> None:
    seoul = city_id(app, "Seoul")
    assert viewer.get(f"/directory/cities/{seoul}/delete").status_code in (302, 403)
    assert "/delete" not in text(viewer.get(f"/directory/cities/{seoul}"))
