"""index change records by entity, for the newest change of a kind of record

Revision ID: 5b81f2c4d0e6
Revises: 3c5e0d7a91b2
Create Date: 2026-11-25 08:00:00.000000
"""

from alembic import op

revision = "5b81f2c4d0e6"
down_revision = "3c5e0d7a91b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_records", schema=None) as batch_op:
        batch_op.create_index("ix_change_records_entity_id", ["entity", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change_records", schema=None) as batch_op:
        batch_op.drop_index("ix_change_records_entity_id")
