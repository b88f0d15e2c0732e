"""emergency numbers as data, German missions as an organization kind, the trip's duty phone

Organizations whose names say they are an embassy or consulate (the only way the
brief used to recognise a mission) get the new kind ``mission``; their old kind
is not kept, so the downgrade turns every mission into a government body.

Revision ID: b9d4e2a7c318
Revises: a4c9e2f7b815
Create Date: 2026-12-01 07:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b9d4e2a7c318"
down_revision = "a4c9e2f7b815"
branch_labels = None
depends_on = None

# The words the brief's name regex looked for (case-insensitive), as SQL LIKE patterns.
MISSION_WORDS = ("konsulat", "botschaft", "consulate", "embassy")


def upgrade() -> None:
    op.create_table(
        "emergency_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "general",
                "police",
                "fire_and_ambulance",
                "ambulance",
                "fire",
                "travel_hotline",
                name="emergencyservice",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("to_be_verified", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["country_id"], ["countries.id"], name=op.f("fk_emergency_numbers_country_id_countries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_numbers")),
        sa.UniqueConstraint("country_id", "service", name=op.f("uq_emergency_numbers_country_id_service")),
    )
    with op.batch_alter_table("emergency_numbers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_numbers_country_id"), ["country_id"], unique=False)

    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duty_phone", sa.String(length=50), nullable=True))

    organizations = sa.table("organizations", sa.column("name", sa.String), sa.column("kind", sa.String))
    lowered = sa.func.lower(organizations.c.name)
    op.execute(
        organizations.update().where(sa.or_(*(lowered.like(f"%{word}%") for word in MISSION_WORDS))).values(kind="mission")
    )


def downgrade() -> None:
    organizations = sa.table("organizations", sa.column("kind", sa.String))
    op.execute(organizations.update().where(organizations.c.kind == "mission").values(kind="government_body"))
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_column("duty_phone")
    with op.batch_alter_table("emergency_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_numbers_country_id"))
    op.drop_table("emergency_numbers")
