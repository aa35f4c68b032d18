"""Payments follow the order: each seller order's share of the customer's authorization is
captured when it ships (or when it is accepted: the operator's ``capture_at`` preference), a
refused or cancelled seller order releases its share, what is left of the authorization is
voided once nothing more will be captured, and refunds give the money back through the provider.

Like the outbox, every such step is first a :class:`PaymentOperation` row written in the
transaction of its cause (the order shipped, accepted, refused, cancelled or refunded): if that
transaction rolls back, nothing is asked of the provider. Once it commits, :func:`settle` asks
the provider (``settle_after_commit`` hands the new ids to the job queue at once), records the
answer and, in the same transaction, the ledger entries of the money that moved
(``ledger.record_operation``) and, for a capture, the customer's invoice of the seller order
(``customer_invoices.issue_for_capture``), for a refund its credit note
(``customer_invoices.issue_credit_note``). A provider that cannot be reached leaves the operation PENDING
for the worker's sweep (:func:`settle_due`) to try again with the same idempotency key: the
provider answers a key it has seen with its first answer, so nothing moves twice. The operations
of one customer order are carried out in the order they were recorded (a refund never goes
before the capture it gives back).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import customer_invoices, ledger, preferences
from .after_commit import AfterCommit
from .errors import InvalidTransition, InvalidValue
from .finance import commission_for  # noqa: F401  (re-exported for callers of this module)
from .models import (
    CustomerOrder,
    PaymentOperation,
    PaymentOperationKind,
    PaymentOperationStatus,
    Refund,
    SellerOrder,
    SellerOrderState,
    utcnow,
)
from .payments import PaymentProvider, PaymentStatus, ProviderUnavailable
from .refusals import Refusal
from .unit_of_work import atomic, transaction

S = SellerOrderState
Kind = PaymentOperationKind
Status = PaymentOperationStatus

ENDED = frozenset({S.REFUSED, S.CANCELED})
BEFORE_SHIPMENT = frozenset({S.WAITING_ACCEPTANCE, S.SHIPPING})
ON_ITS_WAY = frozenset({S.SHIPPED, S.TO_COLLECT, S.RECEIVED, S.CLOSED})
# When a seller order's share is captured, by the operator's ``capture_at`` preference.
CAPTURE_STATES = {"ship": ON_ITS_WAY, "accept": ON_ITS_WAY | {S.SHIPPING}}

# Waits between attempts while the provider is unavailable: 1, 2, 4… minutes, at most 6 hours.
MAX_WAIT = timedelta(hours=6)

_after_commit = AfterCommit("storefront.payment_operations_written", "payment operation")


def settle_after_commit(trigger: Callable[[int], object]) -> Callable[[int], object]:
    """Register ``trigger(operation_id)`` to run after a transaction that recorded an operation
    commits (the job queue's task; see ``storefront/jobs/payments.py``)."""
    return _after_commit.register(trigger)


# --- Recording what to ask, with its cause -------------------------------------------------------


@dataclass
class _Position:
    """What the operations of one seller order (except the declined ones) add up to."""

    capture: PaymentOperation | None
    captured_lines: dict[int, int]
    refunded_lines: dict[int, int]
    captured_shipping: int
    refunded_shipping: int

    @property
    def captured_done(self) -> bool:
        return self.capture is not None and self.capture.status == Status.DONE


def _operations(session: Session, customer_order_id: int) -> list[PaymentOperation]:
    session.flush()
    return list(
        session.scalars(
            select(PaymentOperation)
            .where(PaymentOperation.customer_order_id == customer_order_id)
            .order_by(PaymentOperation.id)
        )
    )


def _position(operations: list[PaymentOperation], seller_order_id: int) -> _Position:
    position = _Position(None, defaultdict(int), defaultdict(int), 0, 0)
    for op in operations:
        if op.seller_order_id != seller_order_id or op.status == Status.DECLINED:
            continue
        lines = op.breakdown.get("lines", [])
        shipping = int(op.breakdown.get("shipping", 0))
        if op.kind == Kind.CAPTURE:
            position.capture = op
            for line_id, amount in lines:
                position.captured_lines[int(line_id)] += int(amount)
            position.captured_shipping += shipping
        elif op.kind == Kind.REFUND:
            for line_id, amount in lines:
                position.refunded_lines[int(line_id)] += int(amount)
            position.refunded_shipping += shipping
    return position


def _record(session: Session, **values) -> PaymentOperation:
    operation = PaymentOperation(status=Status.PENDING, attempts=0, **values)
    session.add(operation)
    session.flush()
    _after_commit.add(session, operation.id)
    return operation


def _shipping_bp(session: Session, seller_order: SellerOrder) -> int:
    """The commission rate on the shipping, when the operator takes one: the lines' rates
    weighted by their amounts (0 otherwise)."""
    if not preferences.get(session, "commission_on_shipping"):
        return 0
    total = sum(line.amount for line in seller_order.lines)
    if not total:
        return max((line.commission_bp for line in seller_order.lines), default=0)
    return sum(line.amount * line.commission_bp for line in seller_order.lines) // total


def follow(session: Session, seller_order: SellerOrder, now: datetime | None = None) -> None:
    """Record what the payment of ``seller_order`` calls for now that it has changed (the order
    services call it with every change, in their transaction): its capture once it reaches the
    operator's capture point; the release of units cancelled after the capture (a refund of
    them); the void of what is left of the authorization once no seller order will be captured
    any more. Does nothing for an order paid by no provider."""
    customer_order = seller_order.customer_order
    if not customer_order.payment_reference or seller_order.id is None:
        return  # no provider; or an order being placed (checkout follows it once written)
    now = now or utcnow()
    operations = _operations(session, customer_order.id)
    position = _position(operations, seller_order.id)
    capture_states = CAPTURE_STATES[str(preferences.get(session, "capture_at"))]
    if position.capture is None:
        if seller_order.state in capture_states:
            op = _capture(session, seller_order, now)
            if op is not None:
                operations.append(op)
    else:
        # Captured at acceptance, then units cancelled before they shipped (the order may have
        # become SHIPPED by it, its other units gone already): give them back. Refunds after
        # shipment only lower what is kept of a line, so any excess is a cancellation's.
        from .orders.balance import shipping_share

        lines = []
        for line in seller_order.lines:
            net = position.captured_lines.get(line.id, 0) - position.refunded_lines.get(line.id, 0)
            if net > line.amount:
                lines.append([line.id, net - line.amount])
        shipping_target = 0 if seller_order.state in ENDED else shipping_share(session, seller_order)
        shipping = max(position.captured_shipping - position.refunded_shipping - shipping_target, 0)
        amount = sum(a for _, a in lines) + shipping
        if amount:
            operations.append(_record(
                session, customer_order_id=customer_order.id, seller_order_id=seller_order.id,
                kind=Kind.REFUND, amount=amount, currency=customer_order.currency,
                breakdown={"lines": lines, "shipping": shipping},
                idempotency_key=f"release:{seller_order.number}:{uuid4().hex}", created_at=now,
            ))
    _void_the_rest(session, customer_order, operations, now)


def _capture(session: Session, seller_order: SellerOrder, now: datetime) -> PaymentOperation | None:
    from .orders.balance import shipping_share

    customer_order = seller_order.customer_order
    lines = [[line.id, line.amount] for line in seller_order.lines if line.amount]
    shipping = 0 if seller_order.state in ENDED else shipping_share(session, seller_order)
    amount = sum(a for _, a in lines) + shipping
    if not amount:
        return None
    return _record(
        session, customer_order_id=customer_order.id, seller_order_id=seller_order.id,
        kind=Kind.CAPTURE, amount=amount, currency=customer_order.currency,
        breakdown={"lines": lines, "shipping": shipping,
                   "shipping_bp": _shipping_bp(session, seller_order)},
        # One capture per seller order, whoever asks and however often (a unique key).
        idempotency_key=f"capture:{seller_order.number}", created_at=now,
    )


def _void_the_rest(
    session: Session, customer_order: CustomerOrder, operations: list[PaymentOperation], now: datetime
) -> None:
    """Once every seller order is captured or has ended without a capture, release what is
    left of the authorization (all of it when every seller order was refused or cancelled)."""
    if any(op.kind == Kind.VOID for op in operations):
        return
    captured_orders = {
        op.seller_order_id for op in operations
        if op.kind == Kind.CAPTURE and op.status != Status.DECLINED
    }
    for seller_order in customer_order.seller_orders:
        if seller_order.id not in captured_orders and seller_order.state not in ENDED:
            return  # still to be captured
    captured = sum(
        op.amount for op in operations if op.kind == Kind.CAPTURE and op.status != Status.DECLINED
    )
    rest = customer_order.total - captured
    if rest <= 0:
        return
    _record(
        session, customer_order_id=customer_order.id, seller_order_id=None, kind=Kind.VOID,
        amount=rest, currency=customer_order.currency, breakdown={},
        idempotency_key=f"void:{customer_order.number}", created_at=now,
    )


@atomic
def capture(session: Session, seller_order: SellerOrder, now: datetime | None = None) -> PaymentOperation:
    """Capture the seller order's share now (the back office's button, or a script), whatever
    the capture point: once only, a second call gives the first operation back."""
    customer_order = seller_order.customer_order
    if not customer_order.payment_reference:
        raise InvalidValue("this order was paid by no payment provider", reason=Refusal.NOT_CAPTURED)
    if seller_order.state in ENDED | {S.WAITING_ACCEPTANCE}:
        raise InvalidTransition(
            f"order {seller_order.number} is {seller_order.state}: there is nothing to capture",
            reason=Refusal.NOTHING_TO_CAPTURE, state=seller_order.state.value,
        )
    now = now or utcnow()
    operations = _operations(session, customer_order.id)
    position = _position(operations, seller_order.id)
    if position.capture is not None:
        return position.capture
    op = _capture(session, seller_order, now)
    if op is None:
        raise InvalidValue("there is nothing to capture", reason=Refusal.NOTHING_TO_CAPTURE)
    _void_the_rest(session, customer_order, [*operations, op], now)
    return op


def check_refundable(
    session: Session, seller_order: SellerOrder, amount: int, shipping_amount: int,
    line_id: int | None = None,
) -> None:
    """Refuse a refund of money that was not captured (no money can go back before it was
    taken) or of more than is left of what was captured (of the line ``line_id`` when given)."""
    position = _position(_operations(session, seller_order.customer_order_id), seller_order.id)
    if not position.captured_done:
        raise InvalidTransition(
            f"the payment of order {seller_order.number} has not been captured: nothing can be "
            "refunded yet",
            reason=Refusal.NOT_CAPTURED, state=seller_order.state.value,
        )
    goods_left = sum(position.captured_lines.values()) - sum(position.refunded_lines.values())
    if amount > goods_left:
        raise InvalidValue(
            f"at most {goods_left} can still be refunded for the items", reason=Refusal.ABOVE_PAID,
            limit=goods_left, currency=seller_order.customer_order.currency,
        )
    if line_id is not None:
        line_left = position.captured_lines.get(line_id, 0) - position.refunded_lines.get(line_id, 0)
        if amount > line_left:
            raise InvalidValue(
                f"at most {line_left} can still be refunded for this line", reason=Refusal.ABOVE_LINE,
                limit=line_left, currency=seller_order.customer_order.currency,
            )
    shipping_left = position.captured_shipping - position.refunded_shipping
    if shipping_amount > shipping_left:
        raise InvalidValue(
            f"at most {shipping_left} of shipping can still be refunded",
            reason=Refusal.ABOVE_SHIPPING, limit=shipping_left,
            currency=seller_order.customer_order.currency,
        )


def request_refund(session: Session, seller_order: SellerOrder, refund: Refund, now: datetime) -> PaymentOperation:
    """Record the provider refund of ``refund`` (in the refund's transaction): the goods amount
    goes to its line, or across the lines in proportion to what is left of each."""
    check_refundable(session, seller_order, refund.amount, refund.shipping_amount, refund.order_line_id)
    position = _position(_operations(session, seller_order.customer_order_id), seller_order.id)
    if refund.order_line_id is not None:
        lines = [[refund.order_line_id, refund.amount]] if refund.amount else []
    else:
        left = {
            line_id: captured - position.refunded_lines.get(line_id, 0)
            for line_id, captured in sorted(position.captured_lines.items())
        }
        lines = [[line_id, part] for line_id, part in split(refund.amount, left).items() if part]
    return _record(
        session, customer_order_id=seller_order.customer_order_id, seller_order_id=seller_order.id,
        refund_id=refund.id, kind=Kind.REFUND, amount=refund.amount + refund.shipping_amount,
        currency=seller_order.customer_order.currency,
        breakdown={"lines": lines, "shipping": refund.shipping_amount},
        idempotency_key=f"refund:{refund.id}", created_at=now,
    )


def split(amount: int, weights: dict[int, int]) -> dict[int, int]:
    """``amount`` shared out in proportion to ``weights`` (each part at most its weight, when
    ``amount`` is at most their sum), the rounding cents going to the first keys with room."""
    total = sum(w for w in weights.values() if w > 0)
    if amount > total:
        raise InvalidValue(f"cannot share {amount} over {total}")
    parts = {key: (amount * w // total if total and w > 0 else 0) for key, w in weights.items()}
    rest = amount - sum(parts.values())
    for key, weight in weights.items():
        if rest <= 0:
            break
        room = min(max(weight, 0) - parts[key], rest)
        if room > 0:
            parts[key] += room
            rest -= room
    return parts


# --- Asking the provider --------------------------------------------------------------------------


def settle(
    session: Session, provider: PaymentProvider, operation_id: int, now: datetime | None = None
) -> PaymentOperationStatus:
    """Carry out one operation with the provider and record its answer with the ledger entries
    it calls for. Run in a session of its own (the worker's; or just after the commit of the
    transaction that recorded it). An operation already answered is left as it is; one whose
    customer order has an earlier operation still pending waits for it."""
    now = now or utcnow()
    with transaction(session):
        operation = session.get(PaymentOperation, operation_id)
        if operation is None or operation.status != Status.PENDING:
            return operation.status if operation is not None else Status.DECLINED
        earlier = session.scalar(
            select(PaymentOperation.id).where(
                PaymentOperation.customer_order_id == operation.customer_order_id,
                PaymentOperation.id < operation.id,
                PaymentOperation.status == Status.PENDING,
            ).limit(1)
        )
        if earlier is not None:
            return Status.PENDING
        reference = session.get(CustomerOrder, operation.customer_order_id).payment_reference
        kind, amount, key = operation.kind, operation.amount, operation.idempotency_key
    # The provider is asked outside any transaction: no lock is held while it answers.
    try:
        if kind == Kind.CAPTURE:
            result = provider.capture(reference, amount, key)
        elif kind == Kind.REFUND:
            result = provider.refund(reference, amount, key)
        else:
            result = provider.void(reference, key)
    except ProviderUnavailable as error:
        with transaction(session):
            operation = session.get(PaymentOperation, operation_id)
            wait = min(timedelta(minutes=2 ** min(operation.attempts, 16)), MAX_WAIT)
            session.execute(
                update(PaymentOperation)
                .where(PaymentOperation.id == operation_id, PaymentOperation.status == Status.PENDING)
                .values(attempts=PaymentOperation.attempts + 1, next_attempt_at=now + wait,
                        last_error=str(error)[:500])
            )
        return Status.PENDING
    done = result.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED, PaymentStatus.VOIDED)
    status = Status.DONE if done else Status.DECLINED
    with transaction(session):
        # Whoever records the answer first writes the entries; a second worker that asked the
        # provider too (and got the same answer for the same key) finds it recorded.
        won = session.execute(
            update(PaymentOperation)
            .where(PaymentOperation.id == operation_id, PaymentOperation.status == Status.PENDING)
            .values(status=status, attempts=PaymentOperation.attempts + 1, done_at=now,
                    last_error="" if done else result.message[:500])
        ).rowcount
        if won and done:
            operation = session.get(PaymentOperation, operation_id)
            session.refresh(operation)
            ledger.record_operation(session, operation, now)
            if operation.kind == Kind.CAPTURE:
                # The customer's invoice of the seller order, with the money it was for.
                customer_invoices.issue_for_capture(session, operation, now)
            elif operation.kind == Kind.REFUND:
                # And the credit note of the money given back, once it went back.
                customer_invoices.issue_credit_note(session, operation, now)
    return status


def settle_due(
    session: Session, provider: PaymentProvider, now: datetime | None = None, limit: int = 200
) -> int:
    """Carry out the pending operations that are due (first attempts a lost hook missed, and
    retries), oldest first; returns how many were carried out."""
    now = now or utcnow()
    ids = list(session.scalars(
        select(PaymentOperation.id)
        .where(
            PaymentOperation.status == Status.PENDING,
            (PaymentOperation.next_attempt_at.is_(None)) | (PaymentOperation.next_attempt_at <= now),
        )
        .order_by(PaymentOperation.id)
        .limit(limit)
    ))
    session.rollback()
    return sum(settle(session, provider, op_id, now) != Status.PENDING for op_id in ids)


# --- What the customer sees -----------------------------------------------------------------------


class PaymentEventKind(enum.StrEnum):
    CHARGED = "CHARGED"
    REFUNDED = "REFUNDED"
    REFUND_PENDING = "REFUND_PENDING"


@dataclass(frozen=True)
class PaymentEvent:
    kind: PaymentEventKind
    amount: int
    currency: str
    at: datetime
    seller_order_id: int | None


def payments_of(session: Session, customer_order: CustomerOrder) -> list[PaymentEvent]:
    """What was charged to the customer and given back, and when (refunds the provider has
    not made yet as pending), oldest first; one query."""
    events = []
    for op in _operations(session, customer_order.id):
        if op.kind == Kind.VOID or op.status == Status.DECLINED or not op.amount:
            continue
        if op.kind == Kind.CAPTURE:
            if op.status != Status.DONE:
                continue  # nothing charged yet
            kind = PaymentEventKind.CHARGED
        else:
            kind = PaymentEventKind.REFUNDED if op.status == Status.DONE else PaymentEventKind.REFUND_PENDING
        events.append(PaymentEvent(kind, op.amount, op.currency, op.done_at or op.created_at,
                                   op.seller_order_id))
    return events


def refund_status(session: Session, refund: Refund) -> PaymentOperationStatus | None:
    """Where the money of ``refund`` is: PENDING (the provider has not done it yet), DONE."""
    return session.scalar(select(PaymentOperation.status).where(PaymentOperation.refund_id == refund.id))


__all__ = [
    "PaymentEvent",
    "PaymentEventKind",
    "capture",
    "check_refundable",
    "follow",
    "payments_of",
    "refund_status",
    "request_refund",
    "settle",
    "settle_after_commit",
    "settle_due",
    "split",
]
