"""the gift register and etiquette notes per country

Gifts outlive the trip they were given on (the compliance office asks years
later): their links to the trip, appointment, people, organizations and city are
``ON DELETE SET NULL``.

Revision ID: c5e1f8a3d620
Revises: b9d4e2a7c318
Create Date: 2026-12-01 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c5e1f8a3d620"
down_revision = "b9d4e2a7c318"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("given", "received", name="giftdirection", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("occasion", sa.String(length=300), nullable=True),
        sa.Column("delegation_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.Column("our_side", sa.String(length=200), nullable=True),
        sa.Column("value_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("value_eur", sa.Numeric(12, 2), nullable=True),
        sa.Column("kept_at", sa.String(length=300), nullable=True),
        sa.Column("declared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("placeholder", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("value_amount IS NULL OR value_amount >= 0", name=op.f("ck_gifts_value_not_negative")),
        sa.CheckConstraint("value_eur IS NULL OR value_eur >= 0", name=op.f("ck_gifts_value_eur_not_negative")),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_gifts_appointment_id_appointments"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name=op.f("fk_gifts_city_id_cities"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_gifts_delegation_id_delegations"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_gifts_organization_id_organizations"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_gifts_person_id_people"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gifts")),
    )
    with op.batch_alter_table("gifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gifts_given_on"), ["given_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_gifts_delegation_id"), ["delegation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gifts_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gifts_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gifts_city_id"), ["city_id"], unique=False)

    op.create_table(
        "etiquette_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column(
            "topic",
            sa.Enum(
                "greeting",
                "business_cards",
                "names_and_titles",
                "gifts",
                "dining",
                "dress",
                "conversation",
                "other",
                name="etiquettetopic",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("text_de", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("native_language", sa.String(length=16), nullable=True),
        sa.Column("text_native", sa.Text(), nullable=True),
        sa.Column("native_reviewed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("to_be_verified", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["country_id"], ["countries.id"], name=op.f("fk_etiquette_notes_country_id_countries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etiquette_notes")),
    )
    with op.batch_alter_table("etiquette_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_etiquette_notes_country_id"), ["country_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("etiquette_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_etiquette_notes_country_id"))
    op.drop_table("etiquette_notes")
    with op.batch_alter_table("gifts", schema=None) as batch_op:
        for column in ("city_id", "organization_id", "person_id", "delegation_id", "given_on"):
            batch_op.drop_index(batch_op.f(f"ix_gifts_{column}"))
    op.drop_table("gifts")
