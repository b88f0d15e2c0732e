"""The gift register: declaration threshold, repeat warning, exports, permissions and bad input, on the Keller trip."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.editing import Rejected
from planner.extensions import db
from planner.gifts.checks import normalise_item, register_rows
from planner.gifts.inputs import GiftInput
from planner.gifts.operations import save_gift
from planner.models import Delegation, Gift, GiftDirection, Organization, Person, UserRole
from tests.conftest import ADMIN_EMAIL, VIEWER_EMAIL, csrf_token, login, make_user, new_browser


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.get_data(as_text=True))


def _org(name: str) -> int:
    return db.session.scalars(sa.select(Organization.id).where(Organization.name == name)).one()


def _count() -> int:
    return int(db.session.scalar(sa.select(sa.func.count(Gift.id))) or 0)


def _received(value: str | None, currency: str = "EUR", value_eur: str | None = None) -> GiftInput:
    return GiftInput(
        direction=GiftDirection.RECEIVED,
        item="Teeservice",
        given_on=date(2024, 10, 17),
        organization_id=_org("Stadtregierung Chongqing"),
        value_amount=Decimal(value) if value is not None else None,
        currency=currency,
        value_eur=Decimal(value_eur) if value_eur is not None else None,
    )


def _flags(app: Flask, data: GiftInput) -> tuple[bool, bool]:
    trip = db.session.scalars(sa.select(Delegation)).first()
    gift = save_gift(data, delegation=trip)
    row = register_rows([gift], [], Decimal(str(app.config["GIFT_DECLARATION_THRESHOLD_EUR"])))[0]
    return row.must_declare, row.value_unknown


@pytest.mark.parametrize(
    ("value", "must"),
    [("24.99", False), ("25.00", True), ("25.01", True), ("400", True)],
)
def test_received_gifts_at_or_above_the_threshold_must_be_declared(app: Flask, keller_trip: int, value: str, must: bool) -> None:
    with app.app_context():
        assert _flags(app, _received(value)) == (must, False)


def test_a_given_gift_is_never_declared_and_an_unknown_value_is_flagged(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        given = GiftInput(
            direction=GiftDirection.GIVEN,
            item="Bildband",
            given_on=date(2024, 10, 17),
            organization_id=_org("Stadtregierung Chongqing"),
            value_amount=Decimal("400"),
        )
        assert _flags(app, given) == (False, False)
        assert _flags(app, _received(None)) == (False, True)


def test_another_currency_counts_by_its_euro_estimate_and_without_one_is_refused(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        # 200 CNY, estimated at 26 €: above the 25 € threshold although 200 is not what is compared.
        assert _flags(app, _received("200", "CNY", "26")) == (True, False)
        assert _flags(app, _received("200", "CNY", "20")) == (False, False)
        before = _count()
        with pytest.raises(Rejected) as refused:
            save_gift(_received("200", "CNY"), delegation=None)
        assert refused.value.field == "value_eur"
        with pytest.raises(Rejected) as unknown:
            save_gift(_received("200", "XYZ", "20"), delegation=None)
        assert unknown.value.field == "currency"
        assert _count() == before


def test_the_threshold_is_configurable(app: Flask, keller_trip: int) -> None:
    app.config["GIFT_DECLARATION_THRESHOLD_EUR"] = 50
    with app.app_context():
        assert _flags(app, _received("30")) == (False, False)
        assert _flags(app, _received("50")) == (True, False)


def test_item_names_are_compared_normalised() -> None:
    assert normalise_item("  Bildband  DÜSSELDORF! ") == normalise_item("bildband düsseldorf")
    assert normalise_item("Bildband Düsseldorf") == normalise_item("Bildband Dusseldorf")
    assert normalise_item("Bildband Düsseldorf") != normalise_item("Bildband Köln")
    assert normalise_item("青花瓷 花瓶") == normalise_item("青花瓷花瓶".replace("花瓶", " 花瓶"))


# -- the pages ---------------------------------------------------------------------------


def _form(client: FlaskClient, path: str, **values: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf_token(client, path),
        "version": "1",
        "direction": "given",
        "item": "Bildband Düsseldorf",
        "given_on": "2024-10-17",
        "appointment_id": "0",
        "person_id": "0",
        "organization_id": "0",
        "city_id": "0",
        "currency": "EUR",
    }
    data.update(values)
    return data


def test_the_same_gift_to_the_same_counterpart_warns_before_saving(app: Flask, planner: FlaskClient, keller: int) -> None:
    path = f"/delegations/{keller}/gifts/new"
    with app.app_context():
        chongqing, wcico = (
            str(_org("Stadtregierung Chongqing")),
            str(_org("Western China International Communication Organization (WCICO)")),
        )
        before = _count()
    first = planner.post(path, data=_form(planner, path, organization_id=chongqing))
    assert first.status_code == 302
    # The same item, written differently, to the same organization: warned at the form, nothing saved.
    again = planner.post(
        path, data=_form(planner, path, organization_id=chongqing, item="  bildband  DÜSSELDORF!", given_on="2026-05-02")
    )
    assert again.status_code == 422
    assert "Dasselbe Geschenk („Bildband Düsseldorf“) ging schon am" in text(again)
    with app.app_context():
        assert _count() == before + 1
    # Another counterpart: no warning.
    other = planner.post(path, data=_form(planner, path, organization_id=wcico))
    assert other.status_code == 302
    # Confirmed: saved, and the register shows the repeat.
    confirmed = planner.post(
        path,
        data=_form(
            planner, path, organization_id=chongqing, item="bildband düsseldorf", given_on="2026-05-02", repeat_confirmed="y"
        ),
    )
    assert confirmed.status_code == 302
    page = text(planner.get(f"/delegations/{keller}/gifts"))
    assert page.count('data-warning="repeat"') == 1
    assert "Dasselbe Geschenk ging schon am Do., 17. Okt. 2024 an dieses Gegenüber." in page


def test_the_same_person_counts_as_the_same_counterpart(app: Flask, planner: FlaskClient, keller: int) -> None:
    path = f"/delegations/{keller}/gifts/new"
    with app.app_context():
        hu = str(db.session.scalars(sa.select(Person.id).where(Person.family_name == "Hu")).one())
    assert planner.post(path, data=_form(planner, path, person_id=hu, item="Rheinturm-Modell")).status_code == 302
    again = planner.post(path, data=_form(planner, path, person_id=hu, item="Rheinturm Modell", given_on="2025-01-02"))
    assert again.status_code == 422


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Bitte einen Betrag wie 25 oder 1.234,50 angeben."),
        ("-5", "Der Wert darf nicht negativ sein."),
        ("12,345", "höchstens zwei Stellen"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_nothing_is_saved(
    app: Flask, planner: FlaskClient, keller: int, value: str, message: str
) -> None:
    path = f"/delegations/{keller}/gifts/new"
    with app.app_context():
        chongqing = str(_org("Stadtregierung Chongqing"))
        before = _count()
    response = planner.post(path, data=_form(planner, path, organization_id=chongqing, value_amount=value))
    assert response.status_code == 422
    assert message in text(response)
    with app.app_context():
        assert _count() == before


def test_a_gift_without_counterpart_is_refused(app: Flask, planner: FlaskClient, keller: int) -> None:
    path = f"/delegations/{keller}/gifts/new"
    response = planner.post(path, data=_form(planner, path))
    assert response.status_code == 422
    assert "Bitte angeben, von wem das Geschenk kam oder an wen es ging" in text(response)


def test_german_amounts_are_read_as_german_offices_write_them(app: Flask, planner: FlaskClient, keller: int) -> None:
    path = f"/delegations/{keller}/gifts/new"
    with app.app_context():
        chongqing = str(_org("Stadtregierung Chongqing"))
    response = planner.post(
        path, data=_form(planner, path, organization_id=chongqing, direction="received", item="Vase", value_amount="1.234,50")
    )
    assert response.status_code == 302
    with app.app_context():
        gift = db.session.scalars(sa.select(Gift).where(Gift.item == "Vase")).one()
        assert (gift.value_amount, gift.value_eur, gift.currency) == (Decimal("1234.50"), Decimal("1234.50"), "EUR")


def test_the_keller_seed_has_the_anniversary_gift_as_a_placeholder(app: Flask, planner: FlaskClient, keller: int) -> None:
    page = text(planner.get(f"/delegations/{keller}/gifts"))
    assert "Gastgeschenk zum 20-jährigen Partnerschaftsjubiläum (Platzhalter)" in page
    assert "Platzhalter – zu prüfen" in page
    with app.app_context():
        gift = db.session.scalars(sa.select(Gift)).one()
        assert gift.placeholder and gift.value_amount is None and gift.city is not None and gift.city.name == "Chongqing"


# -- exports -------------------------------------------------------------------------------


def _planted(app: Flask, keller: int) -> None:
    with app.app_context():
        trip = db.session.get(Delegation, keller)
        save_gift(
            GiftInput(
                direction=GiftDirection.RECEIVED,
                item='=HYPERLINK("https://evil.example","klick")',
                given_on=date(2024, 10, 16),
                organization_id=_org("Stadtregierung Chongqing"),
                value_amount=Decimal("300"),
                currency="CNY",
                value_eur=Decimal("38.50"),
                kept_at="@Rathaus",
                notes="+1 Vitrine",
            ),
            delegation=trip,
        )
        db.session.commit()


def test_the_csv_export_reads_back_and_is_safe_against_formulas(app: Flask, planner: FlaskClient, keller: int) -> None:
    _planted(app, keller)
    response = planner.get(f"/delegations/{keller}/gifts/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    planted = next(r for r in rows if "HYPERLINK" in r["Geschenk"])
    assert planted["Geschenk"] == '\'=HYPERLINK("https://evil.example","klick")'
    assert planted["Verbleib"] == "'@Rathaus" and planted["Hinweise"] == "'+1 Vitrine"
    assert (planted["Wert"], planted["Währung"], planted["Wert in EUR"]) == ("300,00", "CNY", "38,50")
    assert planted["Meldepflichtig"] == "ja" and planted["Gemeldet"] == "nein"
    seeded = next(r for r in rows if "Partnerschaftsjubiläum" in r["Geschenk"])
    assert seeded["Platzhalter"] == "ja" and seeded["Wert"] == "" and seeded["Richtung"] == "überreicht"


def test_the_xlsx_export_reads_back_with_numbers_and_no_formula(app: Flask, planner: FlaskClient, keller: int) -> None:
    _planted(app, keller)
    response = planner.get(f"/delegations/{keller}/gifts/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    planted = next(dict(zip(header, r, strict=True)) for r in rows[1:] if "HYPERLINK" in str(r[header.index("Geschenk")]))
    assert planted["Geschenk"].startswith("'=")
    assert Decimal(str(planted["Wert in EUR"])) == Decimal("38.5")
    assert planted["Meldepflichtig"] == "ja"
    # No cell of the sheet is a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


# -- permissions -----------------------------------------------------------------------------


def test_an_outsider_does_not_see_the_trip_register(app: Flask, client: FlaskClient, keller: int, outside_teams: None) -> None:
    login(client, VIEWER_EMAIL, teams=False)
    assert client.get(f"/delegations/{keller}/gifts").status_code == 404
    assert client.get(f"/delegations/{keller}/gifts/export.csv").status_code == 404


def test_a_viewer_reads_but_does_not_edit_and_only_admins_see_the_whole_register(
    app: Flask, client: FlaskClient, keller: int
) -> None:
    login(client, VIEWER_EMAIL)
    page = client.get(f"/delegations/{keller}/gifts")
    assert page.status_code == 200 and "Neues Geschenk" not in text(page)
    assert client.get(f"/delegations/{keller}/gifts/new").status_code == 403
    assert client.get("/gifts").status_code == 403
    planner = new_browser(app, "other-planner@example.org", UserRole.PLANNER)
    assert planner.get("/gifts").status_code == 403
    assert planner.get("/gifts/export.csv").status_code == 403
    admin = new_browser(app, ADMIN_EMAIL, UserRole.ADMIN)
    register = admin.get("/gifts")
    assert register.status_code == 200 and "Partnerschaftsjubiläum" in text(register)


def test_the_whole_register_filters_by_partner_city_and_year(app: Flask, client: FlaskClient, keller: int) -> None:
    with app.app_context():
        make_user(UserRole.ADMIN, ADMIN_EMAIL)
        chongqing_city = db.session.scalars(sa.select(Gift.city_id)).one()
    login(client, ADMIN_EMAIL)
    assert "Partnerschaftsjubiläum" in text(client.get(f"/gifts?city={chongqing_city}&year=2024"))
    assert "Partnerschaftsjubiläum" not in text(client.get("/gifts?year=2023"))
    assert client.get("/gifts?city=abc&year=x").status_code == 200


def test_the_register_outlives_its_trip(app: Flask, keller_trip: int) -> None:
    # The compliance office asks about gifts years later: deleting the trip leaves its gifts, with their occasion.
    with app.app_context():
        db.session.delete(db.session.get(Delegation, keller_trip))
        db.session.commit()
        db.session.expire_all()
        gift = db.session.scalars(sa.select(Gift)).one()
        assert gift.delegation_id is None and gift.appointment_id is None
        assert gift.occasion == "Feier zum 20-jährigen Jubiläum der Städtepartnerschaft Düsseldorf–Chongqing"
        assert gift.organization is not None and gift.organization.name == "Stadtregierung Chongqing"


def test_a_typed_date_that_is_no_date_gets_its_own_message(app: Flask, planner: FlaskClient, keller: int) -> None:
    path = f"/delegations/{keller}/gifts/new"
    response = planner.post(path, data=_form(planner, path, given_on="17.10.2024x"))
    assert response.status_code == 422 and "Bitte ein gültiges Datum angeben." in text(response)
