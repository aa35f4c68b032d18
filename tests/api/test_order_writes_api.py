"""Refusing, cancelling, refunding, receiving and closing seller orders through the API: thin
adapters over the services of the portal and the back office (orders.refuse, cancel_lines,
refund, tracking.mark_received, orders.close). Bodies judged with the field named, nothing
written on a refusal, another seller's order unknown, replays answered once, webhooks sent, and
the whole flow from waiting to shipped and refunded over HTTP with a real OAuth 2.0 client."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from storefront.marketplace.models import (
    Cancellation,
    Refund,
    SellerOrder,
    SellerOrderState,
)
from storefront.marketplace.refusals import Refusal
from tests.api.test_api_orders import call, client_for, is_problem, live, orders_placed, token_of  # noqa: F401
from tests.api.test_api_writes_and_limits import bearer, new_client
from tests.test_webhooks import _subscribe, receiver  # noqa: F401

WRITE = "orders:read orders:write"


def post(base, path, token, **kwargs):
    return httpx.post(f"{base}{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs)


def counts(session) -> tuple[int, int]:
    session.expire_all()
    return (session.scalar(select(func.count(Cancellation.id))),
            session.scalar(select(func.count(Refund.id))))


def state_of(session, order) -> SellerOrderState:
    session.expire_all()
    return session.get(SellerOrder, order.id).state


def test_refusing_checks_the_reason_and_lines_then_refuses_and_tells_the_webhook(
        session, live, orders_placed, receiver):  # noqa: F811
    people, (a1, a2, _b1) = orders_placed
    subscription = _subscribe(session, people.shop.alpha, receiver.url, ["order.refused"])
    token = token_of(live, *client_for(session, people.shop.alpha, WRITE))
    path = f"/api/v1/orders/{a1.number}/refuse"
    version = a1.version
    refusals = [
        ({}, "reason_code", None),
        ({"reason_code": ""}, "reason_code", None),
        ({"reason_code": "NO_SUCH_REASON"}, "reason_code", Refusal.REASON_CODE),
        ({"reason_code": "DAMAGED"}, "reason_code", Refusal.REASON_CODE),  # a refund's reason
        ({"reason_code": "OUT_OF_STOCK", "line_ids": [a2.lines[0].id]}, "line_ids", Refusal.LINE),
        ({"reason_code": "OUT_OF_STOCK", "line_ids": []}, "line_ids", None),
        ({"reason_code": "OUT_OF_STOCK", "line_ids": [0]}, "line_ids.0", None),
        ({"reason_code": "OUT_OF_STOCK", "note": "x" * 1001}, "note", None),
        ({"reason_code": "OUT_OF_STOCK", "why": "no"}, "why", None),
    ]
    for payload, field, reason in refusals:
        body = is_problem(post(live, path, token, json=payload), 422, "invalid_value")
        assert body["field"] == field, (payload, body)
        assert body.get("reason") == (str(reason) if reason else None), body
    stale = post(live, path, token, json={"reason_code": "OUT_OF_STOCK", "expected_version": version + 1})
    assert is_problem(stale, 409, "conflict")["reason"] == Refusal.STALE
    assert state_of(session, a1) == SellerOrderState.WAITING_ACCEPTANCE and counts(session) == (0, 0)
    assert session.get(SellerOrder, a1.id).version == version
    assert receiver.received == []

    refused = post(live, path, token, json={"reason_code": "OUT_OF_STOCK", "note": "Plus en stock",
                                            "expected_version": version})
    assert refused.status_code == 200, refused.json()
    assert refused.json()["state"] == "REFUSED" and refused.json()["actions"] == []
    (line,) = refused.json()["lines"]
    assert line["state"] == "REFUSED" and line["quantity_canceled"] == 1
    assert refused.json()["cancellations"][0]["reason_code"] == "OUT_OF_STOCK"
    assert refused.json()["cancellations"][0]["by"] == "SELLER"
    (event,) = receiver.events(subscription.secret)
    assert event["type"] == "order.refused" and event["data"]["order_number"] == a1.number
    again = post(live, path, token, json={"reason_code": "OUT_OF_STOCK"})
    assert is_problem(again, 409, "invalid_transition")["reason"] == Refusal.NOT_WAITING


def test_cancelling_units_with_quantities_and_a_replay_done_once(session, client, orders_placed):  # noqa: F811
    people, (_a1, a2, _b1) = orders_placed  # one line of two units
    alpha = bearer(client, *new_client(session, people.shop.alpha, WRITE))
    (line,) = a2.lines
    path = f"/api/v1/orders/{a2.number}/cancel"
    assert client.post(f"/api/v1/orders/{a2.number}/accept", headers=alpha).status_code == 200

    def lines(quantity, line_id=line.id):
        return [{"line_id": line_id, "quantity": quantity}]

    refusals = [
        ({"reason_code": "OUT_OF_STOCK"}, "lines"),
        ({"reason_code": "OUT_OF_STOCK", "lines": []}, "lines"),
        ({"reason_code": "OUT_OF_STOCK", "lines": lines(0)}, "lines.0.quantity"),
        ({"reason_code": "OUT_OF_STOCK", "lines": lines(-1)}, "lines.0.quantity"),
        ({"reason_code": "OUT_OF_STOCK", "lines": lines("1")}, "lines.0.quantity"),
        ({"reason_code": "OUT_OF_STOCK", "lines": lines(3)}, "lines"),  # only 2 ordered
        ({"reason_code": "OUT_OF_STOCK", "lines": lines(1) + lines(1)}, "lines.1.line_id"),
        ({"reason_code": "OUT_OF_STOCK", "lines": lines(1, line_id=_a1.lines[0].id)}, "lines"),
        ({"reason_code": "SUSPECTED_FRAUD", "lines": lines(1)}, "reason_code"),  # the operator's
        ({"reason_code": "WITHDRAWAL", "lines": lines(1)}, "reason_code"),  # a refund's
        ({"reason_code": "NOPE", "lines": lines(1)}, "reason_code"),
    ]
    for payload, field in refusals:
        body = is_problem(client.post(path, headers=alpha, json=payload), 422, "invalid_value")
        assert body["field"] == field, (payload, body)
    assert counts(session) == (0, 0) and state_of(session, a2) == SellerOrderState.SHIPPING

    once = {**alpha, "Idempotency-Key": "cancel-one-unit"}
    payload = {"reason_code": "OUT_OF_STOCK", "lines": lines(1), "note": "Un seul en stock"}
    first = client.post(path, headers=once, json=payload)
    assert first.status_code == 200, first.json
    replay = client.post(path, headers=once, json=payload)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == first.json
    assert first.json["lines"][0]["quantity_canceled"] == 1 and first.json["state"] == "SHIPPING"
    assert [(c["line_id"], c["quantity"], c["amount"]["amount"]) for c in first.json["cancellations"]] == [
        (line.id, 1, line.unit_price)]
    assert counts(session) == (1, 0)
    # The last unit: nothing left, the order is cancelled.
    last = client.post(path, headers=alpha, json={**payload, "expected_version": first.json["version"]})
    assert last.status_code == 200 and last.json["state"] == "CANCELED"
    assert is_problem(client.post(path, headers=alpha, json=payload), 409,
                      "invalid_transition")["reason"] == Refusal.NOT_CANCELLABLE


def test_another_sellers_order_is_unknown_to_every_write_and_nothing_changes(
        session, client, orders_placed):  # noqa: F811
    people, (_a1, _a2, b1) = orders_placed
    alpha = bearer(client, *new_client(session, people.shop.alpha, WRITE))
    reader = bearer(client, *new_client(session, people.shop.alpha, "orders:read"))
    version = b1.version
    bodies = {
        "refuse": {"reason_code": "OUT_OF_STOCK"},
        "cancel": {"reason_code": "OUT_OF_STOCK", "lines": [{"line_id": b1.lines[0].id, "quantity": 1}]},
        "refund": {"reason_code": "DAMAGED", "amount": 100},
        "receive": {},
        "close": {},
    }
    for action, body in bodies.items():
        url = f"/api/v1/orders/{b1.number}/{action}"
        is_problem(client.post(url, headers=alpha, json=body), 404, "not_found")
        is_problem(client.post(url, headers=reader, json=body), 403, "insufficient_scope")
        is_problem(client.post(f"/api/v1/orders/NOPE-1/{action}", headers=alpha, json=body), 404, "not_found")
    session.expire_all()
    assert session.get(SellerOrder, b1.id).version == version and counts(session) == (0, 0)


def test_the_whole_flow_over_http_from_waiting_to_shipped_refunded_received_and_closed(
        session, live, orders_placed, receiver):  # noqa: F811
    people, (_a1, a2, _b1) = orders_placed
    subscription = _subscribe(session, people.shop.alpha, receiver.url,
                              ["order.accepted", "shipment.shipped", "refund.created"])
    seller = token_of(live, *client_for(session, people.shop.alpha,
                                        f"{WRITE} tracking:read tracking:write"))
    operator = token_of(live, *client_for(session, None, WRITE))
    url = f"/api/v1/orders/{a2.number}"

    waiting = call(live, url, seller).json()
    assert waiting["state"] == "WAITING_ACCEPTANCE" and "refund" not in waiting["actions"]
    early = post(live, f"{url}/refund", seller, json={"reason_code": "DAMAGED", "amount": 100})
    assert is_problem(early, 409, "invalid_transition")["reason"] == Refusal.NOT_REFUNDABLE
    accepted = post(live, f"{url}/accept", seller, json={"expected_version": waiting["version"]})
    assert accepted.json()["state"] == "SHIPPING"
    shipped = post(live, f"{url}/shipments", seller,
                   json={"carrier_code": "COLISSIMO", "tracking_number": "6A123456789"})
    assert shipped.status_code == 201, shipped.json()
    detail = call(live, url, seller).json()
    assert detail["state"] == "SHIPPED" and "refund" in detail["actions"]
    paid_goods = detail["amounts"]["goods"]["amount"]
    line_id = detail["lines"][0]["id"]

    refund = f"{url}/refund"
    before = counts(session)
    refusals = [
        ({"reason_code": "DAMAGED"}, "amount", Refusal.ZERO),
        ({"reason_code": "DAMAGED", "amount": 0, "shipping_amount": 0}, "amount", Refusal.ZERO),
        ({"reason_code": "DAMAGED", "amount": -100}, "amount", None),
        ({"reason_code": "DAMAGED", "amount": 1.5}, "amount", None),
        ({"reason_code": "DAMAGED", "amount": paid_goods + 1}, "amount", Refusal.ABOVE_PAID),
        ({"reason_code": "DAMAGED", "amount": 100, "line_id": 999_999}, "line_id", Refusal.LINE),
        ({"reason_code": "DAMAGED", "shipping_amount": 10**6}, "shipping_amount", Refusal.ABOVE_SHIPPING),
        ({"reason_code": "OUT_OF_STOCK", "amount": 100}, "reason_code", Refusal.REASON_CODE),
        ({"amount": 100}, "reason_code", None),
    ]
    for payload, field, reason in refusals:
        body = is_problem(post(live, refund, seller, json=payload), 422, "invalid_value")
        assert body["field"] == field and body.get("reason") == (str(reason) if reason else None), body
    above = is_problem(post(live, refund, seller, json={"reason_code": "DAMAGED", "amount": paid_goods + 1}),
                       422, "invalid_value")
    assert above["detail"] and counts(session) == before

    first = post(live, refund, seller, json={"reason_code": "DAMAGED", "amount": 500, "line_id": line_id,
                                             "comment": "Boîte abîmée"})
    assert first.status_code == 200, first.json()
    assert first.json()["refunds"] == [{
        "line_id": line_id, "amount": {"amount": 500, "currency": "EUR"},
        "shipping_amount": {"amount": 0, "currency": "EUR"}, "reason_code": "DAMAGED", "marketplace_code": None, "by": "SELLER",
        "created_at": first.json()["refunds"][0]["created_at"],
    }]
    assert first.json()["amounts"]["refunded"]["amount"] == 500
    rest = post(live, refund, seller, json={"reason_code": "DAMAGED", "amount": paid_goods - 500 + 1})
    assert is_problem(rest, 422, "invalid_value")["reason"] == Refusal.ABOVE_PAID
    assert counts(session)[1] == 1

    types = [event["type"] for event in receiver.events(subscription.secret)]
    assert types == ["order.accepted", "shipment.shipped", "refund.created"]
    created = receiver.events(subscription.secret)[-1]["data"]
    assert created["amount"] == 500 and created["reason_code"] == "DAMAGED"

    # Receiving and closing are the operator's: a seller's client is refused for its own order.
    for step in ("receive", "close"):
        body = is_problem(post(live, f"{url}/{step}", seller, json={}), 403, "not_allowed")
        assert "operator" in body["detail"]
    assert state_of(session, a2) == SellerOrderState.SHIPPED
    is_problem(post(live, f"{url}/close", operator, json={}), 409, "invalid_transition")
    version = call(live, url, operator).json()["version"]
    stale = post(live, f"{url}/receive", operator, json={"expected_version": version - 1})
    assert is_problem(stale, 409, "conflict")["reason"] == Refusal.STALE
    received = post(live, f"{url}/receive", operator, json={"expected_version": version})
    assert received.status_code == 200 and received.json()["state"] == "RECEIVED"
    assert "close" in received.json()["actions"]
    assert received.json()["shipments"][0]["delivered_at"].endswith("Z")
    closed = post(live, f"{url}/close", operator)
    assert closed.status_code == 200 and closed.json()["state"] == "CLOSED"
    assert state_of(session, a2) == SellerOrderState.CLOSED


@pytest.mark.parametrize("action", ["refuse", "cancel", "refund", "receive", "close"])
def test_the_writes_are_documented_idempotent_with_their_bodies(client, action):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/orders/{number}/" + action]["post"]
    assert operation["security"] == [{"oauth2": ["orders:write"]}]
    assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/OrderDetail")
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]


def test_accepting_another_orders_line_names_the_field_and_accepts_nothing(session, live, orders_placed):  # noqa: F811
    """As for the other writes: a line of another order is a wrong value of ``line_ids`` (422),
    not a missing resource."""
    people, (a1, a2, _b1) = orders_placed
    token = token_of(live, *client_for(session, people.shop.alpha, WRITE))
    body = is_problem(post(live, f"/api/v1/orders/{a1.number}/accept", token,
                           json={"line_ids": [a2.lines[0].id]}), 422, "invalid_value")
    assert body["field"] == "line_ids" and body["reason"] == Refusal.LINE
    assert state_of(session, a1) == state_of(session, a2) == SellerOrderState.WAITING_ACCEPTANCE
