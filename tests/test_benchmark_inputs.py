"""The inputs of `make bench` (issue #17) stay what their rows claim they are.

* The frozen brief (benchmarks/reference/) loads only what the reference
  fetcher serves: its own copy of the stylesheet and the brief fonts from
  their installed packages, so the reference renders the same on every run.
* The plain calendar that is the import rows' floor is 2 MB of ordinary events. (That the hostile
  files stay within the import's limits is tested with the import: tests/calendar_import/test_parse_once.py.)
"""

from __future__ import annotations

import re

import pytest

from benchmarks import freeze_reference, ics_files


@pytest.mark.parametrize("name", ["keller", "300"])
def test_the_frozen_brief_loads_only_files_the_reference_serves(name: str) -> None:
    assert name in freeze_reference.reference_names()
    html = freeze_reference.reference_html(name)
    assert "<title>Reisebriefing" in html
    fetcher = freeze_reference.reference_fetcher()
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    fonts = re.findall(r'url\("(/brief-fonts/[^"]+)"\)', html)
    assert stylesheets == ["/static/css/brief.css"]
    assert len(fonts) == 2
    for path in stylesheets + fonts:
        assert fetcher._static_path("http://localhost" + path) is not None, path
    # Nothing outside the frozen copy and the two fonts.
    assert fetcher._static_path("http://localhost/static/css/planner.css") is None


def test_the_plain_floor_calendar_is_two_megabytes_of_ordinary_events() -> None:
    data = ics_files.plain_calendar()
    assert data.count(b"BEGIN:VEVENT") == 2000
    assert 1.8 * 1024 * 1024 < len(data) < 2.4 * 1024 * 1024
