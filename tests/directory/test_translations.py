"""Every German message of the directory and search has its English translation ready.

The English strings live in ``planner/directory/translations-en.json`` until
they are merged into the shared catalogue; this keeps the file complete.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = PROJECT_ROOT / "planner" / "directory" / "translations-en.json"
MAPPING = """\
[python: planner/directory/**.py]
[python: planner/search/**.py]
[jinja2: templates/directory/**.html]
[jinja2: templates/search/**.html]
"""
# Strings for the shared layout (navigation, search box) that this feature brings along.
FOR_BASE_TEMPLATE = {"Verzeichnis", "Suche", "Suchen", "Suchbegriff"}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def extracted_messages(tmp_path: Path) -> set[str]:
    mapping = tmp_path / "babel.cfg"
    mapping.write_text(MAPPING, encoding="utf-8")
    template = tmp_path / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(mapping),
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(template), "."],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    with template.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_every_message_has_an_english_translation(tmp_path: Path) -> None:
    english = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    extracted = extracted_messages(tmp_path)
    assert "Organisationen" in extracted and "Bitte geben Sie einen Suchbegriff ein." in extracted
    missing = sorted((extracted | FOR_BASE_TEMPLATE) - english.keys())
    unused = sorted(english.keys() - extracted - FOR_BASE_TEMPLATE)
    assert not missing, f"not in {TRANSLATIONS.name}: {missing}"
    assert not unused, f"in {TRANSLATIONS.name} but not in the code: {unused}"


def test_translations_are_filled_and_keep_their_placeholders() -> None:
    english = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    for german, translated in english.items():
        assert translated.strip(), german
        assert sorted(_PLACEHOLDER.findall(german)) == sorted(_PLACEHOLDER.findall(translated)), german
