"""Downloads of the programme for spreadsheets and maps: CSV of the programme, KML of its places (issue #18).

The files are built in :mod:`planner.exports.programme`; the pages' downloads
live in :mod:`planner.exports.routes`, the API's in :mod:`planner.api.routes.exports`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from planner.exports.routes import bp

    app.register_blueprint(bp)
