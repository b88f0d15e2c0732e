"""How the protocol pages, the brief and the place cards write a person's name: one function to re-point.

Every name this feature prints goes through :func:`protocol_name`, so the
forms of address of the directory (titles, salutations, native script) reach
all of its outputs by changing this one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale

from planner.models import Person


@dataclass(frozen=True)
class ProtocolName:
    display: str  # with title, in the order the person's culture writes it: "Dr. Stephan Keller", "Hu Henghua"
    native: str | None  # in the person's own script, where the directory has it: "胡衡华"
    title: str | None
    function: str | None


def protocol_name(person: Person, lang: str | None = None) -> ProtocolName:
    """The name of ``person`` as seating plans, precedence lists and place cards print it.

    In ``lang``, else the language being rendered (a place card in English uses the English title and
    function). The native script stays bare: a card or a seat list sets it beside the Latin name already.
    """
    lang = lang or str(get_locale() or "de")
    names = person.names(lang)
    english = lang[:2] == "en"
    return ProtocolName(
        display=names.running,
        native=person.native_name,
        title=(person.title_en or person.title) if english else person.title,
        function=names.function,
    )
