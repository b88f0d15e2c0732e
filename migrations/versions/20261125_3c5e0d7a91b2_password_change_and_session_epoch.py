"""password change on first sign-in, session epoch

Revision ID: 3c5e0d7a91b2
Revises: 776f765ebc14
Create Date: 2026-11-25 07:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "3c5e0d7a91b2"
down_revision = "776f765ebc14"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing accounts chose their passwords before this rule: they are not forced to change them.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
        batch_op.drop_column("must_change_password")
