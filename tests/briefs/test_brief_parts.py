"""The brief's building blocks: the static-only URL fetcher, text helpers, options, the CLI, the translations."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from planner.briefs.options import SECTIONS, Audience, check_options
from planner.briefs.pdf import StaticOnlyFetcher, html_to_pdf
from planner.briefs.render import bullets, css_string
from planner.editing import Rejected
from planner.extensions import db
from planner.models import Delegation, Person
from tests.briefs.conftest import KELLER_TITLE, read_pdf, squash
from tests.conftest import KellerSeeder

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "planner" / "static"


# -- the URL fetcher --------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any attempt to open a connection fails the test (and is recorded)."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_fetcher_serves_static_files_by_path_only() -> None:
    fetcher = StaticOnlyFetcher(STATIC, "/static/", "http://planner.example:5000/")
    response = fetcher.fetch("http://planner.example:5000/static/css/brief.css")
    assert b"@page" in response.read() and response.content_type == "text/css"
    for url in (
        "http://example.org/x.png",
        "https://example.org/static/css/brief.css",  # another host, even with the right path
        "file:///etc/passwd",
        "file://" + str(STATIC / "css" / "brief.css"),  # the right file, but not by URL path
        "data:text/css,body{}",
        "ftp://planner.example:5000/static/css/brief.css",
        "http://planner.example:5000/static/../config.py",
        "http://planner.example:5000/static/%2e%2e/config.py",
        "http://planner.example:5000/static/%2e%2e/%2e%2e/pyproject.toml",
        "http://planner.example:5000/static/css/",
        "http://planner.example:5000/static/css/missing.css",
        "http://planner.example:5000/other/brief.css",
        "http://user:pw@planner.example:5000/static/css/brief.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 13 and len(fetcher.served) == 1


def test_weasyprint_with_the_fetcher_loads_nothing_from_outside(no_network: list[object], tmp_path: Path) -> None:
    html = """<!doctype html><html><head>
      <link rel="stylesheet" href="/static/css/brief.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="http://example.org/evil.css">
      <style>@import url("http://example.org/import.css");
        @font-face { font-family: X; src: url(http://example.org/font.woff); }
        body { background: url(file:///etc/hostname); font-family: X, sans-serif; }</style>
      </head><body><p>Düsseldorf 서울 重庆</p>
      <img src="http://example.org/x.png"><img src="file:///etc/passwd"><img src="/static/../../pyproject.toml">
      <iframe src="http://example.org/"></iframe><object data="http://example.org/o.svg"></object>
      <svg><image href="http://example.org/i.png" width="10" height="10"/></svg></body></html>"""
    fetcher = StaticOnlyFetcher(STATIC, "/static/", "http://127.0.0.1:5000/")
    from weasyprint import HTML

    pdf = HTML(string=html, base_url="http://127.0.0.1:5000/", url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert no_network == []
    assert fetcher.served == ["http://127.0.0.1:5000/static/css/brief.css"]
    refused = " ".join(fetcher.refused)
    for url in (
        "file:///etc/passwd",
        "http://example.org/evil.css",
        "http://example.org/import.css",
        "http://example.org/font.woff",
        "file:///etc/hostname",
        "http://example.org/x.png",
    ):
        assert url in refused, url
    path = tmp_path / "x.pdf"
    path.write_bytes(html_to_pdf("<p>Umlaute: äöüß</p>", base_url="http://127.0.0.1/", static_folder=STATIC))
    assert "äöüß" in read_pdf(path).text


# -- helpers ------------------------------------------------------------------------------------


def test_talking_points() -> None:
    # Paragraphs, script tags and offsets are app-wide helpers: tests/test_formatting.py.
    assert bullets("- Erstens\nweiter\n- Zweitens\n\n* Drittens") == ["Erstens weiter", "Zweitens", "Drittens"]
    assert bullets("Kein Aufzählungszeichen") == ["Kein Aufzählungszeichen"]
    assert bullets(None) == []


def test_css_string_cannot_break_out_of_the_style_element() -> None:
    value = css_string('Reise "nach" Seoul \\ </style><script>alert(1)</script>\n')
    assert value.startswith('"') and value.endswith('"')
    assert "</style>" not in value and "<" not in value and "\n" not in value
    assert value.count('"') == 2


def test_options_rules() -> None:
    assert check_options(None, None, None, None).audience is Audience.FULL
    assert check_options(None, "7", "en", ["programme"]).audience is Audience.MEMBER
    # The full brief is the form's preselected variant: picking a person there asks for their programme (issue #13).
    chosen = check_options("full", 3, None, None)
    assert chosen.audience is Audience.MEMBER and chosen.person_id == 3
    assert check_options("press", None, "de", []).sections == frozenset(SECTIONS)
    press = check_options("press", None, "de", None)
    assert not press.has("contacts") and not press.has("followups") and press.has("programme")
    for args in (
        ("nobody", None, None, None),
        ("member", None, None, None),
        ("press", 3, None, None),
        (None, "x", None, None),
        (None, "-2", None, None),
        (None, None, "fr", None),
        (None, None, None, ["x"]),
    ):
        with pytest.raises(Rejected):
            check_options(*args)


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def keller_runner(app: Flask, runner: FlaskCliRunner, seed_keller: KellerSeeder) -> tuple[FlaskCliRunner, int, int]:
    seed_keller(app)
    with app.app_context():
        delegation_id = db.session.scalars(sa.select(Delegation.id).filter_by(title=KELLER_TITLE)).one()
        diener = db.session.scalars(sa.select(Person.id).filter_by(name="Wolfram Diener")).one()
    return runner, delegation_id, diener


def test_export_brief_writes_the_pdf_atomically(keller_runner: tuple[FlaskCliRunner, int, int], tmp_path: Path) -> None:
    runner, delegation_id, diener = keller_runner
    out = tmp_path / "out"
    out.mkdir()
    target = out / "brief.pdf"
    result = runner.invoke(
        args=[
            "export-brief",
            str(delegation_id),
            "--member",
            str(diener),
            "--lang",
            "de",
            "--section",
            "programme",
            "-o",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in out.iterdir()] == ["brief.pdf"]  # no temporary file left behind
    text = read_pdf(target)
    assert squash("Persönliches Programm für").casefold() in text.squashed.casefold() and "Wolfram Diener" in text.text
    assert "Treffen von Oberbürgermeister" not in text.text


@pytest.mark.filterwarnings("error::DeprecationWarning")
def test_export_brief_to_stdout(keller_runner: tuple[FlaskCliRunner, int, int]) -> None:
    """``-o -`` writes the PDF bytes to standard output (sys.stdout.buffer: click's binary-stream helper is deprecated)."""
    runner, delegation_id, diener = keller_runner
    result = runner.invoke(
        args=["export-brief", str(delegation_id), "--member", str(diener), "--section", "programme", "-o", "-"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"%PDF-") and result.stdout_bytes.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["9999"], "no delegation with ID 9999"),
        (["{d}", "--audience", "member"], "Mitglied"),
        (["{d}", "--audience", "press", "--member", "{p}"], "nur in der Fassung „Persönliches Programm eines Mitglieds“"),
        (["{d}", "--member", "99999"], "is not a member"),
    ],
)
def test_export_brief_refuses_bad_arguments_and_writes_nothing(
    keller_runner: tuple[FlaskCliRunner, int, int], tmp_path: Path, args: list[str], message: str
) -> None:
    runner, delegation_id, diener = keller_runner
    out = tmp_path / "out"
    out.mkdir()
    target = out / "brief.pdf"
    target.write_bytes(b"old")
    filled = [a.format(d=delegation_id, p=diener) for a in args]
    result = runner.invoke(args=["export-brief", *filled, "-o", str(target)])
    assert result.exit_code != 0
    assert message in result.output and "Nothing written." in result.output
    assert target.read_bytes() == b"old" and len(list(out.iterdir())) == 1


def test_export_brief_into_a_missing_folder_is_refused(keller_runner: tuple[FlaskCliRunner, int, int], tmp_path: Path) -> None:
    runner, delegation_id, _diener = keller_runner
    result = runner.invoke(args=["export-brief", str(delegation_id), "-o", str(tmp_path / "nope" / "b.pdf")])
    assert result.exit_code != 0 and "does not exist" in result.output
