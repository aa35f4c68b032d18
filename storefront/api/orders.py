"""Orders domain of the API: the caller's seller orders (the operator: every seller's)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import jsonify, request

from storefront.extensions import db
from storefront.marketplace import orders
from storefront.marketplace.errors import NotFound
from storefront.marketplace.models import SellerOrder, SellerOrderState

from . import bp, pages
from .auth import Caller, require_scope
from .problems import ApiProblem, json_body

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


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


def _moment(name: str) -> datetime | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiProblem(400, "invalid_parameter",
                         f"{name} must be an RFC 3339 date-time with its offset, such as "
                         "2026-12-01T08:00:00Z.", field=name)
    return moment.astimezone(UTC)


def _state() -> SellerOrderState | None:
    text = request.args.get("state", "").strip().upper()
    if not text:
        return None
    try:
        return SellerOrderState(text)
    except ValueError:
        raise ApiProblem(400, "invalid_parameter",
                         f"state must be one of {', '.join(SellerOrderState)}.", field="state") from None


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
def list_orders(caller: Caller):
    """The caller's seller orders, newest first, ``limit`` at a time; the next page is in the
    ``Link`` header (and ``next_cursor``)."""
    limit = _limit()
    found = orders.list_seller_orders(
        db.session,
        seller_id=caller.seller_id,
        state=_state(),
        created_since=_moment("created_since"),
        updated_since=_moment("updated_since"),
        customer_order_number=request.args.get("customer_order_number", ""),
        after=read_cursor(),
        limit=limit + 1,
    )
    page, more = found[:limit], len(found) > limit
    next_cursor = make_cursor(page[-1]) if more else None
    return pages.page_answer([order_summary(o) for o in page], next_cursor, "api.list_orders")


@bp.get("/orders/<number>")
@require_scope("orders:read")
def get_order(number: str, caller: Caller):
    order = _order_of(caller, number)
    detail = orders.order_detail_for_role(db.session, order, caller.role)
    return jsonify(order_detail(detail))


@bp.post("/orders/<number>/accept")
@require_scope("orders:write")
def accept_order(number: str, caller: Caller):
    """Accept the order's waiting lines (or ``line_ids``), as the portal's button does. With
    ``expected_version`` (the ``version`` last read), an order changed since is refused (409)."""
    body = json_body()
    line_ids = body.get("line_ids")
    if line_ids is not None and (
        not isinstance(line_ids, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in line_ids)
    ):
        raise ApiProblem(400, "invalid_parameter", "line_ids must be a list of line ids.",
                         field="line_ids")
    version = body.get("expected_version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ApiProblem(400, "invalid_parameter", "expected_version must be a whole number.",
                         field="expected_version")
    order = _order_of(caller, number)
    orders.accept(
        db.session, order, actor_role=caller.role, line_ids=line_ids, expected_version=version
    )
    detail = orders.order_detail_for_role(db.session, order, caller.role)
    return jsonify(order_detail(detail))


def _order_of(caller: Caller, number: str) -> SellerOrder:
    """The order, when the caller may see it; another seller's is as unknown as a missing one."""
    order = orders.get_seller_order(db.session, number)
    if caller.seller_id is not None and order.seller_id != caller.seller_id:
        raise NotFound(f"unknown order {number!r}")
    return order
