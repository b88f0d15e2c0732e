"""Every German text of user management has an English translation.

Until the entries of ``planner/admin/translations-en.json`` are merged into
the catalogue, a msgid counts as translated when it is in either place.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = PROJECT_ROOT / "planner" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PENDING = PROJECT_ROOT / "planner" / "admin" / "translations-en.json"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extract(tmp_path: Path) -> set[str]:
    config = tmp_path / "babel.cfg"
    config.write_text("[python: planner/admin/**.py]\n[jinja2: templates/admin/**.html]\n", encoding="utf-8")
    template = tmp_path / "admin.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(config),
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(template), "."],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    with template.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


def test_every_admin_text_has_an_english_translation(tmp_path: Path) -> None:
    extracted = _extract(tmp_path)
    assert "Benutzerverwaltung" in extracted  # the extraction really read the templates
    with CATALOGUE.open("rb") as handle:
        catalogue = {str(m.id): m.string for m in read_po(handle) if m.id and m.string}
    pending = json.loads(PENDING.read_text(encoding="utf-8")) if PENDING.exists() else {}
    missing = sorted(m for m in extracted if m not in catalogue and not pending.get(m))
    assert not missing, f"no English translation: {missing}"
    unused = sorted(set(pending) - extracted)
    assert not unused, f"translations-en.json has entries no admin code uses: {unused}"


def test_pending_translations_keep_the_placeholders() -> None:
    if not PENDING.exists():
        return
    for msgid, english in json.loads(PENDING.read_text(encoding="utf-8")).items():
        assert sorted(_PLACEHOLDER.findall(msgid)) == sorted(_PLACEHOLDER.findall(english)), msgid
