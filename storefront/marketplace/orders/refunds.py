"""Refunds: money given back after shipment, never more than was paid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .. import email_contexts, payment_operations, webhooks
from ..errors import InvalidTransition, InvalidValue, NotAllowed
from ..models import ActorRole, ReasonType, Refund, SellerOrder, utcnow
from ..money import require_amount
from ..refusals import Refusal
from ..unit_of_work import atomic
from .balance import amounts
from .checks import _cents, _check_version, _clean_note, _lines_of
from .emails import _email_customer, _locale_of
from .lifecycle import AFTER_SHIPMENT, touch
from .reasons import get_reason


@atomic
def refund(
    session: Session,
    seller_order: SellerOrder,
    *,
    amount: int,
    reason_code: str,
    actor_role: ActorRole,
    actor_id: int | None = None,
    shipping_amount: int = 0,
    line_id: int | None = None,
    comment: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Refund:
    """Give money back after shipment: ``amount`` for the goods (of one line if ``line_id``),
    ``shipping_amount`` for the shipping, with a REFUND reason the actor may use. Refunds never
    add up to more than was paid (goods not cancelled, and this order's share of shipping), and
    only money that was captured goes back (``payment_operations``): the provider refunds the
    customer after the commit, the ledger records it with the commission given back."""
    actor_role = ActorRole(actor_role)
    _check_version(seller_order, expected_version)
    if seller_order.state not in AFTER_SHIPMENT:
        raise InvalidTransition(
            f"order {seller_order.number} is {seller_order.state}: refunds come after shipment "
            "(before it, cancel lines)",
            reason=Refusal.NOT_REFUNDABLE,
            state=seller_order.state.value,
        )
    if actor_role not in (ActorRole.SELLER, ActorRole.OPERATOR):
        raise NotAllowed(f"a {actor_role.lower()} cannot refund an order")
    require_amount(amount, "the refund")
    require_amount(shipping_amount, "the shipping refund")
    if amount + shipping_amount == 0:
        raise InvalidValue("a refund is more than 0", reason=Refusal.ZERO)
    reason = get_reason(session, ReasonType.REFUND, reason_code or "", actor_role)
    money = amounts(session, seller_order)
    line = None
    if line_id is not None:
        (line,) = _lines_of(seller_order, [line_id])
        refunded_on_line = session.scalar(
            select(func.coalesce(func.sum(Refund.amount), 0)).where(Refund.order_line_id == line.id)
        )
        line_left = max(line.amount - refunded_on_line, 0)
        if amount > line_left:
            raise InvalidValue(
                f"at most {_cents(line_left, money.currency)} can still be refunded "
                f"for {line.title!r}",
                reason=Refusal.ABOVE_LINE,
                limit=line_left,
                currency=money.currency,
            )
    if amount > money.refundable_goods:
        raise InvalidValue(
            f"at most {_cents(money.refundable_goods, money.currency)} can still be refunded "
            "for the items",
            reason=Refusal.ABOVE_PAID,
            limit=money.refundable_goods,
            currency=money.currency,
        )
    if shipping_amount > money.refundable_shipping:
        raise InvalidValue(
            f"at most {_cents(money.refundable_shipping, money.currency)} of shipping can still "
            "be refunded",
            reason=Refusal.ABOVE_SHIPPING,
            limit=money.refundable_shipping,
            currency=money.currency,
        )
    # Money goes back only once it was taken: a clear refusal, nothing recorded, nothing moved.
    payment_operations.check_refundable(
        session, seller_order, amount, shipping_amount, line.id if line else None
    )
    comment = _clean_note(comment)
    now = now or utcnow()
    record = Refund(
        seller_order=seller_order,
        order_line_id=line.id if line else None,
        amount=amount,
        shipping_amount=shipping_amount,
        reason_code_id=reason.id,
        reason=reason,
        marketplace_code=reason.marketplace_code,
        actor_role=actor_role,
        actor_id=actor_id,
        comment=comment,
        created_at=now,
    )
    session.add(record)
    touch(seller_order, now)  # bumps the version: two refunds cannot race past the limit
    session.flush()
    # The customer's money goes back through the provider once this commits (retried by the
    # worker while the provider is unavailable; the refund shows as pending meanwhile).
    payment_operations.request_refund(session, seller_order, record, now)
    webhooks.record_event(
        session,
        "refund.created",
        seller_order.seller_id,
        lambda: webhooks.refund_data(record, money.currency, reason.code),
        at=now,
    )
    _email_customer(
        session,
        seller_order.customer_order,
        "refund_issued",
        email_contexts.refund_issued(
            seller_order, record, line, reason=reason.label_for(_locale_of(seller_order.customer_order))
        ),
    )
    return record


def refunds_of(session: Session, seller_order: SellerOrder) -> list[Refund]:
    return list(
        session.scalars(
            select(Refund)
            .where(Refund.seller_order_id == seller_order.id)
            .options(joinedload(Refund.reason))
            .order_by(Refund.id)
        )
    )
