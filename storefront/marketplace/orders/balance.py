"""The money of one seller order: what was paid, and what went back to the customer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Cancellation, OrderLine, Refund, SellerOrder
from .lifecycle import ENDED


@dataclass(frozen=True)
class Amounts:
    """Money of one seller order, in cents: what was paid and what went back to the customer."""

    currency: str
    goods: int  # the lines, as ordered
    shipping: int  # this order's share of the shipping fees paid
    canceled: int  # goods cancelled or refused before shipment
    shipping_returned: int  # the shipping share, given back when nothing is left to ship
    refunded: int  # goods refunded after shipment
    refunded_shipping: int

    @property
    def paid(self) -> int:
        return self.goods + self.shipping

    @property
    def refundable_goods(self) -> int:
        return max(self.goods - self.canceled - self.refunded, 0)

    @property
    def refundable_shipping(self) -> int:
        return max(self.shipping - self.shipping_returned - self.refunded_shipping, 0)

    @property
    def returned(self) -> int:
        """Everything given back so far."""
        return self.canceled + self.shipping_returned + self.refunded + self.refunded_shipping


def amounts(
    session: Session,
    seller_order: SellerOrder,
    *,
    cancellations: list[Cancellation] | None = None,
    refunds: list[Refund] | None = None,
) -> Amounts:
    """``cancellations`` and ``refunds``: every one of the order, when the caller read them
    already (the order page), so that they are added up here and not read twice."""
    if cancellations is not None:
        canceled = sum(c.amount for c in cancellations)
    else:
        canceled = session.scalar(
            select(func.coalesce(func.sum(Cancellation.amount), 0))
            .join(OrderLine, Cancellation.order_line_id == OrderLine.id)
            .where(OrderLine.seller_order_id == seller_order.id)
        )
    if refunds is not None:
        refunded = sum(r.amount for r in refunds)
        refunded_shipping = sum(r.shipping_amount for r in refunds)
    else:
        refunded, refunded_shipping = session.execute(
            select(
                func.coalesce(func.sum(Refund.amount), 0),
                func.coalesce(func.sum(Refund.shipping_amount), 0),
            ).where(Refund.seller_order_id == seller_order.id)
        ).one()
    shipping = shipping_share(session, seller_order)
    return Amounts(
        currency=seller_order.customer_order.currency,
        goods=sum(line.unit_price * line.quantity for line in seller_order.lines),
        shipping=shipping,
        canceled=canceled,
        shipping_returned=shipping if seller_order.state in ENDED else 0,
        refunded=refunded,
        refunded_shipping=refunded_shipping,
    )


def shipping_share(session: Session, seller_order: SellerOrder) -> int:
    """This seller order's part of the shipping fees of its shipments.

    A shipment from the shop's warehouse may carry the lines of several sellers: its fee is split
    in proportion to the value of each seller's lines in it, the rounding cents going to the
    first seller order, so that the shares add up to the fee exactly.
    """
    shipments = {line.shipment.id: line.shipment for line in seller_order.lines if line.shipment_id}
    share = 0
    for shipment in shipments.values():
        if not shipment.fee:
            continue
        values: dict[int, int] = {}
        for line in shipment.lines:
            values[line.seller_order_id] = (
                values.get(line.seller_order_id, 0) + line.unit_price * line.quantity
            )
        total = sum(values.values())
        if total == 0:
            parts = {sid: 0 for sid in values}
            parts[min(values)] = shipment.fee
        else:
            parts = {sid: shipment.fee * value // total for sid, value in values.items()}
            parts[min(values)] += shipment.fee - sum(parts.values())
        share += parts.get(seller_order.id, 0)
    return share
