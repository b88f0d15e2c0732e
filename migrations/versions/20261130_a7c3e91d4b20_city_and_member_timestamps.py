"""created_at and updated_at for cities and members

A calendar event's LAST-MODIFIED is the newest change of everything it shows:
a city's coordinates (GEO) and which person a member is (attendee names)
need a time of their last change like the other records have. Rows that
exist already get the Unix epoch: when they last changed is unknown, and an
instant before everything else keeps the upgrade itself from moving the
LAST-MODIFIED of every calendar event (and so the bytes of every feed).

Revision ID: a7c3e91d4b20
Revises: 5b81f2c4d0e6
Create Date: 2026-11-30 16:00:00.000000
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "a7c3e91d4b20"
down_revision = "5b81f2c4d0e6"
branch_labels = None
depends_on = None

TABLES = ("cities", "members")
UNKNOWN = datetime(1970, 1, 1, tzinfo=timezone.utc)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        rows = sa.table(
            table, sa.column("created_at", sa.DateTime(timezone=True)), sa.column("updated_at", sa.DateTime(timezone=True))
        )
        op.execute(rows.update().values(created_at=UNKNOWN, updated_at=UNKNOWN))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("created_at", existing_type=sa.DateTime(timezone=True), nullable=False)
            batch_op.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
            batch_op.drop_column("created_at")
