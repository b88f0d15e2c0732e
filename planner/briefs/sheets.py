"""What every printed logistics sheet shares (rooming list, vehicle plan, contact sheet).

A sheet is one template that extends ``briefs/sheet.html`` (A4, the brief's
fonts, a running header with the sheet's title, "page X of Y" and a stamp in
the footer, the print toolbar on screen), rendered by :func:`render_sheet`. The
print view and the PDF are that same HTML; the PDF goes through the one render
queue (:mod:`planner.briefs.rendering`, see its docstring for the three steps
of a new sheet).
"""

from __future__ import annotations

import re
from typing import Any

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from planner.briefs.fonts import BRIEF_FONTS, font_face_css
from planner.briefs.render import css_string

# The languages a sheet is printed in (the app's languages).
SHEET_LANGUAGES = ("de", "en")


def sheet_page_css(title: str, stamp: str, page_words: str | None = None) -> Markup:
    """The page rules that carry words (title in the header, ``stamp`` and "page X of Y" in the footer) and the fonts.

    ``page_words`` is the "page X of Y" pattern with ``{page}`` and ``{pages}``; the
    interface language's by default (a sheet in the host's language brings its own).
    """
    footer_parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", page_words or _("Seite {page} von {pages}")):
        if piece == "{page}":
            footer_parts.append("counter(page)")
        elif piece == "{pages}":
            footer_parts.append("counter(pages)")
        elif piece:
            footer_parts.append(css_string(piece))
    fonts = font_face_css({font.filename: url_for("briefs.font", font_file=font.filename) for font in BRIEF_FONTS})
    css = (
        f"{fonts} @page {{"
        f" @top-left {{ content: {css_string(title)}; }}"
        f" @bottom-left {{ content: {css_string(stamp)}; }}"
        f" @bottom-right {{ content: {' '.join(footer_parts)}; }}"
        " }"
    )
    return Markup(css)  # every text in it went through css_string


def render_sheet(template: str, *, lang: str, title: str, stamp: str, **context: Any) -> str:
    """``template`` (extending ``briefs/sheet.html``) rendered in ``lang``: the print view's and the PDF's HTML.

    ``title`` and ``stamp`` are worked out by the caller in ``lang`` too (call inside ``force_locale``).
    """
    with force_locale(lang):
        return render_template(template, page_css=sheet_page_css(title, stamp), sheet_title=title, lang=lang, **context)
