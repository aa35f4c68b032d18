"""The shopper's cart: add, change quantities, remove, choose delivery per shipment (htmx, and
plain forms without JavaScript). Every htmx answer also carries the header's cart count as an
out-of-band swap, so the count is right wherever the header is."""

from flask import Blueprint

bp = Blueprint("cart", __name__, url_prefix="/panier")


@bp.record_once
def _merge_guest_carts_at_login(state) -> None:
    """A guest's cart joins the account's when the guest logs in (or registers): the account
    blueprint calls ``login_user``, Flask-Login sends ``user_logged_in``, we merge."""
    from flask_login import user_logged_in

    from storefront.cart.current import merge_guest_cart

    user_logged_in.connect(merge_guest_cart, state.app)


from storefront.cart import views  # noqa: E402,F401  (routes register on import)
