"""``flask mail requeue``: put messages still waiting back on the job queue (after the queue was lost or down)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from planner.extensions import db
from planner.mail import operations

mail_cli = AppGroup("mail", help="Outgoing e-mail.")


@mail_cli.command("requeue")
def requeue_command() -> None:
    """Enqueue every message in state 'queued' again; a message already on its way is sent once."""
    ids = operations.requeue_waiting()
    db.session.commit()
    click.echo(f"{len(ids)} message(s) queued again")
