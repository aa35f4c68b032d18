"""Webhooks: events recorded with the change that causes them, delivered signed (Standard
Webhooks) to a real HTTP receiver on loopback, retried on the schedule, failed, replayed; the
receiving URLs checked; nothing written when nobody listens.

The receiver checks every signature with its own implementation of the spec (below), and the
verification example of docs/api.md is run as written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storefront.jobs.webhooks import sweep_webhooks
from storefront.marketplace import orders, tracking, webhooks
from storefront.marketplace.errors import InvalidValue, NotFound
from storefront.marketplace.models import (
    ActorRole,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
)
from storefront.marketplace.refusals import Refusal
from storefront.marketplace.unit_of_work import transaction
from storefront.settings import ConfigError, load_settings
from storefront.webhooks import delivery
from tests import order_fixtures
from tests.order_fixtures import part_of, place

people = order_fixtures.people  # the fixture, for this module's tests
DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def spec_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """The test's own reading of the spec: base64(HMAC-SHA256(b64decode(secret sans whsec_),
    "{id}.{timestamp}.{body}"))."""
    key = base64.b64decode(secret[len("whsec_"):])
    mac = hmac.new(key, message_id.encode() + b"." + timestamp.encode() + b"." + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


class Receiver:
    """An HTTP server on loopback that records what it receives and answers the planned statuses
    in turn (then 200)."""

    def __init__(self):
        self.received: list[dict] = []
        self.plan: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.plan.pop(0) if receiver.plan else 200
                receiver.received.append({"headers": dict(self.headers), "body": body, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks?shop=1"

    def events(self, secret: str) -> list[dict]:
        """The bodies received, each after checking its signature."""
        bodies = []
        for hit in self.received:
            headers = {k.lower(): v for k, v in hit["headers"].items()}
            assert headers["content-type"] == "application/json"
            assert re.fullmatch(r"msg_[A-Za-z0-9_-]+", headers["webhook-id"])
            assert headers["webhook-timestamp"].isdigit()
            version, signature = headers["webhook-signature"].split(",", 1)
            assert version == "v1"
            expected = spec_signature(secret, headers["webhook-id"], headers["webhook-timestamp"], hit["body"])
            assert hmac.compare_digest(signature, expected)
            bodies.append(json.loads(hit["body"]))
        return bodies

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def frozen(app):
    """Move the shop's clock (``FROZEN_TIME``): ``frozen(delta)`` from the real time now."""
    start = datetime.now(UTC)

    def at(delta: timedelta) -> datetime:
        app.config["FROZEN_TIME"] = start + delta
        return start + delta

    yield at
    app.config.pop("FROZEN_TIME", None)


def _subscribe(session, seller, url, events):
    subscription = webhooks.subscribe(session, seller, url, events, allow_private=True)
    session.commit()
    return subscription


def test_an_order_placed_accepted_and_shipped_reaches_the_seller_signed(session, people, receiver):
    shop = people.shop
    subscription = _subscribe(
        session, shop.alpha, receiver.url, ["order.created", "order.accepted", "shipment.shipped"]
    )
    assert subscription.secret.startswith("whsec_") and len(base64.b64decode(subscription.secret[6:])) == 24
    # Beta's order and the offer changes are not Alpha's business, nor in its subscription.
    order = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["beta"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=ActorRole.SELLER)
    tracking.ship(
        session, part, carrier_code="UPS", tracking_number="1Z999AA10123456784", actor_role=ActorRole.SELLER
    )
    session.commit()

    bodies = receiver.events(subscription.secret)
    assert [body["type"] for body in bodies] == ["order.created", "order.accepted", "shipment.shipped"]
    created, accepted, shipped = (body["data"] for body in bodies)
    assert created["seller_order_id"] == part.id and created["order_number"] == part.number
    assert created["state"] == "WAITING_ACCEPTANCE" and created["currency"] == "EUR"
    line = created["lines"][0]
    assert (line["quantity"], line["unit_price"]) == (2, shop.offers["alpha"].price)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created["created_at"])
    assert accepted["state"] == "SHIPPING"
    assert shipped["carrier"] == "UPS" and shipped["tracking_number"] == "1Z999AA10123456784"
    assert shipped["items"] == [{"line_id": line["line_id"], "quantity": 2}]
    assert "email" not in json.dumps(bodies) and people.customer.email not in json.dumps(bodies)
    statuses = session.scalars(select(WebhookDelivery.status)).all()
    assert statuses == [DeliveryStatus.DELIVERED] * 3


def test_the_operator_hears_every_seller(session, people, receiver):
    shop = people.shop
    subscription = _subscribe(session, None, receiver.url, ["order.created"])
    place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["beta"], 1))
    sellers = {body["data"]["seller_id"] for body in receiver.events(subscription.secret)}
    assert sellers == {shop.alpha.id, shop.beta.id}


def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt(session, people, receiver, frozen):
    receiver.plan = [500, 500]
    subscription = _subscribe(session, people.shop.alpha, receiver.url, ["order.created"])
    frozen(timedelta(0))
    place(session, people.customer, (people.shop.offers["alpha"], 1))  # attempt 1, at commit: 500
    row = session.scalars(select(WebhookDelivery)).one()
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.PENDING, 1, 500)

    frozen(timedelta(seconds=2))
    assert sweep_webhooks.call_local() == 0  # not due yet (5 s ± 10 %)
    frozen(timedelta(seconds=6))
    assert sweep_webhooks.call_local() == 0  # attempt 2: 500
    frozen(timedelta(seconds=6) + timedelta(minutes=6))
    assert sweep_webhooks.call_local() == 1  # attempt 3: 200

    session.expire_all()
    row = session.get(WebhookDelivery, row.id)
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.DELIVERED, 3, 200)
    assert [hit["status"] for hit in receiver.received] == [500, 500, 200]
    ids = {hit["headers"]["webhook-id"] for hit in receiver.received}
    assert ids == {row.event.message_id}  # the same id on every attempt
    assert len(receiver.events(subscription.secret)) == 3


def test_a_receiver_that_always_fails_ends_failed_then_is_replayed(session, people, receiver, frozen):
    receiver.plan = [503] * delivery.MAX_ATTEMPTS
    _subscribe(session, people.shop.alpha, receiver.url, ["order.created"])
    frozen(timedelta(0))
    place(session, people.customer, (people.shop.offers["alpha"], 1))
    elapsed = timedelta(0)
    for wait in delivery.SCHEDULE:
        elapsed += wait * 1.11
        frozen(elapsed)
        sweep_webhooks.call_local()
    assert elapsed > timedelta(hours=24)
    session.expire_all()
    row = session.scalars(select(WebhookDelivery)).one()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.FAILED, 8, "HTTP 503")
    assert len(receiver.received) == 8
    frozen(elapsed + timedelta(days=1))
    assert sweep_webhooks.call_local() == 0 and len(receiver.received) == 8  # given up

    failed = webhooks.deliveries_of(session, people.shop.alpha, status=DeliveryStatus.FAILED)
    assert [d.id for d in failed] == [row.id]
    assert webhooks.deliveries_of(session, people.shop.beta) == []
    with pytest.raises(NotFound):
        webhooks.replay(session, row.id, people.shop.beta)
    webhooks.replay(session, row.id, people.shop.alpha)  # commits: delivered at once (200 now)
    session.expire_all()
    row = session.get(WebhookDelivery, row.id)
    assert (row.status, row.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert receiver.received[-1]["headers"]["webhook-id"] == row.event.message_id


def test_no_subscription_costs_one_query_and_writes_nothing(session, people, count_queries):
    part = part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    built = []
    with count_queries() as statements:
        written = webhooks.record_event(
            session, "order.accepted", part.seller_id, lambda: built.append(1) or {}
        )
    assert written == [] and built == [] and len(statements) == 1
    assert session.scalar(select(func.count(WebhookEvent.id))) == 0


def test_a_subscription_to_other_events_or_another_seller_hears_nothing(session, people, receiver):
    _subscribe(session, people.shop.beta, receiver.url, ["order.created"])
    _subscribe(session, people.shop.alpha, receiver.url, ["refund.created"])
    place(session, people.customer, (people.shop.offers["alpha"], 1))
    assert receiver.received == []
    assert session.scalar(select(func.count(WebhookEvent.id))) == 0


def test_a_rolled_back_change_leaves_no_event(session, people, receiver):
    _subscribe(session, people.shop.alpha, receiver.url, ["order.accepted"])
    part = part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    with pytest.raises(RuntimeError), transaction(session):
        orders.accept(session, part, actor_role=ActorRole.SELLER)
        assert session.scalar(select(func.count(WebhookEvent.id))) == 1  # written, in the transaction
        raise RuntimeError("something after the change failed")
    assert session.scalar(select(func.count(WebhookEvent.id))) == 0
    assert session.scalar(select(func.count(WebhookDelivery.id))) == 0
    assert receiver.received == []


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",  # not https
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://localhost:8443/hooks",  # a name that resolves to loopback
        "https://192.168.1.10/",
        "https://0.0.0.0/",
    ],
)
def test_production_refuses_urls_that_are_not_public_https(session, people, url):
    with pytest.raises(InvalidValue) as refused:
        webhooks.subscribe(session, people.shop.alpha, url, ["order.created"])
    assert refused.value.details["reason"] in (Refusal.WEBHOOK_URL, Refusal.PRIVATE_ADDRESS)
    assert refused.value.details["field"] == "url"
    assert webhooks.subscriptions_of(session, people.shop.alpha) == []


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hooks", "https://10.1.2.3/hooks", "https://169.254.1.1/", "http://[::1]:9/x",
     "http://localhost:5000/hooks"],
)
def test_development_and_tests_allow_private_addresses(session, people, url):
    assert webhooks.subscribe(session, people.shop.alpha, url, ["order.created"], allow_private=True).url == url


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "https://user:pw@example.com/", "https:///nohost", "https://ex ample.com/", ""]
)
def test_malformed_urls_are_refused_even_in_development(session, people, url):
    with pytest.raises(InvalidValue):
        webhooks.subscribe(session, people.shop.alpha, url, ["order.created"], allow_private=True)


def test_public_addresses_pass_and_unknown_events_are_refused(session, people):
    assert webhooks.is_public("93.184.216.34") and webhooks.is_public("2606:4700::1111")
    assert not any(map(webhooks.is_public, ["100.64.0.1", "224.0.0.1", "fe80::1%eth0", "fc00::1", "::"]))
    with pytest.raises(InvalidValue) as refused:
        webhooks.subscribe(session, None, "http://127.0.0.1/", ["order.exploded"], allow_private=True)
    assert refused.value.details["reason"] == Refusal.EVENT_TYPE


def test_delivery_checks_the_address_again(app, session, people, receiver):
    """Where private addresses are not allowed, the worker checks the address again before
    connecting (a host may re-resolve to a private address after it was subscribed): no request
    is made, the attempt fails and will be retried."""
    _subscribe(session, people.shop.alpha, receiver.url, ["order.created"])
    app.config["WEBHOOKS_ALLOW_PRIVATE_URLS"] = False
    try:
        place(session, people.customer, (people.shop.offers["alpha"], 1))  # attempt 1, at commit
    finally:
        app.config["WEBHOOKS_ALLOW_PRIVATE_URLS"] = True
    row = session.scalars(select(WebhookDelivery)).one()
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.PENDING, 1, None)
    assert "https" in row.last_error and receiver.received == []
    with pytest.raises(InvalidValue) as refused:
        delivery.post("https://localhost:1/hooks", b"{}", {}, allow_private=False, timeout=1)
    assert refused.value.details["reason"] == Refusal.PRIVATE_ADDRESS


def test_the_settings_allow_private_addresses_only_outside_production(tmp_path):
    def settings(**environ):
        base = {"SECRET_KEY": "x" * 40, "MAIL_URL": "smtp://127.0.0.1:25", "PAYMENT_PROVIDER": "sandbox"}
        return load_settings({**base, **environ}, tmp_path)

    assert settings(STOREFRONT_ENV="development")["WEBHOOKS_ALLOW_PRIVATE_URLS"] is True
    assert settings(STOREFRONT_ENV="development", WEBHOOKS_ALLOW_PRIVATE_URLS="0")[
        "WEBHOOKS_ALLOW_PRIVATE_URLS"
    ] is False
    with pytest.raises(ConfigError, match="WEBHOOKS_ALLOW_PRIVATE_URLS"):
        settings(STOREFRONT_ENV="development", WEBHOOKS_ALLOW_PRIVATE_URLS="maybe")
    with pytest.raises(ConfigError, match="WEBHOOKS_ALLOW_PRIVATE_URLS"):
        settings(STOREFRONT_ENV="production", WEBHOOKS_ALLOW_PRIVATE_URLS="1")


def test_the_docs_example_verifies_what_the_shop_sends(session, people, receiver):
    """docs/api.md's ``verify_webhook``, run as written, accepts the shop's requests and refuses
    a tampered body, another secret and an old timestamp."""
    code = re.search(r"### Verifying a signature in Python.*?```python\n(.*?)```", DOCS.read_text(), re.S)
    namespace: dict = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)
    verify = namespace["verify_webhook"]

    subscription = _subscribe(session, people.shop.alpha, receiver.url, ["order.created"])
    place(session, people.customer, (people.shop.offers["alpha"], 1))
    (hit,) = receiver.received
    assert verify(subscription.secret, hit["headers"], hit["body"])
    assert not verify(subscription.secret, hit["headers"], hit["body"].replace(b"EUR", b"USD"))
    assert not verify(webhooks.new_secret(), hit["headers"], hit["body"])
    old = {**hit["headers"], "webhook-timestamp": str(int(hit["headers"]["webhook-timestamp"]) - 3600)}
    assert not verify(subscription.secret, old, hit["body"])
