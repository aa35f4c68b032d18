"""Placing an order (no HTTP): one transaction that does everything or nothing, once per key.

The last test races several buyers of the last unit on PostgreSQL, each in its own session and
thread; it needs real row locks and runs in the PostgreSQL pass only.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.marketplace import cart as cart_service
from storefront.marketplace import catalog, checkout, finance, orders, preferences
from storefront.marketplace.checkout import CartChanged, PaymentRecord
from storefront.marketplace.errors import InvalidValue, NotDeliverable, OutOfStock
from storefront.marketplace.models import (
    ActorRole,
    CartLine,
    CommissionRate,
    CustomerOrder,
    LineState,
    Offer,
    OrderLine,
    OrderTransition,
    OutboxMessage,
    ProductListing,
    SellerOrder,
    SellerOrderState,
    Shipment,
)
from tests import checkout_fixtures
from tests.checkout_fixtures import CORSICA, MORNING, guest_cart
from tests.conftest import TEST_DATABASE_URL
from tests.email_fixtures import rendered_outbox

shop = checkout_fixtures.shop  # the fixture, for this module's tests

CARD = PaymentRecord(method="card", code="CB", reference="pay_sbx_ok_test")


def place(session, cart, key="k" * 24, **kwargs):
    kwargs.setdefault("now", MORNING)
    return checkout.place_order(
        session, cart, idempotency_key=key, payment=CARD, locale="fr", **kwargs,
    )


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def stock(session, offer) -> int:
    return session.scalar(select(Offer.stock).where(Offer.id == offer.id))


def test_a_mixed_cart_becomes_one_order_seller_orders_and_shipments(session, shop):
    offers = shop.offers
    finance.set_commission_rate(session, 1500, seller=shop.alpha)
    cart = guest_cart(
        session, (offers["first_party"], 1), (offers["gamma"], 1), (offers["alpha"], 2), (offers["beta"], 1)
    )
    cart_service.choose_delivery(session, cart, shop.alpha.id, "THD", shop.mainland, now=MORNING)
    view = cart_service.review(session, cart, shop.mainland, now=MORNING)

    placed = place(session, cart, expected_total=view.total)

    order = placed.order
    assert placed.created
    assert re.fullmatch(r"SF-261201-[0-9A-Z]{5}", order.number)
    assert (order.subtotal, order.shipping_total, order.total) == (view.subtotal, view.shipping_total, view.total)
    assert (order.email, order.ship_postal_code, order.ship_city) == ("guest@example.com", "75002", "Paris")
    assert (order.payment_method, order.payment_code, order.payment_reference) == ("card", "CB", "pay_sbx_ok_test")
    assert order.customer_id is None and order.zone_id == shop.mainland.id

    # Sold by: one seller order per seller; the retailer's is accepted by the system at once.
    by_seller = {so.seller.code: so for so in order.seller_orders}
    assert set(by_seller) == {"storefront", "gamma", "alpha", "beta"}
    retailer_order = by_seller["storefront"]
    assert retailer_order.state == SellerOrderState.SHIPPING
    assert retailer_order.acceptance_deadline is None
    [record] = retailer_order.transitions
    assert (record.from_state, record.to_state, record.actor_role) == (
        "WAITING_ACCEPTANCE", "SHIPPING", ActorRole.SYSTEM
    )
    assert {line.state for line in retailer_order.lines} == {LineState.ACCEPTED}
    delay = timedelta(hours=preferences.get(session, "acceptance_delay_hours"))
    for code in ("gamma", "alpha", "beta"):
        assert by_seller[code].state == SellerOrderState.WAITING_ACCEPTANCE
        assert by_seller[code].acceptance_deadline == MORNING + delay
    assert len({so.number for so in order.seller_orders}) == 4
    assert orders.customer_status(so.state for so in order.seller_orders) == "WAITING_ACCEPTANCE"

    # Shipped by: one shipment per shipper, with the chosen mode, its fee and promised dates.
    shipments = {s.shipper.code: s for s in order.shipments}
    assert set(shipments) == {"storefront", "alpha", "beta"}
    for shipment_view in view.shipments:
        shipment = shipments[shipment_view.shipper.code]
        chosen = shipment_view.chosen
        assert (shipment.mode.code, shipment.fee) == (chosen.mode.code, chosen.fee)
        assert (shipment.ship_by, shipment.promised_min, shipment.promised_max) == (
            chosen.promise.ship_by, chosen.promise.earliest, chosen.promise.latest
        )
    assert shipments["alpha"].mode.code == "THD" and shipments["alpha"].fee == 590 + 150
    assert {line.offer.sku for line in shipments["storefront"].lines} == {"W-1P", "G-OVEN"}

    # Each line belongs to one seller order and one shipment, at the price seen, with commission.
    lines = session.scalars(select(OrderLine).order_by(OrderLine.id)).all()
    assert {(line.sku, line.quantity, line.unit_price, line.commission_bp) for line in lines} == {
        ("W-1P", 1, 1999, 0), ("G-OVEN", 1, 1200, 1200), ("A-DRY", 2, 1500, 1500), ("B-FRIDGE", 1, 800, 1200)
    }
    assert all(line.shipment_id and line.seller_order_id for line in lines)

    # Stock taken, cart emptied, confirmation written in the same transaction.
    assert [stock(session, offers[name]) for name in ("first_party", "gamma", "alpha", "beta")] == [9, 1, 3, 2]
    assert count(session, CartLine) == 0
    [message] = rendered_outbox(session)
    assert message.to_address == "guest@example.com" and message.kind == "order_confirmation"
    assert order.number in message.subject
    # A guest's link to the order is signed, and opens this order.
    public_url = current_app.config["PUBLIC_URL"]
    link = re.search(rf"{re.escape(public_url)}/commande/suivi/\S+", message.text_body).group(0)
    token = link.rsplit("/", 1)[1]
    assert checkout.order_for_link(session, token, current_app.secret_key) == order
    assert "Alpha Maison" in message.html_body


def test_an_offer_selling_out_refreshes_its_listing(session, shop):
    from storefront.marketplace import listing

    listing.refresh(session)
    cart = guest_cart(session, (shop.offers["alpha_washer"], 1))  # the last unit
    place(session, cart)
    assert stock(session, shop.offers["alpha_washer"]) == 0
    rows = session.scalars(
        select(ProductListing).where(ProductListing.product_id == shop.products["washer"].id)
    ).all()
    assert rows and all(row.best_offer_id == shop.offers["first_party"].id for row in rows if row.available)


def test_one_line_out_of_stock_places_nothing(session, shop):
    offers = shop.offers
    cart = guest_cart(session, (offers["first_party"], 2), (offers["beta"], 3))
    # Somebody else buys a fridge meanwhile.
    other = guest_cart(session, (offers["beta"], 1))
    place(session, other, key="o" * 24)
    before = (count(session, CustomerOrder), count(session, OutboxMessage), stock(session, offers["first_party"]))

    with pytest.raises(CartChanged):
        place(session, cart)

    assert (count(session, CustomerOrder), count(session, OutboxMessage), stock(session, offers["first_party"])) == before
    assert stock(session, offers["beta"]) == 2
    session.expire_all()
    # The cart is left as it was; the next review corrects it and says so.
    assert {(line.offer.sku, line.quantity) for line in cart.lines} == {("W-1P", 2), ("B-FRIDGE", 3)}
    view = cart_service.review(session, cart, shop.mainland, now=MORNING)
    assert [(n.kind, n.old, n.new) for n in view.notices] == [("QUANTITY_REDUCED", 3, 2)]
    assert place(session, cart).created


def test_a_total_other_than_the_one_paid_places_nothing(session, shop):
    cart = guest_cart(session, (shop.offers["first_party"], 1))
    with pytest.raises(CartChanged):
        place(session, cart, expected_total=1)
    assert count(session, CustomerOrder) == 0 and stock(session, shop.offers["first_party"]) == 10
    assert len(cart.lines) == 1


def test_a_price_change_since_the_cart_was_seen_places_nothing(session, shop):
    offer = shop.offers["beta"]
    cart = guest_cart(session, (offer, 1))
    catalog.upsert_offer(session, shop.beta, offer.product, offer.sku, price=850, stock=3)
    with pytest.raises(CartChanged):
        place(session, cart)
    assert count(session, CustomerOrder) == 0 and count(session, OutboxMessage) == 0


def test_the_same_key_twice_places_one_order(session, shop):
    cart = guest_cart(session, (shop.offers["first_party"], 1))
    first = place(session, cart, key="same-key-0123456789")
    second = place(session, cart, key="same-key-0123456789")
    assert first.created and not second.created
    assert second.order.id == first.order.id
    assert count(session, CustomerOrder) == 1 and count(session, OutboxMessage) == 1
    assert stock(session, shop.offers["first_party"]) == 9


def test_orders_need_an_address_a_delivery_and_lines(session, shop):
    cart = guest_cart(session, (shop.offers["first_party"], 1), address=None)
    with pytest.raises(InvalidValue):
        place(session, cart)
    empty = guest_cart(session)
    with pytest.raises(InvalidValue):
        place(session, empty)
    corsica = guest_cart(session, (shop.offers["alpha"], 1), address=CORSICA)  # Alpha: no Corsica
    with pytest.raises(NotDeliverable):
        place(session, corsica)
    with pytest.raises(InvalidValue):
        place(session, corsica, key="short")
    assert count(session, CustomerOrder) == 0


def test_no_commission_rate_means_no_commission(session, shop):
    session.execute(CommissionRate.__table__.delete())
    session.commit()
    cart = guest_cart(session, (shop.offers["alpha"], 1))
    order = place(session, cart).order
    assert [line.commission_bp for so in order.seller_orders for line in so.lines] == [0]


def test_a_customers_orders_are_theirs_only(session, shop):
    mine = cart_service.open_cart(session, user_id=shop.customer.id)
    cart_service.add_item(session, mine, shop.offers["beta"].id, 1)
    cart_service.set_address(session, mine, checkout_fixtures.MAINLAND, email=shop.customer.email)
    order = place(session, mine).order
    assert [o.number for o in checkout.orders_of(session, shop.customer.id)] == [order.number]
    assert checkout.orders_of(session, shop.other_customer.id) == []
    assert checkout.order_of(session, order.number, customer_id=shop.customer.id) == order
    with pytest.raises(checkout.NotFound):
        checkout.order_of(session, order.number, customer_id=shop.other_customer.id)


def test_a_guest_link_opens_its_order_only(session, shop):
    order = place(session, guest_cart(session, (shop.offers["beta"], 1))).order
    token = checkout.order_link_token(order, "secret")
    assert checkout.order_for_link(session, token, "secret") == order
    for bad in (token + "x", checkout.order_link_token(order, "other secret"), ""):
        with pytest.raises(checkout.NotFound):
            checkout.order_for_link(session, bad, "secret")


# --- The race for the last unit (PostgreSQL) -------------------------------------------------------


BUYERS = 4


@pytest.mark.skipif(
    make_url(TEST_DATABASE_URL or "sqlite://").get_backend_name() != "postgresql",
    reason="needs PostgreSQL's row locks and concurrent writers (run with TEST_DATABASE_URL)",
)
def test_of_several_buyers_of_the_last_unit_exactly_one_wins(app, session, shop):
    offer = shop.offers["alpha_washer"]  # stock 1
    cart_ids = [guest_cart(session, (offer, 1)).id for _ in range(BUYERS)]
    session.commit()
    outcomes: list[object] = []
    ready = threading.Barrier(BUYERS + 1)

    # Hold the offer's row while every buyer checks its cart, so that all of them reach the
    # conditional UPDATE believing one unit is left; then let them race.
    blocker = db.engine.connect()
    blocker.execute(text("SELECT id FROM offer WHERE id = :id FOR UPDATE"), {"id": offer.id})

    def buy(cart_id: int) -> None:
        with app.app_context(), Session(db.engine) as own:
            cart = own.get(cart_service.Cart, cart_id)
            ready.wait(timeout=10)
            try:
                outcomes.append(place(own, cart, key=f"race-key-{cart_id:012d}"))
            except (OutOfStock, CartChanged) as error:
                outcomes.append(error)

    threads = [threading.Thread(target=buy, args=(cart_id,)) for cart_id in cart_ids]
    for thread in threads:
        thread.start()
    ready.wait(timeout=10)
    threading.Event().wait(0.5)  # the buyers are now queued on the row lock
    blocker.rollback()
    blocker.close()
    for thread in threads:
        thread.join(timeout=30)

    wins = [o for o in outcomes if isinstance(o, checkout.PlacedOrder)]
    assert len(outcomes) == BUYERS
    assert len(wins) == 1
    assert all(isinstance(o, OutOfStock) for o in outcomes if o not in wins)
    session.expire_all()
    assert stock(session, offer) == 0
    assert count(session, CustomerOrder) == 1
    assert count(session, SellerOrder) == 1 and count(session, Shipment) == 1
    assert count(session, OutboxMessage) == 1
    assert count(session, OrderTransition) == 0  # Alpha's order waits for Alpha
