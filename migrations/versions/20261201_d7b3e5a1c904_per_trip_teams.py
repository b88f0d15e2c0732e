"""Per-trip teams: who sees and works on which trip, with which rights

``team_members`` lists the accounts on each trip's team and their rights
there (edit, approve a programme release, care for personal data). Admins see
every trip; planners and viewers only the trips whose team lists them.

Upgrade decision: so that an upgrade takes nobody's trips away, every
existing planner and viewer account is put on the team of every existing
trip, planners with the edit right, viewers without (neither approves nor
cares for personal data until someone grants it). Trip teams can be trimmed
on each trip's team page afterwards. Downgrading drops the table: every
account sees every trip again, as before.

Revision ID: d7b3e5a1c904
Revises: d3f7a2c9e614
Create Date: 2026-12-01 04:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "d7b3e5a1c904"
down_revision = "d3f7a2c9e614"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("may_edit", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("may_approve", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("may_care", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"], ["delegations.id"], name=op.f("fk_team_members_delegation_id_delegations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_team_members_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint("delegation_id", "user_id", name=op.f("uq_team_members_delegation_id_user_id")),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_members_delegation_id"), ["delegation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_team_members_user_id"), ["user_id"], unique=False)
    # Nobody loses a trip: existing planners and viewers join every existing trip's team.
    op.execute(
        sa.text(
            "INSERT INTO team_members (delegation_id, user_id, may_edit, may_approve, may_care, created_at) "
            "SELECT d.id, u.id, CASE WHEN u.role = 'planner' THEN :yes ELSE :no END, :no, :no, CURRENT_TIMESTAMP "
            "FROM delegations d CROSS JOIN users u WHERE u.role IN ('planner', 'viewer')"
        ).bindparams(yes=True, no=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_team_members_delegation_id"))
    op.drop_table("team_members")
