"""rooms: per-night hotel overrides and the rooming list (rooms and who sleeps in them)

A night's hotel is derived from the legs; ``night_overrides`` keeps only what a
planner decided differently for one night. ``rooms`` are stored by the nights
they cover; ``room_occupants`` links them to the trip's members.

Revision ID: a4c9e2f7b815
Revises: a4c9e2b7d615
Create Date: 2026-12-01 07:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a4c9e2f7b815"
down_revision = "a4c9e2b7d615"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "night_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("kind", sa.Enum("hotel", "no_hotel", name="nightkind", native_enum=False, length=32), nullable=False),
        sa.Column("hotel_name", sa.String(length=200), nullable=True),
        sa.Column("hotel_address", sa.Text(), nullable=True),
        sa.Column("hotel_phone", sa.String(length=50), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_night_overrides_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_night_overrides")),
        sa.UniqueConstraint("delegation_id", "night", name=op.f("uq_night_overrides_delegation_id_night")),
    )
    with op.batch_alter_table("night_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_night_overrides_delegation_id"), ["delegation_id"], unique=False)

    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column(
            "room_type",
            sa.Enum("single", "double", "twin", "suite", name="roomtype", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.Column("room_number", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("last_night >= first_night", name=op.f("ck_rooms_nights_in_order")),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_rooms_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
    )
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rooms_delegation_id"), ["delegation_id"], unique=False)

    op.create_table(
        "room_occupants",
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_room_occupants_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_room_occupants_room_id_rooms"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("room_id", "member_id", name=op.f("pk_room_occupants")),
    )


def downgrade() -> None:
    op.drop_table("room_occupants")
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rooms_delegation_id"))
    op.drop_table("rooms")
    with op.batch_alter_table("night_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_night_overrides_delegation_id"))
    op.drop_table("night_overrides")
