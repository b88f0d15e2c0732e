"""Lazy translations must never carry user data.

Flask-Babel's lazy strings declare themselves safe HTML (``__html__``), so a
lazy message with interpolated input would reach the page unescaped. Messages
that interpolate anything use ``gettext`` at the time of the request instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

PLANNER = Path(__file__).parents[1] / "planner"
LAZY = {"_l", "lazy_gettext"}


def test_no_lazy_translation_interpolates() -> None:
    offenders = []
    for path in sorted(PLANNER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in LAZY and node.keywords:
                offenders.append(f"{path.relative_to(PLANNER.parent)}:{node.lineno}")
    assert not offenders, f"use gettext (not lazy_gettext) for messages with values: {offenders}"
