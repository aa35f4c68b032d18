"""Cancellations: units taken back before they ship, with a reason, back in stock, and the
customer told what, why and how much."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from .. import email_contexts, listing, webhooks
from ..errors import InvalidTransition, InvalidValue, NotAllowed
from ..models import (
    ActorRole,
    Cancellation,
    LineState,
    Offer,
    OrderLine,
    ReasonCode,
    ReasonType,
    SellerOrder,
    utcnow,
)
from ..refusals import Refusal
from ..unit_of_work import atomic
from .balance import amounts
from .checks import _check_version, _clean_note, _lines_of
from .emails import _email_customer, _locale_of
from .lifecycle import ALLOWED_ACTORS, BEFORE_SHIPMENT, ENDED, S, _settle, cancellable
from .reasons import get_reason


@atomic
def cancel_lines(
    session: Session,
    seller_order: SellerOrder,
    quantities: Mapping[int, int],
    *,
    reason_code: str,
    actor_role: ActorRole,
    actor_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[Cancellation]:
    """Cancel units of lines before they ship (``{line_id: quantity}``), with a CANCELATION reason
    the actor may use. The units go back to stock, the customer is told what, why and how much;
    an order with nothing left becomes CANCELED, one whose remaining units have all shipped
    becomes SHIPPED."""
    actor_role = ActorRole(actor_role)
    _check_version(seller_order, expected_version)
    if seller_order.state not in BEFORE_SHIPMENT:
        raise InvalidTransition(
            f"order {seller_order.number} is {seller_order.state}: lines can only be cancelled "
            "before they ship (refund them instead)",
            reason=Refusal.NOT_CANCELLABLE,
            state=seller_order.state.value,
        )
    if actor_role != ActorRole.SYSTEM and actor_role not in ALLOWED_ACTORS[S.CANCELED]:
        raise NotAllowed(f"a {actor_role.lower()} cannot cancel an order")
    reason = get_reason(session, ReasonType.CANCELATION, reason_code or "", actor_role)
    wanted = {}
    for line_id, quantity in quantities.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidValue(f"a quantity is a whole number, not {quantity!r}", reason=Refusal.QUANTITY)
        if quantity:
            wanted[line_id] = quantity
    if not wanted:
        raise InvalidValue("choose at least one unit to cancel", reason=Refusal.NO_LINES)
    lines = _lines_of(seller_order, wanted)
    left = cancellable(seller_order)
    for line in lines:
        if wanted[line.id] > left.get(line.id, 0):
            raise InvalidValue(
                f"only {left.get(line.id, 0)} unit(s) of {line.title!r} can still be cancelled",
                reason=Refusal.TOO_MANY,
                title=line.title,
                available=left.get(line.id, 0),
            )
    note = _clean_note(note)
    now = now or utcnow()
    taken_back = _take_back(
        session,
        [(line, wanted[line.id]) for line in lines],
        reason,
        actor_role,
        actor_id,
        now,
        final_state=LineState.CANCELED,
    )
    _settle(session, seller_order, actor_role, actor_id, reason, note, now)
    _email_cancellation(session, seller_order, taken_back, reason)
    webhooks.record_event(
        session,
        "order.canceled",
        seller_order.seller_id,
        lambda: {
            **webhooks.seller_order_data(seller_order),
            **webhooks.cancellation_data(taken_back, reason.code),
        },
        at=now,
    )
    return taken_back


@atomic
def cancel_order(
    session: Session,
    seller_order: SellerOrder,
    *,
    reason_code: str,
    actor_role: ActorRole,
    actor_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[Cancellation]:
    """Cancel every unit not shipped yet (see :func:`cancel_lines`)."""
    left = cancellable(seller_order)
    if not left and seller_order.state in BEFORE_SHIPMENT:
        raise InvalidValue("nothing is left to cancel", reason=Refusal.NO_LINES)
    return cancel_lines(
        session,
        seller_order,
        left,
        reason_code=reason_code,
        actor_role=actor_role,
        actor_id=actor_id,
        note=note,
        expected_version=expected_version,
        now=now,
    )


def restock(session: Session, offer_id: int, quantity: int) -> bool:
    """Give units back to an offer, in SQL, so that a concurrent sale is not overwritten.

    Returns True when the offer had sold out (its product's listing must be refreshed).
    """
    if quantity <= 0:
        return False
    stock = session.scalar(
        update(Offer)
        .where(Offer.id == offer_id)
        .values(stock=Offer.stock + quantity)
        .returning(Offer.stock)
    )
    return stock == quantity


def _take_back(
    session: Session,
    quantities: list[tuple[OrderLine, int]],
    reason: ReasonCode | None,
    actor_role: ActorRole,
    actor_id: int | None,
    now: datetime,
    *,
    final_state: LineState,
) -> list[Cancellation]:
    """Record the cancellation of units, put them back in stock, refresh what came back."""
    records = []
    sold_out_products = set()
    for line, quantity in quantities:
        if quantity <= 0:
            continue
        line.quantity_canceled += quantity
        if line.quantity_live == 0:
            line.state = final_state
        record = Cancellation(
            line=line,
            quantity=quantity,
            amount=line.unit_price * quantity,
            reason_code_id=reason.id,
            reason=reason,
            marketplace_code=reason.marketplace_code if reason else "",
            actor_role=actor_role,
            actor_id=actor_id,
            created_at=now,
        )
        session.add(record)
        records.append(record)
        if restock(session, line.offer_id, quantity):
            sold_out_products.add(line.product_id)
    session.flush()
    if sold_out_products:
        # The offers can be bought again: the category pages and search must say so.
        listing.refresh(session, sold_out_products, now=now)
    return records


def cancellations_of(session: Session, seller_order: SellerOrder) -> list[Cancellation]:
    return list(
        session.scalars(
            select(Cancellation)
            .join(OrderLine, Cancellation.order_line_id == OrderLine.id)
            .where(OrderLine.seller_order_id == seller_order.id)
            .options(joinedload(Cancellation.reason), joinedload(Cancellation.line))
            .order_by(Cancellation.id)
        )
    )


def _email_cancellation(
    session: Session,
    seller_order: SellerOrder,
    cancellations: list[Cancellation],
    reason: ReasonCode,
) -> None:
    if not cancellations:
        return
    order = seller_order.customer_order
    _email_customer(
        session,
        order,
        "lines_cancelled",
        email_contexts.lines_cancelled(
            seller_order,
            [(c.line, c.quantity, c.amount) for c in cancellations],
            reason=reason.label_for(_locale_of(order)),
            refused=reason.type == ReasonType.REFUSAL,
            shipping=amounts(session, seller_order).shipping_returned,
            ended=seller_order.state in ENDED,
        ),
    )
