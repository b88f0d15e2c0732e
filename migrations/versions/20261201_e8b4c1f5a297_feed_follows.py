"""feeds follow the released version or the draft

Revision ID: e8b4c1f5a297
Revises: d7a2c4e9f1b3
Create Date: 2026-12-01 05:00:00.000000

Existing links get what a new link of their audience gets: the planning team's
links follow the draft (as every link did so far), personal links (member,
leadership) and press links follow the released version. Until a trip has its
first approved release a released-following feed still shows the draft, so no
existing subscription goes empty on upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = "e8b4c1f5a297"
down_revision = "d7a2c4e9f1b3"
branch_labels = None
depends_on = None

_FOLLOWS = sa.Enum("released", "draft", name="feedfollows", native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follows", _FOLLOWS, nullable=True))
    op.execute("UPDATE feed_tokens SET follows = CASE WHEN audience = 'team' THEN 'draft' ELSE 'released' END")
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.alter_column("follows", existing_type=_FOLLOWS, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.drop_column("follows")
