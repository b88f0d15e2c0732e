"""forms of address for people, and translations of a trip's programme into the host's language

People gain a romanisation of their native-script name, an English title and function where
they differ, and a salutation in German and English. One table keeps the programme texts
(appointment titles and places, organization names and addresses, member names and functions)
in any host language, each with the German text it was made from and a reviewed flag.

Revision ID: c7e1f4a9d2b6
Revises: c5e1f8a3d620
Create Date: 2026-12-01 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c7e1f4a9d2b6"
down_revision = "c5e1f8a3d620"
branch_labels = None
depends_on = None

PERSON_COLUMNS = (
    ("romanized_name", 200),
    ("title_en", 50),
    ("salutation", 100),
    ("salutation_en", 100),
    ("function_en", 200),
)


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        for name, length in PERSON_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))

    op.create_table(
        "content_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column(
            "subject_kind",
            sa.Enum(
                "delegation",
                "appointment",
                "organization",
                "person",
                "member",
                name="translatedkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegations.id"],
            name=op.f("fk_content_translations_delegation_id_delegations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_translations")),
        sa.UniqueConstraint(
            "delegation_id",
            "subject_kind",
            "subject_id",
            "field",
            "language",
            name=op.f("uq_content_translations_subject"),
        ),
    )
    with op.batch_alter_table("content_translations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_translations_delegation_id"), ["delegation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("content_translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_translations_delegation_id"))
    op.drop_table("content_translations")
    with op.batch_alter_table("people", schema=None) as batch_op:
        for name, _length in reversed(PERSON_COLUMNS):
            batch_op.drop_column(name)
