"""Soft deletion: deleted legs, members, appointments, journeys and follow-ups stay in the database, in the trash.

Every model with :class:`~planner.models.base.TrashableMixin` follows one rule:
every ORM query leaves its trashed rows out, relationship loads and joins
included, unless it is run with ``execution_options(include_trashed=True)``
(the trash page, restore and the history do that). One global rule instead of
a filter in every query means no page, calendar, brief or search can show a
deleted item by forgetting a WHERE clause.

Links to a trashed row stay (a trashed member keeps their rows in
``appointment_attendees``): loaded through the relationships they are hidden
with the row, and a restore brings them back unchanged.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from planner.models.base import TrashableMixin


@sa.event.listens_for(Session, "do_orm_execute")
def _hide_trashed(execute_state: ORMExecuteState) -> None:
    # Relationship loads are covered too: the criteria propagate from the
    # statement that loaded the parent objects.
    if (
        execute_state.is_select
        and not execute_state.is_column_load
        and not execute_state.is_relationship_load
        and not execute_state.execution_options.get("include_trashed", False)
    ):
        execute_state.statement = execute_state.statement.options(
            with_loader_criteria(TrashableMixin, lambda cls: cls.deleted_at.is_(None), include_aliases=True)
        )


def include_trashed() -> dict[str, Any]:
    """Execution options for the few queries that must see the trash."""
    return {"include_trashed": True}
