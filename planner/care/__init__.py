"""Personal travel data on a need-to-know basis: the carers' pages, the travellers' own one-time
links, the read log, the deletion after the trip and the key rotation (models: planner/models/care.py,
encryption: planner/encryption.py)."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user


def may_care_trip(delegation: object) -> bool:
    """For templates: whether the signed-in user is a carer of ``delegation`` (shows the link to the carers' pages)."""
    from planner.teams.access import may_care

    return may_care(current_user, delegation)  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    from planner.care.cli import care_cli
    from planner.care.routes import bp
    from planner.labels import read_label

    app.register_blueprint(bp)
    app.add_template_global(may_care_trip)
    app.add_template_filter(read_label)
    app.cli.add_command(care_cli)
