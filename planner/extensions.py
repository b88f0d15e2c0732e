"""Flask extensions, created once here and bound to the app in :func:`planner.create_app`.

Flask-Migrate is not among them: :mod:`planner.schema_migrations` loads it only where a migration runs.
"""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from planner.db_recovery import PlannerSQLAlchemy
from planner.models.base import Base

# Survives a database connection dropped at the end of a request (planner.db_recovery).
db = PlannerSQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
