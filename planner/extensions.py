"""Flask extensions, created once here and bound to the app in :func:`planner.create_app`."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from planner.db_recovery import PlannerSQLAlchemy
from planner.models.base import Base

# Survives a database connection dropped at the end of a request (planner.db_recovery).
db = PlannerSQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
