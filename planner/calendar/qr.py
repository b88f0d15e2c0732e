"""QR codes for subscription links, so a phone can subscribe by pointing its camera."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str, title: str) -> Markup:
    """An inline SVG QR code of ``data``, labelled for screen readers."""
    svg = segno.make(data, error="m").svg_inline(scale=3, dark="#1d2330", title=title, svgclass="qr")
    return Markup(svg)  # segno's own SVG markup; data and title are XML-escaped by segno
