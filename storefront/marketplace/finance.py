"""Finance domain: the commission the retailer keeps on each sale.

Lookup order for a seller selling in a category: the seller's rate for that category or its
nearest ancestor, then the seller's rate for all categories, then the category's rate (nearest
ancestor first), then the marketplace default. Each rate holds for a period
(marketplace/commission_rates.py schedules them); the lookup takes the day it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import reference
from .errors import InvalidValue, NotFound
from .models import (
    Category,
    CommissionRate,
    CustomerOrder,
    LineState,
    OrderLine,
    Seller,
    SellerOrder,
)
from .unit_of_work import atomic


@atomic
def set_commission_rate(
    session: Session, rate_bp: int, *, category_code: str | None = None, seller: Seller | None = None
) -> CommissionRate:
    """Set the standing rate in basis points (1,500 = 15 %) for a category, a seller, both, or
    the default: the open-ended rate of that scope is changed in place (or one valid since always
    is added). For the shop's setup and tests; the back office schedules dated rates through
    ``commission_rates.schedule``."""
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int) or not 0 <= rate_bp <= 10_000:
        raise InvalidValue(f"a commission rate is 0 to 10,000 basis points, not {rate_bp!r}")
    category = reference.get_category(session, category_code) if category_code else None
    if seller is not None and seller.is_operator:
        raise InvalidValue("the retailer pays no commission on its own sales")
    row = session.scalar(
        select(CommissionRate).where(
            _is(CommissionRate.category_id, category.id if category else None),
            _is(CommissionRate.seller_id, seller.id if seller else None),
            CommissionRate.valid_to.is_(None),
        ).order_by(CommissionRate.valid_from.desc()).limit(1)
    )
    if row is None:
        row = CommissionRate(category_id=category.id if category else None, seller_id=seller.id if seller else None)
        session.add(row)
    row.rate_bp = rate_bp
    session.flush()
    return row


def commission_rate_for(session: Session, seller: Seller, category: Category, on: date | None = None) -> int:
    """The rate in basis points that applies to ``seller`` selling in ``category`` on the shop's
    day ``on`` (today by default; checkout passes the order's day), in one query."""
    if seller.is_operator:
        return 0
    if on is None:
        on = shop_clock.of(session).today()
    chain = [int(part) for part in category.path.strip("/").split("/") if part]
    rows = session.execute(
        select(CommissionRate.category_id, CommissionRate.seller_id, CommissionRate.rate_bp).where(
            or_(CommissionRate.category_id.in_(chain), CommissionRate.category_id.is_(None)),
            or_(CommissionRate.seller_id == seller.id, CommissionRate.seller_id.is_(None)),
            CommissionRate.valid_from <= on,
            or_(CommissionRate.valid_to.is_(None), CommissionRate.valid_to > on),
        )
    ).all()
    depth = {category_id: i for i, category_id in enumerate(chain)}

    def rank(row) -> tuple[int, int]:
        # seller-specific before shop-wide; within each, the deepest category before the default
        specific = 0 if row.seller_id is not None else 1
        level = -depth[row.category_id] if row.category_id is not None else 1
        return specific, level

    if not rows:
        raise NotFound("no commission rate applies; set a default rate in the back office")
    return min(rows, key=rank).rate_bp


def commission_for(amount: int, rate_bp: int) -> int:
    """Commission in cents on ``amount`` cents, rounded half up to the cent."""
    if amount < 0:
        raise InvalidValue("a commission is computed on a positive amount")
    return (amount * rate_bp + 5_000) // 10_000


@dataclass(frozen=True, slots=True)
class CommissionLine:
    """The commission on one seller-order line: the rate copied onto the line when the order
    was placed, applied to what is still sold of it (canceled units earn none)."""

    line_id: int
    seller_order_number: str
    seller_code: str
    sku: str
    state: LineState
    quantity: int  # units still sold (ordered minus canceled)
    amount: int  # cents
    rate_bp: int
    commission: int  # cents
    currency: str
    created_at: datetime


def commission_lines(
    session: Session, *, seller_id: int | None = None, seller_code: str | None = None,
    seller_order_id: int | None = None, created_since: datetime | None = None,
    after_id: int | None = None, limit: int | None = 50,
) -> list[CommissionLine]:
    """Commission lines by line id (keyset pages for the API), of one seller (by id or code) or
    of every seller, of one seller order when asked (all its lines: ``limit=None``); the
    retailer's own lines are not commission lines. One query."""
    query = (
        select(OrderLine, SellerOrder.number, SellerOrder.created_at, Seller.code, CustomerOrder.currency)
        .join(OrderLine.seller_order)
        .join(SellerOrder.seller)
        .join(SellerOrder.customer_order)
        .where(Seller.is_operator.is_(False))
        .order_by(OrderLine.id)
    )
    if limit is not None:
        query = query.limit(limit)
    if seller_order_id is not None:
        query = query.where(OrderLine.seller_order_id == seller_order_id)
    if seller_id is not None:
        query = query.where(SellerOrder.seller_id == seller_id)
    if seller_code is not None:
        query = query.where(Seller.code == seller_code)
    if created_since is not None:
        query = query.where(SellerOrder.created_at >= created_since)
    if after_id is not None:
        query = query.where(OrderLine.id > after_id)
    return [
        CommissionLine(
            line_id=line.id, seller_order_number=number, seller_code=code, sku=line.sku,
            state=line.state, quantity=line.quantity_live, amount=line.amount,
            rate_bp=line.commission_bp, commission=commission_for(line.amount, line.commission_bp),
            currency=currency, created_at=created_at,
        )
        for line, number, created_at, code, currency in session.execute(query)
    ]


@dataclass(frozen=True, slots=True)
class OrderCommission:
    """The commission on a seller order: each line's (by line id) and their total."""

    lines: dict[int, CommissionLine]
    total: int  # cents
    currency: str


def order_commission(session: Session, seller_order: SellerOrder) -> OrderCommission | None:
    """What the marketplace keeps on ``seller_order``, line by line, as the API's commission
    lines say (the same function); None for the retailer's own orders, which pay none."""
    lines = commission_lines(session, seller_order_id=seller_order.id, limit=None)
    if not lines:
        return None
    return OrderCommission({line.line_id: line for line in lines}, sum(line.commission for line in lines),
                           lines[0].currency)


def _is(column, value):
    return column.is_(None) if value is None else column == value


__all__ = [
    "CommissionLine", "OrderCommission", "commission_for", "commission_lines", "commission_rate_for",
    "order_commission", "set_commission_rate",
]
