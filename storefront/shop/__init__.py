"""The shopper-facing area of the storefront."""

from flask import Blueprint

bp = Blueprint("shop", __name__)

from storefront.shop import views  # noqa: E402,F401,I001  (routes register on import)
from storefront.shop import seller_ratings  # noqa: E402,F401,I001
