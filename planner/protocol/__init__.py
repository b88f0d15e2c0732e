"""Protocol of an appointment: order of precedence, seating plan and place cards.

* :mod:`planner.protocol.precedence`: the default order of precedence and the suggested rank (pure).
* :mod:`planner.protocol.seating`: who sits where, for French, English and round tables (pure).
* :mod:`planner.protocol.views`: the plan as pages and print show it, and its drawing.
* :mod:`planner.protocol.cards`: the place cards, printed by the one render pipeline of
  :mod:`planner.briefs.rendering`.
* :mod:`planner.protocol.names`: the one function every name of this feature is printed through.
"""
