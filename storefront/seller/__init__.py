"""The seller portal (``/seller``): a seller's staff runs its orders, offers and messages.

Seller accounts only, and every query is scoped to the signed-in account's seller: another
seller's order, offer or conversation answers 404, as if it did not exist.
"""

from flask import Blueprint

bp = Blueprint("seller", __name__, url_prefix="/seller")

from storefront.seller import colleagues  # noqa: E402,F401,I001
from storefront.seller import imports  # noqa: E402,F401
from storefront.seller import views  # noqa: E402,F401  (routes register on import)
from storefront.seller import exports  # noqa: E402,F401,I001
from storefront.seller import finance  # noqa: E402,F401,I001
from storefront.seller import ratings  # noqa: E402,F401,I001
