"""press public: a per-trip switch publishing the press programme through the API without a token

Revision ID: b7e3f1a9c264
Revises: a4d7e2c9b815
Create Date: 2026-12-01 12:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b7e3f1a9c264"
down_revision = "a4d7e2c9b815"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Off for every existing trip: publishing is a decision a planner takes per trip.
    with op.batch_alter_table("delegations") as batch_op:
        batch_op.add_column(sa.Column("press_public", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("delegations") as batch_op:
        batch_op.drop_column("press_public")
