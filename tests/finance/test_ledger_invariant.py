"""The ledger's invariant under random order histories: whatever happens to an order (sellers
accepting and refusing lines, units cancelled, parcels, partial refunds, a provider that fails
now and then, capture at shipment or at acceptance, commission on shipping or not), what the
customer paid net at the provider (captured − refunded, from the sandbox's own book) is, to the
cent, what the sellers' ledger holds plus the commissions the marketplace kept; and no line's
commission is given back beyond what was taken.

A seeded generator drives the real services on the test database. The default run replays a
small number of histories (``FINANCE_HISTORIES`` replays more: 3000 for the full run).
"""

from __future__ import annotations

import os
import random
from collections import defaultdict
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import func, select, update

from storefront.marketplace import cart as cart_service
from storefront.marketplace import checkout, orders, payment_operations, preferences, tracking
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import (
    ActorRole,
    LedgerEntry,
    LedgerKind,
    LineState,
    Offer,
    PaymentOperation,
    PaymentOperationStatus,
    Refund,
    SellerOrderState,
    utcnow,
)
from tests import order_fixtures
from tests.checkout_fixtures import MAINLAND

people = order_fixtures.people  # the fixture

HISTORIES = int(os.environ.get("FINANCE_HISTORIES", "200"))
SEED = int(os.environ.get("FINANCE_SEED", "20261203"))
OPERATOR = ActorRole.OPERATOR
S = SellerOrderState
K = LedgerKind


def _pay_and_place(session, provider, rng, people, n):
    shop = people.shop
    names = rng.sample(["first_party", "alpha", "alpha_washer", "beta", "gamma"], rng.randint(1, 3))
    cart = cart_service.open_cart(session, user_id=people.customer.id)
    for name in names:
        cart_service.add_item(session, cart, shop.offers[name].id, rng.randint(1, 3))
    zone = cart_service.set_address(session, cart, MAINLAND, email=people.customer.email)
    method = provider.tokenize_card(number="4242424242424242", expiry="12/30", cvc="123",
                                    holder="Camille Martin", today=date(2026, 1, 1))
    cart_service.set_payment_method(session, cart, method=method.method, token=method.token,
                                    label=method.label)
    session.commit()
    now = utcnow()
    view = cart_service.review(session, cart, zone, now=now)
    payment = checkout.pay_and_place(
        session, cart, view, provider=provider, payment_codes={"card": "CB"},
        idempotency_key=f"invariant-{SEED}-{n:06d}-key", shown_total=view.total, locale="fr",
        now=now,
    )
    assert payment.order is not None, payment
    return payment.order


def _play(session, provider, rng, order, refunds_made):
    """A random history of each seller order; refusals by the services are part of the game."""
    for part in list(order.seller_orders):
        for _step in range(rng.randint(1, 6)):
            if rng.random() < 0.1:
                provider.outage(1)
            move = rng.random()
            try:
                if part.state == S.WAITING_ACCEPTANCE:
                    if move < 0.15:
                        orders.refuse(session, part, reason_code="OUT_OF_STOCK", actor_role=OPERATOR)
                    elif move < 0.3 and len(part.lines) > 1:
                        decisions = {line.id: rng.random() < 0.6 for line in part.lines}
                        orders.decide(session, part, decisions, reason_code="OUT_OF_STOCK",
                                      actor_role=OPERATOR)
                    elif move < 0.4:
                        orders.cancel_order(session, part, reason_code="OUT_OF_STOCK", actor_role=OPERATOR)
                    else:
                        orders.accept(session, part, actor_role=OPERATOR)
                elif part.state == S.SHIPPING:
                    left = orders.cancellable(part)
                    if move < 0.2 and left:
                        line_id = rng.choice(sorted(left))
                        orders.cancel_lines(session, part, {line_id: rng.randint(1, left[line_id])},
                                            reason_code="OUT_OF_STOCK", actor_role=OPERATOR)
                    else:
                        waiting = orders.to_ship(part)
                        quantities = None
                        if move < 0.4 and waiting:
                            line_id = rng.choice(sorted(waiting))
                            quantities = {line_id: rng.randint(1, waiting[line_id])}
                        tracking.ship(session, part, carrier_code="COLISSIMO",
                                      tracking_number=f"CP{rng.randrange(10**9):09d}FR",
                                      actor_role=OPERATOR, quantities=quantities)
                elif part.state in orders.AFTER_SHIPMENT:
                    money = orders.amounts(session, part)
                    if move < 0.5 and money.refundable_goods:
                        live = [line for line in part.lines if line.amount]
                        line = rng.choice(live) if rng.random() < 0.5 else None
                        amount = rng.randint(1, money.refundable_goods)
                        shipping = rng.randint(0, money.refundable_shipping) if rng.random() < 0.3 else 0
                        record = orders.refund(session, part, amount=amount, shipping_amount=shipping,
                                               reason_code="DAMAGED", actor_role=OPERATOR,
                                               line_id=line.id if line else None)
                        refunds_made.append(record.id)
                    elif move < 0.6 and money.refundable_shipping:
                        record = orders.refund(session, part, amount=0,
                                               shipping_amount=money.refundable_shipping,
                                               reason_code="DAMAGED", actor_role=OPERATOR)
                        refunds_made.append(record.id)
                    elif move < 0.7 and part.state != S.RECEIVED:
                        tracking.mark_received(session, part, actor_role=OPERATOR)
            except DomainError:
                session.rollback()
            provider.outage(0)


def _story(session, order):
    """What happened to ``order``, for a failure's message."""
    parts = [(p.number, p.state.value, [(ln.id, ln.state.value, ln.unit_price, ln.quantity, ln.quantity_canceled)
                                         for ln in p.lines], [t.to_state for t in p.transitions])
             for p in order.seller_orders]
    ops = [(op.kind.value, op.seller_order_id, op.amount, op.status.value, op.breakdown)
           for op in session.scalars(select(PaymentOperation).where(
               PaymentOperation.customer_order_id == order.id).order_by(PaymentOperation.id))]
    return parts, ops


@pytest.fixture
def no_email_delivery(monkeypatch):
    """The emails the histories cause stay in the outbox (rendering them is most of the time
    and not what this test is about); payments still follow each commit at once."""
    from storefront.marketplace import outbox, webhooks

    monkeypatch.setattr(outbox._after_commit, "triggers", [])
    monkeypatch.setattr(webhooks._after_commit, "triggers", [])


@pytest.mark.parametrize("seed", [SEED])
def test_customer_paid_equals_sellers_net_plus_commissions(session, people, seed, no_email_delivery):
    provider = current_app.extensions["payment_provider"]
    rng = random.Random(seed)
    # Enough of everything for every history.
    session.execute(update(Offer).values(stock=1_000_000, max_per_order=10))
    session.commit()
    placed, refunds_made = [], []
    for n in range(HISTORIES):
        preferences.set(session, "capture_at", rng.choice(["ship", "accept"]))
        preferences.set(session, "commission_on_shipping", rng.random() < 0.3)
        order = _pay_and_place(session, provider, rng, people, n)
        _play(session, provider, rng, order, refunds_made)
        placed.append(order.id)
    provider.outage(0)
    # Whatever the outages left pending, the worker's sweep finishes (due or not: the clock
    # is moved past every wait).
    far = max(
        session.scalars(select(PaymentOperation.next_attempt_at)).all(),
        key=lambda at: at.timestamp() if at else 0,
        default=None,
    )
    while payment_operations.settle_due(session, provider, now=far) if far else False:
        pass
    session.expire_all()
    assert session.scalar(
        select(func.count(PaymentOperation.id)).where(PaymentOperation.status != PaymentOperationStatus.DONE)
    ) == 0

    # 1. Per customer order: the provider's book = the ledger (sellers' net + commissions).
    ledger_by_order = defaultdict(lambda: defaultdict(int))
    for customer_order_id, kind, total in session.execute(
        select(PaymentOperation.customer_order_id, LedgerEntry.kind, func.sum(LedgerEntry.amount))
        .join(PaymentOperation, LedgerEntry.payment_operation_id == PaymentOperation.id)
        .group_by(PaymentOperation.customer_order_id, LedgerEntry.kind)
    ):
        ledger_by_order[customer_order_id][LedgerKind(kind)] = int(total)
    from storefront.marketplace.models import CustomerOrder

    checked = 0
    for order in session.scalars(select(CustomerOrder).where(CustomerOrder.id.in_(placed))):
        book = provider.book(order.payment_reference)
        sums = ledger_by_order[order.id]
        sellers_net = sum(sums.values())
        kept = -(sums[K.COMMISSION] + sums[K.COMMISSION_REFUND])
        assert book["captured"] - book["refunded"] == sellers_net + kept, (order.number, book, dict(sums))
        assert book["captured"] == sums[K.CAPTURE] + sums[K.SHIPPING_FEE]
        assert book["refunded"] == -sums[K.REFUND]
        assert book["captured"] <= book["authorized"]
        # 2. And what the order says was due: each captured seller order's live goods and
        # shipping, less its refunds.
        expected = 0
        for part in order.seller_orders:
            captured = session.scalar(select(func.count(PaymentOperation.id)).where(
                PaymentOperation.seller_order_id == part.id, PaymentOperation.kind == "CAPTURE"))
            if not captured:
                assert part.state in (S.WAITING_ACCEPTANCE, S.SHIPPING, S.REFUSED, S.CANCELED)
                continue
            money = orders.amounts(session, part)
            due = money.goods - money.canceled + (money.shipping - money.shipping_returned)
            expected += due - money.refunded - money.refunded_shipping
        assert book["captured"] - book["refunded"] == expected, (order.number, _story(session, order))
        checked += 1
    assert checked == HISTORIES

    # 3. Per line (and per seller order's shipping): the commission given back never exceeds the
    # commission taken, and all of it comes back once the line is refunded in full.
    per_line = defaultdict(lambda: defaultdict(int))
    for so_id, line_id, kind, total in session.execute(
        select(LedgerEntry.seller_order_id, LedgerEntry.order_line_id, LedgerEntry.kind,
               func.sum(LedgerEntry.amount))
        .group_by(LedgerEntry.seller_order_id, LedgerEntry.order_line_id, LedgerEntry.kind)
    ):
        per_line[(so_id, line_id)][LedgerKind(kind)] = int(total)
    for sums in per_line.values():
        taken, back = -sums[K.COMMISSION], sums[K.COMMISSION_REFUND]
        assert 0 <= back <= taken
        base = sums[K.CAPTURE] + sums[K.SHIPPING_FEE]
        assert 0 <= -sums[K.REFUND] <= base  # never more back than was taken for the line
        if base and -sums[K.REFUND] == base:
            assert back == taken
    # The histories did exercise refunds, releases and both capture points.
    assert refunds_made and session.scalar(select(func.count(Refund.id))) == len(refunds_made)
    assert session.scalar(
        select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == K.COMMISSION_REFUND)) > 0
    assert LineState  # (imported for readers: the states the generator drives)
