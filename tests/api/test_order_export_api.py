"""GET /api/v1/orders/export with real OAuth tokens over a live server: a seller's client gets
its own orders, the operator's every seller's, in CSV or JSON lines; a bad since or format is a
problem+json 400; the orders:read scope is needed."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from storefront.marketplace import orders
from storefront.marketplace.models import ActorRole
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.order_fixtures import build_people, part_of, place

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_each_client_exports_what_it_may_see(session, live):  # noqa: F811
    people = build_people(session)
    shop = people.shop
    first = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["beta"], 1), now=T0)
    a1, b1 = part_of(first, shop.alpha), part_of(first, shop.beta)
    alpha = token_of(live, *client_for(session, shop.alpha))

    answer = call(live, "/api/v1/orders/export?since=2026-11-30", alpha)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="orders-alpha-' in answer.headers["content-disposition"]
    text = answer.content.decode("utf-8-sig")
    found = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [row["seller_order_number"] for row in found] == [a1.number]
    assert found[0]["unit_price"] == "€15.00" and found[0]["line_total_cents"] == "3000"

    # A change after submission comes back with an RFC 3339 since.
    orders.accept(session, b1, actor_role=ActorRole.SELLER, now=datetime(2026, 12, 2, 8, tzinfo=UTC))
    operator = token_of(live, *client_for(session, None))
    lines = call(live, "/api/v1/orders/export?since=2026-12-02T08:00:00Z&format=jsonl", operator)
    assert lines.headers["content-type"] == "application/x-ndjson"
    rows = [json.loads(line) for line in lines.text.splitlines()]
    assert [(r["seller_order_number"], r["state"]) for r in rows] == [(b1.number, "SHIPPING")]
    everything = call(live, "/api/v1/orders/export?since=2026-11-30&format=jsonl", operator)
    assert {json.loads(line)["seller_code"] for line in everything.text.splitlines()} == {"alpha", "beta"}
    assert 'filename="orders-ALL-' in everything.headers["content-disposition"]


def test_bad_input_is_a_problem(session, live):  # noqa: F811
    people = build_people(session)
    token = token_of(live, *client_for(session, people.shop.alpha))
    body = is_problem(call(live, "/api/v1/orders/export?since=yesterday", token), 400, "invalid_parameter")
    assert body["field"] == "since"
    body = is_problem(call(live, "/api/v1/orders/export?since=2026-12-01&format=xlsx", token), 400,
                      "invalid_parameter")
    assert body["field"] == "format"
    is_problem(call(live, "/api/v1/orders/export", token), 400, "invalid_parameter")
    catalog_only = token_of(live, *client_for(session, people.shop.alpha, "catalog:read"))
    assert call(live, "/api/v1/orders/export?since=2026-12-01", catalog_only).status_code == 403
