"""Shipping an accepted order through the API with a real OAuth 2.0 client (tracking.ship, the
portal's rule), listing its parcels with tracking links; validation (nothing written), scopes,
another seller's order, bounded queries."""

from __future__ import annotations

import httpx2 as httpx
from sqlalchemy import func, select

from storefront.marketplace import orders
from storefront.marketplace.models import ActorRole, Parcel, SellerOrder, SellerOrderState
from storefront.marketplace.refusals import Refusal
from tests.api.test_api_orders import call, client_for, is_problem, live, orders_placed, token_of  # noqa: F401
from tests.api.test_api_writes_and_limits import bearer, new_client


def post(base, path, token, **kwargs):
    return httpx.post(f"{base}{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs)


def parcels(session) -> int:
    return session.scalar(select(func.count(Parcel.id)))


def test_a_seller_ships_its_accepted_order(session, live, orders_placed):  # noqa: F811
    people, (_a1, a1, b1) = orders_placed  # the second: one line of two units
    scopes = "orders:read orders:write tracking:read tracking:write"
    token = token_of(live, *client_for(session, people.shop.alpha, scopes))
    assert post(live, f"/api/v1/orders/{a1.number}/accept", token).status_code == 200
    path = f"/api/v1/orders/{a1.number}/shipments"
    (line,) = a1.lines
    first_line = line.id

    before = parcels(session)
    refusals = [
        ({"carrier_code": "COLISSIMO", "tracking_number": "6A123456789", "tracking_url": "https://x"},
         "tracking_url"),
        ({"tracking_number": "6A123456789"}, "carrier_code"),
        ({"carrier_code": "COLISSIMO", "tracking_number": ""}, "tracking_number"),
        ({"carrier_code": "NOPE", "tracking_number": "6A123456789"}, "carrier_code"),
        ({"carrier_code": "COLISSIMO", "tracking_number": "6A123456789", "shipped_on": "demain"},
         "shipped_on"),
        ({"carrier_code": "COLISSIMO", "tracking_number": "6A123456789",
          "lines": [{"line_id": first_line, "quantity": "1"}]}, "lines.0.quantity"),
    ]
    for payload, field in refusals:
        assert is_problem(post(live, path, token, json=payload), 422, "invalid_value")["field"] == field
    too_many = post(live, path, token, json={"carrier_code": "COLISSIMO", "tracking_number": "6A123456789",
                                              "lines": [{"line_id": first_line, "quantity": 3}]})
    assert is_problem(too_many, 422, "invalid_value")["reason"] == Refusal.TOO_MANY
    bad_number = post(live, path, token, json={"carrier_code": "COLISSIMO", "tracking_number": "6A 12"})
    assert is_problem(bad_number, 422, "invalid_value")["reason"] == Refusal.TRACKING_NUMBER
    session.expire_all()
    assert parcels(session) == before

    # Two parcels: one unit, then the rest.
    first = post(live, path, token, json={"carrier_code": "colissimo", "tracking_number": "6a123456789",
                                          "lines": [{"line_id": first_line, "quantity": 1}]})
    assert first.status_code == 201, first.json()
    assert first.json()["tracking_url"].endswith("code=6A123456789")
    assert first.json()["lines"] == [{"line_id": first_line, "quantity": 1}]
    session.expire_all()
    assert session.get(SellerOrder, a1.id).state == SellerOrderState.SHIPPING
    rest = post(live, path, token, json={"carrier_code": "DPD", "tracking_number": "DPD-0001"})
    assert rest.status_code == 201 and rest.json()["lines"] == [{"line_id": first_line, "quantity": 1}]
    session.expire_all()
    assert session.get(SellerOrder, a1.id).state == SellerOrderState.SHIPPED

    listed = call(live, path, token).json()["items"]
    assert [(p["carrier"]["code"], p["tracking_number"]) for p in listed] == [
        ("COLISSIMO", "6A123456789"), ("DPD", "DPD-0001")]
    assert listed[1]["tracking_url"] == "https://trace.dpd.fr/fr/trace/DPD-0001"

    # Beta's order: unknown, and nothing shipped.
    is_problem(call(live, f"/api/v1/orders/{b1.number}/shipments", token), 404, "not_found")
    hidden = post(live, f"/api/v1/orders/{b1.number}/shipments", token,
                  json={"carrier_code": "DPD", "tracking_number": "DPD-0002"})
    is_problem(hidden, 404, "not_found")
    session.expire_all()
    assert session.get(SellerOrder, b1.id).parcels == []


def test_scopes_and_a_waiting_order(session, live, orders_placed):  # noqa: F811
    people, (a1, _a2, _b1) = orders_placed
    reader = token_of(live, *client_for(session, people.shop.alpha, "tracking:read"))
    body = {"carrier_code": "DPD", "tracking_number": "DPD-0001"}
    refused = post(live, f"/api/v1/orders/{a1.number}/shipments", reader, json=body)
    assert is_problem(refused, 403, "insufficient_scope")["scope"] == "tracking:write"
    orders_only = token_of(live, *client_for(session, people.shop.alpha, "orders:read"))
    is_problem(call(live, f"/api/v1/orders/{a1.number}/shipments", orders_only), 403, "insufficient_scope")
    writer = token_of(live, *client_for(session, people.shop.alpha, "tracking:write"))
    waiting = post(live, f"/api/v1/orders/{a1.number}/shipments", writer, json=body)
    assert is_problem(waiting, 409, "invalid_transition")["reason"] == Refusal.NOT_SHIPPABLE


def test_listing_parcels_is_bounded(session, client, orders_placed, count_queries):  # noqa: F811
    people, (_a1, a1, _b1) = orders_placed
    orders.accept(session, a1, actor_role=ActorRole.SELLER)
    session.commit()
    headers = bearer(client, *new_client(session, people.shop.alpha, "tracking:read tracking:write"))
    path = f"/api/v1/orders/{a1.number}/shipments"
    line_ids = sorted(line.id for line in a1.lines)

    def counted():
        with count_queries() as statements:
            assert client.get(path, headers=headers).status_code == 200
        return len(statements)

    assert client.post(path, headers=headers, json={
        "carrier_code": "DPD", "tracking_number": "DPD-0001",
        "lines": [{"line_id": line_ids[0], "quantity": 1}]}).status_code == 201
    one = counted()
    for n, code in enumerate(("COLISSIMO", "CHRONOPOST", "DPD")):
        answer = client.post(path, headers=headers, json={"carrier_code": code, "tracking_number": f"XX-00{n}9"})
        assert answer.status_code == 201, answer.json
    assert counted() == one


def test_an_idempotency_key_ships_once(session, live, orders_placed):  # noqa: F811
    people, (_a1, a1, _b1) = orders_placed
    token = token_of(live, *client_for(session, people.shop.alpha, "orders:write tracking:read tracking:write"))
    assert post(live, f"/api/v1/orders/{a1.number}/accept", token).status_code == 200
    path = f"/api/v1/orders/{a1.number}/shipments"
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "ship-a1"}
    body = {"carrier_code": "DPD", "tracking_number": "DPD-0001"}
    before = parcels(session)
    first = httpx.post(f"{live}{path}", headers=headers, json=body)
    assert first.status_code == 201, first.json()
    again = httpx.post(f"{live}{path}", headers=headers, json=body)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    session.expire_all()
    assert parcels(session) == before + 1  # without the key, a second parcel would be added
    assert len(call(live, path, token).json()["items"]) == 1
    other = httpx.post(f"{live}{path}", headers=headers, json={**body, "tracking_number": "DPD-0002"})
    assert is_problem(other, 422, "idempotency_key_reused")["field"] == "Idempotency-Key"
    session.expire_all()
    assert parcels(session) == before + 1
