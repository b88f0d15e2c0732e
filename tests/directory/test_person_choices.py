"""Person selects everywhere: one query, our side first, each side by family name, readable options."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from planner.directory.queries import person_choices
from planner.extensions import db
from planner.models import Delegation, Organization, Person, PersonSide

OPTGROUP = re.compile(r'<optgroup label="([^"]*)">(.*?)</optgroup>', re.S)
OPTION = re.compile(r"<option[^>]*>([^<]*)</option>")


def select_groups(html: str, name: str) -> list[tuple[str, list[str]]]:
    """The optgroups of the select ``name``: (label, option texts) in page order."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return [(unescape(label), [unescape(o) for o in OPTION.findall(body)]) for label, body in OPTGROUP.findall(select[1])]


@pytest.fixture
def extra_people(app: Flask, seeded: None) -> None:
    with app.app_context():
        messe = db.session.scalars(sa.select(Organization).where(Organization.name.contains("Messe"))).first()
        db.session.add_all(
            [
                Person(given_name="Zoe", family_name="Abel", side=PersonSide.HOST),
                Person(given_name="Anna", family_name="Abel", side=PersonSide.HOST),
                Person(given_name="Ömer", family_name="Özdemir", title="Prof. Dr.", side=PersonSide.OWN, organization=messe),
                Person(given_name="Olaf", family_name="Zuse", side=PersonSide.OWN),
            ]
        )
        db.session.commit()


def test_choices_group_our_side_first_then_hosts_by_family_name(app: Flask, extra_people: None) -> None:
    with app.test_request_context():
        choices = person_choices("—")
    assert (choices[0].value, choices[0].label, choices[0].optgroup) == (0, "—", None)
    groups = [c.optgroup for c in choices[1:]]
    assert groups == sorted(groups, key=["Eigene Delegation / Stadt", "Gastgeber / Partner"].index)
    own = [c.label for c in choices if c.optgroup == "Eigene Delegation / Stadt"]
    hosts = [c.label for c in choices if c.optgroup == "Gastgeber / Partner"]
    keller = own.index("Keller, Stephan (Dr.) – Landeshauptstadt Düsseldorf")
    assert own[0] == "Diener, Wolfram – Messe Düsseldorf"
    # Ö sorts as O (between Keller and Zuse), not after Z.
    assert keller < own.index("Özdemir, Ömer (Prof. Dr.) – Messe Düsseldorf") < own.index("Zuse, Olaf") == len(own) - 1
    assert hosts[:2] == ["Abel, Anna", "Abel, Zoe"]
    assert hosts.index("Chun, Jong-Yoon (Dr.) – Seegene") < hosts.index("Hu, Henghua – Stadtregierung Chongqing")


def test_appointment_member_and_follow_up_forms_offer_the_grouped_choices(
    app: Flask, extra_people: None, planner: FlaskClient
) -> None:
    with app.app_context():
        keller = db.session.scalars(sa.select(Delegation)).first()
        trip, member = keller.id, keller.members[0].id
    pages = {
        f"/delegations/{trip}/appointments/new": "contact_person_id",
        f"/delegations/{trip}/follow-ups/new": "owner_id",
        f"/delegations/{trip}/members/{member}/edit": "person_id",
    }
    for path, field in pages.items():
        html = planner.get(path).get_data(as_text=True)
        groups = select_groups(html, field)
        assert [label for label, _ in groups] == ["Eigene Delegation / Stadt", "Gastgeber / Partner"], path
        assert groups[1][1][:2] == ["Abel, Anna", "Abel, Zoe"], path
