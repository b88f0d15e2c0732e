"""The entry pages and the seeded rules, on the Keller trip in a real database.

Admins keep the rules (list, create, edit, delete through the one edit flow, each change in
the history); everyone on the trip's team sees its stays with the rules that apply, and no
personal data. ``check_member`` (the hook for passport data) checks a member of the Keller
trip against the seeded rules.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.entry.check import FindingKind, PassportFacts
from planner.entry.queries import check_member, stays_for_member, trip_for_entry
from planner.entry.stays import Stay
from planner.extensions import db
from planner.models import ChangeRecord, EntryRule, ItemStatus, Journey, Member, PassportType, Person, UserRole
from tests.conftest import ADMIN_EMAIL, PLANNER_EMAIL, VIEWER_EMAIL, csrf_token, login, signed_in_as

KELLER_STAYS = [
    Stay("KR", date(2024, 10, 14), date(2024, 10, 16), ("Seoul",)),
    Stay("CN", date(2024, 10, 16), date(2024, 10, 19), ("Chongqing",)),
]


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _member(family_name: str) -> Member:
    return db.session.scalars(sa.select(Member).join(Person).where(Person.family_name == family_name)).one()


def test_the_keller_stays_in_local_dates(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        delegation = trip_for_entry(keller_trip)
        assert stays_for_member(delegation, None) == KELLER_STAYS
        assert stays_for_member(delegation, _member("Keller")) == KELLER_STAYS


def test_a_member_not_on_the_flight_to_china_has_no_stay_there(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        keller = _member("Keller")
        to_china = db.session.scalars(sa.select(Journey).where(Journey.arrival_place.like("Chongqing%"))).one()
        to_china.travellers.remove(keller)
        home = db.session.scalars(sa.select(Journey).where(Journey.departure_place.like("Chongqing%"))).one()
        home.travellers.remove(keller)
        db.session.commit()
        assert [stay.country for stay in stays_for_member(trip_for_entry(keller_trip), keller)] == ["KR"]


def test_a_cancelled_leg_is_no_stay(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        delegation = trip_for_entry(keller_trip)
        next(leg for leg in delegation.legs if leg.city.name == "Chongqing").status = ItemStatus.CANCELLED
        db.session.commit()
        assert stays_for_member(trip_for_entry(keller_trip), None) == KELLER_STAYS[:1]


@pytest.mark.parametrize(
    ("passport_type", "expires_on", "expected"),
    [
        # The seeded Korean rules are marked to be verified (passport validity and day count unsourced).
        (PassportType.ORDINARY, date(2030, 1, 1), {(FindingKind.RULE_TO_BE_VERIFIED, "KR")}),
        (
            PassportType.OFFICIAL,
            date(2030, 1, 1),
            {(FindingKind.RULE_TO_BE_VERIFIED, "KR"), (FindingKind.VISA_REQUIRED, "CN")},
        ),
        # China: six months from entry on 16 Oct 2024.
        (
            PassportType.ORDINARY,
            date(2025, 4, 15),
            {(FindingKind.RULE_TO_BE_VERIFIED, "KR"), (FindingKind.PASSPORT_EXPIRES_TOO_EARLY, "CN")},
        ),
    ],
    ids=["ordinary", "official", "ordinary-expiring-within-chinas-six-months"],
)
def test_check_member_against_the_seeded_rules(
    app: Flask, keller_trip: int, passport_type: PassportType, expires_on: date, expected: set[tuple[FindingKind, str]]
) -> None:
    with app.app_context():
        passport = PassportFacts(passport_type=passport_type, issuing_country="DE", expires_on=expires_on, nationality="DE")
        findings = check_member(trip_for_entry(keller_trip), _member("Keller"), passport)
        assert {(finding.kind, finding.country) for finding in findings} == expected


def test_every_seeded_rule_has_a_source_and_a_date(app: Flask, keller_trip: int) -> None:
    with app.app_context():
        rules = db.session.scalars(sa.select(EntryRule)).all()
        assert {(rule.destination, rule.passport_type) for rule in rules} == {
            ("KR", PassportType.ORDINARY),
            ("KR", PassportType.OFFICIAL),
            ("CN", PassportType.ORDINARY),
            ("CN", PassportType.OFFICIAL),
        }
        for rule in rules:
            assert rule.nationality == "DE"
            assert rule.checked_on is not None
            assert rule.source and re.search(r"https?://", rule.source)


# -- the trip page ---------------------------------------------------------------------


def test_trip_page_shows_stays_and_rules_to_a_viewer_without_personal_data(client: FlaskClient, keller: int) -> None:
    login(client, VIEWER_EMAIL)
    page = text(client.get(f"/delegations/{keller}/entry"))
    assert "Südkorea (Seoul)" in page and "China (Chongqing)" in page
    assert "Einreise Mo., 14. Okt. 2024, Ausreise Mi., 16. Okt. 2024" in page
    assert "Einreise Mi., 16. Okt. 2024, Ausreise Sa., 19. Okt. 2024" in page
    china = page[page.index("China (Chongqing)") :]
    assert "visumfrei bis 15 Tage" in china and "Visum erforderlich" in china
    assert "30 Tage" not in china  # the 30-day rule began on 30 Nov 2024, after this trip
    assert "+44 20 7946" not in page  # no hotel or personal phone numbers
    assert "Einreiseregeln verwalten" not in page


def test_trip_page_is_linked_from_the_trip(client: FlaskClient, keller: int) -> None:
    login(client, VIEWER_EMAIL)
    assert f'href="/delegations/{keller}/entry"' in text(client.get(f"/delegations/{keller}"))


def test_trip_page_in_english(client: FlaskClient, keller: int) -> None:
    login(client, PLANNER_EMAIL)
    client.post("/language", data={"csrf_token": csrf_token(client, "/"), "locale": "en"})
    page = text(client.get(f"/delegations/{keller}/entry"))
    assert "South Korea" in page


# -- the admin pages -----------------------------------------------------------------


RULE = {
    "destination": "JP",
    "nationality": "DE",
    "passport_type": "ordinary",
    "valid_from": "",
    "visa_free_days": "90",
    "counts_arrival_day": "y",
    "passport_validity_months": "",
    "passport_validity_from": "departure",
    "notes": "",
    "source": "https://example.org/japan",
    "checked_on": "2026-12-01",
}


def _post(client: FlaskClient, path: str, data: dict[str, str], version: int = 1):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path), "version": str(version)})


def _rules(app: Flask) -> list[EntryRule]:
    with app.app_context():
        return list(db.session.scalars(sa.select(EntryRule).where(EntryRule.destination == "JP")))


def test_planners_and_viewers_are_refused(app: Flask, client: FlaskClient, keller: int) -> None:
    login(client, PLANNER_EMAIL)
    assert client.get("/admin/entry-rules").status_code == 403
    assert client.post("/admin/entry-rules/new", data={**RULE, "csrf_token": csrf_token(client, "/")}).status_code == 403
    assert _rules(app) == []


def test_admin_lists_the_seeded_rules_with_sources(admin: FlaskClient) -> None:
    page = text(admin.get("/admin/entry-rules"))
    assert "Einreiseregeln" in page
    assert "Südkorea" in page and "China" in page
    assert "Dienst- oder Diplomatenpass" in page
    assert "Noch zu prüfen" in page
    assert "https://deu-bonn.mofa.go.kr/de-de/wpge/m_7239/contents.do" in page
    assert "Geprüft am Di., 1. Dez. 2026" in page


def test_admin_creates_a_rule_and_the_history_records_it(app: Flask, admin: FlaskClient) -> None:
    response = _post(admin, "/admin/entry-rules/new", RULE)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/entry-rules"
    (rule,) = _rules(app)
    assert (rule.visa_free_days, rule.to_be_verified, rule.source) == (90, False, "https://example.org/japan")
    with app.app_context():
        record = db.session.scalars(
            sa.select(ChangeRecord).where(ChangeRecord.entity == "entry_rules", ChangeRecord.entity_id == rule.id)
        ).one()
        assert record.action == "create" and record.user_email == ADMIN_EMAIL


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"visa_required": "y"}, "Bei Visumpflicht bitte keine visumfreien Tage angeben."),
        ({"visa_free_days": ""}, "Bitte die visumfreien Tage angeben"),
        ({"visa_free_days": "0"}, "Bitte eine ganze Zahl zwischen 1 und 3650 eingeben."),
        ({"visa_free_days": "zehn"}, "Bitte eine ganze Zahl eingeben, z. B. 90."),
        ({"visa_free_days": "99999999999999999999"}, "Bitte eine ganze Zahl eingeben, z. B. 90."),
        ({"source": ""}, "Eine Regel ohne Quelle und Prüfdatum bleibt „noch zu prüfen“."),
        ({"checked_on": ""}, "Eine Regel ohne Quelle und Prüfdatum bleibt „noch zu prüfen“."),
        ({"destination": "XX"}, "Keine gültige Auswahl."),
        ({"destination": ""}, "Bitte ein Land aus der Liste wählen."),
        ({"passport_type": "diplomatic"}, "Keine gültige Auswahl."),
        ({"passport_type": "official", "waiver_covers_official": "y"}, "Nur eine Regel für gewöhnliche Reisepässe"),
        ({"valid_from": "3024-01-01"}, "Bitte ein Datum zwischen"),
        ({"passport_validity_months": "-1"}, "Bitte eine ganze Zahl zwischen 0 und 120 eingeben."),
    ],
    ids=[
        "visa-required-with-days",
        "no-days-no-visa",
        "zero-days",
        "days-not-a-number",
        "days-beyond-any-integer",
        "verified-without-source",
        "verified-without-date",
        "unknown-country",
        "no-country",
        "unknown-passport-type",
        "official-rule-covering-official",
        "date-far-off",
        "negative-validity",
    ],
)
def test_bad_input_is_refused_and_nothing_saved(app: Flask, admin: FlaskClient, change: dict[str, str], message: str) -> None:
    response = _post(admin, "/admin/entry-rules/new", {**RULE, **change})
    assert response.status_code == 422
    page = text(response)
    assert "Bitte prüfen Sie die markierten Angaben." in page
    assert (
        message in page
        or message.replace("Not a valid integer value.", "Keine gültige Ganzzahl") in page
        or _german(message) in page
    )
    assert _rules(app) == []


def _german(message: str) -> str:
    # WTForms' own messages appear in the page's language (German by default).
    return {"Not a valid integer value.": "Keine gültige Ganzzahl.", "Not a valid choice.": "Keine gültige Auswahl."}.get(
        message, message
    )


def test_a_placeholder_rule_needs_no_source(app: Flask, admin: FlaskClient) -> None:
    response = _post(admin, "/admin/entry-rules/new", {**RULE, "source": "", "checked_on": "", "to_be_verified": "y"})
    assert response.status_code == 302
    (rule,) = _rules(app)
    assert rule.to_be_verified and rule.source is None


def test_a_second_rule_from_the_same_day_is_refused(app: Flask, admin: FlaskClient) -> None:
    assert _post(admin, "/admin/entry-rules/new", RULE).status_code == 302
    response = _post(admin, "/admin/entry-rules/new", {**RULE, "visa_free_days": "30"})
    assert response.status_code == 422
    assert "ab diesem Tag schon eine Regel" in text(response)
    assert [rule.visa_free_days for rule in _rules(app)] == [90]


def test_admin_edits_a_rule_and_a_stale_version_is_a_conflict(app: Flask, admin: FlaskClient) -> None:
    _post(admin, "/admin/entry-rules/new", RULE)
    (rule,) = _rules(app)
    path = f"/admin/entry-rules/{rule.id}/edit"
    form = text(admin.get(path))
    assert re.search(r'name="visa_free_days"[^>]*value="90"', form)
    assert _post(admin, path, {**RULE, "visa_free_days": "30"}, version=1).status_code == 302
    stale = _post(admin, path, {**RULE, "visa_free_days": "45"}, version=1)
    assert stale.status_code == 409
    (saved,) = _rules(app)
    assert (saved.visa_free_days, saved.version) == (30, 2)
    with app.app_context():
        update = db.session.scalars(
            sa.select(ChangeRecord).where(ChangeRecord.entity == "entry_rules", ChangeRecord.action == "update")
        ).one()
        assert update.changes["visa_free_days"] == [90, 30]


def test_admin_deletes_a_rule_after_asking(app: Flask, admin: FlaskClient) -> None:
    _post(admin, "/admin/entry-rules/new", RULE)
    (rule,) = _rules(app)
    question = text(admin.get(f"/admin/entry-rules/{rule.id}/delete"))
    assert "Japan – Reisepass (gewöhnlich), DE löschen?" in question
    assert _post(admin, f"/admin/entry-rules/{rule.id}/delete", {}, version=7).status_code == 302
    assert len(_rules(app)) == 1  # a stale version deletes nothing
    assert _post(admin, f"/admin/entry-rules/{rule.id}/delete", {}, version=1).status_code == 302
    assert _rules(app) == []
    with app.app_context():
        assert db.session.scalars(
            sa.select(ChangeRecord.action).where(ChangeRecord.entity == "entry_rules", ChangeRecord.entity_id == rule.id)
        ).all() == ["create", "delete"]


def test_unknown_rule_is_not_found(admin: FlaskClient) -> None:
    assert admin.get("/admin/entry-rules/999999/edit").status_code == 404


def test_english_admin_page(app: Flask, client: FlaskClient, keller_trip: int) -> None:
    signed_in_as(client, UserRole.ADMIN, "other-admin@example.org")
    client.post("/language", data={"csrf_token": csrf_token(client, "/"), "locale": "en"})
    assert "South Korea" in text(client.get("/admin/entry-rules"))
