"""Soft deletion of appointments: deleted ones stay in the database, in the trash.

Every ORM query leaves trashed appointments out, relationship loads
included, unless it is run with ``execution_options(include_trashed=True)``
(the trash page and restore do that). One global rule instead of a filter in
every query means no page, calendar or brief can show a deleted appointment
by forgetting a WHERE clause.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from planner.models.program import Appointment


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
            with_loader_criteria(Appointment, lambda cls: cls.deleted_at.is_(None), include_aliases=True)
        )


def include_trashed() -> dict[str, Any]:
    """Execution options for the few queries that must see the trash."""
    return {"include_trashed": True}
