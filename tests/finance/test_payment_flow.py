"""Payments follow the order: captures at the capture point, releases, voids, refunds through
the sandbox provider (its own book), the ledger written with them, and the provider's failures
retried without moving money twice. Real orders through the real services, on the test database;
the sandbox is the app's own (its book in the same database)."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from storefront.marketplace import ledger, orders, payment_operations, preferences, tracking
from storefront.marketplace.errors import InvalidTransition, InvalidValue
from storefront.marketplace.models import (
    ActorRole,
    ImmutableEntry,
    LedgerEntry,
    LedgerKind,
    PaymentOperation,
    PaymentOperationKind,
    PaymentOperationStatus,
    Refund,
)
from storefront.marketplace.refusals import Refusal
from tests import order_fixtures
from tests.order_fixtures import part_of, place

people = order_fixtures.people  # the fixture

SELLER = ActorRole.SELLER
OPERATOR = ActorRole.OPERATOR
_parcels = iter(range(10_000, 99_999))


@pytest.fixture
def provider(app_context):
    sandbox = current_app.extensions["payment_provider"]
    yield sandbox
    sandbox.outage(0)


def ship(session, part):
    return tracking.ship(session, part, carrier_code="COLISSIMO",
                         tracking_number=f"CP{next(_parcels)}FR", actor_role=SELLER)


def operations(session, order, kind=None):
    session.expire_all()
    query = select(PaymentOperation).where(PaymentOperation.customer_order_id == order.id)
    if kind is not None:
        query = query.where(PaymentOperation.kind == kind)
    return list(session.scalars(query.order_by(PaymentOperation.id)))


def kinds(session, seller_order):
    session.expire_all()
    return {
        LedgerKind(kind): total
        for kind, total in session.execute(
            select(LedgerEntry.kind, func.sum(LedgerEntry.amount))
            .where(LedgerEntry.seller_order_id == seller_order.id)
            .group_by(LedgerEntry.kind)
        )
    }


def test_nothing_is_captured_before_shipment_then_the_share_is_captured_when_it_ships(session, people, provider):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["beta"], 1))
    alpha, beta = part_of(order, shop.alpha), part_of(order, shop.beta)
    orders.accept(session, alpha, actor_role=SELLER)
    assert operations(session, order) == []
    assert provider.book(order.payment_reference)["captured"] == 0

    ship(session, alpha)
    (capture,) = operations(session, order)
    assert capture.kind == PaymentOperationKind.CAPTURE and capture.status == PaymentOperationStatus.DONE
    shipping = orders.shipping_share(session, alpha)
    assert capture.amount == 2 * 1500 + shipping
    assert provider.book(order.payment_reference) == {
        "authorized": order.total, "captured": 3000 + shipping, "refunded": 0, "voided": 0,
    }
    # The seller is credited with the goods and its shipping, less 12 % on the goods.
    assert kinds(session, alpha) == {
        LedgerKind.CAPTURE: 3000, LedgerKind.SHIPPING_FEE: shipping, LedgerKind.COMMISSION: -360,
    }
    assert ledger.balance(session, shop.alpha.id) == 3000 + shipping - 360
    assert ledger.balance(session, shop.beta.id) == 0

    # Beta refuses: its share is released, and since nothing else will be captured, the rest
    # of the authorization is voided.
    orders.refuse(session, beta, reason_code="OUT_OF_STOCK", actor_role=SELLER)
    void = operations(session, order, PaymentOperationKind.VOID)
    assert [(v.amount, v.status) for v in void] == [(order.total - capture.amount, PaymentOperationStatus.DONE)]
    assert provider.book(order.payment_reference)["voided"] == 1
    assert ledger.balance(session, shop.beta.id) == 0


def test_an_order_refused_by_every_seller_is_voided_and_charges_nothing(session, people, provider):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    orders.refuse(session, part_of(order, shop.alpha), reason_code="OUT_OF_STOCK", actor_role=SELLER)
    (void,) = operations(session, order)
    assert (void.kind, void.amount, void.status) == (
        PaymentOperationKind.VOID, order.total, PaymentOperationStatus.DONE)
    assert provider.book(order.payment_reference) == {
        "authorized": order.total, "captured": 0, "refunded": 0, "voided": 1}
    assert session.scalar(select(func.count(LedgerEntry.id))) == 0


def test_capture_at_acceptance_then_cancelled_units_go_back(session, people, provider):
    shop = people.shop
    preferences.set(session, "capture_at", "accept")
    order = place(session, people.customer, (shop.offers["alpha"], 3))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    (capture,) = operations(session, order)
    assert capture.status == PaymentOperationStatus.DONE
    shipping = orders.shipping_share(session, part)
    assert provider.book(order.payment_reference)["captured"] == 4500 + shipping

    line = part.lines[0]
    orders.cancel_lines(session, part, {line.id: 1}, reason_code="OUT_OF_STOCK", actor_role=SELLER)
    release = operations(session, order, PaymentOperationKind.REFUND)
    assert [(r.amount, r.status) for r in release] == [(1500, PaymentOperationStatus.DONE)]
    assert provider.book(order.payment_reference)["refunded"] == 1500
    # 12 % of 4 500 taken, 12 % of 1 500 given back.
    assert kinds(session, part)[LedgerKind.COMMISSION] == -540
    assert kinds(session, part)[LedgerKind.COMMISSION_REFUND] == 180

    # Shipping the rest captures nothing more.
    ship(session, part)
    assert len(operations(session, order, PaymentOperationKind.CAPTURE)) == 1


def test_a_refund_goes_back_through_the_provider_with_the_commission_in_proportion(session, people, provider):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    ship(session, part)
    line = part.lines[0]
    first = orders.refund(session, part, amount=333, reason_code="DAMAGED", actor_role=SELLER, line_id=line.id)
    assert payment_operations.refund_status(session, first) == PaymentOperationStatus.DONE
    assert provider.book(order.payment_reference)["refunded"] == 333
    # 12 % of 1 500 = 180; 333/1 500 of it is 39.96: 39 now, the cent is not lost.
    assert kinds(session, part)[LedgerKind.COMMISSION_REFUND] == 39
    orders.refund(session, part, amount=1167, reason_code="DAMAGED", actor_role=OPERATOR, line_id=line.id)
    assert kinds(session, part)[LedgerKind.COMMISSION_REFUND] == 180  # all of it, not a cent more
    assert kinds(session, part)[LedgerKind.REFUND] == -1500
    assert provider.book(order.payment_reference)["refunded"] == 1500


def test_a_provider_outage_leaves_the_refund_pending_and_the_worker_retries_it_once(session, people, provider):
    from storefront.jobs.payments import retry_payment_operations

    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    ship(session, part)
    provider.outage(1)
    record = orders.refund(session, part, amount=500, reason_code="DAMAGED", actor_role=SELLER)
    (op,) = operations(session, order, PaymentOperationKind.REFUND)
    assert (op.status, op.attempts) == (PaymentOperationStatus.PENDING, 1)
    assert "outage" in op.last_error
    assert provider.book(order.payment_reference)["refunded"] == 0
    assert LedgerKind.REFUND not in kinds(session, part)  # no money moved, no entry

    # Not due yet: the sweep leaves it; once due, it is refunded, once.
    assert retry_payment_operations.call_local() == 0
    op.next_attempt_at = None
    session.commit()
    assert retry_payment_operations.call_local() == 1
    assert retry_payment_operations.call_local() == 0
    assert payment_operations.refund_status(session, record) == PaymentOperationStatus.DONE
    assert provider.book(order.payment_reference)["refunded"] == 500
    assert kinds(session, part)[LedgerKind.REFUND] == -500

    # Asking again (a second worker, a lost answer) moves nothing more.
    assert payment_operations.settle(session, provider, op.id) == PaymentOperationStatus.DONE
    assert provider.refund(order.payment_reference, 500, op.idempotency_key).status.value == "REFUNDED"
    assert provider.book(order.payment_reference)["refunded"] == 500
    assert kinds(session, part)[LedgerKind.REFUND] == -500


def test_a_capture_that_failed_is_retried_and_a_refund_waits_for_it(session, people, provider):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    provider.outage(1)
    ship(session, part)
    (capture,) = operations(session, order)
    assert capture.status == PaymentOperationStatus.PENDING
    # Not captured: a refund is refused clearly, nothing recorded, nothing moved.
    with pytest.raises(InvalidTransition) as refused:
        orders.refund(session, part, amount=100, reason_code="DAMAGED", actor_role=SELLER)
    assert refused.value.details["reason"] == Refusal.NOT_CAPTURED
    assert session.scalar(select(func.count(Refund.id))) == 0
    assert payment_operations.settle_due(session, provider, now=capture.next_attempt_at) == 1
    assert provider.book(order.payment_reference)["captured"] == capture.amount


def test_capture_twice_captures_once(session, people, provider):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    first = payment_operations.capture(session, part)
    second = payment_operations.capture(session, part)
    assert first.id == second.id
    ship(session, part)  # the capture point: already captured
    (capture,) = operations(session, order, PaymentOperationKind.CAPTURE)
    assert payment_operations.settle(session, provider, capture.id) == PaymentOperationStatus.DONE
    # The same key again at the provider: the first answer, nothing more captured.
    again = provider.capture(order.payment_reference, capture.amount, capture.idempotency_key)
    assert again.status.value == "CAPTURED"
    assert provider.book(order.payment_reference)["captured"] == capture.amount
    assert kinds(session, part)[LedgerKind.CAPTURE] == 1500


def test_a_refund_above_what_is_left_is_refused_and_moves_nothing(session, people, provider):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    ship(session, part)
    orders.refund(session, part, amount=1000, reason_code="DAMAGED", actor_role=SELLER)
    with pytest.raises(InvalidValue) as refused:
        orders.refund(session, part, amount=501, reason_code="DAMAGED", actor_role=SELLER)
    assert refused.value.details["reason"] == Refusal.ABOVE_PAID
    assert provider.book(order.payment_reference)["refunded"] == 1000
    assert len(operations(session, order, PaymentOperationKind.REFUND)) == 1


def test_the_sandbox_refuses_what_a_bank_would(provider):
    result = provider.authorize("tok_sbx_ok_00000000000000aa", amount=1000, currency="EUR",
                                idempotency_key="k-1")
    ref = result.reference
    assert provider.capture(ref, 1001, "c-1").status.value == "DECLINED"
    assert provider.capture(ref, 600, "c-2").status.value == "CAPTURED"
    assert provider.capture(ref, 401, "c-3").status.value == "DECLINED"
    assert provider.refund(ref, 601, "r-1").status.value == "DECLINED"
    assert provider.refund(ref, 600, "r-2").status.value == "REFUNDED"
    with pytest.raises(InvalidValue):
        provider.refund(ref, 599, "r-2")  # a key reused for another operation
    assert provider.void(ref, "v-1").status.value == "VOIDED"
    assert provider.capture(ref, 100, "c-4").status.value == "DECLINED"
    assert provider.book(ref) == {"authorized": 1000, "captured": 600, "refunded": 600, "voided": 1}


def test_ledger_entries_are_never_changed_nor_deleted(session, people, provider):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    ship(session, part)
    entry = session.scalars(select(LedgerEntry)).first()
    entry.amount = 1
    with pytest.raises(ImmutableEntry):
        session.flush()
    session.rollback()
    entry = session.scalars(select(LedgerEntry)).first()
    session.delete(entry)
    with pytest.raises(ImmutableEntry):
        session.flush()
    session.rollback()


def test_commission_on_shipping_when_the_operator_takes_it(session, people, provider):
    shop = people.shop
    preferences.set(session, "commission_on_shipping", True)
    order = place(session, people.customer, (shop.offers["beta"], 1))
    part = part_of(order, shop.beta)
    orders.accept(session, part, actor_role=SELLER)
    ship(session, part)
    shipping = orders.shipping_share(session, part)
    assert shipping == 690
    assert kinds(session, part)[LedgerKind.COMMISSION] == -(96 + 83)  # 12 % of 800 and of 690
    orders.refund(session, part, amount=0, shipping_amount=690, reason_code="DAMAGED", actor_role=SELLER)
    assert kinds(session, part)[LedgerKind.COMMISSION_REFUND] == 83


def test_balance_until_a_moment(session, people, provider):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    ship(session, part)
    first = session.scalar(select(func.min(LedgerEntry.created_at)))
    assert ledger.balance(session, shop.alpha.id, until=first) == 0
    assert ledger.balance(session, shop.alpha.id) > 0


def test_a_refund_of_the_whole_order_shares_out_over_the_lines_and_limits_each_line(session, people, provider):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["alpha_washer"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    ship(session, part)
    dryer, washer = sorted(part.lines, key=lambda line: line.unit_price)
    orders.refund(session, part, amount=1700, reason_code="DAMAGED", actor_role=SELLER)
    session.expire_all()
    by_line = dict(session.execute(
        select(LedgerEntry.order_line_id, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.kind == LedgerKind.REFUND).group_by(LedgerEntry.order_line_id)
    ).all())
    # 1 700 over 1 500 and 1 899 in proportion (750.2 and 949.8): the rounding cent to the first.
    assert by_line == {dryer.id: -751, washer.id: -949}
    with pytest.raises(InvalidValue) as refused:
        orders.refund(session, part, amount=750, reason_code="DAMAGED", actor_role=SELLER, line_id=dryer.id)
    assert refused.value.details["reason"] == Refusal.ABOVE_LINE
    assert provider.book(order.payment_reference)["refunded"] == 1700


def test_split_never_loses_nor_invents_a_cent():
    import random

    rng = random.Random(7)
    for _ in range(2000):
        weights = {i: rng.randint(0, 5000) for i in range(rng.randint(1, 5))}
        total = sum(weights.values())
        if not total:
            continue
        amount = rng.randint(0, total)
        parts = payment_operations.split(amount, weights)
        assert sum(parts.values()) == amount
        assert all(0 <= parts[k] <= weights[k] for k in weights)
