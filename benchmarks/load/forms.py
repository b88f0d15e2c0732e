"""What a browser would submit: the fields of a page's forms, read with the standard library's HTML parser.

Kept apart from the locustfile so tests can check it against the real pages
without importing locust (which monkey-patches the standard library).
"""

from __future__ import annotations

from html.parser import HTMLParser


class FormFields(HTMLParser):
    """The fields a browser would submit for the form that holds ``version`` (the edit form)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._in_form = False
        self._select: str | None = None
        self._select_options: list[tuple[str, bool]] = []
        self._select_multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_form = True
            self.forms.append([])
        elif not self._in_form:
            return
        elif tag == "input" and "name" in a and not a.get("disabled"):
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "reset", "file", "image"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.forms[-1].append((a["name"], a.get("value", "on" if kind in {"checkbox", "radio"} else "")))
        elif tag == "select" and "name" in a:
            self._select, self._select_options, self._select_multiple = a["name"], [], "multiple" in a
        elif tag == "option" and self._select is not None:
            self._select_options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and "name" in a:
            self._textarea, self._text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and not self._select_multiple and self._select_options:
                chosen = [self._select_options[0][0]]  # a browser submits the first option
            self.forms[-1].extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # The HTML parser keeps the newline that HTML drops right after <textarea>.
            self.forms[-1].append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def edit_form_fields(html: str) -> list[tuple[str, str]] | None:
    parser = FormFields()
    parser.feed(html)
    return next((form for form in parser.forms if any(name == "version" for name, _ in form)), None)


def csrf_token(html: str) -> str:
    parser = FormFields()
    parser.feed(html)
    for form in parser.forms:
        for name, value in form:
            if name == "csrf_token":
                return value
    raise RuntimeError("no CSRF token on the page")
