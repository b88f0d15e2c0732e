"""protocol: an appointment's order of precedence and seating plan

``seating_plans`` holds one plan per appointment (table shape, whose side
hosts, the host rule for equal ranks, where interpreters sit);
``protocol_participants`` the people from both sides in protocol order, with
rank, speaking order, the principal an interpreter serves, and their seat.

Revision ID: e1a9bb2520cb
Revises: c7e1f4a9d2b6
Create Date: 2026-12-01 10:43:00.851957
"""

import sqlalchemy as sa
from alembic import op

revision = "e1a9bb2520cb"
down_revision = "c7e1f4a9d2b6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seating_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column(
            "shape", sa.Enum("french", "english", "round", name="tableshape", native_enum=False, length=32), nullable=False
        ),
        sa.Column("host_side", sa.Enum("own", "host", name="personside", native_enum=False, length=32), nullable=False),
        sa.Column("host_first", sa.Boolean(), nullable=False),
        sa.Column(
            "interpreter_place",
            sa.Enum("behind", "beside", name="interpreterplace", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("seats_per_table", sa.Integer(), nullable=False),
        sa.Column("is_placeholder", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_seating_plans_appointment_id_appointments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_seating_plans_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seating_plans")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_seating_plans_appointment_id")),
    )
    with op.batch_alter_table("seating_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seating_plans_delegation_id"), ["delegation_id"], unique=False)

    op.create_table(
        "protocol_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "rank",
            sa.Enum(
                "head",
                "elected",
                "appointed",
                "business",
                "staff",
                "interpreter",
                name="precedencerank",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaking_order", sa.Integer(), nullable=True),
        sa.Column("serves_id", sa.Integer(), nullable=True),
        sa.Column("seat", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("seat IS NULL OR seat > 0", name=op.f("ck_protocol_participants_seat_positive")),
        sa.CheckConstraint(
            "speaking_order IS NULL OR speaking_order > 0", name=op.f("ck_protocol_participants_speaking_order_positive")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_protocol_participants_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["seating_plans.id"], name=op.f("fk_protocol_participants_plan_id_seating_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["serves_id"],
            ["protocol_participants.id"],
            name=op.f("fk_protocol_participants_serves_id_protocol_participants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_participants")),
        sa.UniqueConstraint("plan_id", "person_id", name=op.f("uq_protocol_participants_plan_id_person_id")),
    )
    with op.batch_alter_table("protocol_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protocol_participants_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("protocol_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protocol_participants_plan_id"))

    op.drop_table("protocol_participants")
    with op.batch_alter_table("seating_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seating_plans_delegation_id"))

    op.drop_table("seating_plans")
