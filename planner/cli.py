"""Command-line interface: ``flask --app planner <command>``.

Commands print a clear message and exit non-zero on bad input; nothing is
changed unless the whole command succeeds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from planner.auth.operations import bootstrap_admin, create_user
from planner.auth.second_factor import reset_second_factor
from planner.auth.sessions import end_all_sessions
from planner.backup.export import export_database
from planner.editing import Rejected
from planner.extensions import db
from planner.models import User, UserRole
from planner.seed import KELLER_TRIP, SeedError, load_seed
from planner.timezones import utc_now

users_cli = AppGroup("users", help="Manage user accounts.")


@click.command("seed")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=KELLER_TRIP,
    show_default="the Keller trip",
    help="Seed file (TOML) to load.",
)
@with_appcontext
def seed_command(path: Path) -> None:
    """Load a trip from a seed file (default: the Keller trip). Safe to run again."""
    try:
        created = load_seed(db.session(), path)
        db.session.commit()
    except SeedError as error:
        db.session.rollback()
        raise click.ClickException(f"Seed file not loaded, nothing changed: {error}") from None
    if created:
        summary = ", ".join(f"{count} {kind}" for kind, count in sorted(created.items()))
        click.echo(f"Seed loaded from {path.name}: created {summary}.")
    else:
        click.echo(f"Seed {path.name} is already loaded; nothing changed.")


def _read_password(prompt: bool) -> str:
    if sys.stdin.isatty() and prompt:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Scripts pipe the password in; only the first line counts.
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in UserRole]),
    default=UserRole.VIEWER.value,
    show_default=True,
    help="What the account may do.",
)
def create_user_command(email: str, role: str) -> None:
    """Create an account. The password is read from a prompt, or from stdin when piped."""
    password = _read_password(prompt=True)
    try:
        user = create_user(email, password, UserRole(role))
        db.session.commit()
    except Rejected as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role.value} account {user.email}.")


@users_cli.command("set-password")
@click.argument("email")
def set_password_command(email: str) -> None:
    """Set an account's password (prompt, or stdin when piped); e.g. after restoring a backup."""
    from planner.api.tokens import revoke_all
    from planner.auth.operations import password_hash_method, password_problem

    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).one_or_none()
    if user is None:
        raise click.ClickException(f"There is no account {email}.")
    password = _read_password(prompt=True)
    problem = password_problem(password, user.email)
    if problem:
        raise click.ClickException(problem)
    user.set_password(password, password_hash_method())
    end_all_sessions(user.id)
    revoke_all(user.id, utc_now())
    db.session.commit()
    click.echo(f"Password of {user.email} changed; their open sessions have ended and their API tokens are revoked.")


@users_cli.command("reset-second-factor")
@click.argument("email")
def reset_second_factor_command(email: str) -> None:
    """Remove an account's second factor (lost phone, locked-out admin); it enrols again at the next sign-in."""
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).one_or_none()
    if user is None:
        raise click.ClickException(f"There is no account {email}.")
    had = reset_second_factor(user)
    db.session.commit()
    if had:
        click.echo(
            f"Second factor of {user.email} removed; their open sessions have ended. They set up a new one at the next sign-in."
        )
    else:
        click.echo(f"{user.email} had no second factor; nothing changed.")


@users_cli.command("list")
def list_users_command() -> None:
    """List accounts with their role and state."""
    for user in db.session.scalars(sa.select(User).order_by(User.email)):
        state = "active" if user.active else "disabled"
        click.echo(f"{user.email}\t{user.role.value}\t{state}")


@users_cli.command("bootstrap-admin")
@click.option("--email", default="admin@example.org", show_default=True)
def bootstrap_admin_command(email: str) -> None:
    """Create a first admin with a random password when there is no account yet."""
    try:
        result = bootstrap_admin(email)
        db.session.commit()
    except Rejected as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    if result is None:
        click.echo("Accounts exist already; sign in with yours (or use `flask --app planner users create`).")
        return
    user, password = result
    click.echo("")
    click.echo("  First administrator account created. This password is shown only once:")
    click.echo(f"    E-mail:   {user.email}")
    click.echo(f"    Password: {password}")
    click.echo("  At the first sign-in the planner asks you to choose your own password.")
    click.echo("")


@click.command("export-data")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
    default=Path("-"),
    show_default="stdout",
    help="File to write the JSON document to.",
)
@with_appcontext
def export_data_command(output: Path) -> None:
    """Write the whole database as one JSON document (the backup format)."""
    document = export_database(db.session(), schema_revision=_schema_revision())
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    _write(output, text.encode("utf-8"))
    if str(output) == "-":
        return
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in document["tables"].items() if rows)
    sealed = ", ".join(f"{len(rows)} {name}" for name, rows in document["encrypted"]["tables"].items() if rows)
    # Tokens only: restoring them needs this planner's data keys, which the file does not hold.
    click.echo(f"Exported to {output}: {counts}" + (f"; encrypted: {sealed}." if sealed else "."), err=True)


@click.command("export-ics")
@click.argument("delegation_id", type=int)
@click.option("--member", "person_id", type=int, help="Only what this person (ID in the directory) attends.")
@click.option("--locale", type=click.Choice(["de", "en"]), default="de", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
    default=Path("-"),
    show_default="stdout",
)
@with_appcontext
def export_ics_command(delegation_id: int, person_id: int | None, locale: str, output: Path) -> None:
    """Write a delegation's calendar (or one member's) as an .ics file, as the download gives it."""
    from planner.audiences import Viewer
    from planner.calendar.export import Scope, export_calendar
    from planner.calendar.queries import member_for_person
    from planner.delegations.queries import delegation_with_programme
    from planner.models import Audience
    from planner.timezones import today_in

    delegation = delegation_with_programme(delegation_id)
    if delegation is None:
        raise click.ClickException(f"There is no delegation with ID {delegation_id}.")
    scope, viewer = Scope(), Viewer.team()
    if person_id is not None:
        member = member_for_person(delegation, person_id)
        if member is None:
            raise click.ClickException(f"Person {person_id} is not a member of delegation {delegation_id}.")
        # As the member's own download gives it: the member audience.
        scope, viewer = Scope(member=member), Viewer(Audience.MEMBER, member)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    today = today_in(app.config["HOME_TIMEZONE"])
    # Links in the calendar point at the configured public address of the planner.
    with app.test_request_context(base_url=app.config.get("BASE_URL", "http://127.0.0.1:5000")):
        exported = export_calendar(delegation, scope, locale=locale, today=today, viewer=viewer)
    _write(output, exported.body)


def _write(output: Path, data: bytes) -> None:
    if str(output) == "-":
        click.echo(data, nl=False)  # bytes go to the binary stdout unchanged
        return
    # Write beside the target and rename, so a failure never leaves a truncated file.
    partial = output.with_name(output.name + ".partial")
    try:
        partial.write_bytes(data)
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {output}: {error.strerror or error}") from None
    click.echo(f"Wrote {output} ({len(data)} bytes).", err=True)


def _schema_revision() -> str | None:
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def register(app: Flask) -> None:
    from planner.backup.importer import import_data_command
    from planner.briefs.cli import export_brief_command
    from planner.jobs.worker import jobs_cli
    from planner.mail.cli import mail_cli

    app.cli.add_command(export_brief_command)
    app.cli.add_command(import_data_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(export_data_command)
    app.cli.add_command(export_ics_command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(mail_cli)
