"""Per-trip teams: who sees and works on which trip (:mod:`planner.teams.access` holds the rule)."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user


def may_edit_trip(delegation: object) -> bool:
    """For templates: whether the signed-in user may edit ``delegation`` (shows or hides the edit links)."""
    from planner.teams.access import may_edit

    return may_edit(current_user, delegation)  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    from planner.teams.routes import bp

    app.register_blueprint(bp)
    app.add_template_global(may_edit_trip)
