"""Seller onboarding's public side (``/vendre``): a company applies to sell on the marketplace,
and comes back from the operator's emailed link to complete its application."""

from flask import Blueprint

bp = Blueprint("onboarding", __name__, url_prefix="/vendre")

from storefront.onboarding import views  # noqa: E402,F401  (routes register on import)
