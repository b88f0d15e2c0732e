"""second factor: TOTP secret, enrolment time and last used step on users; recovery codes

``users.totp_secret`` is the authenticator's secret (set when enrolment starts),
``users.second_factor_since`` when the user confirmed it (from then on sign-in
asks for a code), ``users.totp_last_step`` the time step of the last accepted
code (a code counts once). ``recovery_codes`` holds the SHA-256 digests of the
one-time codes shown at enrolment.

Revision ID: b5d9e1a7c3f2
Revises: a4c8e2f6b1d7
Create Date: 2026-12-01 07:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b5d9e1a7c3f2"
down_revision = "a4c8e2f6b1d7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("second_factor_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("digest", name=op.f("uq_recovery_codes_digest")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("second_factor_since")
        batch_op.drop_column("totp_secret")
