"""Running seller orders (no HTTP): acceptance per line, cancellations, parcels, delivery,
refunds, the deadline job, and the customer's emails, delivered to a real SMTP server.

Orders are placed through the checkout (tests/order_fixtures.py). In the checkout's shop Alpha
ships its own parcels, Gamma's offers ship from the retailer's warehouse, and the retailer's own
seller order is accepted at once.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.jobs.deadlines import cancel_overdue_orders
from storefront.marketplace import checkout, orders
from storefront.marketplace import tracking as parcels
from storefront.marketplace.errors import (
    Conflict,
    InvalidTransition,
    InvalidValue,
    NotAllowed,
    NotFound,
)
from storefront.marketplace.models import (
    ActorRole,
    Cancellation,
    LineState,
    Offer,
    OrderTransition,
    OutboxMessage,
    Parcel,
    ProductListing,
    Refund,
    SellerOrder,
    SellerOrderState,
    ShipmentStatus,
)
from tests import email_fixtures, order_fixtures
from tests.conftest import TEST_DATABASE_URL
from tests.order_fixtures import part_of, place

S = SellerOrderState
SELLER = ActorRole.SELLER
people = order_fixtures.people  # the fixtures, for this module's tests
smtp_server = email_fixtures.smtp_server


# --- helpers -------------------------------------------------------------------------------------


def alpha_order(session, people, dryers=2, washers=1, customer="customer"):
    """Alpha's part of a new order: ``dryers`` dryers (15,00 €) and ``washers`` washers (18,99 €)."""
    lines = [(people.shop.offers["alpha"], dryers)]
    if washers:
        lines.append((people.shop.offers["alpha_washer"], washers))
    order = place(session, getattr(people, customer), *lines)
    return part_of(order, people.shop.alpha)


def stock(session, offer) -> int:
    return session.scalar(select(Offer.stock).where(Offer.id == offer.id))


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def emails(session, kind: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def delivered(session, smtp_server, kind: str) -> list:
    """The emails of ``kind`` the SMTP server received (matched on their Message-ID, so that
    tests do not depend on the wording, which translators may change)."""
    ids = {row.message_id for row in emails(session, kind)}
    return [m for m in smtp_server.messages if m["Message-ID"] in ids]


def line(part, offer):
    return next(line for line in part.lines if line.offer_id == offer.id)


def snapshot(session, part):
    """What must not change when an action is refused."""
    session.expire_all()
    fresh = session.get(SellerOrder, part.id)
    return (
        fresh.state,
        fresh.version,
        [(each.state, each.quantity_canceled) for each in fresh.lines],
        count(session, OrderTransition, OrderTransition.seller_order_id == part.id),
        count(session, Cancellation),
        count(session, Refund),
        count(session, Parcel),
        count(session, OutboxMessage),
        [stock(session, each.offer) for each in fresh.lines],
    )


def shipped(session, part, tracking="6A12345678901", **kwargs):
    return parcels.ship(
        session, part, carrier_code="COLISSIMO", tracking_number=tracking, actor_role=SELLER, **kwargs
    )


# --- acceptance ----------------------------------------------------------------------------------


def test_accepting_moves_the_order_to_shipping_and_records_who(session, people):
    part = alpha_order(session, people)
    assert part.state == S.WAITING_ACCEPTANCE and part.acceptance_deadline is not None
    version = part.version

    orders.accept(session, part, actor_role=SELLER, actor_id=people.alpha_staff.id, expected_version=version)

    assert part.state == S.SHIPPING
    assert all(each.state == LineState.ACCEPTED for each in part.lines)
    record = part.transitions[-1]
    assert (record.from_state, record.to_state, record.actor_role, record.actor_id) == (
        "WAITING_ACCEPTANCE", "SHIPPING", SELLER, people.alpha_staff.id
    )
    assert record.at.tzinfo is not None
    assert part.version > version


def test_lines_are_decided_one_by_one_until_every_line_is_decided(session, people):
    shop = people.shop
    part = alpha_order(session, people)
    dryer, washer = line(part, shop.offers["alpha"]), line(part, shop.offers["alpha_washer"])
    washer_stock = stock(session, shop.offers["alpha_washer"])

    orders.accept(session, part, actor_role=SELLER, line_ids=[dryer.id])
    assert part.state == S.WAITING_ACCEPTANCE  # the washer is still undecided
    assert (dryer.state, washer.state) == (LineState.ACCEPTED, LineState.WAITING_ACCEPTANCE)

    orders.refuse(session, part, reason_code="OUT_OF_STOCK", actor_role=SELLER, line_ids=[washer.id])

    assert part.state == S.SHIPPING  # every line decided, one accepted
    assert (washer.state, washer.quantity_canceled, washer.quantity_live) == (LineState.REFUSED, 1, 0)
    assert stock(session, shop.offers["alpha_washer"]) == washer_stock + 1
    refusal = session.scalars(select(Cancellation)).one()
    assert (refusal.quantity, refusal.amount, refusal.reason.code, refusal.actor_role) == (1, 1899, "OUT_OF_STOCK", SELLER)
    (mail,) = emails(session, "lines_cancelled")
    assert "Lave-linge" in mail.text_body and "Rupture de stock" in mail.text_body


def test_refusing_every_line_refuses_the_order_and_gives_everything_back(session, people):
    shop = people.shop
    part = alpha_order(session, people)
    stocks = stock(session, shop.offers["alpha"]), stock(session, shop.offers["alpha_washer"])
    fee = orders.amounts(session, part).shipping
    assert fee > 0

    orders.refuse(session, part, reason_code="CANNOT_DELIVER", actor_role=SELLER, actor_id=people.alpha_staff.id)

    assert part.state == S.REFUSED
    assert part.transitions[-1].reason.code == "CANNOT_DELIVER"
    assert (stock(session, shop.offers["alpha"]), stock(session, shop.offers["alpha_washer"])) == (stocks[0] + 2, stocks[1] + 1)
    money = orders.amounts(session, part)
    assert money.returned == money.paid  # the items and this seller's shipping
    (mail,) = emails(session, "lines_cancelled")
    assert part.number[:15] in mail.subject
    assert f"{(money.paid) / 100:.2f}".replace(".", ",") in mail.text_body
    assert checkout.order_status(part.customer_order) == "CANCELED"


@pytest.mark.parametrize(
    ("reason", "error", "message"),
    [
        (None, InvalidValue, "say why"),
        ("WITHDRAWAL", NotFound, "unknown refusal reason"),  # a refund reason, not a refusal one
        ("NOPE", NotFound, "unknown"),
    ],
)
def test_a_refusal_needs_a_refusal_reason(session, people, reason, error, message):
    part = alpha_order(session, people)
    before = snapshot(session, part)
    with pytest.raises(error, match=message):
        orders.refuse(session, part, reason_code=reason, actor_role=SELLER)
    assert snapshot(session, part) == before


def test_a_customer_cannot_accept(session, people):
    part = alpha_order(session, people)
    before = snapshot(session, part)
    with pytest.raises(NotAllowed):
        orders.accept(session, part, actor_role=ActorRole.CUSTOMER)
    assert snapshot(session, part) == before


def test_accepting_an_already_cancelled_order_is_refused_and_changes_nothing(session, people):
    part = alpha_order(session, people)
    orders.cancel_order(session, part, reason_code="OUT_OF_STOCK", actor_role=SELLER)
    assert part.state == S.CANCELED
    before = snapshot(session, part)
    with pytest.raises(InvalidTransition, match="is CANCELED: its lines can no longer be accepted"):
        orders.accept(session, part, actor_role=SELLER)
    assert snapshot(session, part) == before


def test_a_line_of_another_order_is_unknown(session, people):
    part, other = alpha_order(session, people), alpha_order(session, people, washers=0)
    before = snapshot(session, part)
    with pytest.raises(NotFound, match="has no line"):
        orders.accept(session, part, actor_role=SELLER, line_ids=[other.lines[0].id])
    assert snapshot(session, part) == before


def test_the_retailers_own_order_is_accepted_at_checkout(session, people):
    order = place(session, people.customer, (people.shop.offers["first_party"], 1))
    assert part_of(order, people.shop.retailer).state == S.SHIPPING


# --- cancellations -------------------------------------------------------------------------------


def test_cancelling_some_units_puts_them_back_in_stock_and_tells_the_customer(session, people, smtp_server):
    shop = people.shop
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    dryer = line(part, shop.offers["alpha"])
    before = stock(session, shop.offers["alpha"])

    (record,) = orders.cancel_lines(
        session, part, {dryer.id: 1}, reason_code="OUT_OF_STOCK", actor_role=SELLER,
        actor_id=people.alpha_staff.id, note="Plus qu'un en rayon",
    )

    assert (record.quantity, record.amount, record.actor_id) == (1, 1500, people.alpha_staff.id)
    assert (dryer.quantity_canceled, dryer.quantity_live, dryer.state) == (1, 1, LineState.ACCEPTED)
    assert stock(session, shop.offers["alpha"]) == before + 1
    assert part.state == S.SHIPPING  # the rest goes on
    (message,) = delivered(session, smtp_server, "lines_cancelled")
    assert message["To"] == "camille@example.com"
    assert part.customer_order.number in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "Sèche-linge" in text and "Rupture de stock" in text and "15,00" in text
    assert "/commande/mes-commandes/" in text  # the link to the order
    assert "alpha@example.com" not in message.as_string()


def test_cancelling_everything_left_cancels_the_order(session, people):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    orders.cancel_order(session, part, reason_code="CUSTOMER_REQUEST", actor_role=SELLER, note="Appel client")
    assert part.state == S.CANCELED
    record = part.transitions[-1]
    assert (record.to_state, record.reason.code, record.note) == ("CANCELED", "CUSTOMER_REQUEST", "Appel client")
    assert all(each.state == LineState.CANCELED for each in part.lines)


def test_cancelling_the_last_undecided_line_completes_the_acceptance(session, people):
    shop = people.shop
    part = alpha_order(session, people)
    dryer, washer = line(part, shop.offers["alpha"]), line(part, shop.offers["alpha_washer"])
    orders.accept(session, part, actor_role=SELLER, line_ids=[dryer.id])
    orders.cancel_lines(session, part, {washer.id: 1}, reason_code="PRICE_ERROR", actor_role=SELLER)
    assert part.state == S.SHIPPING


@pytest.mark.parametrize(
    ("quantity", "reason", "error", "message"),
    [
        (3, "OUT_OF_STOCK", InvalidValue, "only 2 unit"),
        (0, "OUT_OF_STOCK", InvalidValue, "at least one unit"),
        (-1, "OUT_OF_STOCK", InvalidValue, "whole number"),
        (1, "SUSPECTED_FRAUD", NotAllowed, "not available to a seller"),  # the operator's reason
        (1, "ACCEPTANCE_TIMEOUT", NotAllowed, "not available to a seller"),  # the scheduler's
        (1, "DAMAGED", NotFound, "unknown cancelation reason"),  # a refund reason
        (1, "", NotFound, "unknown"),
    ],
)
def test_bad_cancellations_change_nothing(session, people, quantity, reason, error, message):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    dryer = line(part, people.shop.offers["alpha"])
    before = snapshot(session, part)
    with pytest.raises(error, match=message):
        orders.cancel_lines(session, part, {dryer.id: quantity}, reason_code=reason, actor_role=SELLER)
    assert snapshot(session, part) == before


def test_the_operator_may_use_its_own_reasons(session, people):
    part = alpha_order(session, people)
    orders.cancel_order(session, part, reason_code="SUSPECTED_FRAUD", actor_role=ActorRole.OPERATOR,
                        actor_id=people.operator.id)
    assert part.transitions[-1].actor_role == ActorRole.OPERATOR


def test_shipped_units_cannot_be_cancelled(session, people):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    dryer = line(part, people.shop.offers["alpha"])
    shipped(session, part, quantities={dryer.id: 2})
    assert part.state == S.SHIPPING
    assert orders.cancellable(part) == {line(part, people.shop.offers["alpha_washer"]).id: 1}
    before = snapshot(session, part)
    with pytest.raises(InvalidValue, match="only 0 unit"):
        orders.cancel_lines(session, part, {dryer.id: 1}, reason_code="OUT_OF_STOCK", actor_role=SELLER)
    assert snapshot(session, part) == before
    # Cancelling what has not shipped leaves an order whose every unit has left: SHIPPED.
    orders.cancel_order(session, part, reason_code="OUT_OF_STOCK", actor_role=SELLER)
    assert part.state == S.SHIPPED


def test_a_sold_out_offer_is_back_on_sale_after_a_cancellation(session, people):
    shop = people.shop
    part = alpha_order(session, people, dryers=1, washers=1)  # the last alpha washer
    washer = shop.offers["alpha_washer"]
    assert stock(session, washer) == 0

    orders.refuse(session, part, reason_code="OUT_OF_STOCK", actor_role=SELLER,
                  line_ids=[line(part, washer).id])

    assert stock(session, washer) == 1
    rows = session.scalars(select(ProductListing).where(ProductListing.product_id == washer.product_id)).all()
    assert rows and all(row.available for row in rows)


# --- shipping ------------------------------------------------------------------------------------


def test_shipping_records_the_parcel_and_emails_the_tracking_link(session, people, smtp_server):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    shipment = part.lines[0].shipment

    parcel = shipped(session, part, tracking=" 6a12345678901 ", actor_id=people.alpha_staff.id)

    assert part.state == S.SHIPPED
    assert (parcel.tracking_number, parcel.carrier.code, parcel.shipped_on) == (
        "6A12345678901", "COLISSIMO", orders.today_in_shop(session)
    )
    assert sorted((i.line.offer_id, i.quantity) for i in parcel.items) == sorted(
        [(people.shop.offers["alpha"].id, 2), (people.shop.offers["alpha_washer"].id, 1)]
    )
    assert (shipment.status, shipment.tracking_number, shipment.carrier.code) == (
        ShipmentStatus.SHIPPED, "6A12345678901", "COLISSIMO"
    )
    assert part.transitions[-1].actor_id == people.alpha_staff.id
    (message,) = delivered(session, smtp_server, "shipment_sent")
    assert part.customer_order.number in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "Colissimo" in text and "6A12345678901" in text
    assert "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901" in text
    assert f" {shipment.promised_max.day} " in text  # the promised dates, in words
    html = message.get_body(("html",)).get_content()
    assert 'href="https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"' in html
    assert checkout.order_status(part.customer_order) == "SHIPPED"


def test_an_order_may_leave_in_several_parcels(session, people):
    shop = people.shop
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    dryer, washer = line(part, shop.offers["alpha"]), line(part, shop.offers["alpha_washer"])

    first = shipped(session, part, tracking="PARCEL-0001", quantities={dryer.id: 1})
    assert part.state == S.SHIPPING and orders.to_ship(part) == {dryer.id: 1, washer.id: 1}
    assert part.lines[0].shipment.tracking_number == "PARCEL-0001"  # the customer can follow it
    assert part.lines[0].shipment.status == ShipmentStatus.PENDING
    second = parcels.ship(session, part, carrier_code="DPD", tracking_number="PARCEL-0002", actor_role=SELLER)
    assert part.state == S.SHIPPED
    assert [(item.order_line_id, item.quantity) for item in second.items] == [
        (dryer.id, 1), (washer.id, 1)
    ]
    # An extra box for what has already left (a big item in two boxes) is one more parcel.
    extra = parcels.ship(session, part, carrier_code="DPD", tracking_number="PARCEL-0003", actor_role=SELLER)
    assert extra.items == [] and part.state == S.SHIPPED
    assert [p.tracking_number for p in part.parcels] == ["PARCEL-0001", "PARCEL-0002", "PARCEL-0003"]
    assert len(emails(session, "shipment_sent")) == 3
    assert first.id < second.id < extra.id


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"tracking_number": "6A 1234 5678"}, InvalidValue, "without spaces"),
        ({"tracking_number": "6A1234\x005678"}, InvalidValue, "without spaces"),
        ({"tracking_number": "6A1234\n5678"}, InvalidValue, "without spaces"),
        ({"tracking_number": "<script>x</script>"}, InvalidValue, "without spaces"),
        ({"tracking_number": ""}, InvalidValue, "without spaces"),
        ({"carrier_code": "PIGEON"}, NotFound, "unknown carrier"),
        ({"shipped_on": date.today() + timedelta(days=2)}, InvalidValue, "future"),
        ({"shipped_on": date(2020, 1, 1)}, InvalidValue, "before the order"),
        ({"quantities": {"dryer": 3}}, InvalidValue, "only 2 unit"),
        ({"quantities": {"dryer": 0}}, InvalidValue, "at least one unit"),
    ],
)
def test_bad_parcels_change_nothing(session, people, kwargs, error, message):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    if "quantities" in kwargs:
        kwargs["quantities"] = {line(part, people.shop.offers["alpha"]).id: kwargs["quantities"]["dryer"]}
    arguments = {"carrier_code": "COLISSIMO", "tracking_number": "6A12345678901", "actor_role": SELLER, **kwargs}
    before = snapshot(session, part)
    with pytest.raises(error, match=message):
        parcels.ship(session, part, **arguments)
    assert snapshot(session, part) == before


def test_the_same_parcel_twice_is_refused(session, people):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    shipped(session, part, quantities={line(part, people.shop.offers["alpha"]).id: 1})
    before = snapshot(session, part)
    with pytest.raises(InvalidValue, match="already recorded"):
        shipped(session, part)
    assert snapshot(session, part) == before


def test_an_order_not_accepted_does_not_ship(session, people):
    part = alpha_order(session, people)
    before = snapshot(session, part)
    with pytest.raises(InvalidTransition, match="only an accepted order ships"):
        shipped(session, part)
    assert snapshot(session, part) == before


def test_a_seller_does_not_ship_what_the_warehouse_ships(session, people):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["gamma"], 1))
    part = part_of(order, shop.gamma)
    orders.accept(session, part, actor_role=SELLER)
    with pytest.raises(NotAllowed, match="warehouse"):
        shipped(session, part)
    parcel = parcels.ship(session, part, carrier_code="GLS", tracking_number="GLS-12345",
                         actor_role=ActorRole.OPERATOR, actor_id=people.operator.id)
    assert part.state == S.SHIPPED and parcel.actor_role == ActorRole.OPERATOR


# --- delivery and closing ------------------------------------------------------------------------


def test_received_then_closed(session, people):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    shipped(session, part)
    parcels.mark_received(session, part, actor_role=ActorRole.CUSTOMER, actor_id=people.customer.id)
    assert part.state == S.RECEIVED
    assert all(p.delivered_at is not None for p in part.parcels)
    assert part.lines[0].shipment.status == ShipmentStatus.DELIVERED
    assert checkout.order_status(part.customer_order) == "RECEIVED"
    orders.close(session, part, actor_role=ActorRole.OPERATOR, actor_id=people.operator.id)
    assert [t.to_state for t in part.transitions] == ["SHIPPING", "SHIPPED", "RECEIVED", "CLOSED"]
    assert [t.actor_role for t in part.transitions] == [SELLER, SELLER, ActorRole.CUSTOMER, ActorRole.OPERATOR]


# Every service against every state it must refuse: an invalid step changes nothing.
def _accept(session, part):
    orders.accept(session, part, actor_role=SELLER)


def _refuse(session, part):
    orders.refuse(session, part, reason_code="OUT_OF_STOCK", actor_role=SELLER)


def _cancel(session, part):
    orders.cancel_lines(session, part, {part.lines[0].id: 1}, reason_code="OUT_OF_STOCK", actor_role=SELLER)


def _ship(session, part):
    shipped(session, part, tracking="LATE-PARCEL-1")


def _receive(session, part):
    parcels.mark_received(session, part, actor_role=ActorRole.OPERATOR)


def _close(session, part):
    orders.close(session, part, actor_role=ActorRole.OPERATOR)


def _refund(session, part):
    orders.refund(session, part, amount=100, reason_code="DAMAGED", actor_role=SELLER)


def _bring_to(session, part, state):
    steps = {
        S.WAITING_ACCEPTANCE: [],
        S.SHIPPING: [_accept],
        S.SHIPPED: [_accept, lambda s, p: shipped(s, p)],
        S.RECEIVED: [_accept, lambda s, p: shipped(s, p), _receive],
        S.CLOSED: [_accept, lambda s, p: shipped(s, p), _receive, _close],
        S.REFUSED: [_refuse],
        S.CANCELED: [lambda s, p: orders.cancel_order(s, p, reason_code="OUT_OF_STOCK", actor_role=SELLER)],
    }[state]
    for step in steps:
        step(session, part)
    assert part.state == state


ALLOWED = {
    _accept: {S.WAITING_ACCEPTANCE},
    _refuse: {S.WAITING_ACCEPTANCE},
    _cancel: {S.WAITING_ACCEPTANCE, S.SHIPPING},
    _ship: {S.SHIPPING, S.SHIPPED},
    _receive: {S.SHIPPED},
    _close: {S.RECEIVED},
    _refund: {S.SHIPPED, S.RECEIVED},
}


@pytest.mark.parametrize("action", list(ALLOWED), ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize(
    "state", [S.WAITING_ACCEPTANCE, S.SHIPPING, S.SHIPPED, S.RECEIVED, S.CLOSED, S.REFUSED, S.CANCELED]
)
def test_every_step_is_refused_outside_its_states(session, people, action, state):
    part = alpha_order(session, people, washers=0)
    _bring_to(session, part, state)
    if state in ALLOWED[action]:
        action(session, part)
        return
    before = snapshot(session, part)
    with pytest.raises(InvalidTransition):
        action(session, part)
    assert snapshot(session, part) == before


# --- refunds -------------------------------------------------------------------------------------


def test_refunds_never_exceed_what_was_paid(session, people, smtp_server):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    shipped(session, part)
    money = orders.amounts(session, part)
    assert (money.goods, money.refundable_goods) == (4899, 4899)
    shipping = money.shipping
    assert shipping == part.lines[0].shipment.fee > 0  # Alpha's own parcel: its whole fee

    first = orders.refund(session, part, amount=1500, reason_code="DAMAGED", actor_role=SELLER,
                          line_id=line(part, people.shop.offers["alpha"]).id, comment="Rayure")
    assert (first.amount, first.shipping_amount, first.reason.code) == (1500, 0, "DAMAGED")
    with pytest.raises(InvalidValue, match="at most 15.00 EUR can still be refunded for 'Sèche-linge"):
        orders.refund(session, part, amount=1501, reason_code="DAMAGED", actor_role=SELLER,
                      line_id=line(part, people.shop.offers["alpha"]).id)
    with pytest.raises(InvalidValue, match="at most 33.99 EUR can still be refunded for the items"):
        orders.refund(session, part, amount=3400, reason_code="COMMERCIAL_GESTURE", actor_role=SELLER)
    with pytest.raises(InvalidValue, match="of shipping"):
        orders.refund(session, part, amount=0, shipping_amount=shipping + 1, reason_code="SHIPPING_FEES",
                      actor_role=SELLER)
    orders.refund(session, part, amount=3399, shipping_amount=shipping, reason_code="WITHDRAWAL", actor_role=SELLER)
    money = orders.amounts(session, part)
    assert money.returned == money.paid and money.refundable_goods == money.refundable_shipping == 0
    before = snapshot(session, part)
    with pytest.raises(InvalidValue, match="at most 0.00 EUR"):
        orders.refund(session, part, amount=1, reason_code="DAMAGED", actor_role=SELLER)
    assert snapshot(session, part) == before

    first_mail, second_mail = delivered(session, smtp_server, "refund_issued")
    assert "15,00" in first_mail["Subject"] and part.customer_order.number in first_mail["Subject"]
    text = first_mail.get_body(("plain",)).get_content()
    assert "Sèche-linge" in text and "Produit endommagé" in text and "Rayure" not in text


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"amount": 0}, InvalidValue, "more than 0"),
        ({"amount": -5}, InvalidValue, "cannot be negative"),
        ({"amount": 12.5}, InvalidValue, "whole number of cents"),
        ({"amount": 100, "reason_code": "OUT_OF_STOCK"}, NotFound, "unknown refund reason"),
        ({"amount": 100, "actor_role": ActorRole.CUSTOMER}, NotAllowed, "cannot refund"),
        ({"amount": 100, "comment": "x" * 1001}, InvalidValue, "at most 1,000"),
    ],
)
def test_bad_refunds_change_nothing(session, people, kwargs, error, message):
    part = alpha_order(session, people)
    orders.accept(session, part, actor_role=SELLER)
    shipped(session, part)
    arguments = {"reason_code": "DAMAGED", "actor_role": SELLER, **kwargs}
    before = snapshot(session, part)
    with pytest.raises(error, match=message):
        orders.refund(session, part, **arguments)
    assert snapshot(session, part) == before


def test_shipping_of_a_shared_warehouse_parcel_is_split_between_sellers(session, people):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["first_party"], 1), (shop.offers["gamma"], 1),
                  modes={shop.retailer: "EHD"})  # express is never free
    retailer, gamma = part_of(order, shop.retailer), part_of(order, shop.gamma)
    fee = retailer.lines[0].shipment.fee
    assert gamma.lines[0].shipment_id == retailer.lines[0].shipment_id
    shares = orders.shipping_share(session, retailer), orders.shipping_share(session, gamma)
    assert sum(shares) == fee and shares[0] > shares[1]  # 19,99 € of goods against 12,00 €


# --- the acceptance deadline ---------------------------------------------------------------------


def test_the_deadline_job_cancels_late_orders_and_tells_the_customers(session, people, smtp_server):
    shop = people.shop
    late = alpha_order(session, people)
    on_time = part_of(place(session, people.other_customer, (shop.offers["beta"], 1)), shop.beta)
    late.acceptance_deadline = datetime.now(UTC) - timedelta(minutes=1)
    orders.accept(session, late, actor_role=SELLER, line_ids=[late.lines[0].id])  # half accepted
    session.commit()
    stocks = stock(session, shop.offers["alpha"]), stock(session, shop.offers["alpha_washer"])

    assert cancel_overdue_orders.call_local() == 1

    session.expire_all()
    late = session.get(SellerOrder, late.id)
    assert late.state == S.CANCELED
    assert all(each.state == LineState.CANCELED and each.quantity_live == 0 for each in late.lines)
    record = late.transitions[-1]
    assert (record.actor_role, record.actor_id, record.reason.code) == (ActorRole.SYSTEM, None, "ACCEPTANCE_TIMEOUT")
    assert (stock(session, shop.offers["alpha"]), stock(session, shop.offers["alpha_washer"])) == (stocks[0] + 2, stocks[1] + 1)
    assert session.get(SellerOrder, on_time.id).state == S.WAITING_ACCEPTANCE
    (message,) = delivered(session, smtp_server, "lines_cancelled")
    assert message["To"] == "camille@example.com"
    assert "Délai d'acceptation dépassé" in message.get_body(("plain",)).get_content()
    assert cancel_overdue_orders.call_local() == 0  # nothing twice


# --- two tabs, two sessions ----------------------------------------------------------------------


def test_a_form_from_an_out_of_date_tab_is_refused(session, people):
    part = alpha_order(session, people)
    shown = part.version
    orders.accept(session, part, actor_role=SELLER, expected_version=shown)  # first tab
    before = snapshot(session, part)
    with pytest.raises(Conflict, match="has changed since this page was shown"):
        orders.refuse(session, part, reason_code="OUT_OF_STOCK", actor_role=SELLER, expected_version=shown)
    assert snapshot(session, part) == before


def test_two_sessions_on_the_same_order_cannot_both_win(app, session, people):
    part = alpha_order(session, people)
    with Session(db.engine) as first, Session(db.engine) as second:
        a, b = first.get(SellerOrder, part.id), second.get(SellerOrder, part.id)
        a.lines, b.lines  # noqa: B018  (both tabs have read the order)
        orders.accept(first, a, actor_role=SELLER)
        with pytest.raises(Conflict, match="reload"):
            orders.refuse(second, b, reason_code="OUT_OF_STOCK", actor_role=SELLER)
    session.expire_all()
    assert session.get(SellerOrder, part.id).state == S.SHIPPING
    assert count(session, Cancellation) == 0


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL's row locks (TEST_DATABASE_URL)")
def test_racing_tabs_on_postgresql_apply_exactly_one_action(app, session, people):
    """Two threads, each in its own session, accept and refuse the same order at the same time:
    one wins, the other gets a Conflict, and the loser changed nothing."""
    shop = people.shop
    part = alpha_order(session, people)
    part_id, stocks = part.id, (stock(session, shop.offers["alpha"]), stock(session, shop.offers["alpha_washer"]))
    ready = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name, action):
        with app.app_context(), Session(db.engine) as own:
            seller_order = own.get(SellerOrder, part_id)
            seller_order.lines  # noqa: B018
            ready.wait()
            try:
                action(own, seller_order)
            except Conflict:
                outcomes[name] = "conflict"
            else:
                outcomes[name] = "won"

    threads = [
        threading.Thread(target=run, args=("accept", lambda s, o: orders.accept(s, o, actor_role=SELLER))),
        threading.Thread(target=run, args=("refuse", lambda s, o: orders.refuse(
            s, o, reason_code="OUT_OF_STOCK", actor_role=SELLER))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["conflict", "won"]
    session.expire_all()
    final = session.get(SellerOrder, part_id)
    assert count(session, OrderTransition, OrderTransition.seller_order_id == part_id) == 1
    if outcomes["accept"] == "won":
        assert final.state == S.SHIPPING
        assert (stock(session, shop.offers["alpha"]), stock(session, shop.offers["alpha_washer"])) == stocks
    else:
        assert final.state == S.REFUSED
        assert (stock(session, shop.offers["alpha"]), stock(session, shop.offers["alpha_washer"])) == (stocks[0] + 2, stocks[1] + 1)
