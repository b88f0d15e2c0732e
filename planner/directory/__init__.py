"""The directory: organizations, people, cities and city partnerships.

Planners look up counterparts here (profile, why they matter at home,
contacts, every appointment with them across delegations) and keep the
records current. ``routes`` holds the thin views, ``forms`` the input rules
(each form turns into a typed input of ``inputs``), ``queries`` the
eager-loading reads and ``operations`` the writes, which take those inputs.
"""

from __future__ import annotations

from planner.timezones import utc_now

# The oldest counterparts a trip meets are medieval (universities, cities, trading houses).
FIRST_FOUNDED_YEAR = 1000


def founded_years() -> tuple[int, int]:
    """The first and last year an organization may be founded in: 1000 to next year (announced foundings).

    Asked at every check rather than fixed when the module loads, so a server
    running across New Year does not keep refusing the new year's next one.
    """
    return FIRST_FOUNDED_YEAR, utc_now().year + 1
