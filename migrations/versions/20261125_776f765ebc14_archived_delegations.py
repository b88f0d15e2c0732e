"""archived delegations

Revision ID: 776f765ebc14
Revises: 9ed8b7bf20ee
Create Date: 2026-11-25 04:29:10.055436
"""

import sqlalchemy as sa
from alembic import op

revision = "776f765ebc14"
down_revision = "9ed8b7bf20ee"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
