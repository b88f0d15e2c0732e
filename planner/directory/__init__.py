"""The directory: organizations, people, cities and city partnerships.

Planners look up counterparts here (profile, why they matter at home,
contacts, every appointment with them across delegations) and keep the
records current. ``routes`` holds the thin views, ``forms`` the input rules,
``queries`` the eager-loading reads and ``operations`` the writes.
"""

from __future__ import annotations
