"""``flask mail requeue``: put messages that no job will send back on the job queue (after the queue was lost or down).

The job worker does the same every five minutes (:func:`planner.mail.operations.requeue_stranded_mail`);
the command is for not waiting that long.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from planner.extensions import db
from planner.mail import operations
from planner.timezones import utc_now

mail_cli = AppGroup("mail", help="Outgoing e-mail.")


@mail_cli.command("requeue")
def requeue_command() -> None:
    """Enqueue each message in state 'queued' that has no job on the queue; a message is sent once either way."""
    ids = operations.requeue_stranded(utc_now())
    db.session.commit()
    click.echo(f"{len(ids)} message(s) queued again")
