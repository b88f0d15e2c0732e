"""travel profiles: a person's encrypted travel data, and the log of who read it

Every value column of ``travel_profiles`` holds a Fernet token (planner/encryption.py),
hence TEXT whatever the value; ``personal_data_reads`` outlives the data it describes.

Revision ID: a4c8e2f6b1d7
Revises: f2c6a8d4b913
Create Date: 2026-12-01 06:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a4c8e2f6b1d7"
down_revision = "f2c6a8d4b913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personal_data_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("delegation_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=40), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegations.id"],
            name=op.f("fk_personal_data_reads_delegation_id_delegations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_personal_data_reads_person_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_personal_data_reads_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_reads")),
    )
    with op.batch_alter_table("personal_data_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_data_reads_delegation_id"), ["delegation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_reads_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_reads_read_at"), ["read_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_reads_user_id"), ["user_id"], unique=False)

    op.create_table(
        "travel_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("passport_type", sa.Text(), nullable=True),
        sa.Column("passport_country", sa.Text(), nullable=True),
        sa.Column("passport_number", sa.Text(), nullable=True),
        sa.Column("passport_expires_on", sa.Text(), nullable=True),
        sa.Column("nationality", sa.Text(), nullable=True),
        sa.Column("mobile_phone", sa.Text(), nullable=True),
        sa.Column("emergency_contact", sa.Text(), nullable=True),
        sa.Column("dietary_needs", sa.Text(), nullable=True),
        sa.Column("dietary_notes", sa.Text(), nullable=True),
        sa.Column("medical_notes", sa.Text(), nullable=True),
        sa.Column("mobility_needs", sa.Text(), nullable=True),
        sa.Column("room_preference", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_travel_profiles_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_profiles")),
        sa.UniqueConstraint("person_id", name=op.f("uq_travel_profiles_person_id")),
    )


def downgrade() -> None:
    op.drop_table("travel_profiles")
    with op.batch_alter_table("personal_data_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_reads_user_id"))
        batch_op.drop_index(batch_op.f("ix_personal_data_reads_read_at"))
        batch_op.drop_index(batch_op.f("ix_personal_data_reads_person_id"))
        batch_op.drop_index(batch_op.f("ix_personal_data_reads_delegation_id"))

    op.drop_table("personal_data_reads")
