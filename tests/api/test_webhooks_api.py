"""Webhooks through the API, over HTTP with a real OAuth 2.0 client: subscribe (secret once),
list, stop, deliveries with filters, replay; scopes; another seller's ids answer 404 and change
nothing."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from storefront.marketplace import webhooks
from storefront.marketplace.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from tests.api.test_api_orders import client_for, is_problem, live, token_of  # noqa: F401  (live: a fixture)
from tests.order_fixtures import build_people

HOOK = "http://127.0.0.1:9/hooks"  # private and plain http: allowed in tests only
ALL = "sellers:read sellers:write orders:read tracking:read"


def send(base, method, path, token, **kwargs):
    return httpx.request(method, f"{base}{path}", headers={"Authorization": f"Bearer {token}",
                                                           **kwargs.pop("headers", {})}, **kwargs)


@pytest.fixture
def people(session):
    return build_people(session)


def token(session, live, seller, scopes=ALL):  # noqa: F811
    return token_of(live, *client_for(session, seller, scopes))


def delivery_for(session, subscription, status=DeliveryStatus.FAILED):
    event = WebhookEvent(message_id=f"msg_api{subscription.id}{status}", type="order.created",
                         seller_id=subscription.seller_id, payload={})
    delivery = WebhookDelivery(event=event, subscription=subscription, status=status, attempts=9,
                               last_status_code=503, last_error="HTTP 503")
    session.add(delivery)
    session.commit()
    return delivery


def state(session):
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(WebhookSubscription)),
        tuple(session.scalars(select(WebhookSubscription.active).order_by(WebhookSubscription.id))),
        tuple(session.scalars(select(WebhookDelivery.status).order_by(WebhookDelivery.id))),
    )


def test_a_seller_subscribes_sees_the_secret_once_lists_and_stops(session, live, people):  # noqa: F811
    alpha = token(session, live, people.shop.alpha)
    made = send(live, "POST", "/api/v1/webhooks/subscriptions", alpha,
                json={"url": HOOK, "events": ["order.created", "shipment.shipped"], "description": "ERP"},
                headers={"Idempotency-Key": "sub-1"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["seller_id"] == people.shop.alpha.id
    assert body["events"] == ["order.created", "shipment.shipped"] and body["created_at"].endswith("Z")
    stored = session.get(WebhookSubscription, body["id"])
    assert stored.secret == body["secret"] and stored.api_client_id is not None
    # The retry with the same key gets the first answer, not a second subscription.
    again = send(live, "POST", "/api/v1/webhooks/subscriptions", alpha,
                 json={"url": HOOK, "events": ["order.created", "shipment.shipped"], "description": "ERP"},
                 headers={"Idempotency-Key": "sub-1"})
    assert again.json()["id"] == body["id"] and state(session)[0] == 1

    listed = send(live, "GET", "/api/v1/webhooks/subscriptions", alpha)
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["items"]] == [body["id"]]
    assert "secret" not in listed.json()["items"][0]

    stopped = send(live, "DELETE", f"/api/v1/webhooks/subscriptions/{body['id']}", alpha)
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    session.expire_all()
    assert not session.get(WebhookSubscription, body["id"]).active


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"url": HOOK, "events": ["order.shipped"]}, 422, "invalid_value", "events"),
        ({"url": HOOK, "events": []}, 422, "invalid_value", "events"),
        ({"url": "ftp://example.com/x", "events": ["order.created"]}, 422, "invalid_value", "url"),
        ({"url": HOOK, "events": ["order.created"], "secret": "mine"}, 422, "invalid_value", "secret"),
        ({"url": HOOK, "events": ["message.created"]}, 403, "insufficient_scope", "events"),
    ],
)
def test_what_a_subscription_refuses(session, live, people, payload, status, code, field):  # noqa: F811
    alpha = token(session, live, people.shop.alpha)
    before = state(session)
    refused = send(live, "POST", "/api/v1/webhooks/subscriptions", alpha, json=payload)
    assert is_problem(refused, status, code)["field"] == field
    assert state(session) == before


def test_production_refuses_private_addresses(session, live, people, app, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", False)
    alpha = token(session, live, people.shop.alpha)
    for url, reason in (("https://127.0.0.1/hooks", "private_address"), (HOOK, "webhook_url")):
        refused = send(live, "POST", "/api/v1/webhooks/subscriptions", alpha,
                       json={"url": url, "events": ["order.created"]})
        body = is_problem(refused, 422, "invalid_value")
        assert body["field"] == "url" and body["reason"] == reason
    assert state(session)[0] == 0


def test_scopes_are_those_of_the_sellers_domain(session, live, people):  # noqa: F811
    reader = token(session, live, people.shop.alpha, "sellers:read orders:read")
    assert send(live, "GET", "/api/v1/webhooks/subscriptions", reader).status_code == 200
    refused = send(live, "POST", "/api/v1/webhooks/subscriptions", reader,
                   json={"url": HOOK, "events": ["order.created"]})
    assert is_problem(refused, 403, "insufficient_scope")["scope"] == "sellers:write"
    orders_only = token(session, live, people.shop.alpha, "orders:read")
    assert is_problem(send(live, "GET", "/api/v1/webhooks/deliveries", orders_only), 403, "insufficient_scope")


def test_deliveries_filter_and_replay_and_another_sellers_are_404(session, live, people):  # noqa: F811
    shop = people.shop
    alphas = webhooks.subscribe(session, shop.alpha, HOOK, ["order.created"], allow_private=True)
    other = webhooks.subscribe(session, shop.alpha, HOOK + "/2", ["order.created"], allow_private=True)
    betas = webhooks.subscribe(session, shop.beta, HOOK, ["order.created"], allow_private=True)
    failed = delivery_for(session, alphas)
    delivered = delivery_for(session, other, DeliveryStatus.DELIVERED)
    beta_failed = delivery_for(session, betas)
    alpha = token(session, live, shop.alpha)

    everything = send(live, "GET", "/api/v1/webhooks/deliveries", alpha).json()["items"]
    assert [d["id"] for d in everything] == [delivered.id, failed.id]
    first = everything[1]
    assert first["status"] == "FAILED" and first["attempts"] == 9 and first["last_status_code"] == 503
    assert first["event_id"] == failed.event.message_id and first["next_attempt_at"] is None
    only_failed = send(live, "GET", "/api/v1/webhooks/deliveries", alpha, params={"status": "FAILED"})
    assert [d["id"] for d in only_failed.json()["items"]] == [failed.id]
    of_one = send(live, "GET", "/api/v1/webhooks/deliveries", alpha, params={"subscription_id": other.id})
    assert [d["id"] for d in of_one.json()["items"]] == [delivered.id]
    assert is_problem(send(live, "GET", "/api/v1/webhooks/deliveries", alpha, params={"status": "LOST"}),
                      400, "invalid_parameter")["field"] == "status"

    before = state(session)
    is_problem(send(live, "POST", f"/api/v1/webhooks/deliveries/{beta_failed.id}/replay", alpha), 404, "not_found")
    is_problem(send(live, "DELETE", f"/api/v1/webhooks/subscriptions/{betas.id}", alpha), 404, "not_found")
    assert state(session) == before

    replayed = send(live, "POST", f"/api/v1/webhooks/deliveries/{failed.id}/replay", alpha)
    assert replayed.status_code == 200 and replayed.json()["id"] == failed.id
    session.expire_all()
    # Due again: the worker (eager in tests) has already tried it once more and waits for the next try.
    assert session.get(WebhookDelivery, failed.id).status == DeliveryStatus.PENDING

    # The operator sees every seller's deliveries.
    operator = token(session, live, None)
    ids = {d["id"] for d in send(live, "GET", "/api/v1/webhooks/deliveries", operator).json()["items"]}
    assert ids == {failed.id, delivered.id, beta_failed.id}


def test_the_document_declares_the_webhooks_operations(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    subscriptions = paths["/api/v1/webhooks/subscriptions"]
    assert subscriptions["get"]["security"] == [{"oauth2": ["sellers:read"]}]
    assert subscriptions["post"]["security"] == [{"oauth2": ["sellers:write"]}]
    assert any(p["name"] == "Idempotency-Key" for p in subscriptions["post"]["parameters"])
    assert "201" in subscriptions["post"]["responses"]
    assert paths["/api/v1/webhooks/subscriptions/{subscription_id}"]["delete"]["security"] == [
        {"oauth2": ["sellers:write"]}]
    listing = {p["name"] for p in paths["/api/v1/webhooks/deliveries"]["get"]["parameters"]}
    assert {"status", "subscription_id", "limit"} <= listing
    replay = paths["/api/v1/webhooks/deliveries/{delivery_id}/replay"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in replay["parameters"])
