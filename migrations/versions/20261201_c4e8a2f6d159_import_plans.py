"""an upload keeps its parsed items (the plan), its state on the job queue, its outcome and an expiry

Uploads waiting for confirmation are parsed once now: the row holds the parsed
items (``plan``), or the file only until the job worker has parsed it. Rows
from before have no plan: they become READY without one and lapse at once
(``expires_at`` = ``created_at``), so their preview asks for the file again
and the next upload clears them. The downgrade drops what the old schema
cannot hold (every upload without its file).

Revision ID: c4e8a2f6d159
Revises: e1a9bb2520cb
Create Date: 2026-12-01 11:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e8a2f6d159"
down_revision = "e1a9bb2520cb"
branch_labels = None
depends_on = None

_STATE = sa.Enum(
    "queued", "running", "ready", "importing", "imported", "failed", name="importstate", native_enum=False, length=32
)


def upgrade() -> None:
    with op.batch_alter_table("pending_imports", schema=None) as batch_op:
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.add_column(sa.Column("state", _STATE, nullable=True))
        batch_op.add_column(sa.Column("plan", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("counts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE pending_imports SET state = 'ready', expires_at = created_at")
    with op.batch_alter_table("pending_imports", schema=None) as batch_op:
        batch_op.alter_column("state", existing_type=_STATE, nullable=False)
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM pending_imports WHERE content IS NULL")
    with op.batch_alter_table("pending_imports", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("counts")
        batch_op.drop_column("error")
        batch_op.drop_column("plan")
        batch_op.drop_column("state")
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=False)
