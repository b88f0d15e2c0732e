"""Etiquette notes per country (issue 16, part 6): maintained by planners and admins, printed in the brief.

* ``models``: :class:`~planner.models.EtiquetteNote` (German, English, optionally the host's language).
* ``operations``: writes, with the house rule on facts (source and checked date, else "to be verified").
* ``queries``: the notes of the trip's countries for the brief.
"""
