"""Render the Keller brief to a PDF file in a process of its own: ``python -m tests.briefs.render_keller_pdf OUT.pdf``.

fontconfig reads its configuration once per process, so a test that renders
with a restricted font set (``FONTCONFIG_FILE``) has to do it in a new
process; this is that process. It seeds the Keller trip into a throwaway
SQLite database and renders through the same code as ``export-brief``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from planner import create_app
from planner.extensions import db
from planner.seed import load_seed


def main(output: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/keller.sqlite3",
                "INSTANCE_PATH": f"{tmp}/instance",
                "SECRET_KEY": "render-keller-pdf-not-a-secret",
            }
        )
        with app.app_context():
            db.create_all()
            load_seed(db.session)
            db.session.commit()
        result = app.test_cli_runner().invoke(args=["export-brief", "1", "-o", str(output)], catch_exceptions=False)
        sys.stderr.write(result.output)
        return result.exit_code


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
