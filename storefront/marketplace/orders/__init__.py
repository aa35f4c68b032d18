"""Orders domain: the seller-order lifecycle, reason codes, cancellations, refunds, and the order
as the customer, the seller portal and the back office see it.

- ``lifecycle``: the state table, :func:`transition`, what is left of each line, and
  :func:`available_actions` (what a seller, customer service or the customer may do now);
- ``acceptance``: :func:`accept`, :func:`refuse`, :func:`decide`, and :func:`cancel_overdue` for
  the acceptance deadline;
- ``cancellations``, ``refunds``, ``reasons`` (reason codes), ``balance`` (:class:`Amounts`),
  ``numbers`` (order numbers);
- ``queries``: finding seller orders, and :func:`order_detail`, the order page's read model.

Parcels and delivery (``ship``, ``mark_received``) are in the tracking domain.

Every service that changes an order takes the seller order as the page showed it and, optionally,
the version the page showed (``expected_version``): a form posted from a tab that is out of date
is refused with a Conflict instead of acting on an order that has changed since. Every one of them
also touches the order row, so two requests racing on the same order cannot both commit (the
version column; see ``transition``). The customer's emails go to the outbox in the same
transaction.
"""

from .acceptance import TIMEOUT_REASON, accept, cancel_overdue, decide, refuse
from .balance import Amounts, amounts, shipping_share
from .cancellations import cancel_lines, cancel_order, cancellations_of, restock
from .lifecycle import (
    AFTER_SHIPMENT,
    ALLOWED_ACTORS,
    BEFORE_SHIPMENT,
    DELIVERED,
    ENDED,
    ON_ITS_WAY,
    REASON_NEEDED,
    TRANSITIONS,
    OrderAction,
    available_actions,
    can_transition,
    cancellable,
    close,
    customer_status,
    shipped_quantities,
    ships_itself,
    to_ship,
    touch,
    transition,
)
from .numbers import clean_number, new_order_number
from .queries import (
    Deadline,
    OrderDetail,
    OrderPage,
    deadline,
    get_seller_order,
    list_seller_orders,
    order_detail,
    order_detail_for_role,
    search_seller_orders,
    ship_by,
    today_in_shop,
)
from .reasons import create_reason_code, get_reason, reason_codes
from .refunds import refund, refunds_of

__all__ = [
    "AFTER_SHIPMENT",
    "ALLOWED_ACTORS",
    "BEFORE_SHIPMENT",
    "DELIVERED",
    "ENDED",
    "ON_ITS_WAY",
    "REASON_NEEDED",
    "TIMEOUT_REASON",
    "TRANSITIONS",
    "Amounts",
    "Deadline",
    "OrderAction",
    "OrderDetail",
    "OrderPage",
    "accept",
    "amounts",
    "available_actions",
    "can_transition",
    "cancel_lines",
    "cancel_order",
    "cancel_overdue",
    "cancellable",
    "cancellations_of",
    "clean_number",
    "close",
    "create_reason_code",
    "customer_status",
    "deadline",
    "decide",
    "get_reason",
    "get_seller_order",
    "list_seller_orders",
    "new_order_number",
    "order_detail",
    "order_detail_for_role",
    "reason_codes",
    "refund",
    "refunds_of",
    "refuse",
    "restock",
    "search_seller_orders",
    "ship_by",
    "shipped_quantities",
    "shipping_share",
    "ships_itself",
    "to_ship",
    "today_in_shop",
    "touch",
    "transition",
]
