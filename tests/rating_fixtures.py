"""Seller orders brought to delivery, for the seller-rating tests (service, web, API, browser)."""

from __future__ import annotations

from storefront.marketplace import orders, tracking
from storefront.marketplace.models import ActorRole, SellerOrder
from tests.order_fixtures import part_of, place

HOSTILE = '<script>alert("x")</script> Très bien <b>emballé</b>'


def delivered(session, people, seller_key: str = "alpha", customer=None) -> SellerOrder:
    """A seller order of ``seller_key`` placed by ``customer`` (the people's customer by
    default), accepted, shipped and received (state RECEIVED)."""
    seller = getattr(people.shop, seller_key)
    offer = people.shop.offers[seller_key]
    offer.stock = max(offer.stock, 50)  # tests rate many orders
    part = part_of(place(session, customer or people.customer, (offer, 1)), seller)
    operator = ActorRole.OPERATOR
    orders.accept(session, part, actor_role=operator)
    tracking.ship(session, part, carrier_code="COLISSIMO", tracking_number="6A12345678901", actor_role=operator)
    tracking.mark_received(session, part, actor_role=operator)
    session.commit()
    return part


def waiting(session, people, seller_key: str = "alpha") -> SellerOrder:
    seller = getattr(people.shop, seller_key)
    return part_of(place(session, people.customer, (people.shop.offers[seller_key], 1)), seller)
