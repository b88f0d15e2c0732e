"""The migration that gives German missions their organization kind, on a copy of a database from before it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from planner.extensions import db
from tests.conftest import DatabaseFactory, make_app

BEFORE = "a4c8e2f6b1d7"  # the revision before emergency numbers, missions and the duty phone
MISSIONS = "b9d4e2a7c318"

ROWS = {
    "Generalkonsulat der Bundesrepublik Deutschland Shanghai": "government_body",
    "Deutsche BOTSCHAFT Seoul": "other",
    "Embassy of the Federal Republic of Germany, Beijing": "government_body",
    "Honorary Consulate Busan": "association",
    "Hyundai Heavy Industries": "company",
    "Stadtregierung Chongqing": "government_body",
}


def test_organizations_named_like_a_mission_become_missions_and_the_others_keep_their_kind(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    app = make_app(databases.new(), tmp_path / "instance")
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        organizations = sa.Table("organizations", sa.MetaData(), autoload_with=db.engine)
        now = datetime(2024, 10, 1, tzinfo=UTC)
        with db.engine.begin() as connection:
            connection.execute(
                organizations.insert(),
                [
                    {
                        "name": name,
                        "kind": kind,
                        "contact_is_placeholder": False,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for name, kind in ROWS.items()
                ],
            )

        flask_migrate.upgrade(revision=MISSIONS)
        with db.engine.connect() as connection:
            kinds = dict(connection.execute(sa.text("SELECT name, kind FROM organizations")).all())
        assert kinds == {
            "Generalkonsulat der Bundesrepublik Deutschland Shanghai": "mission",
            "Deutsche BOTSCHAFT Seoul": "mission",
            "Embassy of the Federal Republic of Germany, Beijing": "mission",
            "Honorary Consulate Busan": "mission",
            "Hyundai Heavy Industries": "company",
            "Stadtregierung Chongqing": "government_body",
        }

        # Back down: no "mission" is left that the older code could not read.
        flask_migrate.downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert not connection.execute(sa.text("SELECT count(*) FROM organizations WHERE kind = 'mission'")).scalar()
            columns = {c["name"] for c in sa.inspect(connection).get_columns("delegations")}
            assert "duty_phone" not in columns
        db.engine.dispose()
