"""On-site contacts as vCard 3.0 (RFC 2426), so a participant can save them on the phone.

Written with vobject, which escapes text values, quotes structured ones (N,
ORG) and folds long lines; the tests read the cards back with it as well.
"""

from __future__ import annotations

from collections.abc import Iterable

import vobject

from planner.models import Person


def _card(person: Person) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=person.family_name, given=person.given_name or "", prefix=person.title or "")
    card.add("fn").value = person.display_name
    if person.native_name:
        card.add("nickname").value = person.native_name
    if person.organization is not None:
        card.add("org").value = [person.organization.name]
    if person.function:
        card.add("title").value = person.function
    if person.phone:
        tel = card.add("tel")
        tel.value = person.phone
        tel.type_param = ["WORK", "VOICE"]
    if person.email:
        email = card.add("email")
        email.value = person.email
        email.type_param = "INTERNET"
    return card


def person_card(person: Person) -> str:
    """One person's vCard: name, function, organization, phone and e-mail as far as known."""
    return str(_card(person).serialize())


def cards(people: Iterable[Person]) -> str:
    """Several vCards in one file (phones import them all at once)."""
    return "".join(person_card(person) for person in people)
