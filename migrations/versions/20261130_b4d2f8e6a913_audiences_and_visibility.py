"""audiences: visibility of appointments and journeys, briefed members, feed audience

Revision ID: b4d2f8e6a913
Revises: a7c3e91d4b20
Create Date: 2026-11-30 16:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b4d2f8e6a913"
down_revision = "a7c3e91d4b20"
branch_labels = None
depends_on = None

_VISIBILITY = sa.Enum("internal", "delegation", "public", name="visibility", native_enum=False, length=32)
_AUDIENCE = sa.Enum("team", "leadership", "member", "press", name="audience", native_enum=False, length=32)


def upgrade() -> None:
    # Everything planned so far was meant for the delegation, as the default says.
    for table in ("appointments", "journeys"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("visibility", _VISIBILITY, server_default="delegation", nullable=False))

    op.create_table(
        "appointment_briefings",
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("appointment_id", "member_id"),
    )

    # Existing links keep what they were made for: a member's link becomes a member feed
    # (which drops internal notes and talking points it used to carry), a whole-trip link
    # stays the planning team's.
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience", _AUDIENCE, nullable=True))
    op.execute("UPDATE feed_tokens SET audience = CASE WHEN member_id IS NULL THEN 'team' ELSE 'member' END")
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.alter_column("audience", existing_type=_AUDIENCE, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.drop_column("audience")
    op.drop_table("appointment_briefings")
    for table in ("journeys", "appointments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("visibility")
