"""Orders domain of the API: the caller's seller orders (the operator: every seller's)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Literal

from flask import Response, jsonify, request, stream_with_context
from pydantic import AwareDatetime, Field

from storefront import clock as shop_clock
from storefront.extensions import db
from storefront.marketplace import order_exports, orders, tracking
from storefront.marketplace.errors import DomainError, NotAllowed, NotFound
from storefront.marketplace.models import (
    ExportFormat,
    LineState,
    Seller,
    SellerOrder,
    SellerOrderState,
    ShipmentStatus,
)
from storefront.marketplace.refusals import Refusal

from . import bp, pages
from .auth import Caller, require_scope
from .idempotency import idempotent
from .problems import ApiProblem
from .schema import Body, Cents, Id, Money, Out, Query, operation

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


# -- shapes ------------------------------------------------------------------------------------------


class OrdersQuery(Query):
    state: SellerOrderState | None = None
    created_since: AwareDatetime | None = Field(None, description="RFC 3339 with its offset")
    updated_since: AwareDatetime | None = Field(None, description="RFC 3339 with its offset")
    customer_order_number: str | None = Field(None, max_length=64)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, description="next_cursor of the previous page")


class ExportQuery(Query):
    since: str = Field(min_length=1, max_length=40,
                       description="a date (2026-12-01), a date and time in shop time, or RFC 3339")
    format: Literal["csv", "jsonl"] = Field("csv", description="csv (`;`, UTF-8 with a BOM) or jsonl")


class AcceptBody(Body):
    line_ids: list[Id] | None = Field(None, description="the lines to accept; all waiting lines without it")
    expected_version: int | None = Field(None, description="the order's version last read; 409 if it changed")


ReasonCodeField = Field(min_length=1, max_length=64,
                        description="a code of GET /reason-codes the caller may give")
Version = Field(None, description="the order's version last read; 409 if it changed")
Note = Field("", max_length=1_000, description="kept with the order's history")


class RefuseBody(Body):
    line_ids: list[Id] | None = Field(None, min_length=1,
                                      description="the lines to refuse; all waiting lines without it")
    reason_code: str = ReasonCodeField
    note: str = Note
    expected_version: int | None = Version


class LineQuantityIn(Body):
    line_id: Id
    quantity: int = Field(ge=1, le=100_000)


class CancelBody(Body):
    lines: list[LineQuantityIn] = Field(min_length=1, max_length=1_000,
                                        description="the units to cancel, by line, before they ship")
    reason_code: str = ReasonCodeField
    note: str = Note
    expected_version: int | None = Version


class RefundBody(Body):
    line_id: Id | None = Field(None, description="the line refunded; the order's goods without it")
    amount: Cents = Field(0, description="goods, in minor units (cents)")
    shipping_amount: Cents = Field(0, description="shipping, in minor units (cents)")
    reason_code: str = ReasonCodeField
    comment: str = Note
    expected_version: int | None = Version


class StepBody(Body):
    expected_version: int | None = Version


class SellerRef(Out):
    code: str
    name: str


class OrderLineOut(Out):
    id: int
    offer_id: int | None
    product_id: int | None
    sku: str
    title: str
    quantity: int
    quantity_canceled: int
    unit_price: Money
    state: LineState
    shipment_id: int | None


class ShipmentOut(Out):
    id: int
    status: ShipmentStatus
    delivery_mode: str = Field(description="the shop's delivery mode code (THD, EHD, RELAY…)")
    marketplace_delivery_mode: str | None = Field(description="the marketplace's mode, as mapped at checkout")
    marketplace_carrier: str | None = Field(description="the marketplace's carrier, as mapped at checkout")
    ship_by: str | None = Field(description="a date, YYYY-MM-DD")
    promised_from: str | None
    promised_to: str | None
    shipped_at: str | None
    delivered_at: str | None


class OrderSummary(Out):
    id: str = Field(description="the seller order's number")
    customer_order_number: str
    seller: SellerRef
    state: SellerOrderState
    payment_code: str | None = Field(description="the marketplace's payment code of the order")
    created_at: str
    updated_at: str
    acceptance_deadline: str | None
    version: int
    total: Money
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]


class OrderPage(Out):
    items: list[OrderSummary]
    next_cursor: str | None


class LineQuantity(Out):
    line_id: int
    quantity: int


class DeadlineOut(Out):
    action: str
    by: str


class AmountsOut(Out):
    goods: Money
    shipping: Money
    canceled: Money
    refunded: Money
    paid: Money


class CancellationOut(Out):
    line_id: int
    quantity: int
    amount: Money
    reason_code: str
    marketplace_code: str | None = Field(description="the reason's marketplace code when it was made")
    by: str
    created_at: str


class RefundOut(Out):
    line_id: int | None
    amount: Money
    shipping_amount: Money
    reason_code: str
    marketplace_code: str | None = Field(description="the reason's marketplace code when it was made")
    by: str
    created_at: str


class AddressOut(Out):
    name: str | None
    line1: str | None
    line2: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    phone: str | None


class OrderDetail(OrderSummary):
    actions: list[str]
    deadline: DeadlineOut | None
    amounts: AmountsOut
    to_ship: list[LineQuantity]
    shipped: list[LineQuantity]
    cancellations: list[CancellationOut]
    refunds: list[RefundOut]
    shipping_address: AddressOut


# -- encoding ----------------------------------------------------------------------------------------


def rfc3339(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def money(amount: int, currency: str) -> dict:
    return {"amount": amount, "currency": currency}


def order_summary(order: SellerOrder) -> dict:
    currency = order.customer_order.currency
    shipments = {line.shipment.id: line.shipment for line in order.lines if line.shipment}
    return {
        "id": order.number,
        "customer_order_number": order.customer_order.number,
        "seller": {"code": order.seller.code, "name": order.seller.name},
        "state": str(order.state),
        "payment_code": order.customer_order.payment_code or None,  # the marketplace's code
        "created_at": rfc3339(order.created_at),
        "updated_at": rfc3339(order.updated_at or order.created_at),
        "acceptance_deadline": rfc3339(order.acceptance_deadline),
        "version": order.version,
        "total": money(sum(line.amount for line in order.lines), currency),
        "lines": [
            {
                "id": line.id,
                "offer_id": line.offer_id,
                "product_id": line.product_id,
                "sku": line.sku,
                "title": line.title,
                "quantity": line.quantity,
                "quantity_canceled": line.quantity_canceled,
                "unit_price": money(line.unit_price, currency),
                "state": str(line.state),
                "shipment_id": line.shipment_id,
            }
            for line in order.lines
        ],
        "shipments": [
            {
                "id": shipment.id,
                "status": str(shipment.status),
                "delivery_mode": shipment.mode.code,
                # The marketplace's delivery mode and carrier, as mapped at checkout.
                "marketplace_delivery_mode": shipment.marketplace_mode or None,
                "marketplace_carrier": shipment.marketplace_carrier or None,
                "ship_by": day(shipment.ship_by),
                "promised_from": day(shipment.promised_min),
                "promised_to": day(shipment.promised_max),
                "shipped_at": rfc3339(shipment.shipped_at),
                "delivered_at": rfc3339(shipment.delivered_at),
            }
            for shipment in sorted(shipments.values(), key=lambda s: s.id)
        ],
    }


def order_detail(detail: orders.OrderDetail) -> dict:
    order = detail.seller_order
    money_ = detail.money
    currency = money_.currency
    body = order_summary(order)
    body.update(
        actions=[str(action) for action in detail.actions],
        deadline=(
            {"action": str(detail.deadline.action), "by": _moment_or_day(detail.deadline.by)}
            if detail.deadline else None
        ),
        amounts={
            "goods": money(money_.goods, currency),
            "shipping": money(money_.shipping, currency),
            "canceled": money(money_.canceled, currency),
            "refunded": money(money_.refunded + money_.refunded_shipping, currency),
            "paid": money(money_.paid, currency),
        },
        to_ship=_by_line(detail.to_ship),
        shipped=_by_line(detail.shipped),
        cancellations=[
            {
                "line_id": c.order_line_id,
                "quantity": c.quantity,
                "amount": money(c.amount, currency),
                "reason_code": c.reason.code,
                "marketplace_code": c.marketplace_code or None,
                "by": str(c.actor_role),
                "created_at": rfc3339(c.created_at),
            }
            for c in detail.cancellations
        ],
        refunds=[
            {
                "line_id": r.order_line_id,
                "amount": money(r.amount, currency),
                "shipping_amount": money(r.shipping_amount, currency),
                "reason_code": r.reason.code,
                "marketplace_code": r.marketplace_code or None,
                "by": str(r.actor_role),
                "created_at": rfc3339(r.created_at),
            }
            for r in detail.refunds
        ],
        shipping_address=_address(order),
    )
    return body


def _moment_or_day(value):
    return rfc3339(value) if isinstance(value, datetime) else day(value)


def _by_line(quantities: dict[int, int]) -> list[dict]:
    return [{"line_id": line_id, "quantity": q} for line_id, q in sorted(quantities.items())]


def _address(order: SellerOrder) -> dict:
    co = order.customer_order
    return {
        "name": co.ship_name, "line1": co.ship_line1, "line2": co.ship_line2,
        "postal_code": co.ship_postal_code, "city": co.ship_city, "country": co.ship_country,
        "phone": co.ship_phone,
    }


# -- parameters --------------------------------------------------------------------------------------


def _limit() -> int:
    text = request.args.get("limit", str(DEFAULT_LIMIT)).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise ApiProblem(400, "invalid_parameter",
                         f"limit must be a whole number from 1 to {MAX_LIMIT}.", field="limit")
    return int(text)


def make_cursor(order: SellerOrder) -> str:
    return pages.make_cursor("orders", [rfc3339(order.created_at), order.id])


def _order_position(value) -> tuple[datetime, int]:
    created_at, order_id = value
    return datetime.fromisoformat(created_at.replace("Z", "+00:00")), int(order_id)


def read_cursor() -> tuple[datetime, int] | None:
    return pages.read_cursor("orders", _order_position)


# -- views -------------------------------------------------------------------------------------------


@bp.get("/orders")
@require_scope("orders:read")
@operation(tag="orders", query=OrdersQuery, responses={200: OrderPage})
def list_orders(caller: Caller, query: OrdersQuery):
    """The caller's seller orders, newest first.

    ``limit`` at a time; the next page is in the ``Link`` header (and ``next_cursor``)."""
    limit = query.limit
    found = orders.list_seller_orders(
        db.session,
        seller_id=caller.seller_id,
        state=query.state,
        created_since=query.created_since.astimezone(UTC) if query.created_since else None,
        updated_since=query.updated_since.astimezone(UTC) if query.updated_since else None,
        customer_order_number=query.customer_order_number or "",
        after=read_cursor(),
        limit=limit + 1,
    )
    page, more = found[:limit], len(found) > limit
    next_cursor = make_cursor(page[-1]) if more else None
    return pages.page_answer([order_summary(o) for o in page], next_cursor, "api.list_orders")


@bp.get("/orders/export")
@require_scope("orders:read")
@operation(tag="orders", query=ExportQuery, responses={200: None},
           media_types=("text/csv", "application/x-ndjson"))
def export_orders(caller: Caller, query: ExportQuery):
    """The caller's orders new or changed since a moment, as a file: one row per order line.

    ``since`` is a date (midnight, shop time), a date and time (shop time) or RFC 3339 with its
    offset. An order changed after it was placed (cancelled, refunded, shipped) comes again.
    ``format=csv`` (``;``, UTF-8 with a BOM, the default) or ``jsonl`` (one JSON object per
    line), streamed as it is read. The columns are described in docs/imports.md."""
    try:
        since = order_exports.read_since(query.since, shop_clock.current().tz)
    except DomainError as error:
        raise ApiProblem(400, "invalid_parameter", error.message, field="since") from None
    fmt = ExportFormat(query.format)
    export = order_exports.OrderExport(db.session, seller_id=caller.seller_id, since=since,
                                       locale="en")
    body = stream_with_context(order_exports.byte_chunks(fmt, export.rows()))
    response = Response(body, content_type=order_exports.MEDIA_TYPES[fmt])
    code = db.session.get(Seller, caller.seller_id).code if caller.seller_id else None
    name = order_exports.file_name(fmt, code, shop_clock.now())
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/orders/<number>")
@require_scope("orders:read")
@operation(tag="orders", responses={200: OrderDetail})
def get_order(number: str, caller: Caller):
    """One seller order with its lines, shipments, amounts, cancellations, refunds and actions."""
    order = _order_of(caller, number)
    detail = orders.order_detail_for_role(db.session, order, caller.role, form_choices=False)
    return jsonify(order_detail(detail))


@bp.post("/orders/<number>/accept")
@require_scope("orders:write")
@idempotent
@operation(tag="orders", body=AcceptBody, responses={200: OrderDetail})
def accept_order(number: str, caller: Caller, body: AcceptBody):
    """Accept the order's waiting lines (or ``line_ids``), as the portal's button does.

    With ``expected_version`` (the ``version`` last read), an order changed since is refused (409)."""
    order = _order_of(caller, number)
    with _fields(line="line_ids", no_lines="line_ids"):
        orders.accept(
            db.session, order, actor_role=caller.role, line_ids=body.line_ids,
            expected_version=body.expected_version,
        )
    return _answer(caller, order)


@bp.post("/orders/<number>/refuse")
@require_scope("orders:write")
@idempotent
@operation(tag="orders", body=RefuseBody, responses={200: OrderDetail})
def refuse_order(number: str, caller: Caller, body: RefuseBody):
    """Refuse the order's waiting lines (or ``line_ids``) with a REFUSAL ``reason_code``.

    The units go back to stock and the customer is told; an order with every line refused
    becomes REFUSED (webhook ``order.refused``)."""
    order = _order_of(caller, number)
    with _fields(line="line_ids", no_lines="line_ids", note_too_long="note"):
        orders.refuse(
            db.session, order, reason_code=body.reason_code, actor_role=caller.role,
            line_ids=body.line_ids, note=body.note, expected_version=body.expected_version,
        )
    return _answer(caller, order)


@bp.post("/orders/<number>/cancel")
@require_scope("orders:write")
@idempotent
@operation(tag="orders", body=CancelBody, responses={200: OrderDetail})
def cancel_order(number: str, caller: Caller, body: CancelBody):
    """Cancel units not shipped yet (``lines``: ``[{line_id, quantity}]``) with a CANCELATION
    ``reason_code``.

    The units go back to stock and the customer is told (webhook ``order.canceled``); after
    shipment, refund instead."""
    quantities: dict[int, int] = {}
    for position, line in enumerate(body.lines):
        if line.line_id in quantities:
            raise ApiProblem(422, "invalid_value", f"line {line.line_id} is given twice.",
                             field=f"lines.{position}.line_id")
        quantities[line.line_id] = line.quantity
    order = _order_of(caller, number)
    with _fields(line="lines", no_lines="lines", too_many="lines", quantity="lines",
                 note_too_long="note"):
        orders.cancel_lines(
            db.session, order, quantities, reason_code=body.reason_code, actor_role=caller.role,
            note=body.note, expected_version=body.expected_version,
        )
    return _answer(caller, order)


@bp.post("/orders/<number>/refund")
@require_scope("orders:write")
@idempotent
@operation(tag="orders", body=RefundBody, responses={200: OrderDetail})
def refund_order(number: str, caller: Caller, body: RefundBody):
    """Give money back after shipment: ``amount`` for the goods (of ``line_id`` if given),
    ``shipping_amount`` for the shipping, with a REFUND ``reason_code``.

    Never more than is still refundable (422 ``above_paid``, ``above_line``, ``above_shipping``
    with the ``limit``); webhook ``refund.created``."""
    order = _order_of(caller, number)
    with _fields(line="line_id", zero="amount", above_paid="amount", above_line="amount",
                 above_shipping="shipping_amount", note_too_long="comment"):
        orders.refund(
            db.session, order, amount=body.amount, shipping_amount=body.shipping_amount,
            line_id=body.line_id, reason_code=body.reason_code, actor_role=caller.role,
            comment=body.comment, expected_version=body.expected_version,
        )
    return _answer(caller, order)


@bp.post("/orders/<number>/receive")
@require_scope("orders:write")
@idempotent
@operation(tag="orders", body=StepBody, responses={200: OrderDetail})
def receive_order(number: str, caller: Caller, body: StepBody):
    """Record that the customer has the goods (SHIPPED → RECEIVED), as the back office does.

    Operator clients only: a seller's client gets 403 ``not_allowed`` for its own orders (404 for
    another seller's, as always)."""
    order = _order_of(caller, number)
    _operator_only(caller, "mark an order received")
    tracking.mark_received(db.session, order, actor_role=caller.role,
                           expected_version=body.expected_version)
    return _answer(caller, order)


@bp.post("/orders/<number>/close")
@require_scope("orders:write")
@idempotent
@operation(tag="orders", body=StepBody, responses={200: OrderDetail})
def close_order(number: str, caller: Caller, body: StepBody):
    """Close a received order (RECEIVED → CLOSED): its file is complete.

    Operator clients only: a seller's client gets 403 ``not_allowed`` (404 for another
    seller's order)."""
    order = _order_of(caller, number)
    _operator_only(caller, "close an order")
    orders.close(db.session, order, actor_role=caller.role, expected_version=body.expected_version)
    return _answer(caller, order)


def _answer(caller: Caller, order: SellerOrder):
    detail = orders.order_detail_for_role(db.session, order, caller.role, form_choices=False)
    return jsonify(order_detail(detail))


def _operator_only(caller: Caller, what: str) -> None:
    """Receiving and closing are the operator's steps here, as in the back office (the seller
    portal offers neither): a seller's client may see the order, not take these steps."""
    if not caller.is_operator:
        raise NotAllowed(f"only the operator's clients may {what}")


# The reason codes and lines a service refuses are values of the body: 422 naming the field
# (an unknown reason code is no missing resource, a reason reserved to others no forbidden act).
AS_INVALID = {Refusal.REASON_CODE, Refusal.LINE}


@contextmanager
def _fields(**fields: str) -> Iterator[None]:
    """Name the body's field in the service's refusals (``fields``: refusal → field name)."""
    fields = {"reason_code": "reason_code", "reason_needed": "reason_code", **fields}
    try:
        yield
    except DomainError as error:
        reason = error.details.get("reason")
        field = fields.get(str(reason)) if reason else None
        if field is None:
            raise
        if reason in AS_INVALID:
            raise ApiProblem(422, "invalid_value", error.message, field=field,
                             reason=str(reason)) from None
        error.details.setdefault("field", field)
        raise


def _order_of(caller: Caller, number: str) -> SellerOrder:
    """The order, when the caller may see it; another seller's is as unknown as a missing one."""
    order = orders.get_seller_order(db.session, number)
    if caller.seller_id is not None and order.seller_id != caller.seller_id:
        raise NotFound(f"unknown order {number!r}")
    return order
