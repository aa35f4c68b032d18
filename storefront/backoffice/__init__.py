"""The operator's back office (``/backoffice``): run the whole marketplace without a shell.

One module per area; each registers its routes on :data:`bp` when imported, and each route
declares the permission it needs (storefront/backoffice/access.py). Operator accounts only.
"""

from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

# Routes register on import. views first: it installs the sign-in and permission checks.
from storefront.backoffice import views  # noqa: E402,F401,I001
from storefront.backoffice import (  # noqa: E402,F401
    applications,
    catalog,
    catalog_imports,
    commissions,
    customers,
    delivery_setup,
    events,
    exports,
    finance,
    finance_reports,
    home,
    mappings,
    operations,
    ratings,
    sellers,
    shop_settings,
)
