"""The gift register (issue 16, part 4): gifts given and received, per trip and over the years.

* ``models``: :class:`~planner.models.Gift` (survives its trip: links are SET NULL).
* ``checks``: the register's warnings: the same gift twice to the same counterpart,
  and received gifts at or above the declaration threshold.
* ``operations``: writes through the one edit flow; ``export``: CSV and XLSX for the compliance office.
"""
