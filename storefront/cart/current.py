"""The cart of the current request: whose it is, which zone it is priced for, its header count.

A signed-in shopper's cart is found by user id; a guest's by a random token kept in the (signed,
HTTP-only) session cookie. The token is created only when a guest first adds something, so
browsing creates no cart rows.
"""

from __future__ import annotations

import logging

from flask import g, session
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from storefront.extensions import db
from storefront.marketplace import cart as cart_service
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import Cart, User, Zone
from storefront.shop import shopper

log = logging.getLogger(__name__)

SESSION_KEY = "cart_token"


def _owner() -> dict:
    if current_user.is_authenticated:
        return {"user_id": current_user.id}
    return {"token": session.get(SESSION_KEY)}


def current_cart() -> Cart | None:
    """The shopper's cart, or None when they have none (or their session has expired)."""
    owner = _owner()
    if owner.get("user_id") is None and not owner.get("token"):
        return None
    return cart_service.find_cart(db.session, **owner)


def ensure_cart() -> Cart:
    """The shopper's cart, created (with a guest token in the session) if needed."""
    owner = _owner()
    fresh = owner.get("user_id") is None and not owner.get("token")
    if fresh:
        owner = {"token": cart_service.new_guest_token()}
        session[SESSION_KEY] = owner["token"]
    try:
        return cart_service.open_cart(db.session, **owner, fresh=fresh)
    except IntegrityError:
        # Two first requests of the same user at once: the other one created the cart.
        return cart_service.find_cart(db.session, **owner)


def cart_zone(cart: Cart | None) -> Zone:
    """Where the cart is priced for: its checkout address once given, else the postal code the
    shopper chose for browsing (the product pages use the same)."""
    if cart is not None and cart.has_address:
        try:
            return cart_service.zone_of(db.session, cart)
        except DomainError:
            pass  # the zone was removed since; fall back to the browsing destination
    return shopper.destination().zone


def cart_count(*, refresh: bool = False) -> int | None:
    """Units in the cart, for the header (one query per request, cached on ``g``).

    None while the page is rendered for the shared page cache (storefront/page_cache.py): the
    count is the visitor's own, so the cached copy gets a hole that htmx fills per visitor
    (templates/cart/partials/cart_count.html).
    """
    if g.get("page_cache_rendering"):
        return None
    if refresh or "cart_count" not in g:
        owner = _owner()
        try:
            g.cart_count = cart_service.count_units(db.session, **owner)
        except SQLAlchemyError:
            # The header is also drawn on error pages, maybe because the database failed: an
            # unknown count must not turn an error page into a second error.
            log.exception("could not count the cart")
            db.session.rollback()
            g.cart_count = 0
    return g.cart_count


def merge_guest_cart(sender, user: User, **extra) -> None:
    """``user_logged_in`` receiver: the guest cart of this session joins the user's."""
    token = session.pop(SESSION_KEY, None)
    if not token:
        return
    try:
        cart_service.merge_into_user(db.session, token, user)
    except (DomainError, SQLAlchemyError):
        # Logging in matters more than the merge: the guest's cart stays where it was.
        log.exception("could not merge the guest cart into the cart of user %s", user.id)
        db.session.rollback()
    g.pop("cart_count", None)
