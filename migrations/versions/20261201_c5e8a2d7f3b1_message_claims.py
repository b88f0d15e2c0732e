"""message claims: a sending job holds its message until a time, so a duplicate job sends nothing

Revision ID: c5e8a2d7f3b1
Revises: b7e3f1a9c264
Create Date: 2026-12-01 20:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c5e8a2d7f3b1"
down_revision = "b7e3f1a9c264"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outgoing_messages") as batch_op:
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outgoing_messages") as batch_op:
        batch_op.drop_column("claimed_until")
