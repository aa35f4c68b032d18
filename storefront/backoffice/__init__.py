"""The operator's back office (``/backoffice``), minimal for now: every order and conversation,
stepping into any conversation, and the customer-relations model. Operator accounts only."""

from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

from storefront.backoffice import views  # noqa: E402,F401  (routes register on import)

from storefront.backoffice import events  # noqa: E402,F401  # isort: skip
