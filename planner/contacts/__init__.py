"""The trip's contact and emergency sheet, and the emergency numbers it is built from.

* ``models``: :class:`~planner.models.EmergencyNumber` (per country, with source and date checked).
* ``operations``: admins maintain the numbers (the seed writes through the same operations).
* ``countries``: which countries a trip touches (home, legs, journeys' ends).
* ``sheet``: the sheet as plain view objects, from which the page and its print view are drawn.
"""
