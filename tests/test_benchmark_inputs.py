"""The inputs of `make bench` (issue #17) stay what their rows claim they are.

* The frozen brief (benchmarks/reference/) loads only what the reference
  fetcher serves: its own copy of the stylesheet and the brief fonts from
  their installed packages, so the reference renders the same on every run.
* The hostile .ics files of the import figure stay *allowed*: within every
  limit of the import, so the row measures an import and not a refusal.
"""

from __future__ import annotations

import re

import pytest

from benchmarks import bench_import, freeze_reference
from planner.calendar import importing


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


@pytest.mark.parametrize("make", [bench_import.many_parameters, bench_import.many_categories], ids=["parameters", "categories"])
def test_the_hostile_import_files_are_within_every_limit(make) -> None:
    data = make()
    lines = data.decode().split("\r\n")
    assert 1.8 * 1024 * 1024 < len(data) <= importing.MAX_BYTES
    assert len(lines) <= importing.MAX_LINES
    assert max(len(line) for line in lines) <= importing.MAX_LINE_CHARS
    assert data.count(b"BEGIN:VEVENT") == bench_import.EVENTS <= importing.MAX_ITEMS
    longest = max(lines, key=len)
    # What makes them hostile: a thousand parameters, or thousands of values, on one line.
    assert longest.count(";") > 1000 or longest.count(",") > 2500


def test_the_plain_floor_calendar_is_two_megabytes_of_ordinary_events() -> None:
    data = bench_import.plain_calendar()
    assert data.count(b"BEGIN:VEVENT") == 2000
    assert 1.8 * 1024 * 1024 < len(data) < 2.4 * 1024 * 1024
