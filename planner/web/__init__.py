"""What every feature's pages share: the one edit flow, the form base with typed inputs, the local-time field.

A feature's page goes route → form (→ typed input) → operation → model:

* :mod:`planner.web.forms` — :class:`~planner.web.forms.InputForm`, the base of every edit form:
  ``fill(record)`` shows a record, ``to_input()`` hands a validated form's values on as a typed
  input (a frozen dataclass in the feature's ``inputs.py``); plus the shared fields and validators.
* :mod:`planner.web.localtime` — :class:`~planner.web.localtime.LocalTimeField`, the one field for
  a wall time of a place that becomes a UTC instant, with its own choice in a repeated hour.
* :mod:`planner.web.edit_flow` — :func:`~planner.web.edit_flow.edit_page` (show, validate, save,
  conflict) and :func:`~planner.web.edit_flow.versioned_action` (cancel / delete buttons).

Single records are loaded with ``db.one_or_404(select ... where id and parent id)`` in the
feature's ``queries.py``: exactly the row the URL names, 404 in one place.
"""
