"""Finance domain of the API: the commission the marketplace keeps on each of the caller's
order lines (the operator's clients: every seller's), from ``finance.commission_lines``.

Statements and invoices come with the finance issue (billing cycles); they are described in
docs/api.md and get no endpoint before they exist.
"""

from __future__ import annotations

from datetime import UTC

from pydantic import AwareDatetime, Field

from storefront.extensions import db
from storefront.marketplace import finance
from storefront.marketplace.models import LineState

from . import bp, pages
from .auth import Caller, require_scope
from .orders import DEFAULT_LIMIT, MAX_LIMIT, money, rfc3339
from .schema import Money, Out, Query, operation


class CommissionsQuery(Query):
    seller: str | None = Field(None, max_length=40, description="a seller's code (operator's clients)")
    created_since: AwareDatetime | None = Field(
        None, description="RFC 3339 with its offset: lines of seller orders placed since then")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, description="next_cursor of the previous page")


class CommissionOut(Out):
    line_id: int
    order_id: str = Field(description="the seller order's number")
    seller: str = Field(description="the seller's code")
    sku: str
    state: LineState
    quantity: int = Field(description="units still sold (ordered minus canceled)")
    amount: Money = Field(description="what those units sell for")
    rate_bp: int = Field(description="the commission rate in basis points (1,500 = 15 %), as of the order")
    commission: Money
    created_at: str = Field(description="when the order was placed (RFC 3339, UTC)")


class CommissionPage(Out):
    items: list[CommissionOut]
    next_cursor: str | None


def commission_body(line: finance.CommissionLine) -> dict:
    return {
        "line_id": line.line_id,
        "order_id": line.seller_order_number,
        "seller": line.seller_code,
        "sku": line.sku,
        "state": str(line.state),
        "quantity": line.quantity,
        "amount": money(line.amount, line.currency),
        "rate_bp": line.rate_bp,
        "commission": money(line.commission, line.currency),
        "created_at": rfc3339(line.created_at),
    }


@bp.get("/finance/commissions")
@require_scope("finance:read")
@operation(tag="finance", query=CommissionsQuery, responses={200: CommissionPage})
def list_commissions(caller: Caller, query: CommissionsQuery):
    """The commission on each of the caller's order lines, oldest line first (the operator's
    clients: every seller's, ``seller`` filters by code).

    ``limit`` at a time; the next page is in the ``Link`` header (and ``next_cursor``)."""
    found = finance.commission_lines(
        db.session,
        seller_id=caller.seller_id,
        seller_code=query.seller.strip() if caller.is_operator and query.seller else None,
        created_since=query.created_since.astimezone(UTC) if query.created_since else None,
        after_id=pages.read_cursor("commissions", pages.last_id),
        limit=query.limit + 1,
    )
    return pages.id_page("commissions", "api.list_commissions", found, query.limit, commission_body,
                         key=lambda line: line.line_id)
