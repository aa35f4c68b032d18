"""Flask extensions, created unbound here and bound to the app in :func:`storefront.create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from storefront.marketplace.models.base import Base

# The models are plain SQLAlchemy (storefront.marketplace.models) so that services and jobs use
# them without Flask; Flask-SQLAlchemy only manages the engine and the request-scoped session.
db = SQLAlchemy(metadata=Base.metadata)
# render_as_batch: SQLite cannot ALTER most things in place; batch mode recreates tables.
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
