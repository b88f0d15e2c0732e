"""How a person is written per language: title, name order, native script with romanisation, formal address.

Plain model objects, no database: :meth:`Person.names` reads only the person's own fields.
"""

from __future__ import annotations

from planner.models import Person


def _person(**fields: object) -> Person:
    return Person(**fields)


KELLER = dict(
    title="Dr.",
    given_name="Stephan",
    family_name="Keller",
    salutation="Herr Oberbürgermeister",
    salutation_en="Lord Mayor",
    function="Oberbürgermeister der Landeshauptstadt Düsseldorf",
    function_en="Lord Mayor of the Landeshauptstadt Düsseldorf",
)


def test_german_running_text_has_the_title_and_the_formal_address_is_the_salutation() -> None:
    names = _person(**KELLER).names("de")
    assert names.running == "Dr. Stephan Keller"
    assert names.formal == "Herr Oberbürgermeister"
    assert names.function == "Oberbürgermeister der Landeshauptstadt Düsseldorf"
    assert names.native is None


def test_english_uses_the_english_salutation_and_function() -> None:
    names = _person(**KELLER).names("en")
    assert (names.running, names.formal, names.function) == (
        "Dr. Stephan Keller",
        "Lord Mayor",
        "Lord Mayor of the Landeshauptstadt Düsseldorf",
    )


def test_english_title_where_it_differs_and_no_german_salutation_in_english() -> None:
    person = _person(
        title="Prof. Dr.",
        title_en="Prof.",
        given_name="Anna",
        family_name="Schmidt",
        salutation="Frau Professorin",
        function="Dezernentin",
    )
    assert person.names("de").running == "Prof. Dr. Anna Schmidt"
    assert person.names("en").running == "Prof. Anna Schmidt"
    # No English salutation given: the name, never the German "Frau Professorin" in an English text.
    assert person.names("en").formal == "Prof. Anna Schmidt"
    # No English function given: the German one is all there is (a page shows it rather than nothing).
    assert person.names("en").function == "Dezernentin"


def test_chinese_and_korean_names_are_written_family_name_first_in_every_language() -> None:
    hu = _person(
        given_name="Henghua", family_name="Hu", family_name_first=True, native_name="胡衡华", romanized_name="Hú Hénghuá"
    )
    for lang in ("de", "en"):
        assert hu.names(lang).running == "Hu Henghua"
    assert hu.names("de").native == "胡衡华 (Hú Hénghuá)"
    korean = _person(title="Dr.", given_name="Jong-Yoon", family_name="Chun", family_name_first=True, native_name="천종윤")
    assert korean.names("de").running == "Dr. Chun Jong-Yoon"
    assert korean.names("en").native == "천종윤"  # no romanisation given: the native name alone
    western = _person(title="Dr.", given_name="Jong-Yoon", family_name="Chun", family_name_first=False)
    assert western.names("en").running == "Dr. Jong-Yoon Chun"


def test_display_name_is_the_german_running_name() -> None:
    assert _person(**KELLER).display_name == "Dr. Stephan Keller"
    assert _person(given_name="Henghua", family_name="Hu", family_name_first=True).display_name == "Hu Henghua"
