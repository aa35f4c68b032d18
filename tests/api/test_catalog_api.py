"""The catalog API over HTTP with a real OAuth 2.0 client (a live server, Authlib's httpx client):
products, offers with ETag and If-Match, price confirmation, seller isolation, bulk imports."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from storefront.marketplace.models import Offer
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401


def send(method, base, path, token, **kwargs):
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return httpx.request(method, f"{base}{path}", headers=headers, **kwargs)


@pytest.fixture
def tokens(session, live, mini_shop):  # noqa: F811
    def token(seller, scopes="catalog:read catalog:write"):
        return token_of(live, *client_for(session, seller, scopes))

    return {
        "martin": token(mini_shop.martin),
        "occaz": token(mini_shop.occaz),
        "reader": token(mini_shop.martin, "catalog:read"),
        "operator": token(None, "catalog:read"),
    }


def test_products_pages_filters_and_detail(live, mini_shop, tokens):  # noqa: F811
    token = tokens["reader"]
    first = call(live, "/api/v1/products", token, params={"limit": 2})
    assert first.status_code == 200
    assert [p["id"] for p in first.json()["items"]] == [mini_shop.washer.id, mini_shop.dryer.id]
    assert 'rel="next"' in first.headers["link"]
    rest = httpx.get(first.headers["link"].split(">")[0][1:], headers={"Authorization": f"Bearer {token}"})
    assert [p["id"] for p in rest.json()["items"]] == [mini_shop.fridge.id]
    assert rest.json()["next_cursor"] is None
    by_gtin = call(live, "/api/v1/products", token, params={"gtin": mini_shop.dryer.gtin})
    assert [p["id"] for p in by_gtin.json()["items"]] == [mini_shop.dryer.id]
    by_category = call(live, "/api/v1/products", token, params={"category": "appliances"})
    assert [p["id"] for p in by_category.json()["items"]] == [mini_shop.fridge.id]
    one = call(live, f"/api/v1/products/{mini_shop.washer.id}", token)
    assert one.json()["attributes"] == {"colour": "WHITE", "capacity_kg": 9}
    assert one.json()["brand"] == "Bosch" and one.json()["category"] == "washers"
    assert one.json()["active"] is True


def test_a_product_withdrawn_in_the_back_office_says_so(session, live, mini_shop, tokens):  # noqa: F811
    mini_shop.washer.active = False  # withdrawn (product_editing.set_active in the back office)
    session.commit()
    token = tokens["reader"]
    assert call(live, f"/api/v1/products/{mini_shop.washer.id}", token).json()["active"] is False
    listed = {p["id"]: p["active"] for p in call(live, "/api/v1/products", token).json()["items"]}
    assert listed[mini_shop.washer.id] is False and listed[mini_shop.dryer.id] is True
    is_problem(call(live, "/api/v1/products/999999", token), 404, "not_found")
    is_problem(call(live, "/api/v1/products", token, params={"cursor": "forged"}), 400, "invalid_cursor")


def test_create_read_update_with_etags_and_isolation(session, live, mini_shop, tokens):  # noqa: F811
    martin, occaz = tokens["martin"], tokens["occaz"]
    is_problem(send("POST", live, "/api/v1/offers", tokens["reader"], json={}), 403, "insufficient_scope")
    created = send("POST", live, "/api/v1/offers", martin, json={
        "gtin": mini_shop.fridge.gtin, "sku": "MM-FRIDGE", "price": 119900, "stock": 3,
        "lead_time_days": 2, "condition": "NEW", "state": "ACTIVE"})
    assert created.status_code == 201, created.json()
    offer = created.json()
    assert offer["price"] == {"amount": 119900, "currency": "EUR"} and offer["seller"] == "martin"
    assert created.headers["location"].endswith(f"/api/v1/offers/{offer['id']}")
    again = send("POST", live, "/api/v1/offers", martin, json={
        "product_id": mini_shop.fridge.id, "sku": "MM-FRIDGE", "price": 1, "stock": 1})
    assert is_problem(again, 409, "conflict")["field"] == "sku"

    read = call(live, f"/api/v1/offers/{offer['id']}", martin)
    tag = read.headers["etag"]
    assert tag == created.headers["etag"] and read.json()["stock"] == 3
    url = f"/api/v1/offers/{offer['id']}"
    assert is_problem(send("PATCH", live, url, martin, json={"stock": 5}), 428,
                      "precondition_required")["field"] == "If-Match"
    updated = send("PATCH", live, url, martin, json={"stock": 5, "price": 109900},
                   headers={"If-Match": tag})
    assert updated.status_code == 200, updated.json()
    assert updated.json()["stock"] == 5 and updated.headers["etag"] != tag
    stale = send("PATCH", live, url, martin, json={"stock": 7}, headers={"If-Match": tag})
    assert is_problem(stale, 412, "precondition_failed")["etag"] == updated.headers["etag"]

    # Occaz cannot see nor change Martin's offer; nothing changed.
    is_problem(call(live, url, occaz), 404, "not_found")
    is_problem(send("PATCH", live, url, occaz, json={"stock": 0}, headers={"If-Match": "*"}),
               404, "not_found")
    session.expire_all()
    assert session.get(Offer, offer["id"]).stock == 5
    mine = call(live, "/api/v1/offers", occaz).json()["items"]
    assert {o["sku"] for o in mine} == {"TO-WASH", "TO-DRY"}
    everything = call(live, "/api/v1/offers", tokens["operator"], params={"seller": "martin"})
    assert {o["sku"] for o in everything.json()["items"]} == {"MM-WASH", "MM-DRY", "MM-FRIDGE"}


@pytest.mark.parametrize("body, field", [
    ({"price": -1}, "price"),
    ({"stock": -3}, "stock"),
    ({"stock": "3"}, "stock"),
    ({"price": 10.5}, "price"),
    ({"condition": "MINT"}, "condition"),
    ({"state": "DELETED"}, "state"),
    ({"colour": "red"}, "colour"),
    ({"confirm_price": "yes"}, "confirm_price"),
])
def test_invalid_values_name_the_field_and_write_nothing(session, live, mini_shop, tokens, body, field):  # noqa: F811
    offer = mini_shop.offers["washer_martin"]
    url = f"/api/v1/offers/{offer.id}"
    tag = call(live, url, tokens["martin"]).headers["etag"]
    answer = send("PATCH", live, url, tokens["martin"], json=body, headers={"If-Match": tag})
    assert is_problem(answer, 422, "invalid_value")["field"] == field
    created = send("POST", live, "/api/v1/offers", tokens["martin"], json={
        "gtin": mini_shop.fridge.gtin, "sku": "NEW", "price": 100, "stock": 1, **body})
    assert is_problem(created, 422, "invalid_value")["field"] == field
    session.expire_all()
    assert session.get(Offer, offer.id).price == 55900
    assert session.query(Offer).filter_by(sku="NEW").count() == 0


def test_a_big_price_drop_needs_confirming(session, live, mini_shop, tokens):  # noqa: F811
    offer = mini_shop.offers["washer_martin"]  # 559,00 €
    url = f"/api/v1/offers/{offer.id}"
    tag = call(live, url, tokens["martin"]).headers["etag"]
    refused = send("PATCH", live, url, tokens["martin"], json={"price": 5590}, headers={"If-Match": tag})
    body = is_problem(refused, 422, "needs_confirmation")
    assert body["reason"] == "price_needs_confirmation"
    assert body["warning"] == {"kind": "BIG_DROP", "old_price": 55900, "new_price": 5590,
                               "currency": "EUR", "drop_percent": "90.00"}
    session.expire_all()
    assert session.get(Offer, offer.id).price == 55900
    confirmed = send("PATCH", live, url, tokens["martin"], json={"price": 5590, "confirm_price": True},
                     headers={"If-Match": tag})
    assert confirmed.status_code == 200 and confirmed.json()["price"]["amount"] == 5590


def test_bulk_applies_good_lines_reports_bad_ones(session, live, mini_shop, tokens, count_queries):  # noqa: F811
    good = [{"gtin": mini_shop.fridge.gtin, "sku": "MM-FRIDGE", "price": 119900, "stock": 2},
            {"product_id": mini_shop.washer.id, "sku": "MM-WASH", "price": 54900, "stock": 9}]
    lines = [
        good[0],
        {"gtin": "0000000000000", "sku": "GHOST", "price": 100, "stock": 1},
        {"product_id": mini_shop.dryer.id, "sku": "MM-DRY", "price": 0, "stock": 1},
        {"product_id": mini_shop.dryer.id, "sku": "MM-DRY2", "price": 100, "stock": -1},
        good[1],
        {"product_id": mini_shop.dryer.id, "sku": "MM-DRY", "price": 100, "stock": 1, "confirm_price": True},
        {"product_id": mini_shop.dryer.id, "sku": "MM-DRY3", "price": 69000, "stock": 1},  # clash: NEW exists
        "not an object",
    ]
    answer = send("POST", live, "/api/v1/offers/bulk", tokens["martin"], json={"offers": lines})
    assert answer.status_code == 200, answer.json()
    report = answer.json()["lines"]
    assert [(r["line"], r["status"]) for r in report] == [
        (1, "applied"), (2, "refused"), (3, "refused"), (4, "refused"), (5, "applied"),
        (6, "applied"), (7, "refused"), (8, "refused")]
    assert report[1]["reason"] == "unknown_product"
    assert report[2]["reason"] == "price_needs_confirmation" and report[2]["warning"]["kind"] == "ZERO_PRICE"
    assert report[3]["reason"] == "invalid_value" and report[3]["field"] == "stock"
    assert report[6]["reason"] == "duplicate_offer" and report[6]["field"] == "condition"
    assert answer.json()["applied"] == 3 and answer.json()["refused"] == 5
    session.expire_all()
    mine = {o.sku: o for o in session.query(Offer).filter_by(seller_id=mini_shop.martin.id)}
    assert set(mine) == {"MM-WASH", "MM-DRY", "MM-FRIDGE"}
    assert mine["MM-FRIDGE"].id == report[0]["offer_id"] and mine["MM-WASH"].stock == 9
    assert mine["MM-DRY"].price == 100

    # The number of reads does not grow with the lines (each call creates offers, whose ids are
    # read back once, and refuses the lines that clash).
    def selects(n, who):
        many = [{"product_id": mini_shop.fridge.id if i % 2 else mini_shop.dryer.id, "condition": "GOOD",
                 "sku": f"X{i}", "price": 100 + i, "stock": i} for i in range(n)]
        with count_queries() as statements:
            done = send("POST", live, "/api/v1/offers/bulk", tokens[who], json={"offers": many})
        assert done.status_code == 200 and done.json()["applied"] == 2
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    assert selects(40, "occaz") == selects(4, "martin")


def test_bulk_limits_and_shapes(live, mini_shop, tokens):  # noqa: F811
    too_many = [{"product_id": 1, "sku": f"S{i}", "price": 1, "stock": 1} for i in range(1001)]
    is_problem(send("POST", live, "/api/v1/offers/bulk", tokens["martin"], json={"offers": too_many}),
               413, "payload_too_large")
    is_problem(send("POST", live, "/api/v1/offers/bulk", tokens["martin"], json={"lines": []}),
               422, "invalid_value")
    is_problem(send("POST", live, "/api/v1/offers/bulk", tokens["operator"], json={"offers": []}),
               403, "insufficient_scope")


def test_idempotency_key_replays_the_first_answer(session, live, mini_shop, tokens):  # noqa: F811
    body = {"gtin": mini_shop.fridge.gtin, "sku": "MM-FRIDGE", "price": 119900, "stock": 3}
    key = {"Idempotency-Key": "create-fridge-1"}
    first = send("POST", live, "/api/v1/offers", tokens["martin"], json=body, headers=key)
    assert first.status_code == 201
    again = send("POST", live, "/api/v1/offers", tokens["martin"], json=body, headers=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"] and again.headers["etag"] == first.headers["etag"]
    other = send("POST", live, "/api/v1/offers", tokens["martin"], json={**body, "stock": 4}, headers=key)
    assert is_problem(other, 422, "idempotency_key_reused")["field"] == "Idempotency-Key"
    # Keys are per client: Occaz's same key is its own request.
    occaz = send("POST", live, "/api/v1/offers", tokens["occaz"], headers=key,
                 json={**body, "sku": "TO-FRIDGE"})
    assert occaz.status_code == 201 and occaz.json()["seller"] == "occaz"
    # A refused request is not kept: its retry runs again (and may then succeed).
    bad = {"Idempotency-Key": "bulk-1"}
    refused = send("POST", live, "/api/v1/offers/bulk", tokens["martin"], json={"lines": []}, headers=bad)
    is_problem(refused, 422, "invalid_value")
    lines = {"offers": [{"product_id": mini_shop.dryer.id, "sku": "MM-DRY", "price": 69000, "stock": 8}]}
    done = send("POST", live, "/api/v1/offers/bulk", tokens["martin"], json=lines, headers=bad)
    assert done.status_code == 200 and done.json()["applied"] == 1
    session.expire_all()
    assert session.query(Offer).filter_by(seller_id=mini_shop.martin.id, sku="MM-FRIDGE").count() == 1
    replayed = send("POST", live, "/api/v1/offers/bulk", tokens["martin"], json=lines, headers=bad)
    assert replayed.json() == done.json() and replayed.headers["idempotent-replayed"] == "true"
