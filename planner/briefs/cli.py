"""``flask --app planner export-brief``: the brief as PDF from the command line, for batch printing."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from planner.briefs import queries, render
from planner.briefs.fonts import log_rendering_problems
from planner.briefs.options import LANGUAGES, SECTIONS, Audience, Edition, check_options
from planner.briefs.rendering import pdf_of
from planner.editing import Rejected


@click.command("export-brief")
@click.argument("delegation_id", type=int)
@click.option(
    "--audience",
    type=click.Choice([a.value for a in Audience]),
    default=None,
    help="full (leader and staff), member (one person's programme) or press. Default: member with --member, else full.",
)
@click.option("--member", "person_id", type=int, help="The person (ID in the directory) whose personal brief to print.")
@click.option(
    "--edition",
    type=click.Choice([e.value for e in Edition]),
    default=None,
    help="released (the approved version in force) or draft. Default: released when there is one, else draft.",
)
@click.option("--lang", type=click.Choice(LANGUAGES), default="de", show_default=True)
@click.option(
    "--section",
    "sections",
    type=click.Choice(SECTIONS),
    multiple=True,
    help="Print only these sections (repeat the option); the cover is always printed. Default: all.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    required=True,
    help="PDF file to write ('-' for stdout). Written completely or not at all.",
)
@with_appcontext
def export_brief_command(
    delegation_id: int,
    audience: str | None,
    person_id: int | None,
    edition: str | None,
    lang: str,
    sections: tuple[str, ...],
    output: Path,
) -> None:
    """Write a delegation's trip brief as PDF, as the web page /delegations/ID/brief.pdf gives it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    log_rendering_problems(app)
    to_stdout = str(output) == "-"
    if not to_stdout and not output.parent.resolve().is_dir():
        raise click.ClickException(f"Cannot write {output}: the folder {output.parent} does not exist. Nothing written.")
    # url_for needs a request: links and the calendar QR code point at the configured public address.
    with app.test_request_context(base_url=app.config.get("BASE_URL", "http://127.0.0.1:5000")) as context:
        try:
            options = check_options(audience, person_id, lang, sections, edition=edition)
        except Rejected as error:
            with force_locale(lang):
                raise click.ClickException(f"{error.message} Nothing written.") from None
        try:
            source = queries.brief_source(delegation_id, options.edition)
        except Rejected:
            raise click.ClickException(
                f"Delegation {delegation_id} has no released version yet; use --edition draft. Nothing written."
            ) from None
        if source is None:
            raise click.ClickException(f"There is no delegation with ID {delegation_id}. Nothing written.")
        try:
            _brief, html = render.brief_html(source, options)
        except Rejected:
            raise click.ClickException(
                f"Person {person_id} is not a member of delegation {delegation_id}. Nothing written."
            ) from None
        pdf = pdf_of(lambda: html, context.request.host_url)
        assert pdf is not None  # pdf_of gives None only for no HTML, and here there is some
    if to_stdout:
        stdout = sys.stdout.buffer  # click.get_binary_stream is deprecated (gone in Click 9)
        stdout.write(pdf)
        stdout.flush()
        return
    _write_atomically(output, pdf)
    click.echo(f"Wrote {output} ({len(pdf)} bytes, {options.audience.value}, {options.lang}).", err=True)


def _write_atomically(output: Path, data: bytes) -> None:
    """A temporary file beside the target, renamed over it: readers see the old file or the whole new one."""
    handle = None
    try:
        # Not a with-statement here: the except clause needs the handle's name to remove a partial file.
        handle = tempfile.NamedTemporaryFile(dir=output.parent, prefix=f".{output.name}.", suffix=".partial", delete=False)  # noqa: SIM115
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # as an ordinary new file would be
        os.replace(handle.name, output)
    except OSError as error:
        if handle is not None:
            Path(handle.name).unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {output}: {error.strerror or error}. Nothing written.") from None
