"""People: given and family name, title, side

A person's name is split into given and family name (the directory and every
select sort by family name) and the person gets a side: our own city and
delegation, or the hosts and partners. ``honorific`` becomes ``title``
("Dr.", "Prof. Dr."): "honorific" would collide with the forms of address
("Herr", "Frau Bürgermeisterin") that come later. ``name`` stays, derived from
the parts, so search, history and every output keep reading one column.

Existing names are split at the last space (last word = family name); a name
with a parenthesis or a slash is a role placeholder ("Dolmetscher/in
(Platzhalter)") and becomes the family name whole. People who travel with any
delegation are our side, everybody else a host.

Revision ID: c5e1a7d3f802
Revises: c5e1a9d7f3b2
Create Date: 2026-12-01 00:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c5e1a7d3f802"
down_revision = "c5e1a9d7f3b2"
branch_labels = None
depends_on = None

_SIDE = sa.Enum("own", "host", name="personside", native_enum=False, length=32)


def split_name(name: str) -> tuple[str | None, str]:
    """(given name, family name) of a name entered in one field."""
    words = name.split()
    if not words:
        return None, name
    if len(words) == 1 or any(mark in name for mark in "()/"):
        return None, " ".join(words)
    return " ".join(words[:-1]), words[-1]


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column("honorific", new_column_name="title", existing_type=sa.String(length=50))
        batch_op.alter_column("name", existing_type=sa.String(length=200), type_=sa.String(length=301))
        batch_op.add_column(sa.Column("given_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("family_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("family_name_first", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("side", _SIDE, server_default="host", nullable=False))

    bind = op.get_bind()
    people = sa.table(
        "people",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("given_name", sa.String),
        sa.column("family_name", sa.String),
        sa.column("side", sa.String),
    )
    members = sa.table("members", sa.column("person_id", sa.Integer))
    for person_id, name in bind.execute(sa.select(people.c.id, people.c.name)).all():
        given, family = split_name(name)
        bind.execute(people.update().where(people.c.id == person_id).values(given_name=given, family_name=family))
    bind.execute(people.update().where(people.c.id.in_(sa.select(members.c.person_id))).values(side="own"))

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column("family_name", existing_type=sa.String(length=200), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("side")
        batch_op.drop_column("family_name_first")
        batch_op.drop_column("family_name")
        batch_op.drop_column("given_name")
        batch_op.alter_column("name", existing_type=sa.String(length=301), type_=sa.String(length=200))
        batch_op.alter_column("title", new_column_name="honorific", existing_type=sa.String(length=50))
