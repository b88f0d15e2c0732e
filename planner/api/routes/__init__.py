"""The API's views, one module per resource; importing this package adds them to the blueprint."""

from planner.api.routes import appointments, delegations, directory, exports, press, programme, releases  # noqa: F401
