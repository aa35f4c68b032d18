"""The shopper-facing area of the storefront."""

from flask import Blueprint

from storefront.extensions import limiter

bp = Blueprint("shop", __name__)
# Browsing is read-only and served from the page cache; rate limits guard logins, forms and the
# API. Checking limits here would cost every page view a trip through the limiter.
limiter.exempt(bp)

from storefront.shop import views  # noqa: E402,F401  (routes register on import)
