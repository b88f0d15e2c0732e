"""Reading a rendered form the way a browser submits it, so a test can change one field and post the rest."""

from __future__ import annotations

from html.parser import HTMLParser

ONE_LINE_INPUTS = {"text", "email", "url", "tel", "search"}


class FormValues(HTMLParser):
    """What a browser would submit for the page's main form, unchanged; and which inputs are one line."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self.one_line: set[str] = set()
        self._in_main = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._multiple = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "main":
            self._in_main = True
        if not self._in_main or (tag in ("input", "select", "textarea") and "name" not in a):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file") or a["name"] in ("q", "locale"):
                return
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self.values.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
            if kind in ONE_LINE_INPUTS:
                self.one_line.add(a["name"])
        elif tag == "select":
            self._select, self._options = a["name"], []
            self._multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._options and not self._multiple:
                chosen = [self._options[0][0]]
            self.values += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.values.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def form_values(page: str) -> FormValues:
    """The values and one-line inputs of the main form of ``page`` (HTML)."""
    form = FormValues()
    form.feed(page)
    return form
