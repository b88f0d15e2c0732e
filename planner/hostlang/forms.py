"""The translation form of one trip and language: a text field and a "reviewed" box per programme text.

The fields are made from the trip's texts (:class:`planner.hostlang.texts.HostTexts`) when
the form is built, named by each text's key; only those names are read back, so the form
cannot address any other record.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import Length, Optional

from planner.hostlang.inputs import TranslationInput
from planner.hostlang.texts import HostTexts, TextItem
from planner.models import TextState
from planner.web.forms import InputForm

TEXT_MAX = 2000
_TOO_LONG = _l("Bitte höchstens %(max)d Zeichen eingeben (jetzt %(length)d).")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip() or None
    return value


class TranslationForm(InputForm):
    """Built by :func:`translation_form`; ``rows`` pairs each text with its fields, in programme order."""

    rows: list[tuple[TextItem, Any, Any, Any]]

    def to_input(self) -> list[TranslationInput]:
        return [
            TranslationInput(
                kind=item.kind,
                subject_id=item.subject_id,
                field=item.field,
                source_text=source.data or item.source,
                text=text.data,
                reviewed=bool(reviewed.data),
            )
            for item, text, reviewed, source in self.rows
        ]


def translation_form(texts: HostTexts, **kwargs: Any) -> TranslationForm:
    """The form for ``texts``: each field shows the saved translation, or the suggestion when there is none."""

    class Form(TranslationForm):
        pass

    for item in texts:
        saved = item.translation
        setattr(
            Form,
            f"text_{item.key}",
            TextAreaField(
                _l("Übersetzung"),
                default=saved.text if saved is not None else item.suggestion,
                validators=[Optional(), Length(max=TEXT_MAX, message=_TOO_LONG)],
                filters=[_clean],
                render_kw={"rows": 2, "lang": texts.language},
            ),
        )
        setattr(Form, f"reviewed_{item.key}", BooleanField(_l("geprüft"), default=item.state is TextState.REVIEWED))
        setattr(Form, f"source_{item.key}", HiddenField(default=item.source))
    form = Form(**kwargs)
    form.rows = [(item, form[f"text_{item.key}"], form[f"reviewed_{item.key}"], form[f"source_{item.key}"]) for item in texts]
    return form
