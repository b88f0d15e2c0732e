"""Entry rules: what a destination asks of a passport, per nationality and passport type

One table, ``entry_rules``, that admins keep (planner.entry). Empty after the
upgrade; ``flask seed`` loads the sourced rules for South Korea and China.

Revision ID: b8e2d4f6a1c3
Revises: c7d3e9a1f5b2
Create Date: 2026-12-01 07:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b8e2d4f6a1c3"
down_revision = "c7d3e9a1f5b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entry_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column(
            "passport_type", sa.Enum("ordinary", "official", name="passporttype", native_enum=False, length=32), nullable=False
        ),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("visa_required", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("visa_free_days", sa.Integer(), nullable=True),
        sa.Column("counts_arrival_day", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("passport_validity_months", sa.Integer(), nullable=True),
        sa.Column(
            "passport_validity_from",
            sa.Enum("arrival", "departure", name="validityfrom", native_enum=False, length=32),
            server_default="departure",
            nullable=False,
        ),
        sa.Column("waiver_covers_official", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("to_be_verified", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("visa_free_days IS NULL OR visa_free_days > 0", name=op.f("ck_entry_rules_visa_free_days_positive")),
        sa.CheckConstraint(
            "passport_validity_months IS NULL OR passport_validity_months >= 0", name=op.f("ck_entry_rules_validity_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_rules")),
    )
    with op.batch_alter_table("entry_rules", schema=None) as batch_op:
        batch_op.create_index("ix_entry_rules_lookup", ["destination", "nationality", "passport_type"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entry_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_rules_lookup")
    op.drop_table("entry_rules")
