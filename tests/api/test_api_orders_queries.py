"""The orders API's reads cost a few SQL statements whatever the order holds (issue 12's
benchmark: one order and a page of orders at 1,000,000 rows)."""

from __future__ import annotations

from storefront.marketplace import orders
from storefront.marketplace.models import ActorRole
from tests.api.test_api_orders import _forge
from tests.order_fixtures import build_people, part_of, place

# The client's rate-limit count (the tests keep it in the database), the order (with its customer
# order and seller), its lines with their shipments, its parcels, the lines of each shipment
# that has a fee (for the shipping share), its refunds, its cancellations.
GET_AT_MOST = 7
# The rate-limit count, the page (with customer orders and sellers), its lines with shipments.
LIST_AT_MOST = 3


def _get(client, count_queries, token, number):
    with count_queries() as statements:
        response = client.get(f"/api/v1/orders/{number}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    return response.json, len(statements)


def test_one_order_costs_the_same_few_statements_however_big(session, client, count_queries):
    people = build_people(session)
    shop = people.shop
    small = part_of(place(session, people.customer, (shop.offers["alpha"], 1)), shop.alpha)
    big = part_of(place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["alpha_washer"], 1),
                        (shop.offers["beta"], 1)), shop.alpha)
    orders.accept(session, big, actor_role=ActorRole.SELLER)
    first = big.lines[0]
    orders.cancel_lines(session, big, {first.id: 1}, reason_code="OUT_OF_STOCK", actor_role=ActorRole.SELLER)
    session.commit()
    token = _forge({"operator": False, "seller_id": shop.alpha.id})
    _get(client, count_queries, token, small.number)  # the first authenticated request reads the revocation list

    small_body, small_count = _get(client, count_queries, token, small.number)
    big_body, big_count = _get(client, count_queries, token, big.number)

    assert len(small_body["lines"]) == 1 and len(big_body["lines"]) == 2
    assert big_body["cancellations"][0]["line_id"] == first.id
    assert big_body["amounts"]["canceled"]["amount"] == 1500
    assert big_body["shipments"] and big_body["refunds"] == []
    assert small_count == big_count <= GET_AT_MOST, (small_count, big_count)


def test_a_page_of_orders_costs_a_fixed_few_statements(session, client, count_queries):
    people = build_people(session)
    shop = people.shop
    place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["alpha_washer"], 1))
    for _ in range(2):
        place(session, people.customer, (shop.offers["alpha"], 1))
    token = _forge({"operator": False, "seller_id": shop.alpha.id})
    client.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})  # reads the revocation list
    with count_queries() as statements:
        response = client.get("/api/v1/orders?state=WAITING_ACCEPTANCE",
                              headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and len(response.json["items"]) == 3
    assert sorted(len(item["lines"]) for item in response.json["items"]) == [1, 1, 2]
    assert len(statements) <= LIST_AT_MOST, statements
