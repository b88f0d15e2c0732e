"""On-site contacts as vCard 3.0 (RFC 2426), so a participant can save them on the phone.

A few properties of plain text need no library: the only runtime candidate,
vobject, is installed for the tests alone (where it reads what this writes,
as an independent parser). Lines are folded at 75 octets, text values escaped.
"""

from __future__ import annotations

from collections.abc import Iterable

from planner.models import Person

CRLF = "\r\n"


def _escape(value: str) -> str:
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    # RFC 2426 2.6 / RFC 2425 5.8.1: at most 75 octets a line, continuation lines start with a space.
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    limit = 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = 74  # the leading space counts
        current += piece
    parts.append(current.decode("utf-8"))
    return (CRLF + " ").join(parts)


def person_card(person: Person) -> str:
    """One person's vCard: name, function, organization, phone and e-mail as far as known."""
    given = person.given_name or ""
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{_escape(person.family_name)};{_escape(given)};;{_escape(person.title or '')};",
        f"FN:{_escape(person.display_name)}",
    ]
    if person.native_name:
        lines.append(f"NICKNAME:{_escape(person.native_name)}")
    if person.organization is not None:
        lines.append(f"ORG:{_escape(person.organization.name)}")
    if person.function:
        lines.append(f"TITLE:{_escape(person.function)}")
    if person.phone:
        lines.append(f"TEL;TYPE=WORK,VOICE:{_escape(person.phone)}")
    if person.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{_escape(person.email)}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + CRLF for line in lines)


def cards(people: Iterable[Person]) -> str:
    """Several vCards in one file (phones import them all at once)."""
    return "".join(person_card(person) for person in people)
