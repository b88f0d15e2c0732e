"""server-side sessions: one row per sign-in, revocable

Revision ID: ae484dbbb11b
Revises: b4d2f8e6a913
Create Date: 2026-11-30 15:36:10.763647
"""

import sqlalchemy as sa
from alembic import op

revision = "ae484dbbb11b"
down_revision = "b4d2f8e6a913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sessions signed in before this revision have no row and are signed out once (planner.auth.sessions).
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("key_digest", name=op.f("uq_user_sessions_key_digest")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
