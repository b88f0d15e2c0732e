"""Rooms: where the delegation sleeps each night, the rooming list per hotel, and its printable sheet.

* :mod:`planner.rooms.nights`: the nights of a trip and each night's hotel, derived
  from the legs and overnight journeys, with a planner's per-night overrides.
* :mod:`planner.rooms.checks`: the rooming warnings (no room, over capacity, ...).
* :mod:`planner.rooms.sheet`: the rooming list for one hotel, printed by the
  one render pipeline of :mod:`planner.briefs.rendering`.
"""
