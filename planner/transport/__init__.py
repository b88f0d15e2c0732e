"""Ground transport: the vehicles of each trip day, the transfers they drive and who rides where.

Models in :mod:`planner.models.transport`; the vehicle plan's own checks
(seats, a member in two vehicles at once, attendees without a seat) in
:mod:`planner.transport.checks`; the travel-time check between appointments
in :mod:`planner.transport.travel`, run with the programme's conflict checks.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from planner.transport.routes import bp

    app.register_blueprint(bp)
