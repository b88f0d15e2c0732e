"""trash for legs, journeys, members and follow-ups; the status a cancelled trip had

Deleting one of these now moves it to the trash (``deleted_at``), as for
appointments; ``delegations.status_before_cancel`` lets a cancellation be taken
back to exactly the status the trip had.

Revision ID: c5e1a9d7f3b2
Revises: ae484dbbb11b
Create Date: 2026-12-01 00:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c5e1a9d7f3b2"
down_revision = "ae484dbbb11b"
branch_labels = None
depends_on = None

TABLES = ("legs", "journeys", "members", "follow_ups")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_before_cancel", sa.String(length=32), nullable=True))


def downgrade() -> None:
    # Trashed rows would come back as live ones without their column: delete them first.
    for table in TABLES:
        op.execute(sa.text(f"DELETE FROM {table} WHERE deleted_at IS NOT NULL"))  # noqa: S608 - fixed table names
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("deleted_at")
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_column("status_before_cancel")
