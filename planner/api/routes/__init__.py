"""The API's views, one module per resource; importing this package adds them to the blueprint."""

from planner.api.routes import (  # noqa: F401
    appointments,
    delegations,
    directory,
    exports,
    followups,
    journeys,
    members,
    press,
    programme,
    releases,
)
