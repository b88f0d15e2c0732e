"""The planner's select widget writes exactly the HTML of WTForms' own, option by option."""

from __future__ import annotations

from markupsafe import Markup
from wtforms import Form, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from planner.timezones import zone_names
from planner.web.forms import OptionsSelect, OptionsSelectMeta


class _Plain(Form):
    single = SelectField(
        choices=[
            SelectChoice("", "– bitte wählen –"),
            SelectChoice('a"b<c>&', 'Quote " and <tag> & more'),
            SelectChoice(Markup('raw"quote'), Markup("<b>kept</b>")),
            SelectChoice(True, "yes"),
            SelectChoice(0, "—"),
            SelectChoice(7, ""),  # no label: the value is shown
            # The same text as a plain label (escaped) and as Markup (kept): OptionsSelect's cache of
            # written options must not hand one the other's HTML.
            SelectChoice("s", "<i>same</i>"),
            SelectChoice("m", Markup("<i>same</i>")),
            SelectChoice("x", "with attributes", render_kw={"data-zone": "Asia/Seoul", "disabled": True}),
            *(SelectChoice(zone, zone.replace("_", " "), optgroup="Zeitzonen") for zone in zone_names()),
        ]
    )
    several = SelectMultipleField(choices=[SelectChoice("1", "eins"), SelectChoice("2", "zwei"), SelectChoice("3", "drei")])


class _Fast(_Plain):
    Meta = OptionsSelectMeta


def test_the_same_html_as_wtforms_for_every_kind_of_option() -> None:
    data = {"single": "Asia/Seoul", "several": ["1", "3"]}
    plain, fast = _Plain(data=data), _Fast(data=data)
    assert type(plain.single.widget) is Select and isinstance(fast.single.widget, OptionsSelect)
    assert fast.several.widget.multiple
    for name in ("single", "several"):
        expected, written = str(plain[name](class_="wide")), str(fast[name](class_="wide"))
        assert written == expected
        assert str(fast[name](class_="wide")) == expected  # again, the options now from the cache
    assert '<option selected value="Asia/Seoul">Asia/Seoul</option>' in str(fast.single())
    # the selected state follows the data: another value, another selected option
    other = _Fast(data={"single": "7"})
    assert str(other.single()) == str(_Plain(data={"single": "7"}).single())
    assert '<option selected value="7">7</option>' in str(other.single())


def test_a_field_with_a_widget_of_its_own_keeps_it() -> None:
    own = Select()

    class Chosen(Form):
        Meta = OptionsSelectMeta
        field = SelectField(choices=[SelectChoice("a", "A")], widget=own)

    assert Chosen().field.widget is own
