"""Input the declared models refuse before anything runs, found by schemathesis on PostgreSQL:
the NUL character, which no column can store (PostgreSQL raises on it: a 500 before), in a query
parameter, a path parameter and a body; in a bulk line it refuses that line only."""

from __future__ import annotations

from sqlalchemy import func, select

from storefront.marketplace.models import Message, Offer
from tests.api.test_api_orders import is_problem, orders_placed  # noqa: F401
from tests.api.test_api_writes_and_limits import bearer, new_client
from tests.api.test_discussions_api import ask


def test_the_nul_character_is_refused_naming_where_it_is(session, client, orders_placed):  # noqa: F811
    people, (a1, _a2, _b1) = orders_placed
    scopes = "catalog:read catalog:write orders:read discussions:write"
    headers = bearer(client, *new_client(session, people.shop.alpha, scopes))
    listed = client.get("/api/v1/offers", query_string={"sku": "A\x00"}, headers=headers)
    assert is_problem(listed, 400, "invalid_parameter")["field"] == "sku"
    one = client.get("/api/v1/orders/A%00", headers=headers)
    assert is_problem(one, 400, "invalid_parameter")["field"] == "number"

    thread = ask(session, people, part=a1)
    before = session.scalar(select(func.count(Message.id)))
    said = client.post(f"/api/v1/discussions/{thread.id}/messages", headers=headers, json={"body": "Bon\x00jour"})
    assert is_problem(said, 422, "invalid_value")["field"] == "body"
    assert session.scalar(select(func.count(Message.id))) == before

    product = people.shop.offers["alpha"].product_id
    lines = [{"product_id": product, "sku": "NUL\x00", "price": 100, "stock": 1},
             {"product_id": product, "sku": "FINE", "price": 100, "stock": 1, "condition": "USED"}]
    report = client.post("/api/v1/offers/bulk", headers=headers, json={"offers": lines})
    assert report.status_code == 200, report.json
    assert [(line["status"], line.get("field")) for line in report.json["lines"]] == [
        ("refused", "sku"), ("applied", None)]
    session.expire_all()
    assert {o.sku for o in session.scalars(select(Offer).where(Offer.seller_id == people.shop.alpha.id))} >= {"FINE"}
    assert session.scalar(select(func.count(Offer.id)).where(Offer.sku.like("NUL%"))) == 0
