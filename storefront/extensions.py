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
#
# expire_on_commit=False: a request commits as soon as a service is done (see
# marketplace/unit_of_work.py), then usually reads the same objects again to answer (redirect
# URLs, the page). Expiring them would reload each one with a query of its own; a request is
# short, and what it must see fresh (stock, prices) its services read with explicit queries.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})
# render_as_batch: SQLite cannot ALTER most things in place; batch mode recreates tables.
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Its store (Redis, the database, or memory in development) is chosen by RATELIMIT_STORAGE when
# it is bound: storefront/rate_limit_storage.py.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
