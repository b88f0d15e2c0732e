"""release notifications: messages keyed by release and member, feeds know when they were fetched

``outgoing_messages.release_id`` names the release a notification announces;
one message per release and member (a unique constraint), so a job that runs
twice sends nothing twice. ``feed_tokens.last_fetched_at`` is when a calendar
client last fetched the link (kept to the hour): a participant whose personal
feed was fetched is a subscriber and gets no .ics attachment.

Revision ID: f2c6a8d4b913
Revises: e8b4c1f5a297
Create Date: 2026-12-01 06:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "f2c6a8d4b913"
down_revision = "e8b4c1f5a297"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("release_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outgoing_messages_release_id_releases"), "releases", ["release_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(batch_op.f("ix_outgoing_messages_release_id"), ["release_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_outgoing_messages_release_id_member_id"), ["release_id", "member_id"])


def downgrade() -> None:
    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_outgoing_messages_release_id_member_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_outgoing_messages_release_id"))
        batch_op.drop_constraint(batch_op.f("fk_outgoing_messages_release_id_releases"), type_="foreignkey")
        batch_op.drop_column("release_id")
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_fetched_at")
