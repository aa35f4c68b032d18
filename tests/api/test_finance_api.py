"""The finance API over HTTP with a real OAuth 2.0 client: commission lines per caller, pages,
filters and refused parameters. Statements, invoices and ledger lines are in
tests/api/test_finance_statements_api.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2 as httpx
import pytest

from storefront.marketplace import finance, orders
from storefront.marketplace.models import ActorRole, ReasonType
from tests.api.test_api_orders import (  # noqa: F401
    call,
    client_for,
    is_problem,
    live,
    orders_placed,
    token_of,
)


@pytest.fixture
def tokens(session, live, orders_placed):  # noqa: F811
    people, _ = orders_placed

    def token(seller, scopes="finance:read"):
        return token_of(live, *client_for(session, seller, scopes))

    return {
        "alpha": token(people.shop.alpha),
        "beta": token(people.shop.beta),
        "alpha_orders": token(people.shop.alpha, "orders:read"),
        "operator": token(None),
    }


def _expected(order) -> list[dict]:
    currency = order.customer_order.currency
    return [
        {
            "line_id": line.id, "order_id": order.number, "seller": order.seller.code, "sku": line.sku,
            "state": str(line.state), "quantity": line.quantity_live,
            "amount": {"amount": line.amount, "currency": currency},
            "rate_bp": line.commission_bp,
            "commission": {"amount": finance.commission_for(line.amount, line.commission_bp),
                           "currency": currency},
            "created_at": order.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        }
        for line in order.lines
    ]


def test_a_seller_reads_the_commission_on_its_lines(live, orders_placed, tokens):  # noqa: F811
    _people, (a1, a2, b1) = orders_placed
    answer = call(live, "/api/v1/finance/commissions", tokens["alpha"])
    assert answer.status_code == 200, answer.json()
    items = answer.json()["items"]
    assert items == _expected(a1) + _expected(a2)
    # The dryer: 15,00 € at the shop's 12 % is 1,80 €; two of them 3,60 €.
    assert [(i["amount"]["amount"], i["rate_bp"], i["commission"]["amount"]) for i in items] == [
        (1500, 1200, 180), (3000, 1200, 360)]
    assert call(live, "/api/v1/finance/commissions", tokens["beta"]).json()["items"] == _expected(b1)
    # The seller filter is the operator's: a seller's client still reads its own lines alone.
    assert call(live, "/api/v1/finance/commissions", tokens["alpha"],
                params={"seller": "beta"}).json()["items"] == items
    is_problem(call(live, "/api/v1/finance/commissions", tokens["alpha_orders"]), 403, "insufficient_scope")


def test_canceled_units_earn_no_commission(session, live, orders_placed, tokens):  # noqa: F811
    _people, (_a1, a2, _b1) = orders_placed
    line = a2.lines[0]
    reason = orders.reason_codes(session, ReasonType.CANCELATION, ActorRole.SELLER)[0]
    orders.cancel_lines(session, a2, {line.id: 1}, reason_code=reason.code, actor_role=ActorRole.SELLER)
    session.expire_all()
    found = call(live, "/api/v1/finance/commissions", tokens["alpha"]).json()["items"]
    assert [(i["quantity"], i["amount"]["amount"], i["commission"]["amount"])
            for i in found if i["line_id"] == line.id] == [(1, 1500, 180)]


def test_the_operator_reads_every_sellers_lines_by_page(live, orders_placed, tokens):  # noqa: F811
    _people, (a1, a2, b1) = orders_placed
    token, seen, url = tokens["operator"], [], f"{live}/api/v1/finance/commissions?limit=1"
    while url:
        page = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert page.status_code == 200 and len(page.json()["items"]) <= 1
        seen += page.json()["items"]
        link = page.headers.get("link")
        url = link.split(">")[0][1:] if link else None
    # The retailer's own sales are no commission lines; every seller's are, by line.
    expected = sorted(_expected(a1) + _expected(a2) + _expected(b1), key=lambda i: i["line_id"])
    assert seen == expected
    betas = call(live, "/api/v1/finance/commissions", token, params={"seller": "beta"}).json()["items"]
    assert betas == _expected(b1)


def test_created_since_filters_by_when_the_order_was_placed(live, orders_placed, tokens):  # noqa: F811
    _people, (a1, a2, _b1) = orders_placed
    token = tokens["alpha"]
    placed = min(a1.created_at, a2.created_at)
    since = (placed - timedelta(minutes=1)).astimezone(UTC).isoformat()
    assert len(call(live, "/api/v1/finance/commissions", token, params={"created_since": since}).json()["items"]) == 2
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert call(live, "/api/v1/finance/commissions", token, params={"created_since": later}).json()["items"] == []


@pytest.mark.parametrize("params, field", [
    ({"created_since": "yesterday"}, "created_since"),
    ({"created_since": "2026-12-01T10:00:00"}, "created_since"),  # no offset: which time zone?
    ({"limit": "0"}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"cursor": "forged"}, "cursor"),
])
def test_refused_parameters_name_themselves(live, orders_placed, tokens, params, field):  # noqa: F811
    answer = call(live, "/api/v1/finance/commissions", tokens["alpha"], params=params)
    code = "invalid_cursor" if field == "cursor" else "invalid_parameter"
    assert is_problem(answer, 400, code)["field"] == field


def test_the_list_runs_as_many_queries_for_one_line_as_for_three(live, orders_placed, tokens, count_queries):  # noqa: F811
    def selects(limit):
        with count_queries() as statements:
            answer = call(live, "/api/v1/finance/commissions", tokens["operator"], params={"limit": limit})
            assert len(answer.json()["items"]) == limit
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    selects(1)  # the process reads its list of revoked tokens on its first authenticated request
    one = selects(1)
    assert one >= 1 and selects(3) == one
