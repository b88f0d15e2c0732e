"""The printable trip brief: an HTML print view and a PDF from the same template.

``/delegations/<id>/brief`` is the print view for the browser,
``/delegations/<id>/brief.pdf`` the same document through WeasyPrint, and
``flask --app planner export-brief`` writes the PDF from the command line.
See :mod:`planner.briefs.render` for what each audience gets.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the blueprint and the ``export-brief`` command (once; safe to call again)."""
    from planner.briefs.cli import export_brief_command
    from planner.briefs.routes import bp

    if "briefs" not in app.blueprints:
        app.register_blueprint(bp)
    if "export-brief" not in app.cli.commands:
        app.cli.add_command(export_brief_command)
