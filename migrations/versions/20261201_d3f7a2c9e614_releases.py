"""releases: numbered, approved versions of a delegation's programme

Revision ID: d3f7a2c9e614
Revises: c5e1a7d3f802
Create Date: 2026-12-01 04:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "d3f7a2c9e614"
down_revision = "c5e1a7d3f802"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("prepared", "approved", "withdrawn", name="releasestate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("prepared_by_id", sa.Integer(), nullable=True),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approval_reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_releases_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_id"], ["users.id"], name=op.f("fk_releases_prepared_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_releases_approved_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["users.id"], name=op.f("fk_releases_withdrawn_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("delegation_id", "number", name=op.f("uq_releases_delegation_id_number")),
    )
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_releases_delegation_id"), ["delegation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_releases_delegation_id"))
    op.drop_table("releases")
