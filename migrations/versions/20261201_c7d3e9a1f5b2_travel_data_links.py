"""travel data links: travellers' one-time links (digests only) and meals whose organiser may see names

Revision ID: c7d3e9a1f5b2
Revises: b5d9e1a7c3f2
Create Date: 2026-12-01 07:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c7d3e9a1f5b2"
down_revision = "b5d9e1a7c3f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "travel_data_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_travel_data_links_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_travel_data_links_member_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_data_links")),
        sa.UniqueConstraint("digest", name=op.f("uq_travel_data_links_digest")),
    )
    with op.batch_alter_table("travel_data_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_travel_data_links_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_travel_data_links_member_id"), ["member_id"], unique=False)

    op.create_table(
        "meal_name_releases",
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_meal_name_releases_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"], ["users.id"], name=op.f("fk_meal_name_releases_released_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("appointment_id", name=op.f("pk_meal_name_releases")),
    )


def downgrade() -> None:
    op.drop_table("meal_name_releases")
    with op.batch_alter_table("travel_data_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_travel_data_links_member_id"))
        batch_op.drop_index(batch_op.f("ix_travel_data_links_expires_at"))
    op.drop_table("travel_data_links")
