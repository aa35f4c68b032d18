"""The sellers' ledger: one immutable entry per movement of a seller's money, in integer cents,
signed from the seller's point of view, written in the transaction of its cause. Balances are sums
of entries (:func:`balance`), never totals kept aside that could drift.

A capture credits the seller with each line (CAPTURE) and its share of the shipping
(SHIPPING_FEE), and debits the commission the marketplace keeps (COMMISSION, per line from the
rate copied onto the line at checkout; on the shipping too when the operator says so). A refund
debits what went back to the customer (REFUND) and gives back the commission in proportion
(COMMISSION_REFUND), rounded so that the reversals of a line add up to its commission exactly
once the line is refunded in full, and never to more.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .finance import commission_for
from .models import (
    LedgerEntry,
    LedgerKind,
    OrderLine,
    PaymentOperation,
    PaymentOperationKind,
    SellerOrder,
)

K = LedgerKind


def balance(session: Session, seller_id: int, until: datetime | None = None) -> int:
    """What the marketplace owes ``seller_id`` (negative: what the seller owes), in cents: the
    sum of its entries, those written before ``until`` when given."""
    query = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.seller_id == seller_id
    )
    if until is not None:
        query = query.where(LedgerEntry.created_at < until)
    return int(session.scalar(query))


def entries_of(session: Session, seller_id: int, *, seller_order_id: int | None = None) -> list[LedgerEntry]:
    """A seller's entries, oldest first (of one of its orders when given)."""
    query = select(LedgerEntry).where(LedgerEntry.seller_id == seller_id)
    if seller_order_id is not None:
        query = query.where(LedgerEntry.seller_order_id == seller_order_id)
    return list(session.scalars(query.order_by(LedgerEntry.id)))


def commission_reversal(commission: int, base: int, refunded_after: int, reversed_before: int) -> int:
    """The commission to give back now: the share of ``commission`` that the refunds so far
    (``refunded_after`` of ``base``) stand for, rounded down, less what was given back already.
    Rounding down the running total (not each refund) loses no cent: the reversals of a base
    refunded in full add up to the commission, and never exceed it."""
    if commission <= 0 or base <= 0:
        return 0
    due = min(commission, commission * min(refunded_after, base) // base)
    return max(due - reversed_before, 0)


def record_operation(session: Session, operation: PaymentOperation, at: datetime) -> list[LedgerEntry]:
    """The entries of a payment operation the provider has just carried out (a VOID moves no
    money and writes none). In the caller's transaction."""
    if operation.kind == PaymentOperationKind.VOID or operation.seller_order_id is None:
        return []
    seller_order = session.get(SellerOrder, operation.seller_order_id)
    breakdown = operation.breakdown or {}
    line_amounts = [(int(line_id), int(amount)) for line_id, amount in breakdown.get("lines", [])]
    shipping = int(breakdown.get("shipping", 0))
    lines = {
        line.id: line
        for line in session.scalars(
            select(OrderLine).where(OrderLine.id.in_([line_id for line_id, _ in line_amounts]))
        )
    }

    def entry(kind: LedgerKind, amount: int, line_id: int | None) -> LedgerEntry:
        return LedgerEntry(
            created_at=at, seller_id=seller_order.seller_id, seller_order_id=seller_order.id,
            order_line_id=line_id, payment_operation_id=operation.id, kind=kind, amount=amount,
            currency=operation.currency, reference=operation.idempotency_key,
        )

    made: list[LedgerEntry] = []
    if operation.kind == PaymentOperationKind.CAPTURE:
        for line_id, amount in line_amounts:
            made.append(entry(K.CAPTURE, amount, line_id))
            commission = commission_for(amount, lines[line_id].commission_bp)
            if commission:
                made.append(entry(K.COMMISSION, -commission, line_id))
        if shipping:
            made.append(entry(K.SHIPPING_FEE, shipping, None))
            commission = commission_for(shipping, int(breakdown.get("shipping_bp", 0)))
            if commission:
                made.append(entry(K.COMMISSION, -commission, None))
    else:
        sums = _sums(session, seller_order.id)
        for line_id, amount in [*line_amounts, *([(None, shipping)] if shipping else [])]:
            if not amount:
                continue
            of_line = sums[line_id]
            made.append(entry(K.REFUND, -amount, line_id))
            base = of_line[K.CAPTURE] + of_line[K.SHIPPING_FEE]
            back = commission_reversal(
                -of_line[K.COMMISSION], base, -of_line[K.REFUND] + amount, of_line[K.COMMISSION_REFUND]
            )
            if back:
                made.append(entry(K.COMMISSION_REFUND, back, line_id))
    session.add_all(made)
    session.flush()
    return made


def record_payout(session: Session, seller_id: int, amount: int, reference: str, at: datetime,
                  currency: str = "EUR") -> LedgerEntry:
    """The PAYOUT entry of money transferred to the seller's bank account (``amount`` cents, more
    than zero; the entry is negative: it leaves what the marketplace owes). In the caller's
    transaction, with the statements it pays (``marketplace/payouts.py``)."""
    if amount <= 0:
        raise ValueError("a payout moves a positive amount")
    entry = LedgerEntry(created_at=at, seller_id=seller_id, kind=K.PAYOUT, amount=-amount,
                        currency=currency, reference=reference[:120])
    session.add(entry)
    session.flush()
    return entry


def _sums(session: Session, seller_order_id: int) -> dict[int | None, dict[LedgerKind, int]]:
    """Sums of a seller order's entries by line (None: its shipping) and kind, in one query."""
    sums: dict[int | None, dict[LedgerKind, int]] = defaultdict(lambda: defaultdict(int))
    for line_id, kind, total in session.execute(
        select(LedgerEntry.order_line_id, LedgerEntry.kind, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.seller_order_id == seller_order_id)
        .group_by(LedgerEntry.order_line_id, LedgerEntry.kind)
    ):
        sums[line_id][LedgerKind(kind)] = int(total)
    return sums


__all__ = ["balance", "commission_reversal", "entries_of", "record_operation", "record_payout"]
