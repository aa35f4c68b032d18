"""Checkout: address → delivery per shipment → payment → review → place order; then the
confirmation page, "My orders" and the order page (a signed link for guests)."""

from flask import Blueprint

bp = Blueprint("checkout", __name__, url_prefix="/commande")


@bp.record_once
def _payment_settings(state) -> None:
    """The payment provider and the mapping of its methods to the marketplace's payment codes.

    ``PAYMENT_PROVIDER`` names the provider (only the built-in ``sandbox`` so far) and
    ``PAYMENT_CODES`` maps its methods to codes (``{"card": "CB"}``); both come from the
    environment (storefront/settings.py) or ``create_app(..., PAYMENT_CODES={...})``. One
    provider instance per application; an unknown provider stops the shop at start-up.
    """
    from storefront.extensions import db
    from storefront.marketplace import payments
    from storefront.marketplace.errors import InvalidValue
    from storefront.settings import ConfigError

    config = state.app.config
    config.setdefault("PAYMENT_PROVIDER", "sandbox")
    config.setdefault("PAYMENT_CODES", {"card": "CB"})
    try:
        # The sandbox keeps its book in the shop's database: every process sees the same one.
        with state.app.app_context():
            bind = db.engine
        state.app.extensions["payment_provider"] = payments.provider_named(
            config["PAYMENT_PROVIDER"], bind=bind
        )
    except InvalidValue:
        raise ConfigError(
            f"PAYMENT_PROVIDER={config['PAYMENT_PROVIDER']!r} is unknown; the providers are: "
            f"{', '.join(sorted(payments.PROVIDERS))}."
        ) from None


from storefront.checkout import views  # noqa: E402,F401,I001  (routes register on import)
from storefront.checkout import ratings  # noqa: E402,F401,I001
