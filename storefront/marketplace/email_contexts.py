"""What the customer's order emails show, as plain data taken when the event happens.

The outbox stores these values with the event (``outbox.record_email``): the worker renders the
email later without touching the database, and the email tells the order as it was at that
moment. Keys follow the names the templates of ``templates/emails/`` use (``order.number``,
``seller_order.seller.name``…), so a theme's email template reads the same fields.
"""

from __future__ import annotations

from typing import Any

from .models import (
    Carrier,
    CustomerOrder,
    OrderLine,
    Parcel,
    Refund,
    SellerOrder,
    SellerOrderState,
    Shipment,
)
from .outbox import Link, link


def order_link(order: CustomerOrder) -> Link:
    """The customer's page of the order (an account's "My orders", or a guest's signed link)."""
    return link("order", id=order.id, number=order.number, guest=order.customer_id is None)


def order_summary(order: CustomerOrder) -> dict[str, Any]:
    return {
        "number": order.number,
        "created_at": order.created_at,
        "locale": order.locale,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "shipping_total": order.shipping_total,
        "total": order.total,
        "ship_name": order.ship_name,
        "ship_line1": order.ship_line1,
        "ship_line2": order.ship_line2,
        "ship_postal_code": order.ship_postal_code,
        "ship_city": order.ship_city,
    }


def seller_order_summary(seller_order: SellerOrder) -> dict[str, Any]:
    return {"number": seller_order.number, "seller": {"name": seller_order.seller.name}}


def line_summary(line: OrderLine) -> dict[str, Any]:
    return {
        "title": line.title,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "seller_name": line.seller_order.seller.name,
    }


def shipment_summary(shipment: Shipment, locale: str) -> dict[str, Any]:
    return {
        "shipper": {"name": shipment.shipper.name},
        "mode": {"label": shipment.mode.label_for(locale)},
        "fee": shipment.fee,
        "promised_min": shipment.promised_min,
        "promised_max": shipment.promised_max,
        "lines": [line_summary(line) for line in shipment.lines],
    }


def order_confirmation(order: CustomerOrder, shipments: list[Shipment]) -> dict[str, Any]:
    return {
        "order": order_summary(order),
        "shipments": [shipment_summary(shipment, order.locale) for shipment in shipments],
        "order_url": order_link(order),
    }


def shipment_sent(
    seller_order: SellerOrder, parcel: Parcel, carrier: Carrier, tracking_url: str | None
) -> dict[str, Any]:
    order = seller_order.customer_order
    shipment = parcel.shipment
    return {
        "order": order_summary(order),
        "order_url": order_link(order),
        "seller_order": seller_order_summary(seller_order),
        "parcel": {"tracking_number": parcel.tracking_number, "shipped_on": parcel.shipped_on},
        "items": [({"title": item.line.title}, item.quantity) for item in parcel.items],
        "carrier": {"name": carrier.name},
        "tracking_url": tracking_url,
        "shipment": (
            None
            if shipment is None
            else {"promised_min": shipment.promised_min, "promised_max": shipment.promised_max}
        ),
        # Every unit of this seller's order has now shipped.
        "complete": seller_order.state == SellerOrderState.SHIPPED,
    }


def lines_cancelled(
    seller_order: SellerOrder,
    items: list[tuple[OrderLine, int, int]],
    *,
    reason: str,
    refused: bool,
    shipping: int,
    ended: bool,
) -> dict[str, Any]:
    order = seller_order.customer_order
    goods = sum(amount for _line, _quantity, amount in items)
    return {
        "order": order_summary(order),
        "order_url": order_link(order),
        "seller_order": seller_order_summary(seller_order),
        "items": [({"title": line.title}, quantity, amount) for line, quantity, amount in items],
        "reason": reason,
        "refused": refused,
        "goods": goods,
        "shipping": shipping,
        "total": goods + shipping,
        "ended": ended,
    }


def refund_issued(
    seller_order: SellerOrder, refund: Refund, line: OrderLine | None, *, reason: str
) -> dict[str, Any]:
    order = seller_order.customer_order
    return {
        "order": order_summary(order),
        "order_url": order_link(order),
        "seller_order": seller_order_summary(seller_order),
        "refund": {"amount": refund.amount, "shipping_amount": refund.shipping_amount},
        "line": None if line is None else {"title": line.title},
        "reason": reason,
        "total": refund.amount + refund.shipping_amount,
    }
