"""``flask care``: commands for the personal travel data (the deletion after the trip, the key rotation).

Output names tables and counts, never a value.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from cryptography.fernet import Fernet
from flask import current_app
from flask.cli import AppGroup

from planner import encryption
from planner.care.keys import rotate_all, unreadable_with
from planner.care.retention import describe, due_profiles, purge
from planner.extensions import db
from planner.timezones import utc_now

care_cli = AppGroup("care", help="Personal travel data: deletion after the trip, key rotation.")


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the instance's key file with ``keys`` (newest first), atomically and readable by the owner only."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write("\n".join(keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


@care_cli.command("rotate-key")
@click.option(
    "--new-key",
    is_flag=True,
    help="Generate a new key and put it first in the instance file (instance/data_keys) before re-encrypting.",
)
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True, help="Rows per batch.")
def rotate_key_command(new_key: bool, batch_size: int) -> None:
    """Re-encrypt every personal value with the first data key, in one transaction.

    Put the new key first (in PLANNER_DATA_KEYS, or in instance/data_keys, or let
    --new-key do it for the file), stop the app servers and job workers, run this,
    then start them again. With the instance file the old keys are dropped from it
    once every value opens with the new key alone; with PLANNER_DATA_KEYS remove
    them yourself on every host.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    from_config = bool(app.config.get("PLANNER_DATA_KEYS"))
    path = encryption.key_file(app.instance_path)
    if new_key:
        if from_config:
            raise click.ClickException(
                "The keys come from PLANNER_DATA_KEYS, which this command cannot change: generate a key "
                "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'), "
                "put it first in PLANNER_DATA_KEYS and run rotate-key without --new-key."
            )
        write_key_file(path, [Fernet.generate_key().decode("ascii"), *encryption.configured_keys(app)])
        click.echo(f"Generated a new data key and put it first in {path}.")
    try:
        keys = encryption.configured_keys(app)
        encryption.init_app(app)  # the keys as they are now, the new one first
    except encryption.DataKeyError as error:
        raise click.ClickException(f"Nothing changed: {error}.") from None
    connection = db.session.connection()
    try:
        done = rotate_all(connection, batch_size)
        left = unreadable_with(connection, keys[0], batch_size)
        if left:
            raise encryption.DataKeyError(f"{left} value(s) do not open with the new key after re-encryption")
        db.session.commit()
    except encryption.DataKeyError as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing changed: {error}.") from None
    for table, counts in done.items():
        click.echo(f"{table}: re-encrypted {counts.values} value(s) in {counts.rows} row(s).")
    old = len(keys) - 1
    if not old:
        click.echo("There was only one key: every value is encrypted with it anew.")
    elif from_config:
        click.echo(
            f"Every value now opens with the first key of PLANNER_DATA_KEYS: remove the {old} old key(s) there on every host."
        )
    else:
        # Values written by a server still running with the old key would not open with the new key alone.
        left = unreadable_with(db.session.connection(), keys[0], batch_size)
        db.session.rollback()
        if left:
            raise click.ClickException(
                f"{left} value(s) were written with an old key meanwhile (is a server still running?): "
                f"the old keys stay in {path}; stop the servers and run rotate-key again."
            )
        write_key_file(path, keys[:1])
        encryption.init_app(app)
        click.echo(f"Dropped {old} old key(s) from {path}.")


@care_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list whose data would be deleted; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Delete personal travel data PERSONAL_DATA_RETENTION_DAYS days after each person's last trip."""
    now = utc_now()
    days = int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    if dry_run:
        due = due_profiles(now)
        for d in due:
            click.echo(describe(d))
        click.echo(f"{len(due)} profile(s) due for deletion ({days} days after the last trip); nothing deleted (dry run).")
        return
    result = purge(now)
    db.session.commit()
    for d in result.profiles:
        click.echo(describe(d))
    click.echo(f"Deleted {len(result.profiles)} profile(s) and {result.links} used or lapsed link(s).")
