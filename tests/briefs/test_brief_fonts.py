"""The brief's fonts come with the app: Korean and Chinese print on a machine with only Debian's base fonts.

The decisive test renders the Keller brief in a process whose fontconfig
knows nothing but DejaVu (what a fresh Debian has), so a CJK font can only
come from the packages the app installs, and then reads the embedded fonts
back: the Korean and Chinese names must be real glyphs, not boxes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from planner.briefs import fonts
from planner.briefs.fonts import BRIEF_FONTS, rendering_problems
from planner.briefs.pdf import FetchRefused, StaticOnlyFetcher
from tests.briefs.conftest import ARTIFACTS, KellerBriefs, cjk_glyphs, read_pdf

ROOT = Path(__file__).resolve().parents[2]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# Names from planner/seed/keller-2024.toml, in Hangul and Han.
CJK_NAMES = ("서울", "重庆", "胡衡华", "천종윤", "두산로보틱스")


def fontconfig_with(tmp_path: Path, folder: Path) -> Path:
    """A fontconfig configuration that lists only ``folder``: DejaVu as on a fresh Debian, or an empty one."""
    config = tmp_path / f"fonts-{folder.name}.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{folder}</dir>\n  <cachedir>{tmp_path / 'fontconfig-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return config


def test_brief_embeds_the_shipped_cjk_fonts_on_a_machine_with_only_dejavu(tmp_path: Path) -> None:
    if not (DEJAVU / "DejaVuSans.ttf").is_file():
        pytest.fail(f"{DEJAVU} has no DejaVuSans.ttf; Debian's fonts-dejavu-core provides it")
    output = tmp_path / "keller-base-fonts.pdf"
    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_with(tmp_path, DEJAVU))}
    env.pop("FONTCONFIG_PATH", None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.briefs.render_keller_pdf", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / output.name).write_bytes(output.read_bytes())
    pdf = read_pdf(output)

    rows = [line.split()[0] for line in pdf.fonts().splitlines()[2:] if line.strip()]
    embedded = {name.split("+", 1)[-1] for name in rows}
    assert {"Brief-Noto-Sans-KR", "Brief-Noto-Sans-SC"} <= embedded, pdf.fonts()
    # Nothing but the base fonts and the shipped ones: no face found by chance on this machine.
    assert all(name.startswith(("DejaVu-Sans", "Brief-Noto-Sans-")) for name in embedded), pdf.fonts()

    for name in CJK_NAMES:
        assert name in pdf.text, name
    glyphs = cjk_glyphs(output)
    boxes = {font: found.boxes for font, found in glyphs.items() if found.boxes}
    assert not boxes, f"CJK characters drawn as .notdef boxes: {boxes}"
    drawn = "".join(ch for found in glyphs.values() for ch in found.drawn)
    for name in CJK_NAMES:
        assert set(name) <= set(drawn), name


def test_the_keller_brief_draws_every_cjk_character(keller: KellerBriefs) -> None:
    # The suite's own machine, with whatever fonts it has: still the shipped faces, and no boxes.
    glyphs = cjk_glyphs(keller.pdf().path)
    users = {font.split("+", 1)[-1] for font, found in glyphs.items() if found.drawn}
    assert users == {"Brief-Noto-Sans-KR", "Brief-Noto-Sans-SC"}, glyphs
    assert not any(found.boxes for found in glyphs.values()), glyphs


def test_the_brief_declares_its_fonts_and_the_app_serves_them(keller: KellerBriefs) -> None:
    html = keller.html()
    client = keller.app.test_client()  # not signed in: fonts are public like the static files
    for font in BRIEF_FONTS:
        url = f"/brief-fonts/{font.filename}"
        assert f'@font-face {{ font-family: "{font.family}"; src: url("{url}"); }}' in html
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "font/otf"
        assert response.data[:4] == b"OTTO"
        assert response.data == font.packaged_path().read_bytes()  # type: ignore[union-attr]
    for other in ("DejaVuSans.ttf", "..%2F__init__.py", "NotoSerifKR-Regular.otf", "%2Fetc%2Fpasswd"):
        assert client.get(f"/brief-fonts/{other}").status_code == 404, other


def test_the_pdf_fetcher_serves_the_font_urls_and_nothing_beside_them(tmp_path: Path) -> None:
    font = tmp_path / "face.otf"
    font.write_bytes(b"OTTO font")
    (tmp_path / "secret.txt").write_text("not for the PDF")
    fetcher = StaticOnlyFetcher(tmp_path / "static", "/static", "http://planner.test/", {"/brief-fonts/face.otf": font})
    assert fetcher.fetch("http://planner.test/brief-fonts/face.otf").read() == b"OTTO font"
    for url in (
        "http://planner.test/brief-fonts/secret.txt",
        "http://planner.test/brief-fonts/../secret.txt",
        "http://planner.test/brief-fonts/face.otf?x=1",
        "http://elsewhere.test/brief-fonts/face.otf",
        font.as_uri(),
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_nothing_is_reported_when_the_fonts_and_harfbuzz_are_there(app: Flask) -> None:
    assert rendering_problems(app) == []


def test_a_missing_brief_font_is_reported(app: Flask, tmp_path: Path) -> None:
    app.config["BRIEF_FONT_DIR"] = str(tmp_path)  # an empty folder
    problems = rendering_problems(app)
    assert len(problems) == len(BRIEF_FONTS)
    for font, problem in zip(BRIEF_FONTS, problems, strict=True):
        assert font.filename in problem and "empty boxes" in problem and str(tmp_path) in problem


def test_missing_harfbuzz_subsetting_is_reported(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    # libharfbuzz-subset0 cannot be uninstalled for a test; WeasyPrint keeps None where it failed to load it.
    import weasyprint.text.ffi

    monkeypatch.setattr(weasyprint.text.ffi, "harfbuzz_subset", None)
    assert not fonts.harfbuzz_subset_available()
    (problem,) = rendering_problems(app)
    assert "libharfbuzz-subset0" in problem and "30 times" in problem and "apt-get install" in problem


def test_the_job_worker_warns_at_start_when_a_brief_font_is_missing(tmp_path: Path) -> None:
    # A real start of the process that renders every PDF (`make run` and `make serve` start it), on a
    # machine without the font packages' files (an empty BRIEF_FONT_DIR) and without any system font.
    no_fonts = tmp_path / "no-fonts"
    no_fonts.mkdir()
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(fontconfig_with(tmp_path, no_fonts)),
        "PLANNER_BRIEF_FONT_DIR": str(no_fonts),
        "PLANNER_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}",
        "SECRET_KEY": "start-check-not-a-secret",
    }
    command = [sys.executable, "-m", "flask", "--app", "planner", "jobs", "worker", "--workers", "1", "--worker-type", "thread"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    said: list[str] = []
    try:
        assert worker.stderr is not None
        for line in worker.stderr:  # the check comes before the worker says it runs
            said.append(line)
            if line.startswith("Job worker:"):
                break
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    stderr = "".join(said)
    assert "Job worker:" in stderr, stderr
    for font in BRIEF_FONTS:
        assert f"{font.filename} ({font.family}) is missing" in stderr, stderr
    assert "Latin font DejaVu Sans is not installed" in stderr, stderr
