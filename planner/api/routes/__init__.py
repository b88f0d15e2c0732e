"""The API's views, one module per resource; importing this package adds them to the blueprint."""

from planner.api.routes import appointments, delegations, followups, journeys, members, press, programme  # noqa: F401
