"""optimistic locking, trash and change history

Revision ID: 9ed8b7bf20ee
Revises: 683fbb1c30ce
Create Date: 2026-11-25 04:22:40.875234
"""

import sqlalchemy as sa
from alembic import op

revision = "9ed8b7bf20ee"
down_revision = "683fbb1c30ce"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sa.String(length=254), nullable=True),
        sa.Column("delegation_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_change_records_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_change_records_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_records")),
    )
    with op.batch_alter_table("change_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_records_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_records_delegation_id"), ["delegation_id"], unique=False)

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("cities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("legs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("legs", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("cities", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("deleted_at")

    with op.batch_alter_table("change_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_records_delegation_id"))
        batch_op.drop_index(batch_op.f("ix_change_records_at"))

    op.drop_table("change_records")
